// Coverage fixtures of the notification-controller kinds: every typed prop set (see ../crd-coverage.test.ts).
import * as kplus from 'cdk8s-plus-27';
import { Alert, EventSeverity, EventSourceKind, GitRepository, ManifestFile, Provider, ProviderType, Receiver, ReceiverResourceKind, ReceiverType } from '../../src';
import { CoverageFixture, CoverageFleet, LeftOut } from './coverage';

/** A GitRepository labelled team=web, in `namespace`, for the wildcards of Alerts and Receivers to select. */
function labelledRepository(f: CoverageFleet, namespace: string): GitRepository {
  return new GitRepository(new ManifestFile(f.apps, `web-${namespace}`), `web-${namespace}`, {
    metadata: { name: 'web', namespace, labels: { team: 'web' } }, url: 'https://github.com/org/web', ref: { branch: 'main' },
  });
}

export const fixtures: CoverageFixture[] = [
  {
    kind: 'Provider', name: 'a Slack provider through a proxy, with its own CA',
    build: f => {
      new Provider(new ManifestFile(f.apps, 'notifications'), 'slack', {
        metadata: { name: 'slack', namespace: 'flux-system' }, type: ProviderType.SLACK, channel: 'alerts', address: 'https://slack.com/api/chat.postMessage',
        username: 'flux', secretRef: { name: 'slack-token' }, certSecretRef: { name: 'slack-ca' }, proxySecretRef: { name: 'proxy' }, timeout: '30s', suspend: false,
      });
    },
  },
  {
    kind: 'Provider', name: 'a GitHub commit status with its own key',
    build: f => {
      new Provider(new ManifestFile(f.apps, 'notifications'), 'github', {
        metadata: { name: 'github', namespace: 'flux-system' }, type: 'github', address: 'https://github.com/org/app', secretRef: { name: 'github-token' },
        commitStatusExpr: "'flux/' + event.involvedObject.kind + '/' + event.involvedObject.name",
      });
    },
  },
  {
    kind: 'Provider', name: 'Google Pub/Sub through workload identity',
    build: f => {
      const file = new ManifestFile(f.apps, 'notifications');
      const account = new kplus.ServiceAccount(file, 'publisher', { metadata: { name: 'pubsub-publisher', namespace: 'flux-system' } });
      new Provider(file, 'pubsub', {
        metadata: { name: 'pubsub', namespace: 'flux-system' }, type: ProviderType.GOOGLEPUBSUB, address: 'my-project', channel: 'flux-events', serviceAccountName: account,
      });
    },
  },
  {
    kind: 'Provider', name: 'a generic webhook through the deprecated proxy field',
    build: f => {
      new Provider(new ManifestFile(f.apps, 'notifications'), 'generic', {
        metadata: { name: 'generic', namespace: 'flux-system' }, type: ProviderType.GENERIC, address: 'https://alerts.example.com/flux', proxy: 'http://proxy.example.com:8080',
      });
    },
  },
  {
    kind: 'Alert', name: 'an alert on a release and on labelled GitRepositories',
    build: f => {
      const file = new ManifestFile(f.apps, 'notifications');
      labelledRepository(f, 'flux-system');
      const slack = new Provider(file, 'slack', { metadata: { name: 'slack', namespace: 'flux-system' }, type: ProviderType.SLACK, secretRef: { name: 'slack-url' } });
      new Alert(file, 'alert', {
        metadata: { name: 'releases', namespace: 'flux-system' }, provider: slack, eventSeverity: EventSeverity.ERROR,
        eventSources: [f.release, { kind: EventSourceKind.GIT_REPOSITORY, name: '*', matchLabels: { team: 'web' } }],
        inclusionList: ['.*succeeded.*'], exclusionList: ['^Dependencies.*'],
        eventMetadata: { env: 'dev', cluster: 'dev-eu' }, summary: 'dev cluster', suspend: false,
      });
    },
  },
  {
    kind: 'Receiver', name: 'a GitHub receiver with filters',
    build: f => {
      labelledRepository(f, 'flux-system');
      new Receiver(new ManifestFile(f.apps, 'notifications'), 'receiver', {
        metadata: { name: 'github', namespace: 'flux-system' }, type: ReceiverType.GITHUB, events: ['ping', 'push'], secretRef: { name: 'webhook-token' },
        resources: [
          { resource: f.gitRepo, filter: "req.ref == 'refs/heads/main'" },
          { kind: ReceiverResourceKind.GIT_REPOSITORY, name: '*', matchLabels: { team: 'web' } },
        ],
        resourceFilter: "res.metadata.name != 'frozen'", interval: '10m', suspend: false,
      });
    },
  },
  {
    kind: 'Receiver', name: 'a generic-oidc receiver for GitHub Actions',
    build: f => {
      new Receiver(new ManifestFile(f.apps, 'notifications'), 'oidc', {
        metadata: { name: 'actions', namespace: 'flux-system' }, type: 'generic-oidc', resources: [f.gitRepo],
        oidcProviders: [{
          issuerUrl: 'https://token.actions.githubusercontent.com', audience: 'flux',
          variables: [{ name: 'owner', expression: 'claims.repository_owner' }],
          validations: [{ expression: "vars.owner == 'org'", message: 'the token is not from the org' }],
        }],
      });
    },
  },
];

/**
 * Fixtures that state a namespace: a cross-namespace reference, which the coverage fleet (Flux's
 * default lockdown in `fluxFleet()`) refuses. They are built in a fleet with allowCrossNamespaceReferences.
 */
export const crossNamespaceFixtures: CoverageFixture[] = ([
  {
    kind: 'Alert', name: 'an alert on labelled GitRepositories of another namespace',
    build: f => {
      const file = new ManifestFile(f.apps, 'notifications');
      labelledRepository(f, 'apps');
      const slack = new Provider(file, 'slack', { metadata: { name: 'slack', namespace: 'flux-system' }, type: ProviderType.SLACK, secretRef: { name: 'slack-url' } });
      new Alert(file, 'alert', {
        metadata: { name: 'apps', namespace: 'flux-system' }, provider: slack,
        eventSources: [{ kind: EventSourceKind.GIT_REPOSITORY, name: '*', namespace: 'apps', matchLabels: { team: 'web' } }],
      });
    },
  },
  {
    kind: 'Receiver', name: 'a receiver of labelled GitRepositories of another namespace',
    build: f => {
      labelledRepository(f, 'apps');
      new Receiver(new ManifestFile(f.apps, 'notifications'), 'receiver', {
        metadata: { name: 'apps', namespace: 'flux-system' }, type: ReceiverType.GENERIC, secretRef: { name: 'webhook-token' },
        resources: [{ kind: ReceiverResourceKind.GIT_REPOSITORY, name: '*', namespace: 'apps', matchLabels: { team: 'web' } }],
      });
    },
  },
] as CoverageFixture[]).map(x => ({ ...x, fleet: { allowCrossNamespaceReferences: true } }));
fixtures.push(...crossNamespaceFixtures);

export const leftOut: LeftOut = {
  Provider: {
    'spec.interval': 'deprecated and not used by Provider v1beta3 (the notification-controller reads nothing from it)',
  },
  Alert: {
    'spec.eventSources[].apiVersion': 'ignored by the notification-controller: it matches events by kind, name and namespace (and fetches a wildcard\'s objects with the event\'s own apiVersion)',
  },
};
