// The notification fields typed for #19: how each renders, and what each refuses.
import * as kplus from 'cdk8s-plus-27';
import { describe, expect, it } from 'vitest';
import { ManifestFile, Provider, SecretDeclaration, ProviderProps, ProviderType, Receiver, ReceiverProps, ReceiverType } from '../src';
import { FleetTesting } from '../src/testing';
import { crossNamespaceFixtures } from './crd-coverage/notifications';
import { emittedPaths } from './crd-coverage/coverage';
import { fluxFleet } from './flux-fixture';
import { problemsOf } from './helpers';
import { crdErrors } from './support/crd-schemas';

type Fleet = ReturnType<typeof fluxFleet>;
const META = { name: 'p', namespace: 'flux-system' };

/** The spec of the one document of `kind` in the fleet's output. */
function specOf(f: Fleet, kind: string): Record<string, any> {
  const docs = Object.values(FleetTesting.synthDocuments(f.repo)).flat().filter(d => d.kind === kind);
  expect(docs).toHaveLength(1);
  expect(crdErrors(docs[0])).toEqual([]);
  return docs[0].spec;
}

function provider(props: Omit<ProviderProps, 'metadata'>, f = fluxFleet()): Fleet {
  new Provider(new ManifestFile(f.apps, 'providers'), 'p', { metadata: META, ...props });
  return f;
}

function receiver(props: Omit<ReceiverProps, 'metadata' | 'resources'> & Partial<Pick<ReceiverProps, 'resources'>>, f = fluxFleet()): Fleet {
  new Receiver(new ManifestFile(f.apps, 'receivers'), 'r', { metadata: { name: 'r', namespace: 'flux-system' }, resources: [f.gitRepo], ...props });
  return f;
}

describe('Provider commitStatusExpr', () => {
  const expr = "'flux/' + event.involvedObject.name";

  it('is written for a commit status type', () => {
    const f = provider({ type: ProviderType.GITLAB, address: 'https://gitlab.com/org/app', secretRef: { name: 'token' }, commitStatusExpr: expr });
    expect(specOf(f, 'Provider').commitStatusExpr).toBe(expr);
  });

  it('is refused on a type that sets no commit status, and when empty', () => {
    expect(problemsOf(provider({ type: 'slack', secretRef: { name: 's' }, commitStatusExpr: expr }).repo)).toEqual([
      '[apps/base/providers/p] spec.commitStatusExpr is set, but a slack provider sets no commit status (the CRD refuses it): use it with github, gitlab, gitea, bitbucketserver, bitbucket, azuredevops, or drop it',
    ]);
    expect(problemsOf(provider({ type: 'github', address: 'https://github.com/org/app', secretRef: { name: 's' }, commitStatusExpr: ' ' }).repo)).toEqual([
      '[apps/base/providers/p] spec.commitStatusExpr is empty: leave it out for the controller\'s key, or give a CEL expression that returns a string (e.g. \'flux/\' + event.involvedObject.name)',
    ]);
  });
});

