import { Construct } from 'constructs';
import * as kplus from 'cdk8s-plus-27';
import * as l1 from '../imports/notification-notification.toolkit.fluxcd.io';
import { FieldChecks } from '../flux/field-checks';
import { apiObjectOf, FluxObject, FluxObjectProps, FluxReference, ImportedObject, ImportedObjectProps, IObjectRef } from '../flux/flux-object';
import { ISecretRef, nameRef, secretReference } from '../flux/sources/source';
import { knownKeysOf } from '../flux/values-source';
import { FluxDuration, goDuration } from '../flux/duration';

/** The provider types of the notification-controller's CRD (Flux 2.9). */
export { ProviderSpecType as ProviderType } from '../imports/notification-notification.toolkit.fluxcd.io';
type ProviderType = l1.ProviderSpecType;

/** A Provider of the fleet or imported by name, usable as an Alert's `providerRef`. */
export interface IProvider extends IObjectRef {
  /** Brand: only Providers implement it. */
  readonly isProvider: true;
}

/** Props of a `Provider`. */
export interface ProviderProps extends FluxObjectProps {
  /** Where notifications go (a value of the CRD's enum). */
  readonly type: ProviderType | `${ProviderType}`;
  /** Channel, room or topic, where the type has one. @default the one configured by the address or token */
  readonly channel?: string;
  /**
   * A non-secret endpoint (a repository URL, the Slack API URL, an Alertmanager URL). URLs that are
   * credentials (incoming webhooks of Slack, Teams, Discord…, or URLs with a user:password or token)
   * are refused here: they belong in the secret as `address`.
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
  /**
   * The proxy's URL in plaintext (`http://` or `https://`, without credentials).
   * @deprecated Flux deprecates `spec.proxy` in favour of `proxySecretRef` (key `address`).
   * @default no proxy
   */
  readonly proxy?: string;
  /**
   * The ServiceAccount (a cdk8s-plus `ServiceAccount`, an import, or its name) whose token the
   * controller exchanges for cloud credentials (object-level workload identity) instead of a
   * static secret. Only `azureeventhub`, `azuredevops` and `googlepubsub` read it, and the
   * controller needs its `ObjectLevelWorkloadIdentity` feature gate.
   * @default the controller's own identity
   */
  readonly serviceAccountName?: kplus.IServiceAccount | string;
  /**
   * A CEL expression that evaluates to the commit status key (the variables `event`, `provider`
   * and `alert`), e.g. `"flux/" + event.involvedObject.kind + "/" + event.involvedObject.name`.
   * Only for the commit status types (github, gitlab, gitea, bitbucketserver, bitbucket, azuredevops).
   * @default the controller's key, from the Provider's UID and the event
   */
  readonly commitStatusExpr?: string;
  /** Timeout of sending. @default '15s' (Flux's default) */
  readonly timeout?: FluxDuration;
  /** @default false */
  readonly suspend?: boolean;
}

/** The types that set commit statuses, the only ones that read `commitStatusExpr`. */
const COMMIT_STATUS_TYPES = ['github', 'gitlab', 'gitea', 'bitbucketserver', 'bitbucket', 'azuredevops'];
/** The types that authenticate with a ServiceAccount's token (object-level workload identity). */
const WORKLOAD_IDENTITY_TYPES = ['azureeventhub', 'azuredevops', 'googlepubsub'];

/** What a provider type needs, as the notification-controller reads it. */
interface TypeRule {
  /** An address is required: `spec.address` or the secret's `address`. */
  readonly address?: boolean;
  /** `spec.channel` is required. */
  readonly channel?: boolean;
  /** The secret must hold one of these key sets. */
  readonly credentials?: readonly (readonly string[])[];
}

const GITHUB_CREDENTIALS = [['token'], ['githubAppID', 'githubAppInstallationID', 'githubAppPrivateKey']];
const USER_OR_TOKEN = [['token'], ['username', 'password']];

