import { ApiObject } from 'cdk8s';
import { IConstruct } from 'constructs';
import { FleetProblem } from '../layout/errors';
import { FleetCheck } from '../layout/layout-model';
import { ObjectPatch } from '../layout/object-patch';

/**
 * Refuses any core `Secret` (or patch of one) that carries `data` or `stringData`: whatever synth
 * writes is committed to git, so a plaintext Secret would leak. Points to `SealedSecret`.
 */
export function plaintextSecretGuard(root: IConstruct): FleetCheck {
  return () => {
    const problems: FleetProblem[] = [];
    const hint = 'generated files are committed to git, so its values would leak: seal them with `npm run seal` and use a SealedSecret instead';
    for (const c of root.node.findAll()) {
      if (ApiObject.isApiObject(c) && c.apiVersion === 'v1' && c.kind === 'Secret') {
        const keys = plaintextKeys(c.toJson());
        if (keys.length > 0) {
          problems.push({ path: c.node.path, message: `Secret ${c.metadata.namespace ? `${c.metadata.namespace}/` : ''}${c.name} carries plaintext ${keys.join(', ')}; ${hint}` });
        }
      } else if (c instanceof ObjectPatch && c.hasTarget && c.target.apiVersion === 'v1' && c.target.kind === 'Secret') {
        const keys = plaintextKeys(c.renderDocuments()[0]);
        if (keys.length > 0) {
          problems.push({ path: c.node.path, message: `patch of Secret ${c.target.name} adds plaintext ${keys.join(', ')}; ${hint}` });
        }
      }
    }
    return problems;
  };
}

function plaintextKeys(doc: Record<string, unknown>): string[] {
  return ['data', 'stringData'].flatMap(field => {
    const value = doc[field];
    return value && typeof value === 'object' && Object.keys(value).length > 0
      ? [`${field} (${Object.keys(value).sort().map(k => `"${k}"`).join(', ')})`]
      : [];
  });
}
