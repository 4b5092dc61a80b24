import { Construct } from 'constructs';
import * as l1 from '../imports/notification-notification.toolkit.fluxcd.io';
import { FieldChecks } from '../flux/field-checks';
import { explicitNamespace, FluxObject, FluxObjectProps, FluxReference, IObjectRef } from '../flux/flux-object';
import { ISecretRef, nameRef, secretReference } from '../flux/sources/source';
import { FluxDuration, goDuration } from '../flux/duration';
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

/** A resource (an object or a wildcard) with a CEL filter of its own, evaluated in addition to `resourceFilter`. */
export interface FilteredResource {
  /** The object of the fleet, import or wildcard to reconcile. */
  readonly resource: IObjectRef | WildcardResource;
  /**
   * A CEL expression returning a boolean, evaluated for each object the reference matches
   * (variables `res`, the object's metadata, `req`, the request body, and for generic-oidc
   * `claims`): the object is reconciled only if it returns true.
   */
  readonly filter: string;
}

/** What a Receiver reconciles: an object, a wildcard, or either with its own filter. */
export type ReceiverResource = IObjectRef | WildcardResource | FilteredResource;

/** A CEL check of a generic-oidc Receiver on the token's claims. */
export interface OidcValidation {
  /** A CEL boolean expression over `claims` and `vars`, e.g. `claims.repository_owner == 'my-org'`. */
  readonly expression: string;
  /** What the caller is told when it returns false. */
  readonly message: string;
}

/** A named CEL expression a generic-oidc Receiver evaluates once, readable as `vars.<name>`. */
export interface OidcVariable {
  /** A CEL identifier, e.g. `repo`. */
  readonly name: string;
  /** A CEL expression over `claims` and the variables before it, e.g. `claims.repository`. */
  readonly expression: string;
}

/** An OIDC issuer whose tokens a generic-oidc Receiver accepts. */
export interface OidcProvider {
  /** The issuer URL (the tokens' `iss` claim), e.g. `https://token.actions.githubusercontent.com`. */
  readonly issuerUrl: string;
  /** The tokens' expected `aud` claim. @default 'notification-controller' (Flux's default) */
  readonly audience?: string;
  /**
   * The checks a token's claims must pass, at least one: a valid signature alone does not
   * authorize (public issuers sign tokens for anyone), so constrain the caller's identity.
   */
  readonly validations: readonly OidcValidation[];
  /** Named sub-expressions shared by the validations. @default none */
  readonly variables?: readonly OidcVariable[];
}

/** Props of a `Receiver`. */
export interface ReceiverProps extends FluxObjectProps {
  /** The webhook's sender (a value of the CRD's enum). */
  readonly type: ReceiverType | `${ReceiverType}`;
  /**
   * The sources to reconcile when the webhook fires: objects of the fleet, imports, or wildcards,
   * each optionally with a CEL filter of its own (`{ resource, filter }`).
   */
  readonly resources: readonly ReceiverResource[];
  /**
   * The secret holding the webhook's `token` (used to build its URL and to verify payloads):
   * a SealedSecret or `SecretDeclaration`. Required for every type but generic-oidc, which
   * must not have one.
   * @default none (only for generic-oidc)
   */
  readonly secretRef?: ISecretRef;
  /** For type generic-oidc: the issuers whose tokens authenticate requests (at least one). @default none */
  readonly oidcProviders?: readonly OidcProvider[];
  /**
   * A CEL expression returning a boolean, evaluated for each resource when the webhook fires
   * (`res`, `req`, and `claims` for generic-oidc): resources for which it is false are not
   * reconciled, e.g. `req.ref == 'refs/heads/main'`.
   * @default every resource
   */
  readonly resourceFilter?: string;
  /** Only these events trigger (e.g. `['push']` for GitHub). @default all */
  readonly events?: readonly string[];
  /** How often the Receiver is reconciled with its secret. @default '10m' (Flux's default) */
  readonly interval?: FluxDuration;
  /** @default false */
  readonly suspend?: boolean;
}

/** The reference and the filter of a `ReceiverResource`. */
function unwrap(r: ReceiverResource): { ref: IObjectRef | WildcardResource; filter?: string } {
  return 'resource' in r && 'filter' in r ? { ref: r.resource, filter: r.filter } : { ref: r as IObjectRef | WildcardResource };
}

