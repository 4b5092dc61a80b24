import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseAllDocuments } from 'yaml';

/**
 * A CustomResourceDefinition to register with a fleet: the path of a YAML file of CRDs (the file
 * you gave `cdk8s import`; other documents in it are skipped), or a parsed CRD document.
 */
export type CrdSource = string | Readonly<Record<string, unknown>>;

/** What the fleet learns from one registered CRD. */
export interface RegisteredCrd {
  /** The API group, e.g. `cert-manager.io`. */
  readonly group: string;
  /** The kind, e.g. `ClusterIssuer`. */
  readonly kind: string;
  /** The served versions that carry a schema. */
  readonly versions: readonly string[];
  /** Whether its objects are cluster-scoped (`spec.scope: Cluster`). */
  readonly clusterScoped: boolean;
  /** Where it came from (the file, or `document #n`), for messages. */
  readonly from: string;
  /** The CRD document itself. */
  readonly document: Record<string, unknown>;
}

/** The CRDs of a source, and why any of it could not be read. */
export interface LoadedCrds {
  /** The CRDs read. */
  readonly crds: readonly RegisteredCrd[];
  /** What is wrong with the source, for a person (none when everything was read). */
  readonly problems: readonly string[];
}

/**
 * Reads the CRDs of a source: a file is read relative to the working directory when its path is
 * not absolute. A file that does not exist or is not YAML, a source without any CRD, and a CRD
 * without a group, kind or a served version with an `openAPIV3Schema` are problems.
 */
export function loadCrds(source: CrdSource, index: number): LoadedCrds {
  const problems: string[] = [];
  let docs: { doc: unknown; from: string }[];
  const label = typeof source === 'string' ? `"${source}"` : `document #${index + 1}`;
  if (typeof source === 'string') {
    const file = path.resolve(source);
    if (!fs.statSync(file, { throwIfNoEntry: false })?.isFile()) {
      return { crds: [], problems: [`CRD file ${label} does not exist (resolved to ${file}): give the path of the YAML file of CRDs you imported with cdk8s import`] };
    }
    try {
      const parsed = parseAllDocuments(fs.readFileSync(file, 'utf8'));
      const broken = parsed.find(d => d.errors.length > 0);
      if (broken) return { crds: [], problems: [`CRD file ${label} is not valid YAML: ${broken.errors[0].message}`] };
      docs = parsed.map((d, i) => ({ doc: d.toJS(), from: `${source}#${i}` }));
    } catch (e) {
      return { crds: [], problems: [`CRD file ${label} cannot be read: ${(e as Error).message}`] };
    }
  } else {
    docs = [{ doc: source, from: label }];
  }
  const crds: RegisteredCrd[] = [];
  for (const { doc, from } of docs) {
    const d = doc as { kind?: unknown; spec?: Record<string, unknown> } | null;
    if (d?.kind !== 'CustomResourceDefinition') continue;
    const spec = (d.spec ?? {}) as { group?: unknown; scope?: unknown; names?: { kind?: unknown }; versions?: unknown };
    const versions = Array.isArray(spec.versions)
      ? (spec.versions as { name?: unknown; served?: unknown; schema?: { openAPIV3Schema?: unknown } }[])
        .filter(v => v?.served === true && typeof v.name === 'string' && typeof v.schema?.openAPIV3Schema === 'object').map(v => String(v.name))
      : [];
    if (typeof spec.group !== 'string' || typeof spec.names?.kind !== 'string' || versions.length === 0) {
      problems.push(`CRD ${from} has no spec.group, spec.names.kind or served version with an openAPIV3Schema, so nothing could be validated against it: register the CRD as its chart or project publishes it (apiextensions.k8s.io/v1)`);
      continue;
    }
    crds.push({ group: spec.group, kind: spec.names.kind, versions, clusterScoped: spec.scope === 'Cluster', from, document: d as Record<string, unknown> });
  }
  if (crds.length === 0 && problems.length === 0) {
    problems.push(`${typeof source === 'string' ? `CRD file ${label} holds` : `${label} is`} no CustomResourceDefinition (kind: CustomResourceDefinition, apiVersion: apiextensions.k8s.io/v1): register the CRD file itself, not the objects it defines`);
  }
  return { crds, problems };
}
