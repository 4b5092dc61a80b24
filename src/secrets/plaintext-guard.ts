import { FleetProblem } from '../core/errors';
import { FleetCheck } from '../core/layout-model';
import { FileRole } from '../core/layout-file';

const SCOPE_ANNOTATIONS = ['sealedsecrets.bitnami.com/namespace-wide', 'sealedsecrets.bitnami.com/cluster-wide'];

/**
 * Refuses plaintext secret values in anything synth writes, since every generated file is
 * committed to git: a core `Secret` with `data` or `stringData`, a SealedSecret whose template
 * carries `data`, and patches that add either. It reads the documents as rendered, whatever
 * construct produced them. It also refuses patches that change a SealedSecret's sealed data or
 * scope, which would make it undecryptable.
 */
export function plaintextSecretGuard(): FleetCheck {
  return analysis => {
    const problems: FleetProblem[] = [];
    const hint = 'generated files are committed to git, so its values would leak: seal them with `npm run seal` and use a SealedSecret instead';
    for (const f of analysis.files) {
      f.docs.forEach((doc, i) => {
        const path = f.objects?.[i]?.node.path ?? f.file.node.path;
        const name = describe(doc);
        const isPatch = f.file.role === FileRole.PATCH;
        if (doc.apiVersion === 'v1' && doc.kind === 'Secret') {
          const keys = plaintextKeys(doc);
          if (keys) problems.push({ path, message: `${isPatch ? `patch of Secret ${name} adds` : `Secret ${name} carries`} plaintext ${keys}; ${hint}` });
        }
        if (doc.kind === 'SealedSecret') {
          const template = ((doc.spec ?? {}) as { template?: Record<string, unknown> }).template ?? {};
          const keys = plaintextKeys(template);
          if (keys) problems.push({ path, message: `SealedSecret ${name} carries plaintext spec.template ${keys}; ${hint}` });
          if (isPatch) sealedSecretPatchProblems(doc, name).forEach(message => problems.push({ path, message }));
        }
      });
    }
    return problems;
  };
}

function sealedSecretPatchProblems(doc: Record<string, unknown>, name: string): string[] {
  const out: string[] = [];
  const spec = (doc.spec ?? {}) as { encryptedData?: unknown; template?: { metadata?: { annotations?: object } } };
  if (spec.encryptedData !== undefined) {
    out.push(`patch of SealedSecret ${name} changes spec.encryptedData: sealed values come from the environment's store only (npm run seal); give the environment its own SealedSecret instead`);
  }
  const annotations = [
    ...Object.keys(((doc.metadata ?? {}) as { annotations?: object }).annotations ?? {}),
    ...Object.keys(spec.template?.metadata?.annotations ?? {}),
  ];
  if (annotations.some(a => SCOPE_ANNOTATIONS.includes(a))) {
    out.push(`patch of SealedSecret ${name} sets a scope annotation, which would change the scope behind the sealed values' back: set the SealedSecret's scope and re-seal instead`);
  }
  return out;
}

function describe(doc: Record<string, unknown>): string {
  const meta = (doc.metadata ?? {}) as { name?: string; namespace?: string };
  return `${meta.namespace ? `${meta.namespace}/` : ''}${meta.name}`;
}

/** `data ("a", "b")`-style description of the non-empty plaintext fields, or undefined. */
function plaintextKeys(doc: Record<string, unknown>): string | undefined {
  const parts = ['data', 'stringData'].flatMap(field => {
    const value = doc[field];
    return value && typeof value === 'object' && Object.keys(value).length > 0
      ? [`${field} (${Object.keys(value).sort().map(k => `"${k}"`).join(', ')})`]
      : [];
  });
  return parts.length > 0 ? parts.join(' and ') : undefined;
}

