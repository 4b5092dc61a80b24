import * as fs from 'node:fs';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { ApiObject } from 'cdk8s';
import Ajv from 'ajv';
import { describe, expect, it } from 'vitest';
import { createExampleFleet } from '../src/example-fleet';
import { GitRepository, LayoutDirectory, ManifestFile, ObjectPatch, runSynth } from '../src';
import { FleetTesting } from '../src/testing';
import { SchemaValidator } from '../src/validation/schema-validator';
import { strictSchema } from '../src/validation/strict-schema';
import { fluxFleet } from './flux-fixture';
import { problemsOf } from './helpers';

function validated() {
  const f = fluxFleet();
  f.repo.enableSchemaValidation();
  return f;
}

describe('nothing escapes validation', () => {
  it('an owned API group with a version or kind it does not serve is an error', () => {
    const f = validated();
    const file = new ManifestFile(f.apps, 'raw');
    new ApiObject(file, 'old', { apiVersion: 'helm.toolkit.fluxcd.io/v2beta1', kind: 'HelmRelease', metadata: { name: 'old', namespace: 'flux-system' }, spec: { intervall: 5 } });
    new ApiObject(file, 'typo', { apiVersion: 'source.toolkit.fluxcd.io/v1', kind: 'GitRepo', metadata: { name: 'typo', namespace: 'flux-system' }, spec: {} });
    expect(problemsOf(f.repo)).toEqual([
      '[apps/base/raw/old] schema: apps/base/raw.yaml#0 HelmRelease flux-system/old: /apiVersion: helm.toolkit.fluxcd.io/v2beta1 is not served for HelmRelease (removed or misspelled): use helm.toolkit.fluxcd.io/v2',
      '[apps/base/raw/typo] schema: apps/base/raw.yaml#1 GitRepo flux-system/typo: /apiVersion: source.toolkit.fluxcd.io has no kind GitRepo: use one of Bucket, ExternalArtifact, GitRepository, HelmChart, HelmRepository, OCIRepository',
    ]);
  });

  it('core objects get their metadata checked', () => {
    const f = validated();
    const file = new ManifestFile(f.apps, 'core');
    new ApiObject(file, 'cm', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm', namespace: 'Bad_NS', uid: 'x', labels: { 'bad key!': 'v' } }, data: {} });
    expect(problemsOf(f.repo)).toEqual([
      '[apps/base/core/cm] metadata.namespace "Bad_NS" is not a valid namespace name: the API server accepts at most 63 lowercase letters, digits or \'-\', starting and ending with a letter or digit (e.g. "bad-ns")',
      '[apps/base/core/cm] schema: apps/base/core.yaml#0 ConfigMap Bad_NS/cm: /metadata/labels: has a key that is not a valid label or annotation key (bad key!)',
      '[apps/base/core/cm] schema: apps/base/core.yaml#0 ConfigMap Bad_NS/cm: /metadata/namespace: must match the pattern ^[a-z0-9]([-a-z0-9]*[a-z0-9])?$, not "Bad_NS"',
      '[apps/base/core/cm] schema: apps/base/core.yaml#0 ConfigMap Bad_NS/cm: /metadata/uid: unknown field "uid" (not in the schema; check its spelling and the API version)',
    ]);
  });

  it('validates each directory\'s final output, patches applied in kustomize\'s order across nested overlays', () => {
    const f = validated();
    const middle = new LayoutDirectory(f.repo.apps, 'middle');
    middle.addResource(f.apps);
    new ObjectPatch(middle, 'drop-verify', { target: f.gitRepo, patch: { spec: { verify: null } } });
    // gitRepo is in clusters/dev: build it into the overlays for this test
    const cluster = new LayoutDirectory(f.repo.apps, 'cluster-copy');
    const repo = new GitRepository(new ManifestFile(cluster, 'git'), 'git', { metadata: { name: 'app', namespace: 'flux-system' }, url: 'https://github.com/org/app' });
    middle.addResource(cluster);
    new ObjectPatch(middle, 'set-verify-null', { target: repo, patch: { spec: { verify: null } } });
    const outer = new LayoutDirectory(f.repo.apps, 'outer');
    outer.addResource(middle);
    new ObjectPatch(outer, 'set-verify', { target: repo, patch: { spec: { verify: { mode: 'Tag' } } } });
    expect(problemsOf(f.repo).filter(p => p.includes('set-verify.yaml'))).toEqual([
      '[apps/outer/set-verify] schema: apps/outer/set-verify.yaml (as apps/outer builds apps/cluster-copy/git.yaml) GitRepository flux-system/app: /spec/verify/secretRef: required field "secretRef" is missing',
    ]);
  });

  it('refuses kustomize $patch directives in patches', () => {
    const f = fluxFleet();
    const overlay = new LayoutDirectory(f.repo.apps, 'dev');
    overlay.addResource(f.apps);
    new ObjectPatch(overlay, 'replace', { target: f.release, patch: { spec: { values: { $patch: 'replace', a: 1 } } } });
    expect(problemsOf(f.repo)).toEqual([
      '[apps/dev/replace] patch.spec.values.$patch is a kustomize patch directive, which this library does not model (its checks would not see the result): express the change as plain fields to merge',
    ]);
  });

  it('reports the schema errors of a raw object even when its file has a problem of its own', () => {
    const f = validated();
    const file = new ManifestFile(f.apps, 'raw', { fileName: 'Bad.yaml' });
    new ApiObject(file, 'x', { apiVersion: 'helm.toolkit.fluxcd.io/v2', kind: 'HelmRelease', metadata: { name: 'x', namespace: 'flux-system' }, spec: { interval: '1m', bogus: 1 } });
    expect(problemsOf(f.repo).some(p => p.includes('/spec/bogus: unknown field'))).toBe(true);
  });
});

describe('schemas as Kubernetes reads them', () => {
  const compile = (schema: Record<string, unknown>) => new Ajv({ strict: false }).compile(strictSchema(schema));

  it('a defaulted required field may be omitted (the API server fills it)', () => {
    const v = SchemaValidator.fromDirectory();
    const doc = {
      apiVersion: 'source.toolkit.fluxcd.io/v1', kind: 'OCIRepository', metadata: { name: 'x', namespace: 'flux-system' },
      spec: { interval: '5m', url: 'oci://ghcr.io/org/app', verify: {} },
    };
    expect(v.validate(doc)).toEqual([]);
  });

  it('understands nullable, also with int-or-string and enum', () => {
    const validate = compile({
      type: 'object',
      properties: {
        apiVersion: { type: 'string' }, kind: { type: 'string' }, metadata: { type: 'object' },
        spec: { type: 'object', properties: {
          a: { type: 'string', nullable: true },
          b: { 'x-kubernetes-int-or-string': true, nullable: true },
          c: { type: 'string', enum: ['x'], nullable: true },
        } },
      },
    });
    const base = { apiVersion: 'x/v1', kind: 'X', metadata: { name: 'x' } };
    expect(validate({ ...base, spec: { a: null, b: null, c: null } })).toBe(true);
    expect(validate({ ...base, spec: { b: 3, c: 'x' } })).toBe(true);
    expect(validate({ ...base, spec: { c: 'y' } })).toBe(false);
  });

  it('checks embedded resources: apiVersion and kind required, strict metadata', () => {
    const validate = compile({
      type: 'object',
      properties: {
        apiVersion: { type: 'string' }, kind: { type: 'string' }, metadata: { type: 'object' },
        spec: { type: 'object', properties: { template: { type: 'object', 'x-kubernetes-embedded-resource': true, 'x-kubernetes-preserve-unknown-fields': true } } },
      },
    });
    const base = { apiVersion: 'x/v1', kind: 'X', metadata: { name: 'x' } };
    expect(validate({ ...base, spec: { template: { apiVersion: 'v1', kind: 'Pod', metadata: { labels: { a: 'b' } }, spec: {} } } })).toBe(true);
    expect(validate({ ...base, spec: { template: { kind: 'Pod' } } })).toBe(false);
    expect(validate({ ...base, spec: { template: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 1, bogus: 1 } } } })).toBe(false);
  });

  it('collapses an int-or-string violation into one message', () => {
    const v = SchemaValidator.fromDirectory();
    const issues = v.compileSchema('int-or-string', strictSchema({ type: 'object', properties: { port: { 'x-kubernetes-int-or-string': true } } }, false))({ port: true });
    expect(issues).toEqual([{ pointer: '/port', message: 'must be integer or string' }]);
  });
});