/** A CEL identifier (a variable name). */
const CEL_IDENTIFIER = /^[_a-zA-Z][_a-zA-Z0-9]*$/;

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
      ...p.resources.map(x => unwrap(x).ref).map((r, i) => {
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
      resources: p.resources.map(unwrap).map(({ ref: r, filter }) => ({
        // the controller has no default apiVersion for several kinds: always write it
        apiVersion: (r as IObjectRef).apiVersion || API_VERSIONS[r.kind as keyof typeof API_VERSIONS],
        kind: r.kind,
        name: r.name,
        namespace: explicitNamespace(r, this),
        matchLabels: (r as WildcardResource).matchLabels,
        filter,
      })),
      resourceFilter: p.resourceFilter,
      secretRef: nameRef(p.secretRef),
      oidcProviders: p.oidcProviders?.map(o => ({
        issuerUrl: o.issuerUrl,
        audience: o.audience,
        validations: o.validations.map(v => ({ expression: v.expression, message: v.message })),
        variables: o.variables?.map(v => ({ name: v.name, expression: v.expression })),
      })),
      interval: goDuration(p.interval),
      suspend: p.suspend,
    };
  }

  protected validateSpec(c: FieldChecks): void {
    const p = this.props;
    const types = Object.values(l1.ReceiverSpecType) as string[];
    if (!types.includes(p.type)) c.add(`spec.type ${JSON.stringify(p.type)} is not a receiver type of Flux 2.9: use one of ${types.join(', ')}`);
    if (p.resources.length === 0) c.add('spec.resources is empty: list the sources this webhook should reconcile');
    const resources = p.resources.map(unwrap);
    resources.forEach(({ ref: r, filter }, i) => {
      if (filter !== undefined && filter.trim() === '') c.add(`spec.resources[${i}].filter is empty: leave it out to reconcile every matched ${r.kind}, or give a CEL expression that returns a boolean (e.g. "res.metadata.name == 'app'")`);
      if (!KINDS.includes(r.kind)) c.add(`spec.resources[${i}].kind ${JSON.stringify(r.kind)} cannot be triggered by a Receiver: use one of ${KINDS.join(', ')}`);
    });
    resources.forEach(({ ref: r }, i) => {
      if (r.name === '*' && Object.keys((r as WildcardResource).matchLabels ?? {}).length === 0) {
        c.add(`spec.resources[${i}] selects every ${r.kind} by name "*" without matchLabels, which the controller refuses: add matchLabels, or list the objects`);
      }
    });
    if (p.resourceFilter !== undefined && p.resourceFilter.trim() === '') {
      c.add('spec.resourceFilter is empty: leave it out to reconcile every resource, or give a CEL expression that returns a boolean (e.g. "req.ref == \'refs/heads/main\'")');
    }
    c.duration('spec.interval', p.interval);
    this.validateAuthentication(c);
  }

  /** A token secret for every type but generic-oidc, which authenticates with OIDC providers instead. */
  private validateAuthentication(c: FieldChecks): void {
    const p = this.props;
    if (p.type === 'generic-oidc') {
      if (p.secretRef) c.add(`spec.secretRef is set (Secret ${p.secretRef.name}), but a generic-oidc Receiver authenticates with OIDC tokens and the CRD refuses a secret: drop secretRef`);
      if ((p.oidcProviders ?? []).length === 0) c.add('spec.oidcProviders is missing: a generic-oidc Receiver needs at least one OIDC provider (e.g. { issuerUrl: "https://token.actions.githubusercontent.com", validations: [{ expression: "claims.repository_owner == \'my-org\'", message: "not my-org" }] })');
      (p.oidcProviders ?? []).forEach((o, i) => validateOidcProvider(c, `spec.oidcProviders[${i}]`, o));
      return;
    }
    if (p.oidcProviders !== undefined) c.add(`spec.oidcProviders is set, but only a generic-oidc Receiver reads it (this one is ${p.type}): drop oidcProviders, or use type "generic-oidc"`);
    if (!p.secretRef) {
      c.add(`spec.secretRef is missing: a ${p.type} Receiver needs a Secret with "token" (a SealedSecret or SecretDeclaration); only generic-oidc goes without`);
      return;
    }
    const needed = p.type === 'gcr' ? ['token', 'email', 'audience'] : ['token'];
    const keys = knownKeysOf(p.secretRef);
    const missing = keys ? needed.filter(k => !keys.includes(k)) : [];
    if (missing.length > 0) {
      c.add(`spec.secretRef: Secret ${p.secretRef.name} has ${keys!.length > 0 ? keys!.map(k => `"${k}"`).join(', ') : 'no keys'}, but a ${p.type} Receiver reads ${needed.map(k => `"${k}"`).join(' + ')}: seal ${missing.map(k => `"${k}"`).join(', ')} into it`);
    }
  }
}

function validateOidcProvider(c: FieldChecks, at: string, o: OidcProvider): void {
  c.urlScheme(`${at}.issuerURL`, o.issuerUrl, ['https', 'http'], 'https://token.actions.githubusercontent.com');
  if (o.audience !== undefined && o.audience.trim() === '') c.add(`${at}.audience is empty: leave it out for "notification-controller", or name the audience the tokens carry`);
  if (o.validations.length === 0) {
    c.add(`${at}.validations is empty: give at least one CEL check of the caller's identity (e.g. "claims.repository_owner == 'my-org'"); a valid signature alone authorizes anyone the issuer serves`);
  }
  o.validations.forEach((v, i) => {
    if (v.expression.trim() === '') c.add(`${at}.validations[${i}].expression is empty: give a CEL expression that returns a boolean`);
    if (v.message.trim() === '') c.add(`${at}.validations[${i}].message is empty: say what the caller is refused for (e.g. "the token is not from my-org")`);
  });
  const seen = new Set<string>();
  (o.variables ?? []).forEach((v, i) => {
    if (!CEL_IDENTIFIER.test(v.name)) c.add(`${at}.variables[${i}].name ${JSON.stringify(v.name)} is not a CEL identifier: use letters, digits and '_', not starting with a digit (e.g. "repo")`);
    else if (seen.has(v.name)) c.add(`${at}.variables[${i}].name ${JSON.stringify(v.name)} is defined twice: give each variable its own name`);
    seen.add(v.name);
    if (v.expression.trim() === '') c.add(`${at}.variables[${i}].expression is empty: give a CEL expression (e.g. "claims.repository")`);
  });
}
