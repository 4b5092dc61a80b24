import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createExampleFleet } from '../src/example-fleet';
import { Alert, EventSeverity, EventSourceKind, GitRepository, LayoutDirectory, ManifestFile, Provider, ProviderType, Receiver, ReceiverType, SealedSecret, SealedStore, SealingCertificate, SecretDeclaration } from '../src';
import { FleetTesting } from '../src/testing';
import { fluxFleet } from './flux-fixture';
import { problemsOf as problemsOfRepo } from './helpers';
import { sealingKey } from './support/x509';
import { crdErrors } from './support/crd-schemas';

type Fleet = ReturnType<typeof fluxFleet>;

/** A store sealed for a throwaway certificate, holding the given secrets (namespace/name → keys). */
function storeWith(secrets: Record<string, string[]>): SealedStore {
  const dir = FleetTesting.tempDir();
  const certFile = path.join(dir, 'cert.pem');
  fs.writeFileSync(certFile, sealingKey().certificatePem);
  const store = SealedStore.load(path.join(dir, 'store.yaml'), SealingCertificate.fromFile(certFile), 'dev');
  for (const [id, keys] of Object.entries(secrets)) {
    const [namespace, name] = id.split('/');
    store.seal({ namespace, name, values: Object.fromEntries(keys.map(k => [k, Buffer.from('x')])) });
  }
  return store;
}

function sealed(f: Fleet, id: string, keys: string[], file = 'secrets') {
  const [namespace, name] = id.split('/');
  return new SealedSecret(new ManifestFile(f.apps, `${file}-${name}`), name, { metadata: { name, namespace }, store: storeWith({ [id]: keys }), keys });
}

const problemsOf = (f: Fleet) => problemsOfRepo(f.repo);

describe('notification constructs', () => {
  it('Provider, Alert and Receiver render as Flux 2.9 expects', () => {
    const f = fluxFleet();
    const file = new ManifestFile(f.apps, 'notifications');
    const slack = new Provider(file, 'slack', {
      metadata: { name: 'slack', namespace: 'flux-system' }, type: ProviderType.SLACK, channel: 'alerts', secretRef: sealed(f, 'flux-system/slack-url', ['address']),
    });
    new Provider(file, 'github', {
      metadata: { name: 'github', namespace: 'flux-system' }, type: ProviderType.GITHUB, address: 'https://github.com/org/fleet',
      secretRef: sealed(f, 'flux-system/github-token', ['token']), timeout: '30s',
    });
    new Alert(file, 'alert', {
      metadata: { name: 'releases', namespace: 'flux-system' },
      provider: slack,
      eventSeverity: EventSeverity.ERROR,
      eventSources: [f.release, { kind: EventSourceKind.KUSTOMIZATION, name: '*' }, { kind: 'HelmRepository', name: '*', matchLabels: {} }],
      inclusionList: ['.*succeeded.*'],
      exclusionList: ['^Dependencies.*'],
      eventMetadata: { env: 'dev', cluster: 'dev' },
    });
    new Receiver(file, 'receiver', {
      metadata: { name: 'github', namespace: 'flux-system' },
      type: ReceiverType.GITHUB,
      events: ['ping', 'push'],
      resources: [f.gitRepo],
      secretRef: sealed(f, 'flux-system/webhook-token', ['token']),
    });
    const docs = FleetTesting.synthDocuments(f.repo)['apps/base/notifications.yaml'];
    expect(docs).toMatchSnapshot();
    expect(docs.map(d => d.apiVersion)).toEqual([
      'notification.toolkit.fluxcd.io/v1beta3', 'notification.toolkit.fluxcd.io/v1beta3',
      'notification.toolkit.fluxcd.io/v1beta3', 'notification.toolkit.fluxcd.io/v1',
    ]);
    expect(docs[2].spec.eventSources[0]).toEqual({ kind: 'HelmRelease', name: 'podinfo' });
    expect(docs[3].spec.resources).toEqual([{ apiVersion: 'source.toolkit.fluxcd.io/v1', kind: 'GitRepository', name: 'flux-system' }]);
  });
});

