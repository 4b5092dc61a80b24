import { Construct } from 'constructs';
import * as l1 from '../imports/notification-notification.toolkit.fluxcd.io';
import { FieldChecks } from '../flux/field-checks';
import { explicitNamespace, FluxObject, FluxObjectProps, FluxReference, IObjectRef } from '../flux/flux-object';
import { IProvider } from './provider';
import { re2Problem } from '../flux/regex';

export { re2Problem } from '../flux/regex';

export { AlertSpecEventSeverity as EventSeverity, AlertSpecEventSourcesKind as EventSourceKind } from '../imports/notification-notification.toolkit.fluxcd.io';
type EventSeverity = l1.AlertSpecEventSeverity;
type EventSourceKind = l1.AlertSpecEventSourcesKind;

/** Every object of a kind (in one namespace, optionally with labels): `{ kind: 'HelmRelease', name: '*' }`. */
export interface WildcardEventSource {
  /** The kind of the objects whose events the Alert forwards. */
  readonly kind: EventSourceKind | `${EventSourceKind}`;
  /** `*`: every object of that kind (that carries `matchLabels`). */
  readonly name: '*';
  /** @default the Alert's namespace */
  readonly namespace?: string;
  /** Only objects carrying these labels. @default all */
  readonly matchLabels?: Readonly<Record<string, string>>;
}

/** An Alert's event source: a Flux object of the fleet (or an import), or a kind-wide wildcard. */
export type EventSource = IObjectRef | WildcardEventSource;

/** Props of an `Alert`. */
export interface AlertProps extends FluxObjectProps {
  /** The Provider that delivers the alerts (the object, never its name). */
  readonly provider: IProvider;
  /** What to listen to: objects of the fleet and wildcards. */
  readonly eventSources: readonly EventSource[];
  /** @default EventSeverity.INFO (Flux's default: every event) */
  readonly eventSeverity?: EventSeverity | `${EventSeverity}`;
  /** Only events whose message matches one of these regular expressions. @default all */
  readonly inclusionList?: readonly string[];
  /** Drop events whose message matches one of these regular expressions. @default none */
  readonly exclusionList?: readonly string[];
  /** Metadata added to every event (e.g. `{ env: 'production' }`). @default none */
  readonly eventMetadata?: Readonly<Record<string, string>>;
  /** Deprecated by Flux in favour of eventMetadata. @default none */
  readonly summary?: string;
  /** @default false */
  readonly suspend?: boolean;
}

const KINDS = Object.values(l1.AlertSpecEventSourcesKind) as string[];

/** A Flux notification `Alert` (notification.toolkit.fluxcd.io/v1beta3). */
export class Alert extends FluxObject {
  constructor(scope: Construct, id: string, private readonly props: AlertProps) {
    super(scope, id, l1.Alert, props);
  }

  public override fluxReferences(): FluxReference[] {
    const p = this.props;
    return [
      // providerRef has no namespace field: the Provider must be in the Alert's namespace
      { field: 'spec.providerRef', target: p.provider, crossNamespace: false },
      ...p.eventSources.map((source, i) => {
        const target = { apiVersion: (source as IObjectRef).apiVersion ?? '', kind: source.kind, name: source.name, namespace: source.namespace };
        return {
          field: `spec.eventSources[${i}]`,
          target,
          object: source,
          explicitNamespace: explicitNamespace(target, this),
          matchLabels: (source as WildcardEventSource).matchLabels,
        };
      }),
    ];
  }

  protected renderSpec() {
    const p = this.props;
    return {
      providerRef: { name: p.provider.name },
      eventSeverity: p.eventSeverity,
      eventSources: p.eventSources.map(s => ({
        kind: s.kind,
        name: s.name,
        namespace: explicitNamespace(s, this),
        matchLabels: (s as WildcardEventSource).matchLabels,
      })),
      inclusionList: p.inclusionList,
      exclusionList: p.exclusionList,
      eventMetadata: p.eventMetadata,
      summary: p.summary,
      suspend: p.suspend,
    };
  }

  protected validateSpec(c: FieldChecks): void {
    const p = this.props;
    if (p.eventSources.length === 0) c.add('spec.eventSources is empty: list the objects (or kinds, with name "*") whose events to send');
    p.eventSources.forEach((s, i) => {
      if (!KINDS.includes(s.kind)) {
        c.add(`spec.eventSources[${i}].kind ${JSON.stringify(s.kind)} does not emit Flux events: use one of ${KINDS.join(', ')}`);
      }
      if ((s as WildcardEventSource).matchLabels && s.name !== '*') {
        c.add(`spec.eventSources[${i}].matchLabels only applies with name "*": drop the labels or select all ${s.kind}s`);
      }
      c.label(`spec.eventSources[${i}].namespace`, s.namespace);
    });
    const severities = Object.values(l1.AlertSpecEventSeverity) as string[];
    if (p.eventSeverity !== undefined && !severities.includes(p.eventSeverity)) {
      c.add(`spec.eventSeverity ${JSON.stringify(p.eventSeverity)} is not a severity: use ${severities.join(' or ')}`);
    }
    for (const [field, list] of [['inclusionList', p.inclusionList], ['exclusionList', p.exclusionList]] as const) {
      (list ?? []).forEach((re, i) => {
        const problem = re2Problem(re);
        if (problem) c.add(`spec.${field}[${i}] ${JSON.stringify(re)} ${problem}`);
      });
    }
    if (p.summary !== undefined && p.summary.length > 255) c.add(`spec.summary is ${p.summary.length} characters long: at most 255 are allowed`);
  }
}
