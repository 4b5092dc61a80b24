// Coverage fixtures of the notification-controller kinds: every typed prop set (see ../crd-coverage.test.ts).
import { Alert, EventSeverity, ManifestFile, Provider, ProviderType, Receiver, ReceiverType } from '../../src';
import { CoverageFixture, LeftOut } from './coverage';

export const fixtures: CoverageFixture[] = [
  {
    kind: 'Provider', name: 'a Slack provider',
    build: f => {
      new Provider(new ManifestFile(f.apps, 'notifications'), 'slack', {
        metadata: { name: 'slack', namespace: 'flux-system' }, type: ProviderType.SLACK, channel: 'alerts', secretRef: { name: 'slack-url' }, timeout: '30s',
      });
    },
  },
  {
    kind: 'Alert', name: 'an alert on a release',
    build: f => {
      const file = new ManifestFile(f.apps, 'notifications');
      const slack = new Provider(file, 'slack', { metadata: { name: 'slack', namespace: 'flux-system' }, type: ProviderType.SLACK, secretRef: { name: 'slack-url' } });
      new Alert(file, 'alert', {
        metadata: { name: 'releases', namespace: 'flux-system' }, provider: slack, eventSeverity: EventSeverity.ERROR,
        eventSources: [f.release], inclusionList: ['.*succeeded.*'], exclusionList: ['^Dependencies.*'],
      });
    },
  },
  {
    kind: 'Receiver', name: 'a GitHub receiver',
    build: f => {
      new Receiver(new ManifestFile(f.apps, 'notifications'), 'receiver', {
        metadata: { name: 'github', namespace: 'flux-system' }, type: ReceiverType.GITHUB, events: ['ping', 'push'], resources: [f.gitRepo], secretRef: { name: 'webhook-token' },
      });
    },
  },
];

export const leftOut: LeftOut = {
  Provider: {
    'spec.address': 'TODO(#19): not typed yet',
    'spec.certSecretRef.name': 'TODO(#19): not typed yet',
    'spec.commitStatusExpr': 'TODO(#19): not typed yet',
    'spec.interval': 'TODO(#19): not typed yet',
    'spec.proxy': 'TODO(#19): not typed yet',
    'spec.proxySecretRef.name': 'TODO(#19): not typed yet',
    'spec.serviceAccountName': 'TODO(#19): not typed yet',
    'spec.suspend': 'TODO(#19): not typed yet',
    'spec.username': 'TODO(#19): not typed yet',
  },
  Alert: {
    'spec.eventMetadata': 'TODO(#19): not typed yet',
    'spec.eventSources[].apiVersion': 'TODO(#19): not typed yet',
    'spec.eventSources[].matchLabels': 'TODO(#19): not typed yet',
    'spec.eventSources[].namespace': 'TODO(#19): not typed yet',
    'spec.summary': 'TODO(#19): not typed yet',
    'spec.suspend': 'TODO(#19): not typed yet',
  },
  Receiver: {
    'spec.interval': 'TODO(#19): not typed yet',
    'spec.oidcProviders[].audience': 'TODO(#19): not typed yet',
    'spec.oidcProviders[].issuerURL': 'TODO(#19): not typed yet',
    'spec.oidcProviders[].validations[].expression': 'TODO(#19): not typed yet',
    'spec.oidcProviders[].validations[].message': 'TODO(#19): not typed yet',
    'spec.oidcProviders[].variables[].expression': 'TODO(#19): not typed yet',
    'spec.oidcProviders[].variables[].name': 'TODO(#19): not typed yet',
    'spec.resourceFilter': 'TODO(#19): not typed yet',
    'spec.resources[].filter': 'TODO(#19): not typed yet',
    'spec.resources[].matchLabels': 'TODO(#19): not typed yet',
    'spec.resources[].namespace': 'TODO(#19): not typed yet',
    'spec.suspend': 'TODO(#19): not typed yet',
  },
};