describe('Provider serviceAccountName', () => {
  it('takes a cdk8s-plus ServiceAccount, whose name it writes, and needs no token then', () => {
    const f = fluxFleet();
    const account = new kplus.ServiceAccount(new ManifestFile(f.apps, 'accounts'), 'sa', { metadata: { name: 'devops-notifier', namespace: 'flux-system' } });
    provider({ type: ProviderType.AZUREDEVOPS, address: 'https://dev.azure.com/org/project/_git/app', serviceAccountName: account }, f);
    expect(specOf(f, 'Provider').serviceAccountName).toBe('devops-notifier');
    expect(problemsOf(f.repo)).toEqual([]);
  });

  it('takes a name or an import', () => {
    const f = provider({ type: 'googlepubsub', channel: 'events', serviceAccountName: 'pubsub' });
    expect(specOf(f, 'Provider').serviceAccountName).toBe('pubsub');
    const g = fluxFleet();
    const imported = kplus.ServiceAccount.fromServiceAccountName(g.repo, 'imported', 'pubsub-publisher');
    provider({ type: 'googlepubsub', channel: 'events', serviceAccountName: imported }, g);
    expect(specOf(g, 'Provider').serviceAccountName).toBe('pubsub-publisher');
  });

  it('declares the ServiceAccount as a reference of the Provider\'s namespace', () => {
    const f = fluxFleet();
    const account = new kplus.ServiceAccount(new ManifestFile(f.apps, 'accounts'), 'sa', { metadata: { name: 'publisher', namespace: 'flux-system' } });
    const p = new Provider(new ManifestFile(f.apps, 'providers'), 'p', { metadata: META, type: 'googlepubsub', channel: 'events', serviceAccountName: account });
    expect(p.fluxReferences()).toEqual([
      { field: 'spec.serviceAccountName', target: { apiVersion: 'v1', kind: 'ServiceAccount', name: 'publisher', namespace: 'flux-system' }, object: account, crossNamespace: false },
    ]);
  });

  it('is refused in another namespace than the Provider\'s', () => {
    const f = fluxFleet();
    const account = new kplus.ServiceAccount(new ManifestFile(f.apps, 'accounts'), 'sa', { metadata: { name: 'publisher', namespace: 'apps' } });
    provider({ type: 'googlepubsub', channel: 'events', serviceAccountName: account }, f);
    expect(problemsOf(f.repo)).toEqual([
      '[apps/base/providers/p] spec.serviceAccountName: ServiceAccount apps/publisher is in another namespace, but the controller looks for it in the Provider\'s ("flux-system"): define the ServiceAccount there',
    ]);
  });

  it('is refused next to static credentials', () => {
    const f = fluxFleet();
    const token = new SecretDeclaration({ name: 'devops-token', namespace: 'flux-system', keys: ['token'] });
    provider({ type: 'azuredevops', address: 'https://dev.azure.com/org/project/_git/app', secretRef: token, serviceAccountName: 'notifier' }, f);
    expect(problemsOf(f.repo)).toEqual([
      '[apps/base/providers/p] spec.secretRef names Secret flux-system/devops-token, which cluster "dev" does not get: provide it in that cluster (a SealedSecret sealed for it, e.g. SealedSecret.forDeclaration)',
      '[apps/base/providers/p] spec.serviceAccountName "notifier" is set, but Secret devops-token also holds "token", which the controller refuses next to workload identity: drop those keys from the secret, or the serviceAccountName',
    ]);
  });

  it('is refused on a type without workload identity, and when not a name', () => {
    expect(problemsOf(provider({ type: 'slack', secretRef: { name: 's' }, serviceAccountName: 'notifier' }).repo)).toEqual([
      '[apps/base/providers/p] spec.serviceAccountName "notifier" is set, but a slack provider does not authenticate with a ServiceAccount: only azureeventhub, azuredevops, googlepubsub do; drop it and give the credentials in secretRef',
    ]);
    expect(problemsOf(provider({ type: 'googlepubsub', channel: 'events', serviceAccountName: 'Pub Sub' }).repo)).toEqual([
      '[apps/base/providers/p] spec.serviceAccountName "Pub Sub" is not a valid Kubernetes name: use at most 253 lowercase letters, digits, \'-\' or \'.\', starting and ending with a letter or digit (e.g. "external-dns")',
    ]);
  });
});

