import { ApiObject, ApiObjectMetadata, GroupVersionKind, Lazy } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';
import { FieldChecks } from './field-checks';
import { declaresObjects, ExternalObject, IDeclaresObjects, isKeyedReference, RequiredKeys } from '../core/model/fleet-model';

/**
 * Anything a Flux object can point at: an object of the fleet (a construct with an API object)
 * or one defined elsewhere and imported by name (`fromName`).
 */
export interface IObjectRef {
  /** The object's API version, e.g. `source.toolkit.fluxcd.io/v1`. */
  readonly apiVersion: string;
  /** The object's kind, e.g. `GitRepository`. */
  readonly kind: string;
  /** The object's `metadata.name`. */
  readonly name: string;
  /** The object's namespace; `undefined` for cluster-scoped objects or when not known. */
  readonly namespace?: string;
}

/** One reference from a Flux object to another object, for synth-time checks. */
export interface FluxReference {
  /** The field that holds the reference, e.g. `spec.chart.spec.sourceRef`. */
  readonly field: string;
  /** The referenced object: its kind, name and namespace as the field will say them. */
  readonly target: IObjectRef;
  /**
   * The referenced value as the user passed it, when it differs from `target` (e.g. a
   * cdk8s-plus Secret): the checks look for its API object in the fleet.
   * @default target
   */
  readonly object?: unknown;
  /**
   * Whether the field can point into another namespace at all. Fields such as `valuesFrom`
   * and `secretRef` always resolve in the object's own namespace.
   * @default true
   */
  readonly crossNamespace?: boolean;
  /**
   * Whether Flux's multi-tenancy lockdown (`--no-cross-namespace-refs`) refuses this reference
   * when it crosses namespaces. Health checks, for one, may watch any namespace.
   * @default true
   */
  readonly lockedDown?: boolean;
  /** For a wildcard reference (`name: '*'`): the labels the objects must carry. @default none */
  readonly matchLabels?: Readonly<Record<string, string>>;
  /** Whether this reference is a `dependsOn` edge (checked for cycles). */
  readonly dependsOn?: boolean;
  /**
   * The namespace the field names explicitly, exactly as rendered; `undefined` when the field
   * resolves in the referring object's own namespace (wherever a `targetNamespace` moves it).
   * @default none
   */
  readonly explicitNamespace?: string;
}

/**
 * The API object behind a reference when the object is part of the fleet, `undefined` when it
 * was imported by name or is not a construct.
 */
export function apiObjectOf(ref: unknown): ApiObject | undefined {
  if (ApiObject.isApiObject(ref)) return ref;
  if (typeof ref !== 'object' || ref === null || !('node' in ref)) return undefined;
  try {
    return ApiObject.of(ref as IConstruct);
  } catch {
    return undefined;
  }
}

const DERIVED_REFERENCES = new WeakSet<object>();

/**
 * Marks a reference to an object a controller creates from an object of the fleet (such as the
 * ExternalArtifact an ArtifactGenerator makes): it is not declared to exist outside the
 * repository, so the checks report it when its creator is not applied.
 */
export function derivedReference<T extends object>(ref: T): T {
  DERIVED_REFERENCES.add(ref);
  return ref;
}

/** Props common to every Flux object. */
export interface FluxObjectProps {
  /**
   * Name, namespace, labels and annotations.
   * @default a name generated from the construct path; the namespace of the enclosing chart
   */
  readonly metadata?: ApiObjectMetadata;
}

/** Signature of a generated L1 class (`new HelmRelease(scope, id, props)`). */
export type L1Class = new (scope: Construct, id: string, props: any) => ApiObject;

/**
 * Base of the hand-written Flux constructs: owns one generated L1 object (child `Resource`,
 * so `ApiObject.of(x)` finds it), renders its spec lazily so that methods such as
 * `addDependsOn` can still change it, and validates its fields at synth.
 */
export abstract class FluxObject extends Construct implements IObjectRef, IDeclaresObjects {
  /** The generated L1 object this construct renders into. */
  public readonly apiObject: ApiObject;

  constructor(scope: Construct, id: string, l1: L1Class & { GVK: GroupVersionKind }, props: FluxObjectProps) {
    super(scope, id);
    declaresObjects(this);
    this.apiObject = new l1(this, 'Resource', {
      metadata: props.metadata,
      spec: Lazy.any({ produce: () => this.renderSpec() }),
    });
    this.node.addValidation({
      validate: () => {
        const checks = new FieldChecks();
        checks.objectName('metadata.name', this.name, this.maxNameLength);
        checks.label('metadata.namespace', this.namespace);
        this.validateSpec(checks);
        return checks.problems;
      },
    });
  }