const TYPE_RULES: Readonly<Record<string, TypeRule>> = {
  slack: { address: true }, // a webhook URL, or the API URL with a bot `token` and a channel (see below)
  msteams: { address: true },
  discord: { address: true },
  rocket: { address: true },
  googlechat: { address: true },
  lark: { address: true },
  webex: { address: true, channel: true, credentials: [['token']] },
  generic: { address: true },
  'generic-hmac': { address: true, credentials: [['token']] },
  alertmanager: { address: true },
  grafana: { address: true },
  sentry: { address: true },
  otel: { address: true },
  nats: { address: true, channel: true },
  github: { address: true, credentials: GITHUB_CREDENTIALS },
  githubdispatch: { address: true, credentials: GITHUB_CREDENTIALS },
  githubpullrequestcomment: { address: true, credentials: GITHUB_CREDENTIALS },
  gitlab: { address: true, credentials: USER_OR_TOKEN },
  gitlabmergerequestcomment: { address: true, credentials: USER_OR_TOKEN },
  gitea: { address: true, credentials: USER_OR_TOKEN },
  giteapullrequestcomment: { address: true, credentials: USER_OR_TOKEN },
  bitbucket: { address: true, credentials: [['token']] },
  bitbucketserver: { address: true, credentials: USER_OR_TOKEN },
  azuredevops: { address: true, credentials: [['token']] },
  telegram: { channel: true, credentials: [['token']] },
  matrix: { address: true, channel: true, credentials: [['token']] },
  opsgenie: { address: true, credentials: [['token']] },
  datadog: { address: true, credentials: [['token']] },
  pagerduty: { address: true, channel: true }, // the routing key is the channel
};

/**
 * Whether a URL carries a credential, so that writing it in plaintext would leak it: incoming
 * webhook URLs (whose path is the secret), credentials in the URL, or secret query parameters.
 */
export function isCredentialUrl(address: string): boolean {
  let url: URL;
  try {
    url = new URL(address);
  } catch {
    return false;
  }
  if (url.username || url.password) return true;
  if ([...url.searchParams.keys()].some(k => /^(token|key|secret|sig|signature|access_token|api[-_]?key)$/i.test(k))) return true;
  const host = url.hostname.toLowerCase();
  return (host === 'hooks.slack.com')
    || ((host === 'discord.com' || host === 'discordapp.com') && url.pathname.startsWith('/api/webhooks/'))
    || host.endsWith('.webhook.office.com') || (host === 'outlook.office.com' && url.pathname.startsWith('/webhook'))
    || (host.endsWith('.logic.azure.com'))
    || (host === 'open.feishu.cn' && url.pathname.includes('/hook/'))
    || (host === 'open.larksuite.com' && url.pathname.includes('/hook/'));
}

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
    return this.props.type as ProviderType;
  }

  public override fluxReferences(): FluxReference[] {
    const p = this.props;
    return [
      ...secretReference('spec.secretRef', p.secretRef),
      ...secretReference('spec.certSecretRef', p.certSecretRef),
      ...secretReference('spec.proxySecretRef', p.proxySecretRef),
      ...serviceAccountReference(p.serviceAccountName),
    ];
  }

  protected renderSpec() {
    const p = this.props;
    return {
      type: p.type,
      channel: p.channel,
      address: p.address,
      username: p.username,
      secretRef: nameRef(p.secretRef),
      certSecretRef: nameRef(p.certSecretRef),
      proxySecretRef: nameRef(p.proxySecretRef),
      proxy: p.proxy,
      serviceAccountName: serviceAccountName(p.serviceAccountName),
      commitStatusExpr: p.commitStatusExpr,
      timeout: goDuration(p.timeout),
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
    if (p.address !== undefined && isCredentialUrl(p.address)) {
      c.add(`spec.address is set in plaintext, but this URL carries a credential (a webhook path, a user:password or a token parameter) that would be committed to git: seal it as key "address" of the secretRef's SealedSecret and leave address out`);
    }
    const keys = p.secretRef ? knownKeysOf(p.secretRef) : [];
    const rule = TYPE_RULES[p.type] ?? {};
    const known = keys !== undefined; // false for an imported secret: its keys cannot be checked
    const secretKeys = keys ?? [];
    const hasAddress = p.address !== undefined || secretKeys.includes('address');
    const slackApi = p.type === 'slack' && secretKeys.includes('token');
    if (rule.address && !hasAddress && known) {
      c.add(`spec.address is missing: a ${p.type} provider needs an address: ${p.type === 'slack' || WEBHOOKS.has(p.type) ? 'seal the webhook URL as key "address" of its secretRef' : 'set address (or key "address" of its secretRef)'}`);
    }
    if ((rule.channel || slackApi) && p.channel === undefined) {
      c.add(`spec.channel is missing: a ${p.type} provider${slackApi ? ' posting through the Slack API (a bot token)' : ''} needs a channel`);
    }
    const account = serviceAccountName(p.serviceAccountName);
    c.objectName('spec.serviceAccountName', account);
    const accountNamespace = apiObjectOf(p.serviceAccountName)?.metadata.namespace;
    if (accountNamespace !== undefined && accountNamespace !== this.namespace) {
      c.add(`spec.serviceAccountName: ServiceAccount ${accountNamespace}/${account} is in another namespace, but the controller looks for it in the Provider's ("${this.namespace ?? 'default'}"): define the ServiceAccount there`);
    }
    if (account !== undefined && !WORKLOAD_IDENTITY_TYPES.includes(p.type)) {
      c.add(`spec.serviceAccountName ${JSON.stringify(account)} is set, but a ${p.type} provider does not authenticate with a ServiceAccount: only ${WORKLOAD_IDENTITY_TYPES.join(', ')} do; drop it and give the credentials in secretRef`);
    }
    const staticCredentials = secretKeys.filter(k => ['token', 'password'].includes(k));
    if (account !== undefined && staticCredentials.length > 0) {
      c.add(`spec.serviceAccountName ${JSON.stringify(account)} is set, but Secret ${p.secretRef!.name} also holds ${staticCredentials.map(k => `"${k}"`).join(', ')}, which the controller refuses next to workload identity: drop those keys from the secret, or the serviceAccountName`);
    }
    if (p.commitStatusExpr !== undefined && !COMMIT_STATUS_TYPES.includes(p.type)) {
      c.add(`spec.commitStatusExpr is set, but a ${p.type} provider sets no commit status (the CRD refuses it): use it with ${COMMIT_STATUS_TYPES.join(', ')}, or drop it`);
    } else if (p.commitStatusExpr !== undefined && p.commitStatusExpr.trim() === '') {
      c.add('spec.commitStatusExpr is empty: leave it out for the controller\'s key, or give a CEL expression that returns a string (e.g. \'flux/\' + event.involvedObject.name)');
    }
    if (p.proxy !== undefined) {
      c.urlScheme('spec.proxy', p.proxy, ['http', 'https'], 'http://proxy.example.com:8080');
      if (p.proxySecretRef) {
        c.add(`spec.proxy ${JSON.stringify(p.proxy)} and spec.proxySecretRef are both set: keep proxySecretRef (proxy is deprecated) and drop proxy`);
      } else if (isCredentialUrl(p.proxy)) {
        c.add(`spec.proxy carries credentials in its URL, which would be committed to git: seal the URL as key "address" (and "username"/"password") of a Secret and pass it as proxySecretRef`);
      } else if (p.proxy.length > 2048) {
        c.add(`spec.proxy is ${p.proxy.length} characters long: at most 2048 are allowed`);
      }
    }
    if (rule.credentials && account === undefined) {
      const accepted = rule.credentials.map(set => set.map(k => `"${k}"`).join(' + ')).join(' or ');
      if (!p.secretRef) {
        c.add(`spec.secretRef is missing: a ${p.type} provider needs a secret with ${accepted}; pass a SealedSecret (or SecretDeclaration) as secretRef`);
      } else if (known && !rule.credentials.some(set => set.every(k => secretKeys.includes(k)))) {
        c.add(`spec.secretRef: Secret ${p.secretRef.name} has ${secretKeys.length > 0 ? secretKeys.map(k => `"${k}"`).join(', ') : 'no keys'}, but a ${p.type} provider reads ${accepted}: seal the missing keys into it`);
      }
    }
    checkKeys(c, 'spec.proxySecretRef', p.proxySecretRef, [['address']]);
    checkKeys(c, 'spec.certSecretRef', p.certSecretRef, [['ca.crt'], ['tls.crt', 'tls.key']]);
  }
}

