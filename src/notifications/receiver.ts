import { Construct } from 'constructs';
import * as l1 from '../imports/notification-notification.toolkit.fluxcd.io';
import { FieldChecks } from '../flux/field-checks';
import { explicitNamespace, FluxObject, FluxObjectProps, FluxReference, IObjectRef } from '../flux/flux-object';
import { ISecretRef, secretReference } from '../flux/sources/source';
import { knownKeysOf } from '../flux/values-source';
import { API_VERSIONS } from '../flux/api-versions';

export { ReceiverSpecType as ReceiverType, ReceiverSpecResourcesKind as ReceiverResourceKind } from '../imports/notification-notification.toolkit.fluxcd.io';
type ReceiverType = l1.ReceiverSpecType;
type ReceiverResourceKind = l1.ReceiverSpecResourcesKind;

/** Every object of a kind in one namespace carrying some labels (the controller requires labels with `*`). */
export interface WildcardResource {
  /** The kind of the objects the Receiver triggers. */
  readonly kind: ReceiverResourceKind | `${ReceiverResourceKind}`;
  /** `*`: every object of that kind that carries `matchLabels`. */
  readonly name: '*';
  /** @default the Receiver's namespace */
  readonly namespace?: string;
  /** The labels the objects must carry (Flux requires them for a wildcard). */
  readonly matchLabels: Readonly<Record<string, string>>;
}

/** Props of a `Receiver`. */
export interface ReceiverProps extends FluxObjectProps {
  /** The webhook's sender (a value of the CRD's enum). */
  readonly type: ReceiverType | `${ReceiverType}`;
  /** The sources to reconcile when the webhook fires: objects of the fleet, imports, or wildcards. */
  readonly resources: readonly (IObjectRef | WildcardResource)[];
  /**
   * The secret holding the webhook's `token` (used to build its URL and to verify payloads):
   * a SealedSecret or `SecretDeclaration`.
   */
  readonly secretRef: ISecretRef;
  /** Only these events trigger (e.g. `['push']` for GitHub). @default all */
  readonly events?: readonly string[];
  /** @default false */
  readonly suspend?: boolean;
}

const KINDS = Object.values(l1.ReceiverSpecResourcesKind) as string[];

/** A Flux notification `Receiver` (notification.toolkit.fluxcd.io/v1): a webhook that triggers reconciliations. */
export class Receiver extends FluxObject {
  constructor(scope: Construct, id: string, private readonly props: ReceiverProps) {
    super(scope, id, l1.Receiver, props);
  }

  public override fluxReferences(): FluxReference[] {
    const p = this.props;
    return [
      ...secretReference('spec.secretRef', p.secretRef),
      ...p.resources.map((r, i) => {
        const target = { apiVersion: (r as IObjectRef).apiVersion ?? '', kind: r.kind, name: r.name, namespace: r.namespace };
        return {
          field: `spec.resources[${i}]`, target, object: r, explicitNamespace: explicitNamespace(target, this),
          matchLabels: (r as WildcardResource).matchLabels,
        };
      }),
    ];
  }

  protected renderSpec() {
    const p = this.props;
    return {
      type: p.type,
      events: p.events,
      resources: p.resources.map(r => ({
        // the controller has no default apiVersion for several kinds: always write it
        apiVersion: (r as IObjectRef).apiVersion || API_VERSIONS[r.kind as keyof typeof API_VERSIONS],
        kind: r.kind,
        name: r.name,
        namespace: explicitNamespace(r, this),
        matchLabels: (r as WildcardResource).matchLabels,
      })),
      secretRef: { name: p.secretRef.name },
      suspend: p.suspend,
    };
  }

  protected validateSpec(c: FieldChecks): void {
    const p = this.props;
    const types = Object.values(l1.ReceiverSpecType) as string[];
    if (!types.includes(p.type)) c.add(`spec.type ${JSON.stringify(p.type)} is not a receiver type of Flux 2.9: use one of ${types.join(', ')}`);
    if (p.resources.length === 0) c.add('spec.resources is empty: list the sources this webhook should reconcile');
    p.resources.forEach((r, i) => {
      if (!KINDS.includes(r.kind)) c.add(`spec.resources[${i}].kind ${JSON.stringify(r.kind)} cannot be triggered by a Receiver: use one of ${KINDS.join(', ')}`);
    });
    p.resources.forEach((r, i) => {
      if (r.name === '*' && Object.keys((r as WildcardResource).matchLabels ?? {}).length === 0) {
        c.add(`spec.resources[${i}] selects every ${r.kind} by name "*" without matchLabels, which the controller refuses: add matchLabels, or list the objects`);
      }
    });
    if (p.type === 'generic-oidc') {
      c.add('spec.type "generic-oidc" needs oidcProviders and no secretRef, which this construct does not offer yet: use generic-hmac, or an L1 Receiver (receiver imports) for OIDC');
    }
    const needed = p.type === 'gcr' ? ['token', 'email', 'audience'] : ['token'];
    const keys = knownKeysOf(p.secretRef);
    const missing = keys ? needed.filter(k => !keys.includes(k)) : [];
    if (missing.length > 0) {
      c.add(`spec.secretRef: Secret ${p.secretRef.name} has ${keys!.length > 0 ? keys!.map(k => `"${k}"`).join(', ') : 'no keys'}, but a ${p.type} Receiver reads ${needed.map(k => `"${k}"`).join(' + ')}: seal ${missing.map(k => `"${k}"`).join(', ')} into it`);
    }
  }
}