describe('chart values schemas', () => {
  it('reads 2020-12 schemas, keeps properties named "required", and reports a missing directory', () => {
    const dir = FleetTesting.tempDir();
    fs.writeFileSync(path.join(dir, 'podinfo.values.schema.json'), JSON.stringify({
      $schema: 'https://json-schema.org/draft/2020-12/schema', type: 'object', additionalProperties: false,
      properties: { required: { type: 'boolean' }, replicaCount: { type: 'integer' } }, required: ['replicaCount'],
    }));
    const f = fluxFleet();
    f.repo.enableSchemaValidation({ chartSchemas: dir });
    new ApiObject(new ManifestFile(f.apps, 'raw'), 'x', {
      apiVersion: 'helm.toolkit.fluxcd.io/v2', kind: 'HelmRelease', metadata: { name: 'x', namespace: 'flux-system' },
      spec: { interval: '1m', chart: { spec: { chart: 'podinfo', sourceRef: { kind: 'HelmRepository', name: 'podinfo' } } }, values: { required: 'yes' } },
    });
    expect(problemsOf(f.repo)).toEqual([
      '[apps/base/raw/x] chart values: apps/base/raw.yaml#0 HelmRelease flux-system/x: /spec/values/required: must be boolean',
    ]);
    const missing = fluxFleet();
    missing.repo.enableSchemaValidation({ chartSchemas: path.join(dir, 'nope') });
    expect(problemsOf(missing.repo)[0]).toContain('chartSchemas directory');
  });
});

