import { Construct } from 'constructs';
import { LayoutDirectory } from '../../core/layout-directory';
import { ManifestFile } from '../../core/manifest-file';
import { ObjectPatch } from '../../core/object-patch';
import { Alert, EventSeverity, EventSourceKind } from '../../notifications/alert';
import { Provider, ProviderType } from '../../notifications/provider';
import { SealedSecret } from '../../secrets/sealed-secret';
import { SecretDeclaration } from '../../secrets/secret-declaration';
import { FLUX_NAMESPACE, FleetComponent, FleetOverlay } from './component';

/** The Slack webhook URL: a credential, sealed per environment under key `address`. */
export const SLACK_URL = new SecretDeclaration({ name: 'slack-url', namespace: FLUX_NAMESPACE, keys: ['address'] });

/**
 * `infrastructure/base/slack/`: a Slack provider and the alerts of seed 000. The channel and the
 * webhook are per environment, so a staging failure never reaches the production channel.
 */
export class SlackNotifications extends LayoutDirectory implements FleetComponent {
  private readonly provider: Provider;

  constructor(scope: Construct) {
    super(scope, 'slack');
    this.provider = new Provider(new ManifestFile(this, 'slack'), 'provider', {
      metadata: { name: 'slack', namespace: FLUX_NAMESPACE },
      type: ProviderType.SLACK,
      secretRef: SLACK_URL,
    });
    const { GIT_REPOSITORY, KUSTOMIZATION, HELM_RELEASE } = EventSourceKind;

    new Alert(new ManifestFile(this, 'flux-alert'), 'alert', {
      metadata: { name: 'flux-alert', namespace: FLUX_NAMESPACE },
      provider: this.provider,
      eventSeverity: EventSeverity.INFO,
      eventSources: [GIT_REPOSITORY, KUSTOMIZATION, HELM_RELEASE].map(kind => ({ kind, name: '*' as const })),
    });
    // The seed also listed Kustomizations of kube-system and mariadb, but none live there:
    // synth rejects an event source that selects nothing, so only their HelmReleases are watched.
    const infraAlerts = new ManifestFile(this, 'infra-alert');
    for (const namespace of ['kube-system', 'mariadb']) {
      new Alert(infraAlerts, namespace, {
        metadata: { name: `${namespace}-alert`, namespace: FLUX_NAMESPACE },
        provider: this.provider,
        eventSeverity: EventSeverity.INFO,
        eventSources: [{ kind: HELM_RELEASE, name: '*', namespace }],
      });
    }
  }

  public customize(overlay: FleetOverlay): void {
    new ObjectPatch(overlay, 'slack-patch', { target: this.provider, patch: { spec: { channel: overlay.environment.slackChannel } } });
    SealedSecret.forDeclaration(new ManifestFile(overlay.subdirectory('secrets'), 'slack-sealed-secrets'), 'secret', SLACK_URL, { store: overlay.store });
  }
}
