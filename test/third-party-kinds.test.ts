import * as fs from 'node:fs';
import * as path from 'node:path';
import { ApiObject } from 'cdk8s';
import { parseAllDocuments } from 'yaml';
import { describe, expect, it } from 'vitest';
import { certManagerReferences, gatewayApiReferences, ImportedObject, ManifestFile, ReferenceScope, runSynth, runValidate } from '../src';
import { fluxFleet } from './flux-fixture';
import { captureCli, problemsOf, readme, readTree, runReadmeExample } from './helpers';
// the L1 classes a user gets from `cdk8s import` of the CRD files below (generated, untouched)
import { Certificate, ClusterIssuer, Issuer } from './fixtures/third-party/imports/cert-manager-cert-manager.io';
import { Gateway, GatewayClass, HttpRoute } from './fixtures/third-party/imports/gateway-api-gateway.networking.k8s.io';
import { ClusterPolicy, ClusterPolicySpecValidationFailureAction } from './fixtures/third-party/imports/kyverno-kyverno.io';

const CRDS = path.join(__dirname, 'fixtures/third-party/crds');
const CERT_MANAGER = path.join(CRDS, 'cert-manager.yaml');
const GATEWAY_API = path.join(CRDS, 'gateway-api.yaml');
const KYVERNO = path.join(CRDS, 'kyverno.yaml');

/** The fixture fleet with cert-manager, Gateway API and Kyverno registered, and schema validation on. */
function thirdPartyFleet(options: { tables?: boolean } = {}) {
  const f = fluxFleet();
  f.repo.enableSchemaValidation();
  f.repo.registerCrds(CERT_MANAGER, GATEWAY_API, KYVERNO);
  if (options.tables ?? true) [...certManagerReferences(), ...gatewayApiReferences()].forEach(e => f.repo.registerReferences(e));
  const file = new ManifestFile(f.apps, 'platform');
  return { ...f, file };
}

/** A valid set of third-party objects: the issuer's Secret, a class and a Gateway using it, a route. */
function validPlatform(f: ReturnType<typeof thirdPartyFleet>) {
  new ClusterIssuer(f.file, 'issuer', {
    metadata: { name: 'letsencrypt' },
    spec: { acme: { server: 'https://acme-v02.api.letsencrypt.org/directory', privateKeySecretRef: { name: 'letsencrypt-account' } } },
  });
  new GatewayClass(f.file, 'class', { metadata: { name: 'cilium' }, spec: { controllerName: 'io.cilium/gateway-controller' } });
  new Gateway(f.file, 'gateway', {
    metadata: { name: 'public', namespace: 'flux-system' },
    spec: { gatewayClassName: 'cilium', listeners: [{ name: 'https', port: 443, protocol: 'HTTPS' }] },
  });
  new HttpRoute(f.file, 'route', {
    metadata: { name: 'podinfo', namespace: 'flux-system' },
    spec: { parentRefs: [{ name: 'public' }], rules: [{ backendRefs: [{ name: 'podinfo', port: 9898 }] }] },
  });
  new ClusterPolicy(f.file, 'policy', {
    metadata: { name: 'require-labels' },
    spec: { validationFailureAction: ClusterPolicySpecValidationFailureAction.ENFORCE, rules: [{ name: 'team', validate: { message: 'label team', pattern: { metadata: { labels: { team: '?*' } } } } }] },
  });
}