describe('notification validation', () => {
  it('reports field problems with exact messages', () => {
    const f = fluxFleet();
    const file = new ManifestFile(f.apps, 'notifications');
    const hook = sealed(f, 'flux-system/hook', ['url']);
    const slack = new Provider(file, 'slack', { metadata: { name: 'slack', namespace: 'flux-system' }, type: ProviderType.SLACK, secretRef: hook });
    new Provider(file, 'plaintext', { metadata: { name: 'plaintext', namespace: 'flux-system' }, type: ProviderType.MSTEAMS, address: 'https://example.webhook.office.com/x' });
    new Provider(file, 'github', { metadata: { name: 'github', namespace: 'flux-system' }, type: ProviderType.GITHUB });
    new Provider(file, 'pigeon', { metadata: { name: 'pigeon', namespace: 'flux-system' }, type: 'pigeon' as never });
    new Alert(file, 'alert', {
      metadata: { name: 'a', namespace: 'flux-system' }, provider: slack, eventSeverity: 'warning' as never,
      eventSources: [{ ...f.release, kind: 'HelmRelease', name: 'podinfo', apiVersion: 'helm.toolkit.fluxcd.io/v2', matchLabels: { a: 'b' } } as never],
      inclusionList: ['(unclosed'],
    });
    new Alert(file, 'empty', { metadata: { name: 'empty', namespace: 'flux-system' }, provider: slack, eventSources: [] });
    new Receiver(file, 'receiver', {
      metadata: { name: 'r', namespace: 'flux-system' }, type: 'svn' as never, resources: [f.gitRepo],
      secretRef: sealed(f, 'flux-system/wrong', ['password']),
    });
    expect(problemsOf(f)).toEqual([
      '[apps/base/notifications/alert] spec.eventSeverity "warning" is not a severity: use info or error',
      '[apps/base/notifications/alert] spec.eventSources[0].matchLabels only applies with name "*": drop the labels or select all HelmReleases',
      '[apps/base/notifications/alert] spec.inclusionList[0] "(unclosed" is not a regular expression: Unterminated group',
      '[apps/base/notifications/empty] spec.eventSources is empty: list the objects (or kinds, with name "*") whose events to send',
      '[apps/base/notifications/github] spec.address is missing: a github provider needs an address: set address (or key "address" of its secretRef)',
      '[apps/base/notifications/github] spec.secretRef is missing: a github provider needs a secret with "token" or "githubAppID" + "githubAppInstallationID" + "githubAppPrivateKey"; pass a SealedSecret (or SecretDeclaration) as secretRef',
      '[apps/base/notifications/pigeon] spec.type "pigeon" is not a provider type of Flux 2.9: use one of slack, discord, msteams, rocket, generic, generic-hmac, github, gitlab, gitea, giteapullrequestcomment, bitbucketserver, bitbucket, azuredevops, googlechat, googlepubsub, webex, sentry, azureeventhub, telegram, lark, matrix, opsgenie, alertmanager, grafana, githubdispatch, githubpullrequestcomment, gitlabmergerequestcomment, pagerduty, datadog, nats, zulip, otel',
      '[apps/base/notifications/plaintext] spec.address is set in plaintext, but this URL carries a credential (a webhook path, a user:password or a token parameter) that would be committed to git: seal it as key "address" of the secretRef\'s SealedSecret and leave address out',
      '[apps/base/notifications/receiver] spec.secretRef: Secret wrong has "password", but a svn Receiver reads "token": seal "token" into it',
      '[apps/base/notifications/receiver] spec.type "svn" is not a receiver type of Flux 2.9: use one of generic, generic-hmac, generic-oidc, github, gitlab, bitbucket, harbor, dockerhub, quay, gcr, nexus, acr, cdevents',
      '[apps/base/notifications/slack] spec.address is missing: a slack provider needs an address: seal the webhook URL as key "address" of its secretRef',
    ]);
  });

  it('rejects an event source kind that emits no Flux events', () => {
    const f = fluxFleet();
    const file = new ManifestFile(f.apps, 'notifications');
    const slack = new Provider(file, 'slack', { metadata: { name: 'slack', namespace: 'flux-system' }, type: ProviderType.SLACK, secretRef: sealed(f, 'flux-system/slack-url', ['address']) });
    new Alert(file, 'alert', { metadata: { name: 'a', namespace: 'flux-system' }, provider: slack, eventSources: [{ kind: 'Deployment' as never, name: '*' }] });
    expect(problemsOf(f)).toContain(
      '[apps/base/notifications/alert] spec.eventSources[0].kind "Deployment" does not emit Flux events: use one of Bucket, GitRepository, Kustomization, HelmRelease, HelmChart, HelmRepository, ImageRepository, ImagePolicy, ImageUpdateAutomation, OCIRepository, ArtifactGenerator, ExternalArtifact',
    );
  });

  it('an event source or receiver resource must exist in the same cluster; a wildcard must select something', () => {
    const f = fluxFleet();
    const elsewhere = new LayoutDirectory(f.repo.apps, 'unsynced');
    const stray = new GitRepository(new ManifestFile(elsewhere, 'git'), 'git', { metadata: { name: 'stray', namespace: 'flux-system' }, url: 'https://github.com/org/x' });
    const file = new ManifestFile(f.apps, 'notifications');
    const slack = new Provider(file, 'slack', { metadata: { name: 'slack', namespace: 'flux-system' }, type: ProviderType.SLACK, secretRef: sealed(f, 'flux-system/slack-url', ['address']) });
    new Alert(file, 'alert', {
      metadata: { name: 'a', namespace: 'flux-system' }, provider: slack,
      eventSources: [stray, { kind: 'Kustomization', name: '*', namespace: 'kube-system' }, { kind: 'HelmRelease', name: '*', matchLabels: { team: 'none' } }],
    });
    new Receiver(file, 'receiver', { metadata: { name: 'r', namespace: 'flux-system' }, type: ReceiverType.GITHUB, resources: [stray], secretRef: sealed(f, 'flux-system/token', ['token']) });
    expect(problemsOf(f).filter(p => !p.includes('another namespace'))).toEqual([
      '[apps/base/notifications/alert] spec.eventSources[0] points at GitRepository flux-system/stray, which cluster "dev" does not reconcile although it reconciles this Alert (the GitRepository is in apps/unsynced/git.yaml, which no Kustomization of that cluster builds): build its directory into the cluster, or import it with GitRepository.fromName if it is defined outside the fleet',
      '[apps/base/notifications/alert] spec.eventSources[1] selects every Kustomization in namespace "kube-system", but cluster "dev" has none there, so it would never fire: select objects that exist, or remove it',
      '[apps/base/notifications/alert] spec.eventSources[2] selects every HelmRelease in namespace "flux-system" labelled team=none, but cluster "dev" has none there, so it would never fire: select objects that exist, or remove it',
      '[apps/base/notifications/receiver] spec.resources[0] points at GitRepository flux-system/stray, which cluster "dev" does not reconcile although it reconciles this Receiver (the GitRepository is in apps/unsynced/git.yaml, which no Kustomization of that cluster builds): build its directory into the cluster, or import it with GitRepository.fromName if it is defined outside the fleet',
    ]);
  });

  it('under the lockdown, an event source in another namespace is refused; the provider must be in the alert\'s namespace', () => {
    const f = fluxFleet();
    const file = new ManifestFile(f.apps, 'notifications');
    const slack = new Provider(file, 'slack', { metadata: { name: 'slack', namespace: 'monitoring' }, type: ProviderType.SLACK, secretRef: sealed(f, 'monitoring/slack-url', ['address']) });
    new Alert(file, 'alert', { metadata: { name: 'a', namespace: 'flux-system' }, provider: slack, eventSources: [{ kind: 'HelmRelease', name: '*', namespace: 'podinfo' }] });
    const alertProblems = problemsOf(f).filter(p => p.startsWith('[apps/base/notifications/alert]'));
    expect(alertProblems).toEqual([
      '[apps/base/notifications/alert] spec.eventSources[0] points at HelmRelease podinfo/* in another namespace (this Alert is in "flux-system"); Flux\'s multi-tenancy lockdown refuses cross-namespace references: define this Alert in namespace "podinfo", with its Provider and the Provider\'s Secret (an Alert per watched namespace), or allow them with new GitOpsRepo({ allowCrossNamespaceReferences: true })',
      '[apps/base/notifications/alert] spec.eventSources[0] selects every HelmRelease in namespace "podinfo", but cluster "dev" has none there, so it would never fire: select objects that exist, or remove it',
      '[apps/base/notifications/alert] spec.providerRef names Provider slack, but this field only resolves in the object\'s own namespace ("flux-system") and cluster "dev" has Provider slack only in "monitoring": define Provider slack in that namespace',
    ]);
  });

  it('a declared secret must be provided, with every declared key, in each cluster that applies its user', () => {
    const f = fluxFleet();
    const hook = new SecretDeclaration({ name: 'slack-url', namespace: 'flux-system', keys: ['address'] });
    new Provider(new ManifestFile(f.apps, 'provider'), 'slack', { metadata: { name: 'slack', namespace: 'flux-system' }, type: ProviderType.SLACK, secretRef: hook });
    expect(problemsOf(f)).toEqual([
      '[apps/base/provider/slack] spec.secretRef names Secret flux-system/slack-url, which cluster "dev" does not get: provide it in that cluster (a SealedSecret sealed for it, e.g. SealedSecret.forDeclaration)',
    ]);
    SealedSecret.forDeclaration(new ManifestFile(f.apps, 'slack-url'), 'secret', hook, { store: storeWith({ 'flux-system/slack-url': ['address'] }) });
    expect(problemsOf(f)).toEqual([]);
  });
});

