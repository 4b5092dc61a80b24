import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createExampleFleet } from '../src/example-fleet';
import {
  Alert, EventSeverity, EventSourceKind, FleetTesting, GitRepository, LayoutDirectory, ManifestFile,
  Provider, ProviderType, Receiver, ReceiverType, SealedSecret, SealedStore, SealingCertificate, SecretDeclaration,
} from '../src';
import { fluxFleet } from './flux-fixture';
import { problemsOf as problemsOfRepo } from './helpers';
import { sealingKey } from './support/x509';

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
      '[apps/base/notifications/alert] spec.inclusionList[0] "(unclosed" is not a regular expression: Invalid regular expression: /(unclosed/: Unterminated group',
      '[apps/base/notifications/empty] spec.eventSources is empty: list the objects (or kinds, with name "*") whose events to send',
      '[apps/base/notifications/github] spec.secretRef is missing: a github provider needs a secret with "token"; pass a SealedSecret (or SecretDeclaration) as secretRef',
      '[apps/base/notifications/pigeon] spec.type "pigeon" is not a provider type of Flux 2.9: use one of slack, discord, msteams, rocket, generic, generic-hmac, github, gitlab, gitea, giteapullrequestcomment, bitbucketserver, bitbucket, azuredevops, googlechat, googlepubsub, webex, sentry, azureeventhub, telegram, lark, matrix, opsgenie, alertmanager, grafana, githubdispatch, githubpullrequestcomment, gitlabmergerequestcomment, pagerduty, datadog, nats, zulip, otel',
      '[apps/base/notifications/plaintext] spec.address is set in plaintext for a msteams provider, but its webhook URL is a credential that would be committed to git: seal it as key "address" of the secretRef\'s SealedSecret and leave address out',
      '[apps/base/notifications/receiver] spec.secretRef: Secret wrong has "password", but a Receiver reads its webhook token from key "token": seal it into the secret',
      '[apps/base/notifications/receiver] spec.type "svn" is not a receiver type of Flux 2.9: use one of generic, generic-hmac, generic-oidc, github, gitlab, bitbucket, harbor, dockerhub, quay, gcr, nexus, acr, cdevents',
      '[apps/base/notifications/slack] spec.secretRef: Secret hook has "url", but a slack provider reads "address" or "token": seal the missing key into it',
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
      '[apps/base/notifications/alert] spec.eventSources[0] points at HelmRelease podinfo/* in another namespace (this Alert is in "flux-system"); Flux\'s multi-tenancy lockdown refuses cross-namespace references: define this Alert in namespace "podinfo" (an Alert per watched namespace), or allow them with new GitOpsRepo({ allowCrossNamespaceReferences: true })',
      '[apps/base/notifications/alert] spec.eventSources[0] selects every HelmRelease in namespace "podinfo", but cluster "dev" has none there, so it would never fire: select objects that exist, or remove it',
      '[apps/base/notifications/alert] spec.providerRef points at Provider monitoring/slack, but this field only resolves in the object\'s own namespace ("flux-system"): define Provider slack in that namespace',
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
          const matches = applied.filter(d => d.kind === source.kind && d.metadata.namespace === ns && (source.name === '*' || d.metadata.name === source.name));
          expect(matches.length, `${env}: ${alert.metadata.name} ${source.kind} ${ns}/${source.name}`).toBeGreaterThan(0);
        }
      }
      const provider = applied.find(d => d.kind === 'Provider')!;
      expect(applied.some(d => d.kind === 'SealedSecret' && d.metadata.name === provider.spec.secretRef.name && 'address' in d.spec.encryptedData)).toBe(true);
    }
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

