import { Construct } from 'constructs';
import * as l1 from '../imports/notification-notification.toolkit.fluxcd.io';
import { FieldChecks } from '../flux/field-checks';
import { FluxObject, FluxObjectProps, FluxReference, ImportedObject, ImportedObjectProps, IObjectRef } from '../flux/flux-object';
import { ISecretRef, secretReference } from '../flux/sources/source';
import { knownKeysOf } from '../flux/values-source';

/** The provider types of the notification-controller's CRD (Flux 2.9). */
export { ProviderSpecType as ProviderType } from '../imports/notification-notification.toolkit.fluxcd.io';
type ProviderType = l1.ProviderSpecType;

/** A Provider of the fleet or imported by name, usable as an Alert's `providerRef`. */
export interface IProvider extends IObjectRef {
  readonly isProvider: true;
}

/** Props of a `Provider`. */
export interface ProviderProps extends FluxObjectProps {
  /** Where notifications go (a value of the CRD's enum). */
  readonly type: ProviderType;
  /** Channel, room or topic, where the type has one. @default the one configured by the address or token */
  readonly channel?: string;
  /**
   * A non-secret endpoint (e.g. a generic webhook of your own, an Alertmanager URL). Webhook URLs
   * that are credentials (Slack, Teams, Discord…) belong in the secret as `address`.
   * @default from the secret's `address`
   */
  readonly address?: string;
  /** Name notifications are posted as. @default the provider's */
  readonly username?: string;
  /**
   * The credentials: a SealedSecret (or `SecretDeclaration`) with the keys the type needs,
   * such as `address` (webhook URL) or `token`.
   * @default none
   */
  readonly secretRef?: ISecretRef;
  /** TLS certificates for the endpoint. @default the system's */
  readonly certSecretRef?: ISecretRef;
  /** Proxy settings (`address`, optional `username`/`password`). @default no proxy */
  readonly proxySecretRef?: ISecretRef;
  /** Timeout of sending. @default '15s' (Flux's default) */
  readonly timeout?: string;
  /** @default false */
  readonly suspend?: boolean;
}

/** Types whose webhook URL is itself the credential: it must come from the secret, never plaintext. */
const WEBHOOK_CREDENTIAL = new Set<string>(['slack', 'msteams', 'discord', 'rocket', 'googlechat', 'lark', 'webex']);

/**
 * What each type needs from its secret, by key name: one of the listed sets (an `address` given
 * in the spec stands in for the secret's). Types not listed are not checked.
 */
const SECRET_KEYS: Readonly<Record<string, readonly (readonly string[])[]>> = {
  slack: [['address'], ['token']],
  msteams: [['address']],
  discord: [['address']],
  rocket: [['address']],
  googlechat: [['address']],
  lark: [['address']],
  webex: [['token']],
  'generic-hmac': [['token']],
  github: [['token']],
  githubdispatch: [['token']],
  githubpullrequestcomment: [['token']],
  gitlab: [['token']],
  gitlabmergerequestcomment: [['token']],
  gitea: [['token']],
  giteapullrequestcomment: [['token']],
  bitbucket: [['token']],
  bitbucketserver: [['token'], ['username', 'password']],
  azuredevops: [['token']],
  telegram: [['token']],
  matrix: [['token']],
  opsgenie: [['token']],
  datadog: [['token']],
  pagerduty: [['token']],
};

/** A Flux notification `Provider` (notification.toolkit.fluxcd.io/v1beta3). */
export class Provider extends FluxObject implements IProvider {
  /** References a Provider defined outside the fleet. */
  public static fromName(scope: Construct, id: string, props: ImportedObjectProps): IProvider {
    return Object.assign(new ImportedObject(scope, id, l1.Provider.GVK, props), { isProvider: true as const });
  }

  public readonly isProvider = true as const;

  constructor(scope: Construct, id: string, private readonly props: ProviderProps) {
    super(scope, id, l1.Provider, props);
  }

  /** The provider type. */
  public get type(): ProviderType {
    return this.props.type;
  }

  public override fluxReferences(): FluxReference[] {
    const p = this.props;
    return [
      ...secretReference('spec.secretRef', p.secretRef),
      ...secretReference('spec.certSecretRef', p.certSecretRef),
      ...secretReference('spec.proxySecretRef', p.proxySecretRef),
    ];
  }

  protected renderSpec() {
    const p = this.props;
    const ref = (s?: ISecretRef) => s ? { name: s.name } : undefined;
    return {
      type: p.type,
      channel: p.channel,
      address: p.address,
      username: p.username,
      secretRef: ref(p.secretRef),
      certSecretRef: ref(p.certSecretRef),
      proxySecretRef: ref(p.proxySecretRef),
      timeout: p.timeout,
      suspend: p.suspend,
    };
  }

  protected validateSpec(c: FieldChecks): void {
    const p = this.props;
    const types = Object.values(l1.ProviderSpecType) as string[];
    if (!types.includes(p.type)) {
      c.add(`spec.type ${JSON.stringify(p.type)} is not a provider type of Flux 2.9: use one of ${types.join(', ')}`);
      return;
    }
    c.shortDuration('spec.timeout', p.timeout);
    for (const [field, value] of [['channel', p.channel], ['address', p.address], ['username', p.username]] as const) {
      if (value !== undefined && value.length > 2048) c.add(`spec.${field} is ${value.length} characters long: at most 2048 are allowed`);
    }
    if (p.address !== undefined && WEBHOOK_CREDENTIAL.has(p.type)) {
      c.add(`spec.address is set in plaintext for a ${p.type} provider, but its webhook URL is a credential that would be committed to git: seal it as key "address" of the secretRef's SealedSecret and leave address out`);
    }
    const needs = SECRET_KEYS[p.type];
    if (!needs) return;
    const accepted = needs.map(set => set.join(' + ')).map(k => `"${k}"`).join(' or ');
    if (!p.secretRef) {
      if (!(p.address !== undefined && needs.some(set => set.length === 1 && set[0] === 'address'))) {
        c.add(`spec.secretRef is missing: a ${p.type} provider needs a secret with ${accepted}; pass a SealedSecret (or SecretDeclaration) as secretRef`);
      }
      return;
    }
    const keys = knownKeysOf(p.secretRef);
    if (!keys) return; // an import: keys cannot be known at synth
    const satisfied = needs.some(set => set.every(k => keys.includes(k) || (k === 'address' && p.address !== undefined)));
    if (!satisfied) {
      c.add(`spec.secretRef: Secret ${p.secretRef.name} has ${keys.length > 0 ? keys.map(k => `"${k}"`).join(', ') : 'no keys'}, but a ${p.type} provider reads ${accepted}: seal the missing key into it`);
    }
  }
}