describe('provider rules as the notification-controller reads them', () => {
  it('accepts the documented setups: PagerDuty routing key, GitHub App, GitLab user/password, the Slack API with a bot token', () => {
    const f = fluxFleet();
    const file = new ManifestFile(f.apps, 'providers');
    new Provider(file, 'pd', { metadata: { name: 'pd', namespace: 'flux-system' }, type: ProviderType.PAGERDUTY, address: 'https://events.pagerduty.com', channel: 'routing-key' });
    new Provider(file, 'gh', {
      metadata: { name: 'gh', namespace: 'flux-system' }, type: ProviderType.GITHUB, address: 'https://github.com/org/fleet',
      secretRef: sealed(f, 'flux-system/gh-app', ['githubAppID', 'githubAppInstallationID', 'githubAppPrivateKey']),
    });
    new Provider(file, 'gl', { metadata: { name: 'gl', namespace: 'flux-system' }, type: ProviderType.GITLAB, address: 'https://gitlab.com/org/fleet', secretRef: sealed(f, 'flux-system/gl', ['username', 'password']) });
    new Provider(file, 'slack-app', {
      metadata: { name: 'slack-app', namespace: 'flux-system' }, type: ProviderType.SLACK, address: 'https://slack.com/api/chat.postMessage', channel: 'alerts',
      secretRef: sealed(f, 'flux-system/slack-bot', ['token']),
    });
    new Provider(file, 'proxied', {
      metadata: { name: 'proxied', namespace: 'flux-system' }, type: ProviderType.GENERIC, address: 'https://hooks.internal/flux',
      proxySecretRef: sealed(f, 'flux-system/proxy', ['address', 'username', 'password']), certSecretRef: sealed(f, 'flux-system/ca', ['ca.crt']),
    });
    expect(problemsOf(f)).toEqual([]);
  });

  it('refuses what the controller cannot use', () => {
    const f = fluxFleet();
    const file = new ManifestFile(f.apps, 'providers');
    new Provider(file, 'slack-app', { metadata: { name: 'slack-app', namespace: 'flux-system' }, type: ProviderType.SLACK, address: 'https://slack.com/api/chat.postMessage', secretRef: sealed(f, 'flux-system/bot', ['token']) });
    new Provider(file, 'generic', { metadata: { name: 'generic', namespace: 'flux-system' }, type: ProviderType.GENERIC });
    new Provider(file, 'leaky', { metadata: { name: 'leaky', namespace: 'flux-system' }, type: ProviderType.GENERIC, address: 'https://user:hunter2@alerts.example.com/hook' });
    new Provider(file, 'proxy', { metadata: { name: 'proxy', namespace: 'flux-system' }, type: ProviderType.GENERIC, address: 'https://alerts.example.com', proxySecretRef: sealed(f, 'flux-system/p', ['url']) });
    expect(problemsOf(f)).toEqual([
      '[apps/base/providers/generic] spec.address is missing: a generic provider needs an address: set address (or key "address" of its secretRef)',
      '[apps/base/providers/leaky] spec.address is set in plaintext, but this URL carries a credential (a webhook path, a user:password or a token parameter) that would be committed to git: seal it as key "address" of the secretRef\'s SealedSecret and leave address out',
      '[apps/base/providers/proxy] spec.proxySecretRef: Secret p has "url", but the controller reads "address"',
      '[apps/base/providers/slack-app] spec.channel is missing: a slack provider posting through the Slack API (a bot token) needs a channel',
    ]);
  });

  it('reads inclusion and exclusion lists as Go RE2 does', () => {
    const f = fluxFleet();
    const file = new ManifestFile(f.apps, 'alerts');
    const slack = new Provider(file, 'slack', { metadata: { name: 'slack', namespace: 'flux-system' }, type: ProviderType.SLACK, secretRef: sealed(f, 'flux-system/slack-url', ['address']) });
    new Alert(file, 'ok', { metadata: { name: 'ok', namespace: 'flux-system' }, provider: slack, eventSources: [f.release], inclusionList: ['(?i)error', '(?P<x>a)b'] });
    new Alert(file, 'js-only', { metadata: { name: 'js-only', namespace: 'flux-system' }, provider: slack, eventSources: [f.release], exclusionList: ['a(?=b)', '(a)\\1'] });
    expect(problemsOf(f)).toEqual([
      '[apps/base/alerts/js-only] spec.exclusionList[0] "a(?=b)" uses lookaround, which Go\'s RE2 does not support (the controller would skip it): rewrite it without (?=, (?!, (?<= or (?<!',
      '[apps/base/alerts/js-only] spec.exclusionList[1] "(a)\\\\1" uses a backreference, which Go\'s RE2 does not support (the controller would skip it): rewrite it without \\1…\\9',
    ]);
  });
});

