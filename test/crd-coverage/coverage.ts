// Test-only support of the CRD-coverage test: which `spec` fields of the vendored Flux CRDs the
// typed props reach. A fixture builds objects of one kind with typed props only (no raw ApiObject,
// no addJsonPatch); the fields its synthesized documents carry are the fields the props reach.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { fluxFleet } from '../flux-fixture';

/** The fixture fleet a coverage fixture builds into (see `fluxFleet`). */
export type CoverageFleet = ReturnType<typeof fluxFleet>;

/** Objects of one kind built with every typed prop set (several fixtures for exclusive fields). */
export interface CoverageFixture {
  /** The kind whose fields the fixture reaches, e.g. `Provider`. */
  readonly kind: string;
  /** What the fixture shows, for the test name. */
  readonly name: string;
  /** Props of the fixture fleet. @default a fleet with Flux's multi-tenancy lockdown */
  readonly fleet?: { readonly allowCrossNamespaceReferences?: boolean };
  /** Builds the objects into a fresh fixture fleet, with typed props only. */
  readonly build: (f: CoverageFleet) => void;
}

/**
 * Fields deliberately left without a typed prop, per kind: a field path (`spec.a.b`, `[]` for
 * array items; a path covers the fields under it) and the reason.
 */
export type LeftOut = Readonly<Record<string, Readonly<Record<string, string>>>>;

const CRDS = path.resolve(__dirname, '../../crds');

/** The Flux 2.9 CRD files (the controllers' and source-watcher's; not Sealed Secrets or the operator). */
export const FLUX_CRD_FILES = [
  'source-controller.yaml', 'kustomize-controller.yaml', 'helm-controller.yaml', 'notification-controller.yaml',
  'image-reflector-controller.yaml', 'image-automation-controller.yaml', 'source-watcher.yaml',
];

/** One Flux kind's served schema. */
export interface KindSchema {
  readonly kind: string;
  readonly apiVersion: string;
  /** Every leaf field path under `spec` (a map or free-form object is a leaf). */
  readonly leaves: readonly string[];
}

/** The kinds of the Flux CRD files and the leaf paths of their `spec`. */
export function fluxKindSchemas(): KindSchema[] {
  const out: KindSchema[] = [];
  for (const file of FLUX_CRD_FILES) {
    for (const doc of parseAllDocuments(fs.readFileSync(path.join(CRDS, file), 'utf8'))) {
      const crd = doc.toJS();
      for (const v of crd.spec.versions.filter((x: { served: boolean }) => x.served)) {
        const leaves: string[] = [];
        walk(v.schema.openAPIV3Schema.properties.spec, 'spec', leaves);
        out.push({ kind: crd.spec.names.kind, apiVersion: `${crd.spec.group}/${v.name}`, leaves: leaves.sort() });
      }
    }
  }
  return out;
}

function walk(schema: any, at: string, leaves: string[]): void {
  if (schema.properties && Object.keys(schema.properties).length > 0) {
    for (const [k, sub] of Object.entries(schema.properties)) walk(sub, `${at}.${k}`, leaves);
  } else if (schema.type === 'array' && schema.items?.properties) {
    walk(schema.items, `${at}[]`, leaves);
  } else {
    leaves.push(at);
  }
}

/** Every leaf path of a document's `spec` (array items as `[]`, map keys as their own segment). */
export function emittedPaths(value: unknown, at = 'spec', out = new Set<string>()): Set<string> {
  if (Array.isArray(value)) {
    if (value.length === 0) out.add(at);
    for (const v of value) emittedPaths(v, `${at}[]`, out);
  } else if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value);
    if (entries.length === 0) out.add(at);
    for (const [k, v] of entries) emittedPaths(v, `${at}.${k}`, out);
  } else {
    out.add(at);
  }
  return out;
}

/** Whether a schema leaf is reached by an emitted path (the leaf itself or anything under it). */
export function reaches(emitted: ReadonlySet<string>, leaf: string): boolean {
  for (const e of emitted) {
    if (e === leaf || e.startsWith(`${leaf}.`) || e.startsWith(`${leaf}[]`)) return true;
  }
  return false;
}

/** Whether a left-out path covers a leaf (the path itself or a parent of it). */
export function coveredBy(leaf: string, leftOut: string): boolean {
  return leaf === leftOut || leaf.startsWith(`${leftOut}.`) || leaf.startsWith(`${leftOut}[]`);
}
