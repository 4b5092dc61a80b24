import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { FLUX_REFERENCES } from '../src/flux/model/flux-references';

const CRDS = path.join(__dirname, '..', 'crds');

interface SchemaNode { type?: string; properties?: Record<string, SchemaNode>; items?: SchemaNode }

/** Every field of a Flux CRD (served version) that names another object, as `spec.a.b[]` paths. */
function referenceFields(): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const file of fs.readdirSync(CRDS).filter(f => f.endsWith('.yaml') && f !== 'sealed-secrets.yaml')) {
    for (const d of parseAllDocuments(fs.readFileSync(path.join(CRDS, file), 'utf8'))) {
      const crd = d.toJS() as { spec?: { group: string; names: { kind: string }; versions: { served: boolean; storage: boolean; schema?: { openAPIV3Schema?: SchemaNode } }[] } };
      if (!crd?.spec?.group.endsWith('.fluxcd.io')) continue;
      const version = crd.spec.versions.find(v => v.storage) ?? crd.spec.versions[0];
      const fields: string[] = [];
      const walk = (node: SchemaNode | undefined, at: string) => {
        if (!node) return;
        if (node.type === 'array') return walk(node.items, `${at}[]`);
        for (const [k, v] of Object.entries(node.properties ?? {})) {
          const here = at ? `${at}.${k}` : k;
          const isRef = /Ref$/.test(k) || ['dependsOn', 'eventSources', 'healthChecks', 'valuesFrom', 'substituteFrom', 'serviceAccountName', 'sources'].includes(k)
            || (k === 'resources' && crd.spec!.names.kind === 'Receiver') || (k === 'repository' && at.endsWith('include[]'));
          if (isRef) fields.push(v.type === 'array' ? `${here}[]` : here);
          else walk(v, here);
        }
      };
      walk(version.schema?.openAPIV3Schema?.properties?.spec, 'spec');
      out.set(`${crd.spec.group} ${crd.spec.names.kind}`, fields);
    }
  }
  return out;
}

/** Reference-like fields the table leaves out on purpose, with why. */
const LEFT_OUT: Record<string, string> = {
  'kustomize.toolkit.fluxcd.io Kustomization spec.kubeConfig.configMapRef': 'a remote cluster\'s connection settings: the remote cluster is not modelled',
  'helm.toolkit.fluxcd.io HelmRelease spec.kubeConfig.configMapRef': 'a remote cluster\'s connection settings: the remote cluster is not modelled',
  'helm.toolkit.fluxcd.io HelmRelease spec.chart.spec.verify.secretRef': 'resolved in the namespace of the HelmChart helm-controller creates, not the HelmRelease\'s',
};

describe('the reference table of the Flux kinds', () => {
  it('covers every Flux kind the vendored CRDs serve', () => {
    const kinds = [...referenceFields().keys()];
    const covered = new Set(FLUX_REFERENCES.map(e => `${e.group} ${e.kind}`));
    expect(kinds.filter(k => !covered.has(k)), 'Flux kinds without a reference table entry').toEqual([]);
  });

  it('declares every field of the CRD schemas that names another object, or says why not', () => {
    const missing: string[] = [];
    for (const [kind, fields] of referenceFields()) {
      const entry = FLUX_REFERENCES.filter(e => `${e.group} ${e.kind}` === kind).flatMap(e => e.fields.map(f => f.path));
      for (const field of fields) {
        const declared = entry.includes(field) || entry.some(p => p.startsWith(`${field}.`)) || entry.some(p => field.startsWith(`${p}.`));
        if (!declared && !LEFT_OUT[`${kind} ${field}`]) missing.push(`${kind} ${field}`);
      }
    }
    expect(missing, 'reference fields no table entry reads (add them to src/flux/model/flux-references.ts, or to LEFT_OUT with a reason)').toEqual([]);
    const found = new Set([...referenceFields()].flatMap(([kind, fields]) => fields.map(f => `${kind} ${f}`)));
    expect(Object.keys(LEFT_OUT).filter(k => !found.has(k)), 'LEFT_OUT entries that name no field').toEqual([]);
  });
});