describe('receiver rules', () => {
  it('requires labels with a wildcard, writes apiVersion, refuses generic-oidc with a secret and without OIDC providers, and checks gcr keys', () => {
    const f = fluxFleet();
    const file = new ManifestFile(f.apps, 'receivers');
    new Receiver(file, 'wild', {
      metadata: { name: 'wild', namespace: 'flux-system' }, type: ReceiverType.GENERIC,
      resources: [{ kind: 'Kustomization', name: '*', matchLabels: {} }], secretRef: sealed(f, 'flux-system/t1', ['token']),
    });
    new Receiver(file, 'oidc', { metadata: { name: 'oidc', namespace: 'flux-system' }, type: ReceiverType.GENERIC_HYPHEN_OIDC, resources: [f.gitRepo], secretRef: sealed(f, 'flux-system/t2', ['token']) });
    new Receiver(file, 'gcr', { metadata: { name: 'gcr', namespace: 'flux-system' }, type: ReceiverType.GCR, resources: [f.gitRepo], secretRef: sealed(f, 'flux-system/t3', ['token']) });
    expect(problemsOf(f)).toEqual([
      '[apps/base/receivers/gcr] spec.secretRef: Secret t3 has "token", but a gcr Receiver reads "token" + "email" + "audience": seal "email", "audience" into it',
      '[apps/base/receivers/oidc] spec.oidcProviders is missing: a generic-oidc Receiver needs at least one OIDC provider (e.g. { issuerUrl: "https://token.actions.githubusercontent.com", validations: [{ expression: "claims.repository_owner == \'my-org\'", message: "not my-org" }] })',
      '[apps/base/receivers/oidc] spec.secretRef is set (Secret t2), but a generic-oidc Receiver authenticates with OIDC tokens and the CRD refuses a secret: drop secretRef',
      '[apps/base/receivers/wild] spec.resources[0] selects every Kustomization by name "*" without matchLabels, which the controller refuses: add matchLabels, or list the objects',
    ]);
    const labelled = fluxFleet();
    new Receiver(new ManifestFile(labelled.apps, 'r'), 'r', {
      metadata: { name: 'r', namespace: 'flux-system' }, type: ReceiverType.GENERIC,
      resources: [{ kind: 'HelmRelease', name: '*', matchLabels: { app: 'podinfo' } }], secretRef: sealed(labelled, 'flux-system/t', ['token']),
    });
    labelled.release.apiObject.metadata.addLabel('app', 'podinfo');
    expect(problemsOf(labelled)).toEqual([]);
    expect(FleetTesting.synthDocuments(labelled.repo)['apps/base/r.yaml'][0].spec.resources).toEqual([
      { apiVersion: 'helm.toolkit.fluxcd.io/v2', kind: 'HelmRelease', name: '*', matchLabels: { app: 'podinfo' } },
    ]);
  });
});

