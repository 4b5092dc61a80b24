import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { ApiObject } from 'cdk8s';
import { describe, expect, it } from 'vitest';
import { createExampleFleet } from '../src/example-fleet';
import { HelmRelease, LayoutDirectory, ManifestFile, notification, ObjectPatch, runSynth, runValidate, source } from '../src';
import { FleetTesting } from '../src/testing';
import { SchemaValidator } from '../src/validation/schema-validator';
import { strictSchema } from '../src/validation/strict-schema';
import { fluxFleet } from './flux-fixture';
import { problemsOf, readTree } from './helpers';

const PROJECT_ROOT = path.resolve(__dirname, '..');

/** The fixture fleet with schema validation on. */
function validatedFleet() {
  const f = fluxFleet();
  f.repo.enableSchemaValidation();
  return f;
}

describe('strict schema validation of what synth writes', () => {
  it('rejects each kind of invalid object with the file, index, object, pointer and message', () => {
    const f = validatedFleet();
    const file = new ManifestFile(f.apps, 'raw');
    // L1 objects bypass the constructs' own checks: exactly what schema validation is for
    // (generated L1 classes drop unknown fields, so a raw ApiObject carries the typo)
    new ApiObject(file, 'unknown-field', {
      apiVersion: 'helm.toolkit.fluxcd.io/v2', kind: 'HelmRelease', metadata: { name: 'typo', namespace: 'flux-system' },
      spec: { interval: '5m', intervall: '10m', chart: { spec: { chart: 'x', sourceRef: { kind: 'HelmRepository', name: 'podinfo' } } } },
    });
    new source.GitRepository(file, 'wrong-type', { metadata: { name: 'typed', namespace: 'flux-system' }, spec: { interval: 5, url: 'https://github.com/org/app' } as never });
    new notification.Provider(file, 'enum', { metadata: { name: 'pigeon', namespace: 'flux-system' }, spec: { type: 'pigeon' as never } });
    new source.GitRepository(file, 'missing', { metadata: { name: 'nourl', namespace: 'flux-system' }, spec: { interval: '1m' } as never });
    new source.HelmRepository(file, 'metadata', { metadata: { name: 'meta', namespace: 'flux-system', uid: 'abc' } as never, spec: { url: 'https://charts.example.com' } });
    expect(problemsOf(f.repo).filter(p => p.includes('schema:'))).toEqual([
      '[apps/base/raw/enum] schema: apps/base/raw.yaml#2 Provider flux-system/pigeon: /spec/type: must be one of "slack", "discord", "msteams", "rocket", "generic", "generic-hmac", "github", "gitlab", "gitea", "giteapullrequestcomment", "bitbucketserver", "bitbucket", "azuredevops", "googlechat", "googlepubsub", "webex", "sentry", "azureeventhub", "telegram", "lark", "matrix", "opsgenie", "alertmanager", "grafana", "githubdispatch", "githubpullrequestcomment", "gitlabmergerequestcomment", "pagerduty", "datadog", "nats", "zulip", "otel", not "pigeon"',
      '[apps/base/raw/metadata] schema: apps/base/raw.yaml#4 HelmRepository flux-system/meta: /metadata/uid: unknown field "uid" (not in the schema; check its spelling and the API version)',
      '[apps/base/raw/missing] schema: apps/base/raw.yaml#3 GitRepository flux-system/nourl: /spec/url: required field "url" is missing',
      '[apps/base/raw/unknown-field] schema: apps/base/raw.yaml#0 HelmRelease flux-system/typo: /spec/intervall: unknown field "intervall" (not in the schema; check its spelling and the API version)',
      '[apps/base/raw/wrong-type] schema: apps/base/raw.yaml#1 GitRepository flux-system/typed: /spec/interval: must be string, not 5',
    ]);
  });

  it('does not repeat, as a schema error, what a construct already reported in its own words', () => {
    const f = validatedFleet();
    new HelmRelease(f.releases, 'x', { metadata: { name: 'x', namespace: 'flux-system' }, chart: { repository: f.podinfo, name: 'podinfo' }, interval: '5 minutes' as never });
    expect(problemsOf(f.repo)).toEqual([
      '[apps/base/releases/x] spec.interval "5 minutes" is not a Go duration: use digits with units ms, s, m or h, e.g. "30s", "10m", "1h" or "1m30s"',
    ]);
  });

  it('validates objects as the overlay patches leave them, reported against the patch', () => {
    const f = validatedFleet();
    const overlay = new LayoutDirectory(f.repo.apps, 'dev');
    overlay.addResource(f.apps);
    // a typo tsc would catch, forced through: the schema check catches it too (e.g. from a patch built at run time)
    new ObjectPatch(overlay, 'release-patch', { target: f.release, patch: { spec: { valuez: { replicaCount: 2 } } } as never });
    expect(problemsOf(f.repo)).toEqual([
      '[apps/dev/release-patch] schema: apps/dev/release-patch.yaml (as apps/dev builds apps/base/releases.yaml) HelmRelease flux-system/podinfo: /spec/valuez: unknown field "valuez" (not in the schema; check its spelling and the API version)',
    ]);
  });

  it('checks HelmRelease values against a vendored chart values.schema.json', () => {
    const f = fluxFleet();
    const schemas = FleetTesting.tempDir();
    fs.writeFileSync(path.join(schemas, 'podinfo.values.schema.json'), JSON.stringify({
      type: 'object', additionalProperties: false, required: ['image'],
      properties: { replicaCount: { type: 'integer' }, image: { type: 'object' } },
    }));
    f.repo.enableSchemaValidation({ chartSchemas: schemas });
    new HelmRelease(f.releases, 'bad-values', {
      metadata: { name: 'bad-values', namespace: 'flux-system' }, chart: { repository: f.podinfo, name: 'podinfo' },
      values: { replicaCount: 'two', replicas: 3 },
    });
    expect(problemsOf(f.repo)).toEqual([
      '[apps/base/releases/bad-values/Resource] chart values: apps/base/releases.yaml#1 HelmRelease flux-system/bad-values: /spec/values/replicaCount: must be integer',
      '[apps/base/releases/bad-values/Resource] chart values: apps/base/releases.yaml#1 HelmRelease flux-system/bad-values: /spec/values/replicas: unknown field "replicas" (not in the schema; check its spelling against the chart)',
    ]);
  });

  it('honours x-kubernetes-preserve-unknown-fields, -int-or-string and -embedded-resource', () => {
    const schema = strictSchema({
      type: 'object',
      properties: {
        apiVersion: { type: 'string' }, kind: { type: 'string' }, metadata: { type: 'object' },
        spec: {
          type: 'object',
          properties: {
            open: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true, properties: { known: { type: 'string' } } },
            port: { 'x-kubernetes-int-or-string': true },
            template: { type: 'object', 'x-kubernetes-embedded-resource': true, properties: { spec: { type: 'object' } } },
          },
        },
      },
    });
    const Ajv = require('ajv');
    const validate = new Ajv({ strict: false }).compile(schema);
    const ok = { apiVersion: 'x/v1', kind: 'X', metadata: { name: 'x' }, spec: { open: { anything: 1 }, port: 'http', template: { apiVersion: 'v1', kind: 'Pod', metadata: {}, spec: {} } } };
    expect(validate(ok)).toBe(true);
    expect(validate({ ...ok, spec: { ...ok.spec, port: 8080 } })).toBe(true);
    expect(validate({ ...ok, spec: { ...ok.spec, port: true } })).toBe(false);
    expect(validate({ ...ok, spec: { ...ok.spec, extra: 1 } })).toBe(false);
  });

  it('covers every kind the vendored CRDs serve', () => {
    expect(SchemaValidator.fromDirectory().kinds).toEqual([
      'bitnami.com/v1alpha1 SealedSecret',
      'fluxcd.controlplane.io/v1 FluxInstance',
      'fluxcd.controlplane.io/v1 FluxReport',
      'fluxcd.controlplane.io/v1 ResourceSet',
      'fluxcd.controlplane.io/v1 ResourceSetInputProvider',
      'helm.toolkit.fluxcd.io/v2 HelmRelease',
      'image.toolkit.fluxcd.io/v1 ImagePolicy',
      'image.toolkit.fluxcd.io/v1 ImageRepository',
      'image.toolkit.fluxcd.io/v1 ImageUpdateAutomation',
      'kustomize.toolkit.fluxcd.io/v1 Kustomization',
      'notification.toolkit.fluxcd.io/v1 Receiver',
      'notification.toolkit.fluxcd.io/v1beta3 Alert',
      'notification.toolkit.fluxcd.io/v1beta3 Provider',
      'source.extensions.fluxcd.io/v1beta1 ArtifactGenerator',
      'source.toolkit.fluxcd.io/v1 Bucket',
      'source.toolkit.fluxcd.io/v1 ExternalArtifact',
      'source.toolkit.fluxcd.io/v1 GitRepository',
      'source.toolkit.fluxcd.io/v1 HelmChart',
      'source.toolkit.fluxcd.io/v1 HelmRepository',
      'source.toolkit.fluxcd.io/v1 OCIRepository',
    ]);
  });

  it('validates 1,000 objects in well under 50 ms once compiled (measured)', () => {
    const v = SchemaValidator.fromDirectory();
    const docs = Object.entries(FleetTesting.synthDocuments(createExampleFleet()))
      .filter(([p]) => !p.endsWith('-patch.yaml')) // patches are partial documents
      .flatMap(([, d]) => d).filter(d => v.covers(d.apiVersion, d.kind));
    const batch = Array.from({ length: 1000 }, (_, i) => docs[i % docs.length]);
    for (const d of docs) v.validate(d); // compile once
    const runs = Array.from({ length: 5 }, () => {
      const start = performance.now();
      for (const d of batch) expect(v.validate(d)).toEqual([]);
      return performance.now() - start;
    }).sort((a, b) => a - b);
    console.log(`schema validation: 1,000 objects in ${runs[2].toFixed(1)} ms (median of 5)`);
    // the fastest run, with room for a loaded machine running the suite in parallel (measured: ~12 ms)
    expect(runs[0]).toBeLessThan(100);
  });
});

