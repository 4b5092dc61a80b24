import { Construct, IConstruct } from 'constructs';
import * as l1 from '../imports/kustomize-kustomize.toolkit.fluxcd.io';
import { LayoutDirectory } from '../core/layout-directory';
import { FieldChecks } from './field-checks';
import {
  apiObjectOf, explicitNamespace, FluxObject, referenceTo, FluxObjectProps, FluxReference, ImportedObject, ImportedObjectProps, IObjectRef,
} from './flux-object';
import { isNamespaced } from './cluster-scoped';
import { IKustomizationSource, ISecretRef, nameRef, secretReference } from './sources/source';
import { IValuesSource, valuesKindOf, valuesTarget } from './values-source';
import { FluxDuration, goDuration } from './duration';

/** A Kustomization of the fleet or imported by name, usable in `dependsOn`. */
export interface IKustomization extends IObjectRef {
  /** Marks a Kustomization (structural typing would otherwise accept any object reference). */
  readonly isKustomization: true;
}

/** Variables read from a ConfigMap or Secret for `postBuild` substitution. */
export interface SubstituteReference {
  /** The ConfigMap, Secret or SealedSecret object (same namespace as the Kustomization). */
  readonly source: IValuesSource;
  /** Do not fail when it is missing. @default false */
  readonly optional?: boolean;
}

/** Post-build variable substitution (`${VAR}` in the built manifests). */
export interface PostBuild {
  /** Variables given inline. @default none */
  readonly substitute?: Readonly<Record<string, string>>;
  /** Variables read from ConfigMaps and Secrets. @default none */
  readonly substituteFrom?: readonly SubstituteReference[];
}

/** SOPS decryption of the built manifests. */
export interface Decryption {
  /** The only provider Flux supports. */
  readonly provider: 'sops';
  /** Secret holding the decryption keys. @default keys from the controller's environment (KMS) */
  readonly secretRef?: ISecretRef;
}

/** Props of a `Kustomization`. */
export interface KustomizationProps extends FluxObjectProps {
  /** The source to build from (the object, never its name). */
  readonly sourceRef: IKustomizationSource;
  /**
   * The directory of this repository to build, as a layout object: its path is taken from the
   * layout writer, never typed by hand. Exactly one of `path` and `externalPath`.
   */
  readonly path?: LayoutDirectory;
  /**
   * A path inside a source that is not this repository (e.g. a tenant's own repository),
   * relative to its root such as `./overlays/production`.
   */
  readonly externalPath?: string;
  /** @default '10m' */
  readonly interval?: FluxDuration;
  /** Interval between retries after a failure. @default the interval */
  readonly retryInterval?: FluxDuration;
  /** Timeout of build, apply and health checks. @default the interval */
  readonly timeout?: FluxDuration;
  /**
   * Delete objects removed from the source. Flux requires the field; this construct defaults it
   * to true because without pruning a deletion in Git never reaches the cluster.
   * @default true
   */
  readonly prune?: boolean;
  /** Wait for every applied object to become ready. @default false */
  readonly wait?: boolean;
  /** Kustomizations that must be ready first. @default none */
  readonly dependsOn?: readonly IKustomization[];
  /** Objects whose readiness decides this Kustomization's (constructs of the fleet or imports). @default none */
  readonly healthChecks?: readonly (IConstruct | IObjectRef)[];
  /** Namespace for every namespaced object built. @default the objects' own */
  readonly targetNamespace?: string;
  /** Service account to impersonate (multi-tenancy). @default the controller's */
  readonly serviceAccountName?: string;
  /** @default no substitution */
  readonly postBuild?: PostBuild;
  /** @default no decryption */
  readonly decryption?: Decryption;
  /** @default false */
  readonly suspend?: boolean;
}

/** A Flux `Kustomization` (kustomize.toolkit.fluxcd.io/v1). */
export class Kustomization extends FluxObject implements IKustomization {
  /** References a Kustomization defined outside the fleet (e.g. for `dependsOn`). */
  public static fromName(scope: Construct, id: string, props: ImportedObjectProps): IKustomization {
    return Object.assign(new ImportedObject(scope, id, l1.Kustomization.GVK, props), { isKustomization: true as const });
  }

  /** Marks a Kustomization. */
  public readonly isKustomization = true as const;
  private readonly dependencies: IKustomization[];

  constructor(scope: Construct, id: string, private readonly props: KustomizationProps) {
    super(scope, id, l1.Kustomization, props);
    this.dependencies = [...props.dependsOn ?? []];
  }

  /** The directory of this repository this Kustomization builds, if any. */
  public get directory(): LayoutDirectory | undefined {
    return this.props.path;
  }

  /** The source it builds from. */
  public get source(): IKustomizationSource {
    return this.props.sourceRef;
  }

  /** The namespace it moves every namespaced object it applies into, if any. */
  public get targetNamespace(): string | undefined {
    return this.props.targetNamespace;
  }

  /** Post-build substitution settings, if any. */
  public get postBuild(): PostBuild | undefined {
    return this.props.postBuild;
  }

  /**
   * The controller writes the name into a label of every object it applies, and label values
   * are at most 63 characters.
   */
  protected override get maxNameLength(): number {
    return 63;
  }

  /** Makes this Kustomization wait for others to be ready. */
  public addDependsOn(...kustomizations: IKustomization[]): void {
    this.dependencies.push(...kustomizations);
  }

