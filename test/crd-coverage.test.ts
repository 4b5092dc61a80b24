import { describe, expect, it } from 'vitest';
import { FleetTesting } from '../src/testing';
import { fluxFleet } from './flux-fixture';
import { crdErrors } from './support/crd-schemas';
import { coveredBy, CoverageFixture, emittedPaths, fluxKindSchemas, LeftOut, reaches } from './crd-coverage/coverage';
import * as artifacts from './crd-coverage/artifacts';
import * as helm from './crd-coverage/helm';
import * as image from './crd-coverage/image';
import * as kustomize from './crd-coverage/kustomize';
import * as notifications from './crd-coverage/notifications';
import * as sources from './crd-coverage/sources';

const MODULES: { fixtures: readonly CoverageFixture[]; leftOut: LeftOut }[] = [sources, artifacts, kustomize, helm, notifications, image];
const FIXTURES = MODULES.flatMap(m => m.fixtures);
const LEFT_OUT: Record<string, Record<string, string>> = {};
for (const m of MODULES) {
  for (const [kind, paths] of Object.entries(m.leftOut)) LEFT_OUT[kind] = { ...LEFT_OUT[kind], ...paths };
}

/** The spec paths the fixtures of a kind emit; each fixture's fleet must synthesize and be schema-valid. */
function emittedBy(kind: string, apiVersion: string): Set<string> {
  const out = new Set<string>();
  for (const fixture of FIXTURES.filter(x => x.kind === kind)) {
    const f = fluxFleet(fixture.fleet);
    fixture.build(f);
    const docs = Object.values(FleetTesting.synthDocuments(f.repo)).flat().filter(d => d.kind === kind && d.apiVersion === apiVersion);
    expect(docs.length, `fixture "${fixture.name}" builds no ${kind} ${apiVersion}`).toBeGreaterThan(0);
    for (const doc of docs) {
      expect(crdErrors(doc), `fixture "${fixture.name}": ${kind} ${doc.metadata.name} against its CRD`).toEqual([]);
      emittedPaths(doc.spec, 'spec', out);
    }
  }
  return out;
}

describe('every spec field of every Flux 2.9 CRD has a typed prop, or is left out with a reason', () => {
  const schemas = fluxKindSchemas();

  it('reads the 14 kinds of Flux 2.9 and source-watcher', () => {
    expect(schemas.map(s => s.kind).sort()).toEqual([
      'Alert', 'ArtifactGenerator', 'Bucket', 'ExternalArtifact', 'GitRepository', 'HelmChart', 'HelmRelease', 'HelmRepository',
      'ImagePolicy', 'ImageRepository', 'ImageUpdateAutomation', 'Kustomization', 'OCIRepository', 'Provider', 'Receiver',
    ].sort());
  });

  for (const schema of schemas) {
    it(`${schema.kind} (${schema.apiVersion})`, () => {
      const emitted = emittedBy(schema.kind, schema.apiVersion);
      const leftOut = LEFT_OUT[schema.kind] ?? {};
      const missing = schema.leaves.filter(l => !reaches(emitted, l) && !Object.keys(leftOut).some(p => coveredBy(l, p)));
      expect(missing, `${schema.kind}: spec fields no typed prop reaches (add a prop, or list the field in leftOut with the reason)`).toEqual([]);
      for (const [p, reason] of Object.entries(leftOut)) {
        expect(schema.leaves.some(l => coveredBy(l, p)), `${schema.kind} leftOut "${p}" is not a field of the CRD`).toBe(true);
        expect(schema.leaves.filter(l => coveredBy(l, p)).some(l => reaches(emitted, l)), `${schema.kind} leftOut "${p}" is reached by a prop: remove it from leftOut`).toBe(false);
        expect(reason.length, `${schema.kind} leftOut "${p}" needs a reason`).toBeGreaterThan(10);
      }
    });
  }

  it('leaves no field out as a TODO', () => {
    const todo = Object.entries(LEFT_OUT).flatMap(([kind, paths]) => Object.entries(paths).filter(([, reason]) => reason.startsWith('TODO')).map(([p]) => `${kind} ${p}`));
    expect(todo).toEqual([]);
  });

  it('finds a field that no prop reaches (the check can fail)', () => {
    const schema = schemas.find(s => s.kind === 'Kustomization')!;
    const emitted = emittedBy('Kustomization', schema.apiVersion);
    emitted.delete('spec.interval');
    expect(reaches(emitted, 'spec.interval')).toBe(false);
    expect(schema.leaves).toContain('spec.interval');
  });
});