describe('validate and synth commands', () => {
  it('the example fleet is valid: npm run validate exits 0', () => {
    const r = spawnSync(path.join(PROJECT_ROOT, 'node_modules/.bin/tsx'), ['src/validate.ts'], { cwd: PROJECT_ROOT, encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^Valid \(\d+ ms\):\n  52 objects against their CRD schema: 4 Alert, 3 FluxInstance, 2 GitRepository, 8 HelmRelease, 3 HelmRepository, 2 ImagePolicy, 2 ImageRepository, 2 ImageUpdateAutomation, 11 Kustomization, 5 OCIRepository, 2 Provider, 8 SealedSecret\n  13 core objects, metadata only \(no schema here\): 1 ConfigMap, 4 Namespace, 2 Role, 2 RoleBinding, 4 ServiceAccount\n  21 patches, through the objects they patch\n  3 clusters, 115 objects as they apply them \(namespaces, patches and substitutions applied\)\n$/);
  });

  it('runValidate refuses arguments it does not know', () => {
    const io = { out: '', err: '' };
    const sink = { out: (t: string) => { io.out += t; }, err: (t: string) => { io.err += t; } };
    // usage errors exit 2: 1 is reserved for an invalid fleet
    expect(runValidate(fluxFleet().repo, ['--bogus'], sink)).toBe(2);
    expect(runValidate(fluxFleet().repo, ['--chart-schemas=/x', '--chart-schemas=/y'], sink)).toBe(2);
    expect(runValidate(fluxFleet().repo, ['--strict=yes'], sink)).toBe(2);
    expect(runValidate(fluxFleet().repo, ['--chart-schemas'], sink)).toBe(2);
    expect(runValidate(fluxFleet().repo, ['--chart-schemas', '/nonexistent-schemas'], sink)).toBe(2);
    expect(io.err).toContain('--chart-schemas /nonexistent-schemas is not a directory');
    expect(io.err).toContain('validate: unknown option --bogus');
    expect(io.err).toContain('validate: --strict takes no value');
  });

  it('runValidate exits 1 with the problems of an invalid fleet', () => {
    const f = fluxFleet();
    new ApiObject(new ManifestFile(f.apps, 'raw'), 'x', { apiVersion: 'helm.toolkit.fluxcd.io/v2', kind: 'HelmRelease', metadata: { name: 'x', namespace: 'flux-system' }, spec: { interval: '1m', bogus: true } });
    const io = { out: '', err: '' };
    expect(runValidate(f.repo, [], { out: t => { io.out += t; }, err: t => { io.err += t; } })).toBe(1);
    expect(io.err).toContain('/spec/bogus: unknown field "bogus"');
  });

  it('synth validates schemas in CI (CI set) and with --validate, before writing anything', () => {
    const make = () => {
      const f = fluxFleet();
      new ApiObject(new ManifestFile(f.apps, 'raw'), 'x', { apiVersion: 'helm.toolkit.fluxcd.io/v2', kind: 'HelmRelease', metadata: { name: 'x', namespace: 'flux-system' }, spec: { interval: '1m', bogus: true } });
      return f;
    };
    const quiet = { out: () => undefined, err: () => undefined };
    const inCi = make();
    expect(runSynth(inCi.repo, [], { ...quiet, env: { CI: 'true' } })).toBe(1);
    expect(readTree(inCi.repo.rootDir)).toEqual({});
    const flagged = make();
    expect(runSynth(flagged.repo, ['--validate'], { ...quiet, env: {} })).toBe(1);
    const local = make();
    expect(runSynth(local.repo, [], { ...quiet, env: {} })).toBe(0);
  });
});