  public override fluxReferences(): FluxReference[] {
    const p = this.props;
    return [
      { field: 'spec.sourceRef', target: p.sourceRef, explicitNamespace: explicitNamespace(p.sourceRef, this) },
      // Flux's lockdown does not restrict dependsOn: any namespace may be waited for
      ...this.dependencies.map(d => ({ field: 'spec.dependsOn', target: d, dependsOn: true, lockedDown: false, explicitNamespace: explicitNamespace(d, this) })),
      ...(p.postBuild?.substituteFrom ?? []).map((s, i) => ({
        field: `spec.postBuild.substituteFrom[${i}]`, target: valuesTarget(s.source), object: s.source, crossNamespace: false,
      })),
      ...secretReference('spec.decryption.secretRef', p.decryption?.secretRef),
      ...(p.healthChecks ?? []).map((h, i) => ({
        field: `spec.healthChecks[${i}]`, target: healthCheckTarget(h), object: h, lockedDown: false, explicitNamespace: this.healthCheckNamespace(healthCheckTarget(h)),
      })),
    ];
  }

  /**
   * Where a health-checked object will be: this Kustomization's `targetNamespace` moves every
   * namespaced object it applies, and a health check must name the object where it ends up.
   */
  private healthCheckNamespace(target: IObjectRef): string | undefined {
    if (!isNamespaced(target.kind)) return undefined;
    return this.props.targetNamespace ?? target.namespace;
  }

  protected renderSpec() {
    const p = this.props;
    return {
      sourceRef: referenceTo(p.sourceRef, this),
      path: p.path ? p.path.fluxPath : p.externalPath,
      interval: goDuration(p.interval) ?? '10m',
      retryInterval: goDuration(p.retryInterval),
      timeout: goDuration(p.timeout),
      prune: p.prune ?? true,
      wait: p.wait,
      dependsOn: this.dependencies.length > 0
        ? this.dependencies.map(d => ({ name: d.name, namespace: explicitNamespace(d, this) }))
        : undefined,
      healthChecks: p.healthChecks?.map(h => {
        const t = healthCheckTarget(h);
        return { apiVersion: t.apiVersion, kind: t.kind, name: t.name, namespace: this.healthCheckNamespace(t) };
      }),
      targetNamespace: p.targetNamespace,
      serviceAccountName: p.serviceAccountName,
      postBuild: p.postBuild ? {
        substitute: p.postBuild.substitute,
        substituteFrom: p.postBuild.substituteFrom?.map(s => ({ kind: valuesKindOf(s.source), name: s.source.name, optional: s.optional })),
      } : undefined,
      decryption: p.decryption ? {
        provider: p.decryption.provider,
        secretRef: nameRef(p.decryption.secretRef),
      } : undefined,
      suspend: p.suspend,
    };
  }

  protected validateSpec(c: FieldChecks): void {
    const p = this.props;
    if (p.path && p.externalPath !== undefined) {
      c.add(`spec.path is given twice (path: directory "${p.path.repoPath}" and externalPath: ${JSON.stringify(p.externalPath)}): use path for a directory of this repository, externalPath only for another source`);
    }
    if (!p.path && p.externalPath === undefined) {
      c.add('spec.path is missing: pass path (a LayoutDirectory of this repository) or, for another repository, externalPath (e.g. "./overlays/production")');
    }
    if (p.path?.isVirtual) {
      c.add(`spec.path is directory "${p.path.repoPath}", which is virtual (a template that is never written): point it at a directory that is written, such as a flattened overlay that builds it`);
    }
    if (c.isString('spec.path', p.externalPath) && (!p.externalPath.startsWith('./') || p.externalPath.split('/').includes('..'))) {
      c.add(`spec.path ${JSON.stringify(p.externalPath)} must be relative to the source root, start with "./" and not contain "..": e.g. "./overlays/production"`);
    }
    c.duration('spec.interval', p.interval).duration('spec.retryInterval', p.retryInterval).duration('spec.timeout', p.timeout);
    c.label('spec.targetNamespace', p.targetNamespace).objectName('spec.serviceAccountName', p.serviceAccountName);
    (p.healthChecks ?? []).forEach((h, i) => {
      const t = healthCheckTarget(h);
      if (!t.kind || !t.name) {
        c.add(`spec.healthChecks[${i}] is ${(h as IConstruct).node?.path ?? 'a value'} without a single API object: pass the object to check (e.g. a cdk8s-plus Deployment) or an import with kind and name`);
      }
    });
    if (p.wait && (p.healthChecks?.length ?? 0) > 0) {
      c.add('spec.healthChecks are ignored by Flux when spec.wait is true (every applied object is checked then): remove healthChecks or wait');
    }
    for (const name of Object.keys(p.postBuild?.substitute ?? {})) {
      if (!VARIABLE_NAME.test(name)) {
        c.add(`spec.postBuild.substitute key ${JSON.stringify(name)} is not a variable name: use letters, digits and '_', not starting with a digit (e.g. "cluster_env")`);
      }
    }
  }
}

/** Variable names Flux substitutes (`${name}`). */
export const VARIABLE_NAME = /^[_a-zA-Z][_a-zA-Z0-9]*$/;

function healthCheckTarget(h: IConstruct | IObjectRef): IObjectRef {
  const obj = apiObjectOf(h);
  if (obj) return { apiVersion: obj.apiVersion, kind: obj.kind, name: obj.name, namespace: obj.metadata.namespace };
  const ref = h as Partial<IObjectRef>;
  return { apiVersion: ref.apiVersion ?? '', kind: ref.kind ?? '', name: ref.name ?? '', namespace: ref.namespace };
}