describe('Provider proxy (deprecated)', () => {
  it('is written as given', () => {
    const f = provider({ type: 'generic', address: 'https://alerts.example.com', proxy: 'http://proxy.example.com:3128' });
    expect(specOf(f, 'Provider').proxy).toBe('http://proxy.example.com:3128');
  });

  it('is refused with another scheme, with credentials in the URL, and next to proxySecretRef', () => {
    expect(problemsOf(provider({ type: 'generic', address: 'https://alerts.example.com', proxy: 'socks5://proxy:1080' }).repo)).toEqual([
      '[apps/base/providers/p] spec.proxy "socks5://proxy:1080" must start with "http://" or "https://" (e.g. "http://proxy.example.com:8080")',
    ]);
    expect(problemsOf(provider({ type: 'generic', address: 'https://alerts.example.com', proxy: 'http://user:pw@proxy:3128' }).repo)).toEqual([
      '[apps/base/providers/p] spec.proxy carries credentials in its URL, which would be committed to git: seal the URL as key "address" (and "username"/"password") of a Secret and pass it as proxySecretRef',
    ]);
    expect(problemsOf(provider({ type: 'generic', address: 'https://alerts.example.com', proxy: 'http://proxy:3128', proxySecretRef: { name: 'proxy' } }).repo)).toEqual([
      '[apps/base/providers/p] spec.proxy "http://proxy:3128" and spec.proxySecretRef are both set: keep proxySecretRef (proxy is deprecated) and drop proxy',
    ]);
  });
});

describe('Receiver oidcProviders (generic-oidc)', () => {
  const github = {
    issuerUrl: 'https://token.actions.githubusercontent.com',
    variables: [{ name: 'owner', expression: 'claims.repository_owner' }],
    validations: [{ expression: "vars.owner == 'org'", message: 'not from org' }],
  };

  it('renders the providers, without a secretRef', () => {
    const f = receiver({ type: ReceiverType.GENERIC_HYPHEN_OIDC, oidcProviders: [{ ...github, audience: 'flux' }] });
    const spec = specOf(f, 'Receiver');
    expect(spec.secretRef).toBeUndefined();
    expect(spec.oidcProviders).toEqual([{
      issuerURL: 'https://token.actions.githubusercontent.com', audience: 'flux',
      validations: [{ expression: "vars.owner == 'org'", message: 'not from org' }],
      variables: [{ name: 'owner', expression: 'claims.repository_owner' }],
    }]);
    expect(problemsOf(f.repo)).toEqual([]);
  });

  it('refuses a bad issuer, no validations, empty messages, bad and repeated variable names', () => {
    const f = receiver({
      type: 'generic-oidc',
      oidcProviders: [
        { issuerUrl: 'token.actions.githubusercontent.com', validations: [] },
        { ...github, audience: '', validations: [{ expression: 'true', message: '' }], variables: [{ name: '1st', expression: 'claims.sub' }, { name: 'a', expression: '' }, { name: 'a', expression: 'claims.aud' }] },
      ],
    });
    expect(problemsOf(f.repo)).toEqual([
      '[apps/base/receivers/r] spec.oidcProviders[0].issuerURL "token.actions.githubusercontent.com" must start with "https://" or "http://" (e.g. "https://token.actions.githubusercontent.com")',
      '[apps/base/receivers/r] spec.oidcProviders[0].validations is empty: give at least one CEL check of the caller\'s identity (e.g. "claims.repository_owner == \'my-org\'"); a valid signature alone authorizes anyone the issuer serves',
      '[apps/base/receivers/r] spec.oidcProviders[1].audience is empty: leave it out for "notification-controller", or name the audience the tokens carry',
      '[apps/base/receivers/r] spec.oidcProviders[1].validations[0].message is empty: say what the caller is refused for (e.g. "the token is not from my-org")',
      '[apps/base/receivers/r] spec.oidcProviders[1].variables[0].name "1st" is not a CEL identifier: use letters, digits and \'_\', not starting with a digit (e.g. "repo")',
      '[apps/base/receivers/r] spec.oidcProviders[1].variables[1].expression is empty: give a CEL expression (e.g. "claims.repository")',
      '[apps/base/receivers/r] spec.oidcProviders[1].variables[2].name "a" is defined twice: give each variable its own name',
    ]);
  });

  it('refuses oidcProviders on another type, and a missing secretRef there', () => {
    expect(problemsOf(receiver({ type: 'github', oidcProviders: [github] }).repo)).toEqual([
      '[apps/base/receivers/r] spec.oidcProviders is set, but only a generic-oidc Receiver reads it (this one is github): drop oidcProviders, or use type "generic-oidc"',
      '[apps/base/receivers/r] spec.secretRef is missing: a github Receiver needs a Secret with "token" (a SealedSecret or SecretDeclaration); only generic-oidc goes without',
    ]);
  });
});

