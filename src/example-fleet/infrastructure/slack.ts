import { Construct } from 'constructs';
import {
  Alert, AlertSpecEventSeverity, AlertSpecEventSources, AlertSpecEventSourcesKind, Provider, ProviderSpecType,
} from '../../imports/notification-notification.toolkit.fluxcd.io';
import { LayoutDirectory } from '../../layout/layout-directory';
import { ManifestFile } from '../../layout/manifest-file';
import { ObjectPatch } from '../../layout/object-patch';
import { SealedSecret } from '../../secrets/sealed-secret';
import { SealedStore } from '../../secrets/sealed-store';
import { FleetEnvironment } from '../environments';
import { FLUX_NAMESPACE, InfrastructureComponent } from './component';

/** The Secret (sealed per environment) that holds the Slack webhook `address`. */
export const SLACK_SECRET_NAME = 'slack-url';

/** Every object of the given kinds in one namespace (or in the alert's own namespace). */
function everything(kinds: AlertSpecEventSourcesKind[], namespace?: string): AlertSpecEventSources[] {
  return kinds.map(kind => ({ kind, name: '*', namespace }));
}

/**
 * `infrastructure/base/slack/`: a Slack provider and the alerts of seed 000. The channel is
 * per environment, so a staging failure never reaches the production channel.
 */
export class SlackNotifications extends LayoutDirectory implements InfrastructureComponent {
  private readonly provider: Provider;

  constructor(scope: Construct) {
    super(scope, 'slack');
    this.provider = new Provider(new ManifestFile(this, 'slack'), 'provider', {
      metadata: { name: 'slack', namespace: FLUX_NAMESPACE },
      spec: { type: ProviderSpecType.SLACK, secretRef: { name: SLACK_SECRET_NAME } },
    });
    const providerRef = { name: this.provider.name };
    const { GIT_REPOSITORY, KUSTOMIZATION, HELM_RELEASE } = AlertSpecEventSourcesKind;

    new Alert(new ManifestFile(this, 'flux-alert'), 'alert', {
      metadata: { name: 'flux-alert', namespace: FLUX_NAMESPACE },
      spec: {
        providerRef,
        eventSeverity: AlertSpecEventSeverity.INFO,
        eventSources: everything([GIT_REPOSITORY, KUSTOMIZATION, HELM_RELEASE]),
      },
    });
    const infraAlerts = new ManifestFile(this, 'infra-alert');
    for (const namespace of ['kube-system', 'mariadb']) {
      new Alert(infraAlerts, namespace, {
        metadata: { name: `${namespace}-alert`, namespace: FLUX_NAMESPACE },
        spec: {
          providerRef,
          eventSeverity: AlertSpecEventSeverity.INFO,
          eventSources: everything([KUSTOMIZATION, HELM_RELEASE], namespace),
        },
      });
    }
  }

  public customize(overlay: LayoutDirectory, env: FleetEnvironment, secrets: SealedStore): void {
    new ObjectPatch(overlay, 'slack-patch', { target: this.provider, patch: { spec: { channel: env.slackChannel } } });
    // the webhook URL is a credential: sealed per environment, never in plaintext
    new SealedSecret(new ManifestFile(overlay, 'slack-sealed-secrets'), 'secret', {
      metadata: { name: SLACK_SECRET_NAME, namespace: FLUX_NAMESPACE },
      store: secrets,
      keys: ['address'],
    });
  }
}