describe('wildcards count what exists without being written by the fleet', () => {
  it('HelmCharts that helm-controller creates for HelmReleases, and imported objects', () => {
    const f = fluxFleet();
    const file = new ManifestFile(f.apps, 'alerts');
    const slack = new Provider(file, 'slack', { metadata: { name: 'slack', namespace: 'flux-system' }, type: ProviderType.SLACK, secretRef: sealed(f, 'flux-system/slack-url', ['address']) });
    GitRepository.fromName(file, 'shared', { name: 'shared', namespace: 'team-a' });
    new Alert(file, 'charts', { metadata: { name: 'charts', namespace: 'flux-system' }, provider: slack, eventSources: [{ kind: 'HelmChart', name: '*' }] });
    new Alert(file, 'imported', {
      metadata: { name: 'imported', namespace: 'flux-system' }, provider: slack, eventSources: [{ kind: 'GitRepository', name: '*', namespace: 'team-a' }],
    });
    expect(problemsOf(f).filter(p => !p.includes('another namespace'))).toEqual([]);
  });
});

describe('declared secrets', () => {
  it('reports a per-environment Secret that lacks a declared key', () => {
    const f = fluxFleet();
    const hook = new SecretDeclaration({ name: 'slack-url', namespace: 'flux-system', keys: ['address'] });
    new Provider(new ManifestFile(f.apps, 'provider'), 'slack', { metadata: { name: 'slack', namespace: 'flux-system' }, type: ProviderType.SLACK, secretRef: hook });
    sealed(f, 'flux-system/slack-url', ['url']);
    expect(problemsOf(f)).toEqual([
      '[apps/base/provider/slack] spec.secretRef needs Secret flux-system/slack-url with "address", but in cluster "dev" it has "url"',
    ]);
  });
});