describe('Receiver resourceFilter, per-resource filter and interval', () => {
  it('renders the filters next to their resources, and the interval', () => {
    const f = receiver({
      type: 'github', secretRef: { name: 'token' }, interval: '1h', resourceFilter: "req.ref == 'refs/heads/main'",
    });
    const g = fluxFleet();
    receiver({ type: 'github', secretRef: { name: 'token' }, resources: [{ resource: g.gitRepo, filter: "res.metadata.name == 'flux-system'" }, g.release] }, g);
    const spec = specOf(f, 'Receiver');
    expect(spec.resourceFilter).toBe("req.ref == 'refs/heads/main'");
    expect(spec.interval).toBe('1h');
    expect(specOf(g, 'Receiver').resources).toEqual([
      { apiVersion: 'source.toolkit.fluxcd.io/v1', kind: 'GitRepository', name: 'flux-system', filter: "res.metadata.name == 'flux-system'" },
      { apiVersion: 'helm.toolkit.fluxcd.io/v2', kind: 'HelmRelease', name: 'podinfo' },
    ]);
    expect(problemsOf(g.repo)).toEqual([]);
  });

  it('refuses empty filters and a bad interval', () => {
    const f = fluxFleet();
    receiver({ type: 'github', secretRef: { name: 'token' }, resourceFilter: '', interval: '10 minutes' as never, resources: [{ resource: f.gitRepo, filter: ' ' }] }, f);
    expect(problemsOf(f.repo)).toEqual([
      '[apps/base/receivers/r] spec.interval "10 minutes" is not a Go duration: use digits with units ms, s, m or h, e.g. "30s", "10m", "1h" or "1m30s"',
      '[apps/base/receivers/r] spec.resourceFilter is empty: leave it out to reconcile every resource, or give a CEL expression that returns a boolean (e.g. "req.ref == \'refs/heads/main\'")',
      '[apps/base/receivers/r] spec.resources[0].filter is empty: leave it out to reconcile every matched GitRepository, or give a CEL expression that returns a boolean (e.g. "res.metadata.name == \'app\'")',
    ]);
  });

  it('follows a filtered resource as a reference (a near miss is still caught)', () => {
    const f = fluxFleet();
    const gone = { apiVersion: 'source.toolkit.fluxcd.io/v1', kind: 'GitRepository', name: 'flux-systen', namespace: 'flux-system' };
    receiver({ type: 'github', secretRef: { name: 'token' }, resources: [{ resource: gone, filter: 'true' }] }, f);
    expect(problemsOf(f.repo)).toEqual([
      '[apps/base/receivers/r] spec.resources[0] names GitRepository flux-system/flux-systen, imported with fromName at apps/base/receivers/r as defined outside the fleet, but the fleet defines no such GitRepository while cluster "dev" has GitRepository flux-system/flux-system: did you mean "flux-system"? Reference that object itself instead of a fromName import',
    ]);
  });
});

describe('the cross-namespace coverage fixtures', () => {
  for (const fixture of crossNamespaceFixtures) {
    it(`${fixture.kind}: ${fixture.name} is schema-valid and states the namespace`, () => {
      const f = fluxFleet({ allowCrossNamespaceReferences: true });
      fixture.build(f);
      const docs = Object.values(FleetTesting.synthDocuments(f.repo)).flat().filter(d => d.kind === fixture.kind);
      expect(docs).toHaveLength(1);
      expect(crdErrors(docs[0])).toEqual([]);
      const field = fixture.kind === 'Alert' ? 'spec.eventSources[].namespace' : 'spec.resources[].namespace';
      expect([...emittedPaths(docs[0].spec)]).toContain(field);
      expect(problemsOf(fluxFleetWith(fixture.build))).not.toEqual([]); // the default lockdown refuses it
    });
  }
});

function fluxFleetWith(build: (f: Fleet) => void) {
  const f = fluxFleet();
  build(f);
  return f.repo;
}