describe('CI switch', () => {
  it('turns validation on for CI=true or 1 only', () => {
    const make = () => {
      const f = fluxFleet();
      new ApiObject(new ManifestFile(f.apps, 'raw'), 'x', { apiVersion: 'helm.toolkit.fluxcd.io/v2', kind: 'HelmRelease', metadata: { name: 'x', namespace: 'flux-system' }, spec: { interval: '1m', bogus: true } });
      return f.repo;
    };
    const quiet = { out: () => undefined, err: () => undefined };
    expect(runSynth(make(), [], { ...quiet, env: { CI: '1' } })).toBe(1);
    expect(runSynth(make(), [], { ...quiet, env: { CI: 'false' } })).toBe(0);
    expect(fs.readFileSync(path.resolve(__dirname, '../.ci/run'), 'utf8')).toContain('export CI="${CI:-true}"');
  });

  it('validation throughput, timed without assertions in the loop', () => {
    const v = SchemaValidator.fromDirectory();
    const docs = Object.entries(FleetTesting.synthDocuments(createExampleFleet()))
      .filter(([p]) => !p.endsWith('-patch.yaml')).flatMap(([, d]) => d).filter(d => v.covers(d.apiVersion, d.kind));
    const batch = Array.from({ length: 1000 }, (_, i) => docs[i % docs.length]);
    for (const d of docs) v.validate(d);
    let failures = 0;
    const start = performance.now();
    for (const d of batch) failures += v.validate(d)!.length;
    const ms = performance.now() - start;
    expect(failures).toBe(0);
    expect(ms).toBeLessThan(50);
  });
});

