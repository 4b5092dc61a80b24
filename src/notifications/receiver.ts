import { Construct } from 'constructs';
import * as l1 from '../imports/notification-notification.toolkit.fluxcd.io';
import { FieldChecks } from '../flux/field-checks';
import { explicitNamespace, FluxObject, FluxObjectProps, FluxReference, IObjectRef } from '../flux/flux-object';
import { ISecretRef, secretReference } from '../flux/sources/source';
import { knownKeysOf } from '../flux/values-source';

export { ReceiverSpecType as ReceiverType, ReceiverSpecResourcesKind as ReceiverResourceKind } from '../imports/notification-notification.toolkit.fluxcd.io';
type ReceiverType = l1.ReceiverSpecType;
type ReceiverResourceKind = l1.ReceiverSpecResourcesKind;

/** Every object of a kind in one namespace (optionally with labels). */
export interface WildcardResource {
  readonly kind: ReceiverResourceKind | `${ReceiverResourceKind}`;
  readonly name: '*';
  /** @default the Receiver's namespace */
  readonly namespace?: string;
  readonly matchLabels?: Readonly<Record<string, string>>;
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
        apiVersion: (r as IObjectRef).apiVersion || undefined,
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
    const keys = knownKeysOf(p.secretRef);
    if (keys && !keys.includes('token')) {
      c.add(`spec.secretRef: Secret ${p.secretRef.name} has ${keys.length > 0 ? keys.map(k => `"${k}"`).join(', ') : 'no keys'}, but a Receiver reads its webhook token from key "token": seal it into the secret`);
    }
  }
}