describe('example fleet notifications', () => {
  it('matches seed 000: a Slack provider per environment channel and webhook, and the alerts', () => {
    const docs = FleetTesting.synthDocuments(createExampleFleet());
    expect(docs['infrastructure/base/slack/slack.yaml'][0].spec).toEqual({ type: 'slack', secretRef: { name: 'slack-url' } });
    expect(docs['infrastructure/overlays/production/slack-patch.yaml'][0].spec).toEqual({ channel: 'gitops-flux-prod' });
    expect(docs['infrastructure/overlays/staging/slack-patch.yaml'][0].spec).toEqual({ channel: 'gitops-flux-staging' });
    expect(docs['infrastructure/base/slack/flux-alert.yaml'][0].spec.providerRef).toEqual({ name: 'slack' });
  });

  it('every alert resolves to existing objects in every environment (checked from the written files alone)', () => {
    const docs = FleetTesting.synthDocuments(createExampleFleet());
    const clusters = { development: 'cluster-dev', staging: 'cluster-staging', production: 'cluster-prod' };
    for (const [env, cluster] of Object.entries(clusters)) {
      const applied = Object.entries(docs)
        .filter(([p]) => !p.endsWith('kustomization.yaml') && !p.endsWith('-patch.yaml')
          && (p.startsWith('infrastructure/base/') || p.startsWith(`infrastructure/overlays/${env}/`) || p.startsWith(`clusters/${cluster}/`)))
        .flatMap(([, d]) => d);
      const alerts = applied.filter(d => d.kind === 'Alert');
      expect(alerts.length).toBe(3);
      for (const alert of alerts) {
        expect(applied.some(d => d.kind === 'Provider' && d.metadata.name === alert.spec.providerRef.name && d.metadata.namespace === alert.metadata.namespace)).toBe(true);
        for (const source of alert.spec.eventSources) {
          const ns = source.namespace ?? alert.metadata.namespace;
          // the cluster's sync GitRepository is created by the Flux Operator from the FluxInstance
          const synced = applied.filter(d => d.kind === 'FluxInstance').map(d => ({ kind: d.spec.sync.kind, metadata: { name: d.metadata.namespace, namespace: d.metadata.namespace } }));
          const matches = [...applied, ...synced].filter(d => d.kind === source.kind && d.metadata.namespace === ns && (source.name === '*' || d.metadata.name === source.name));
          expect(matches.length, `${env}: ${alert.metadata.name} ${source.kind} ${ns}/${source.name}`).toBeGreaterThan(0);
        }
      }
      const provider = applied.find(d => d.kind === 'Provider')!;
      expect(applied.some(d => d.kind === 'SealedSecret' && d.metadata.name === provider.spec.secretRef.name && 'address' in d.spec.encryptedData)).toBe(true);
    }
  });

  it('synthesizes without a single problem, and names the environment that lacks its Slack secret', () => {
    expect(problemsOf({ repo: createExampleFleet() } as Fleet)).toEqual([]);
    const repo = createExampleFleet();
    const stagingSecrets = repo.node.findAll().find(c => c.node.path === 'infrastructure/overlays/staging/secrets/slack-sealed-secrets')!;
    stagingSecrets.node.tryRemoveChild('secret');
    expect(problemsOf({ repo } as Fleet)).toEqual([
      '[infrastructure/base/slack/slack/provider] spec.secretRef names Secret flux-system/slack-url, which cluster "cluster-staging" does not get: provide it in that cluster (a SealedSecret sealed for it, e.g. SealedSecret.forDeclaration)',
    ]);
  });

  it('writes notification objects that the CRD schemas accept', () => {
    const docs = Object.entries(FleetTesting.synthDocuments(createExampleFleet())).filter(([p]) => !p.endsWith('-patch.yaml')).flatMap(([, d]) => d);
    const notifications = docs.filter(d => String(d.apiVersion).startsWith('notification.toolkit.fluxcd.io/'));
    expect(notifications.length).toBe(6); // the platform's Provider and 3 Alerts, sock-shop's own Provider and Alert
    for (const d of notifications) expect(crdErrors(d), `${d.kind} ${d.metadata.name}`).toEqual([]);
  });

  it('rejects the seed\'s never-firing Kustomization source in kube-system', () => {
    const repo = createExampleFleet();
    const slack = repo.node.findAll().find(c => c instanceof Provider)! as Provider;
    new Alert(new ManifestFile(repo.node.findChild('infrastructure').node.findChild('base').node.findChild('slack') as LayoutDirectory, 'extra'), 'a', {
      metadata: { name: 'extra', namespace: 'flux-system' }, provider: slack, eventSources: [{ kind: 'Kustomization', name: '*', namespace: 'kube-system' }],
    });
    expect(() => repo.synthLayout()).toThrowError(/spec.eventSources\[0\] selects every Kustomization in namespace "kube-system", but cluster "cluster-dev" has none there/);
  });
});

