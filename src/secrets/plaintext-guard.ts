import { FleetProblem } from '../core/errors';
import { FleetModule, ModelCheck } from '../core/model/fleet-model';
import { describeSource } from '../core/model/kustomize-build';
import { Doc } from '../core/model/repo-tree';
import { isMap } from '../core/json-values';
import { sealedNamespaceCheck } from './sealed-namespace-check';
import { ruleCheck } from '../core/model/rules';
import { sealedSecretsKeyRenewalRule } from './key-renewal-rule';

const SCOPE_ANNOTATIONS = ['sealedsecrets.bitnami.com/namespace-wide', 'sealedsecrets.bitnami.com/cluster-wide'];

/**
 * Refuses plaintext secret values in anything the repository holds, since every file is committed
 * to git: a core `Secret` with `data` or `stringData` (whatever its spelling of the kind, inside a
 * `List` or not, in a file synth writes or one the user owns), a SealedSecret whose template
 * carries `data`, patches that add either, and objects that a Flux Kustomization's `spec.patches`
 * would give plaintext. It also refuses patches that change a SealedSecret's sealed data or scope,
 * which would make it undecryptable. It reads the model's documents, whatever produced them.
 */
export function plaintextSecretGuard(): ModelCheck {
  return {
    id: 'secrets/plaintext',
    description: 'no plaintext secret value is committed or applied',
    check: model => {
      const problems: FleetProblem[] = [];
      const seen = new Set<Doc>();
      const guard = (doc: Doc, path: string, where: string, isPatch: boolean) => {
        if (seen.has(doc)) return;
        seen.add(doc);
        const name = describe(doc);
        // a SOPS-encrypted document (its values are ciphertext; Flux decrypts it with spec.decryption)
        if (isMap(doc.sops)) return;
        if (String(doc.apiVersion) === 'v1' && String(doc.kind).toLowerCase() === 'secret') {
          const keys = plaintextKeys(doc);
          if (keys) problems.push({ path, message: `${isPatch ? `patch of Secret ${name} adds` : `${doc.kind === 'Secret' ? 'Secret' : `Secret (written "kind: ${String(doc.kind)}", which the API server reads as Secret)`} ${name}${where} carries`} plaintext ${keys}; ${HINT}` });
        }
        if (doc.kind === 'SealedSecret') {
          const template = ((doc.spec ?? {}) as { template?: Record<string, unknown> }).template ?? {};
          const keys = plaintextKeys(template);
          if (keys) problems.push({ path, message: `SealedSecret ${name}${where} carries plaintext spec.template ${keys}; ${HINT}` });
          if (isPatch) sealedSecretPatchProblems(doc, name).forEach(message => problems.push({ path, message }));
        }
      };
      for (const e of model.documents()) {
        const where = e.source.item ? ` (in a List of ${e.source.file})` : e.generated ? '' : ` (in ${describeSource(e.source)})`;
        guard(e.doc, e.location, where, e.patch);
      }
      for (const cluster of model.clusters) {
        for (const a of cluster.applications) {
          if (a.doc === a.built.source.doc || !GUARDED_KINDS.has(String(a.doc.kind).toLowerCase())) continue;
          const by = a.built.patches.map(p => `${p.field} of ${p.file}`).join(', ');
          guard(a.doc, a.built.patches[a.built.patches.length - 1]?.constructPath ?? a.built.source.origin.constructPath ?? a.built.source.file, ` (as cluster "${cluster.name}" gets it${by ? `, patched by ${by}` : ''})`, false);
        }
      }
      return problems;
    },
  };
}

/** The kinds that can carry plaintext secret values (a Secret under any spelling of its kind, a SealedSecret's template). */
const GUARDED_KINDS = new Set(['secret', 'sealedsecret']);

const HINT = 'the files of this repository are committed to git, so its values would leak: seal them with `npm run seal` and use a SealedSecret instead (or encrypt the file with SOPS and decrypt it with the Kustomization\'s spec.decryption)';

/** The secrets module: SealedSecrets make Secrets exist, plaintext is refused, sealed objects stay where they decrypt. */
export const secretsModule: FleetModule = {
  name: 'secrets',
  register: registry => {
    registry.registerDerived({
      group: 'bitnami.com',
      kind: 'SealedSecret',
      // the controller creates a Secret of the same name and namespace
      derive: (doc, namespace) => [{ kind: 'Secret', name: String(doc.metadata?.name), namespace }],
    });
    registry.registerCheck(plaintextSecretGuard());
    registry.registerCheck(sealedNamespaceCheck());
    registry.registerCheck(ruleCheck(sealedSecretsKeyRenewalRule()));
  },
};

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