describe('third-party kinds: imported with cdk8s import, their CRDs registered with the fleet', () => {
  it('a valid platform of cert-manager, Gateway API and Kyverno objects synthesizes', () => {
    const f = thirdPartyFleet();
    validPlatform(f);
    expect(problemsOf(f.repo)).toEqual([]);
  });

  it('registerCrds reads every CRD of a file, with its group, kind, versions and scope', () => {
    const f = fluxFleet();
    const crds = f.repo.registerCrds(CERT_MANAGER);
    expect(crds.map(c => `${c.group} ${c.kind} ${c.versions.join(',')} ${c.clusterScoped ? 'Cluster' : 'Namespaced'}`)).toEqual([
      'cert-manager.io ClusterIssuer v1 Cluster', 'cert-manager.io Issuer v1 Namespaced', 'cert-manager.io Certificate v1 Namespaced',
    ]);
    // parsed documents too
    const gateway = parseAllDocuments(fs.readFileSync(GATEWAY_API, 'utf8')).map(d => d.toJS() as Record<string, unknown>);
    expect(f.repo.registerCrds(...gateway).map(c => c.kind)).toEqual(['GatewayClass', 'Gateway', 'HTTPRoute']);
    expect(f.repo.crds).toHaveLength(6);
  });

  it('validates their objects strictly: construct path, field, bad value and what is valid', () => {
    const f = thirdPartyFleet();
    validPlatform(f);
    // what the generated L1 classes let through (`as never`), and raw objects (the generated classes
    // drop fields they do not know when rendering), are what validation is for
    new ApiObject(f.file, 'typo', {
      apiVersion: 'cert-manager.io/v1', kind: 'ClusterIssuer', metadata: { name: 'typo' },
      spec: { acme: { server: 'https://acme.example.com', emial: 'ops@example.com', privateKeySecretRef: { name: 'acme-key' } } },
    });
    new Gateway(f.file, 'bad-port', {
      metadata: { name: 'bad-port', namespace: 'flux-system' },
      spec: { gatewayClassName: 'cilium', listeners: [{ name: 'http', port: 'eighty' as never, protocol: 'HTTP', tls: { mode: 'Decrypt' as never } }] },
    });
    new ClusterPolicy(f.file, 'bad-action', { metadata: { name: 'bad-action' }, spec: { validationFailureAction: 'block' as never } });
    expect(problemsOf(f.repo).filter(p => p.includes('schema:'))).toEqual([
      '[apps/base/platform/bad-action] schema: apps/base/platform.yaml#7 ClusterPolicy bad-action: /spec/validationFailureAction: must be one of "audit", "enforce", "Audit", "Enforce", not "block"',
      '[apps/base/platform/bad-port] schema: apps/base/platform.yaml#6 Gateway flux-system/bad-port: /spec/listeners/0/port: must be integer, not "eighty"',
      '[apps/base/platform/bad-port] schema: apps/base/platform.yaml#6 Gateway flux-system/bad-port: /spec/listeners/0/tls/mode: must be one of "Terminate", "Passthrough", not "Decrypt"',
      '[apps/base/platform/typo] schema: apps/base/platform.yaml#5 ClusterIssuer typo: /spec/acme/emial: unknown field "emial" (not in the schema; check its spelling and the API version)',
    ]);
  });

  it('synth in CI validates them before writing anything, naming the construct, the field and the value', () => {
    const make = () => {
      const f = fluxFleet();
      f.repo.registerCrds(KYVERNO);
      new ClusterPolicy(new ManifestFile(f.apps, 'platform'), 'bad-action', { metadata: { name: 'bad-action' }, spec: { validationFailureAction: 'block' as never } });
      return f;
    };
    const inCi = make();
    const err: string[] = [];
    expect(runSynth(inCi.repo, [], { out: () => undefined, err: t => { err.push(t); }, env: { CI: 'true' } })).toBe(1);
    expect(err.join('')).toContain('[apps/base/platform/bad-action] schema: apps/base/platform.yaml#0 ClusterPolicy bad-action: /spec/validationFailureAction: must be one of "audit", "enforce", "Audit", "Enforce", not "block"');
    expect(readTree(inCi.repo.rootDir)).toEqual({});
    // outside CI (and without --validate) schemas are not checked: the synth goes on
    expect(runSynth(make().repo, [], { out: () => undefined, err: () => undefined, env: {} })).toBe(0);
  });

  it('without the CRDs, the same objects get their metadata checked only (what registering changes)', () => {
    const f = fluxFleet();
    f.repo.enableSchemaValidation();
    new ClusterPolicy(new ManifestFile(f.apps, 'platform'), 'bad-action', { metadata: { name: 'bad-action' }, spec: { validationFailureAction: 'block' as never } });
    expect(problemsOf(f.repo)).toEqual([]);
  });

  it('refuses a version the registered CRD does not serve, naming the ones it does', () => {
    const f = thirdPartyFleet();
    validPlatform(f);
    const file = new ManifestFile(f.apps, 'old');
    new ApiObject(file, 'beta', {
      apiVersion: 'gateway.networking.k8s.io/v1beta1', kind: 'Gateway', metadata: { name: 'beta', namespace: 'flux-system' },
      spec: { gatewayClassName: 'cilium', listeners: [{ name: 'h', port: 80, protocol: 'HTTP' }] },
    });
    expect(problemsOf(f.repo).filter(p => p.includes('schema:'))).toEqual([
      '[apps/base/old/beta] schema: apps/base/old.yaml#0 Gateway flux-system/beta: /apiVersion: gateway.networking.k8s.io/v1beta1 is not served for Gateway (removed or misspelled): use gateway.networking.k8s.io/v1',
    ]);
  });

  it('reports a dangling reference: a Gateway naming a GatewayClass the cluster does not get', () => {
    const f = thirdPartyFleet();
    validPlatform(f);
    new Gateway(f.file, 'orphan', {
      metadata: { name: 'orphan', namespace: 'flux-system' },
      spec: { gatewayClassName: 'envoy', listeners: [{ name: 'http', port: 80, protocol: 'HTTP' }] },
    });
    const problems = problemsOf(f.repo);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^\[apps\/base\/platform\/orphan\] spec\.gatewayClassName points at GatewayClass envoy, which cluster "dev" does not reconcile/);
    // a class the platform team installs outside the fleet is declared as such
    expect(problems[0]).toContain("import it with new ImportedObject(scope, id, { apiVersion, kind: 'GatewayClass' }, { name }) if it is defined outside the fleet");
    new ImportedObject(f.repo, 'envoy-class', { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'GatewayClass' }, { name: 'envoy' });
    expect(problemsOf(f.repo)).toEqual([]);
  });

  it('resolves a route\'s parentRefs to its Gateway, and reports one naming a missing Gateway', () => {
    const f = thirdPartyFleet();
    validPlatform(f);
    new HttpRoute(f.file, 'lost', { metadata: { name: 'lost', namespace: 'flux-system' }, spec: { parentRefs: [{ name: 'private' }] } });
    const problems = problemsOf(f.repo);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^\[apps\/base\/platform\/lost\] spec\.parentRefs\[0\] .*Gateway flux-system\/private/);
  });

  it('a Certificate\'s issuerRef resolves a ClusterIssuer in no namespace, and an Issuer in its own', () => {
    const f = thirdPartyFleet();
    validPlatform(f);
    new Certificate(f.file, 'cluster-issued', {
      metadata: { name: 'site', namespace: 'flux-system' },
      spec: { secretName: 'site-tls', issuerRef: { name: 'letsencrypt', kind: 'ClusterIssuer', group: 'cert-manager.io' } },
    });
    expect(problemsOf(f.repo)).toEqual([]);
    new Certificate(f.file, 'issued', { metadata: { name: 'internal', namespace: 'flux-system' }, spec: { secretName: 'internal-tls', issuerRef: { name: 'letsencrypt' } } });
    const problems = problemsOf(f.repo);
    expect(problems).toHaveLength(1);
    // without a kind, the issuerRef names an Issuer of the Certificate's namespace, which does not exist
    expect(problems[0]).toMatch(/^\[apps\/base\/platform\/issued\] spec\.issuerRef .*Issuer flux-system\/letsencrypt/);
    new Issuer(f.file, 'local-issuer', { metadata: { name: 'letsencrypt', namespace: 'flux-system' }, spec: { selfSigned: {} } });
    expect(problemsOf(f.repo)).toEqual([]);
  });

  it('a ClusterIssuer\'s Secrets are looked up in cert-manager\'s cluster-resource namespace', () => {
    const f = thirdPartyFleet();
    validPlatform(f);
    new ClusterIssuer(f.file, 'ca', { metadata: { name: 'internal-ca' }, spec: { ca: { secretName: 'internal-ca-keypair' } } });
    const problems = problemsOf(f.repo);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^\[apps\/base\/platform\/ca\] spec\.ca\.secretName .*Secret cert-manager\/internal-ca-keypair/);
    // the ACME account key is informational (cert-manager creates it): validPlatform's letsencrypt-account is not reported
    expect(problems.join('\n')).not.toContain('letsencrypt-account');
  });

  it('the cluster-resource namespace is an option', () => {
    const table = certManagerReferences({ clusterResourceNamespace: 'security' });
    const ca = table.find(e => e.kind === 'ClusterIssuer')!.fields.find(x => x.path === 'spec.ca.secretName')!;
    expect(ca).toMatchObject({ scope: ReferenceScope.FIXED, namespace: 'security', nameKey: '' });
  });

  it('without reference tables the kinds are validated but their references are not read', () => {
    const f = thirdPartyFleet({ tables: false });
    validPlatform(f);
    new Gateway(f.file, 'orphan', { metadata: { name: 'orphan', namespace: 'flux-system' }, spec: { gatewayClassName: 'envoy', listeners: [{ name: 'h', port: 80, protocol: 'HTTP' }] } });
    expect(problemsOf(f.repo)).toEqual([]);
  });

  it('a user declares the references of a kind with the typed table, and a bad declaration is reported', () => {
    const f = thirdPartyFleet({ tables: false });
    validPlatform(f);
    f.repo.registerReferences({
      group: 'gateway.networking.k8s.io', kind: 'Gateway',
      fields: [{ path: 'spec.gatewayClassName', role: 'class', kinds: ['GatewayClass'], scope: ReferenceScope.CLUSTER, nameKey: '' }],
    });
    new Gateway(f.file, 'orphan', { metadata: { name: 'orphan', namespace: 'flux-system' }, spec: { gatewayClassName: 'envoy', listeners: [{ name: 'h', port: 80, protocol: 'HTTP' }] } });
    expect(problemsOf(f.repo)).toHaveLength(1);
    f.repo.registerReferences({ group: 'example.com', kind: 'Widget', fields: [{ path: 'spec.secret', role: 'secret', kinds: ['Secret'], scope: ReferenceScope.FIXED }] });
    expect(problemsOf(f.repo)).toContain(
      '[] registerReferences(): reference field "spec.secret" of example.com/Widget: scope FIXED needs the namespace its targets are in, a DNS label (e.g. namespace: \'cert-manager\'); got undefined',
    );
  });

  it('reports a CRD file that does not exist, or holds no CRD, at synth', () => {
    const f = fluxFleet();
    f.repo.registerCrds(path.join(CRDS, 'missing.yaml'), { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' } });
    const problems = problemsOf(f.repo);
    expect(problems).toEqual([
      expect.stringMatching(/^\[\] registerCrds\(\): CRD file ".*missing\.yaml" does not exist .*give the path of the YAML file of CRDs you imported with cdk8s import$/),
      '[] registerCrds(): document #2 is no CustomResourceDefinition (kind: CustomResourceDefinition, apiVersion: apiextensions.k8s.io/v1): register the CRD file itself, not the objects it defines',
    ]);
  });

  it('validate counts the registered kinds among those checked against a schema, not "metadata only"', () => {
    const f = thirdPartyFleet();
    validPlatform(f);
    const { io, sink } = captureCli();
    expect(runValidate(f.repo, ['--json'], sink)).toBe(0);
    const counts = JSON.parse(io.out).counts;
    expect(counts.schema).toMatchObject({ ClusterIssuer: 1, ClusterPolicy: 1, Gateway: 1, GatewayClass: 1, HTTPRoute: 1 });
    expect(Object.keys(counts.metadataOnly)).not.toEqual(expect.arrayContaining(['ClusterIssuer']));
  });

  it('the README example runs: its imports are the fixtures a user\'s cdk8s import writes', () => {
    const text = readme();
    const section = text.slice(text.indexOf('## Third-party kinds'))
      .replace(/'\.\/imports\//g, `'${path.join(__dirname, 'fixtures/third-party/imports')}/`)
      .replace(/'crds\//g, `'${CRDS}/`);
    const { root, status, output } = runReadmeExample(section);
    expect(status, output).toBe(0);
    const tree = readTree(root);
    expect(tree['infrastructure/platform/gateway.yaml']).toContain('gatewayClassName: cilium');
    expect(tree['infrastructure/platform/tls.yaml']).toContain('kind: ClusterIssuer');
  });
});