  /** The API version this object is emitted with (see `API_VERSIONS`). */
  public get apiVersion(): string {
    return this.apiObject.apiVersion;
  }

  /** The object's kind. */
  public get kind(): string {
    return this.apiObject.kind;
  }

  /** The object's `metadata.name`. */
  public get name(): string {
    return this.apiObject.name;
  }

  /** The object's `metadata.namespace`, as declared (before any Kustomization's `targetNamespace`). */
  public get namespace(): string | undefined {
    return this.apiObject.metadata.namespace;
  }

  /**
   * The references this object was given, as objects: what it declares about objects the model
   * cannot see (imports defined outside the repository, Secrets' required keys). The checks read
   * references from the documents, not from here.
   */
  public fluxReferences(): FluxReference[] {
    return [];
  }

  /**
   * The objects this object was given that the fleet does not define (`fromName` imports,
   * cdk8s-plus imports): declared to exist outside the repository, so that a reference to them
   * that the model cannot resolve is not an error (unless it is a near miss of an object the
   * fleet has).
   */
  public externalObjects(): ExternalObject[] {
    return this.fluxReferences().flatMap(ref => {
      const given = ref.object ?? ref.target;
      if (isKeyedReference(given) || ref.target.name === '*' || apiObjectOf(given) || DERIVED_REFERENCES.has(given as object)) return [];
      return [{ kind: ref.target.kind, name: ref.target.name, namespace: ref.target.namespace, declaredBy: (given as Partial<IConstruct>).node?.path ?? this.node.path }];
    });
  }

  /** The keys of the Secrets declared with `SecretDeclaration` that this object refers to. */
  public requiredKeys(): RequiredKeys[] {
    return this.fluxReferences().flatMap(ref => {
      const given = ref.object ?? ref.target;
      return isKeyedReference(given) ? [{ kind: given.kind, name: given.name, namespace: given.namespace, keys: given.keys, declaredBy: this.node.path }] : [];
    });
  }

  /** Longest `metadata.name` the controller accepts for this kind. */
  protected get maxNameLength(): number {
    return 253;
  }

  /** The object's `spec`, computed at synth. */
  protected abstract renderSpec(): Record<string, unknown>;

  /** Adds this object's field problems (beyond name and namespace). */
  protected abstract validateSpec(checks: FieldChecks): void;
}

/** Props of a `fromName` import. */
export interface ImportedObjectProps {
  /** The object's name. */
  readonly name: string;
  /** @default no namespace (the referencing object's own namespace) */
  readonly namespace?: string;
}

/** An object defined outside the fleet, referenced by name. Emits nothing. */
export class ImportedObject extends Construct implements IObjectRef, IDeclaresObjects {
  /** The object's name. */
  public readonly name: string;
  /** The object's namespace, if given. */
  public readonly namespace?: string;

  /**
   * @param gvk the API version and kind of the object
   */
  constructor(scope: Construct, id: string, public readonly gvk: GroupVersionKind, props: ImportedObjectProps) {
    super(scope, id);
    declaresObjects(this);
    this.name = props.name;
    this.namespace = props.namespace;
    this.node.addValidation({
      validate: () => new FieldChecks().objectName('fromName name', this.name).label('fromName namespace', this.namespace).problems,
    });
  }

  /** The API version of the imported object. */
  public get apiVersion(): string {
    return this.gvk.apiVersion;
  }

  /** Itself: an object defined outside the repository. */
  public externalObjects(): ExternalObject[] {
    return [{ kind: this.kind, name: this.name, namespace: this.namespace, declaredBy: this.node.path }];
  }

  /** None. */
  public requiredKeys(): RequiredKeys[] {
    return [];
  }

  /** The kind of the imported object. */
  public get kind(): string {
    return this.gvk.kind;
  }
}

/**
 * The namespace a reference writes: none when the target is in the referrer's own namespace,
 * so that the reference still resolves when a Kustomization's `targetNamespace` moves both
 * objects together; the target's namespace otherwise.
 */
export function explicitNamespace(target: { readonly namespace?: string }, from: { readonly namespace?: string }): string | undefined {
  return target.namespace !== undefined && target.namespace !== from.namespace ? target.namespace : undefined;
}

/** `{ kind, name, namespace }` of a reference (see `explicitNamespace`). */
export function referenceTo(target: IObjectRef, from: IObjectRef, withApiVersion = false): Record<string, string | undefined> {
  return {
    ...(withApiVersion ? { apiVersion: target.apiVersion } : {}),
    kind: target.kind,
    name: target.name,
    namespace: explicitNamespace(target, from),
  };
}