/** The name `spec.serviceAccountName` renders, from a ServiceAccount or a name. */
function serviceAccountName(account: kplus.IServiceAccount | string | undefined): string | undefined {
  return typeof account === 'string' ? account : account?.name;
}

/**
 * The reference record of a ServiceAccount given as an object (a name alone is written as is,
 * as Kustomization's and HelmRelease's serviceAccountName): it resolves in the Provider's namespace.
 */
function serviceAccountReference(account: kplus.IServiceAccount | string | undefined): FluxReference[] {
  if (account === undefined || typeof account === 'string') return [];
  return [{ field: 'spec.serviceAccountName', target: { apiVersion: 'v1', kind: 'ServiceAccount', name: account.name, namespace: apiObjectOf(account)?.metadata.namespace }, object: account, crossNamespace: false }];
}

/** Types whose address is an incoming-webhook URL (itself a credential). */
const WEBHOOKS = new Set(['msteams', 'discord', 'rocket', 'googlechat', 'lark']);

function checkKeys(c: FieldChecks, field: string, secret: ISecretRef | undefined, sets: readonly (readonly string[])[]): void {
  const keys = secret ? knownKeysOf(secret) : undefined;
  if (!secret || !keys) return;
  if (!sets.some(set => set.every(k => keys.includes(k)))) {
    c.add(`${field}: Secret ${secret.name} has ${keys.length > 0 ? keys.map(k => `"${k}"`).join(', ') : 'no keys'}, but the controller reads ${sets.map(set => set.map(k => `"${k}"`).join(' + ')).join(' or ')}`);
  }
}
