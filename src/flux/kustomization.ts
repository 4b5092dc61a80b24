import { posix } from 'node:path';
import { Construct, IConstruct } from 'constructs';
import * as l1 from '../imports/kustomize-kustomize.toolkit.fluxcd.io';
import { LayoutDirectory } from '../core/layout-directory';
import { TargetSelector } from '../core/kustomize/selector';
import { nameOf, NamespaceReference, ServiceAccountReference } from './object-refs';
import {
  checkKubeConfig, checkPatchTargets, HealthCheckExpression, KubeConfigReference, KustomizationPatch, KustomizeImage,
  renderHealthCheckExprs, renderImages, renderKubeConfig, renderPatches,
} from './kustomize-options';
import { EnumValue } from './sources/source-options';
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
  /** @default SubstituteStrategy.WITH_VARIABLES */
  readonly substituteStrategy?: EnumValue<SubstituteStrategy>;
}

/** SOPS decryption of the built manifests. */
export interface Decryption {
  /** The only provider Flux supports. */
  readonly provider: 'sops';
  /** Secret holding the decryption keys. @default keys from the controller's environment (KMS) */
  readonly secretRef?: ISecretRef;
  /** A ServiceAccount whose workload identity reaches the KMS. @default the controller's */
  readonly serviceAccountName?: ServiceAccountReference;
}

/** What happens to the applied objects when the Kustomization is deleted. */
export enum DeletionPolicy {
  /** Delete them when `prune` is true (Flux's default). */
  MIRROR_PRUNE = 'MirrorPrune',
  /** Always delete them. */
  DELETE = 'Delete',
  /** Delete them and wait until they are gone. */
  WAIT_FOR_TERMINATION = 'WaitForTermination',
  /** Leave them in the cluster. */
  ORPHAN = 'Orphan',
}

/** When post-build substitution runs. */
export enum SubstituteStrategy {
  /** Only when `substitute` or `substituteFrom` give variables (Flux's default). */
  WITH_VARIABLES = 'WithVariables',
  /** Always, so that `${VAR:=default}` defaults apply without variables. */
  ALWAYS = 'Always',
}

/** Fields of the applied objects the controller leaves as the cluster has them. */
export interface DriftIgnoreRule {
  /** JSON pointers, e.g. `/spec/replicas`. */
  readonly paths: readonly string[];
  /** The objects the pointers apply to. @default every object */
  readonly target?: TargetSelector;
}

/** A Kustomization this one waits for, with a CEL readiness expression. */
export interface KustomizationDependency {
  /** The Kustomization to wait for. */
  readonly kustomization: IKustomization;
  /** CEL expression over `dep` (and `self`) deciding readiness, e.g. `dep.status.lastAppliedRevision == self.status.lastAppliedRevision`. @default its Ready condition */
  readonly readyExpr?: string;
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
  readonly dependsOn?: readonly (IKustomization | KustomizationDependency)[];
  /** Objects whose readiness decides this Kustomization's (constructs of the fleet or imports). @default none */
  readonly healthChecks?: readonly (IConstruct | IObjectRef)[];
  /** Namespace for every namespaced object built. @default the objects' own */
  readonly targetNamespace?: NamespaceReference;
  /** Service account to impersonate (multi-tenancy). @default the controller's */
  readonly serviceAccountName?: ServiceAccountReference;
  /** @default no substitution */
  readonly postBuild?: PostBuild;
  /** @default no decryption */
  readonly decryption?: Decryption;
  /** @default false */
  readonly suspend?: boolean;
  /** Patches applied to the built objects, after the directory's own. @default none */
  readonly patches?: readonly KustomizationPatch[];
  /** Container image rewrites. @default none */
  readonly images?: readonly KustomizeImage[];
  /** Labels and annotations added to every applied object. @default none */
  readonly commonMetadata?: { readonly labels?: Readonly<Record<string, string>>; readonly annotations?: Readonly<Record<string, string>> };
  /** kustomize Components (directories with `kind: Component`) added to the build, as directories of this repository or paths relative to `path`. @default none */
  readonly components?: readonly (LayoutDirectory | string)[];
  /** Do not fail when a component is missing. @default false */
  readonly ignoreMissingComponents?: boolean;
  /** Recreate objects whose immutable fields changed. @default false */
  readonly force?: boolean;
  /** @default DeletionPolicy.MIRROR_PRUNE */
  readonly deletionPolicy?: EnumValue<DeletionPolicy>;
  /** Health of custom resources, as CEL expressions. @default kstatus only */
  readonly healthCheckExprs?: readonly HealthCheckExpression[];
  /** Fields of the applied objects that the controller does not correct. @default none */
  readonly ignore?: readonly DriftIgnoreRule[];
  /** Apply to another cluster. @default this cluster */
  readonly kubeConfig?: KubeConfigReference;
}

/** A Flux `Kustomization` (kustomize.toolkit.fluxcd.io/v1). */
export class Kustomization extends FluxObject implements IKustomization {
  /** References a Kustomization defined outside the fleet (e.g. for `dependsOn`). */
  public static fromName(scope: Construct, id: string, props: ImportedObjectProps): IKustomization {
    return Object.assign(new ImportedObject(scope, id, l1.Kustomization.GVK, props), { isKustomization: true as const });
  }

  /** Marks a Kustomization. */
  public readonly isKustomization = true as const;
  private readonly dependencies: KustomizationDependency[];

  constructor(scope: Construct, id: string, private readonly props: KustomizationProps) {
    super(scope, id, l1.Kustomization, props);
    this.dependencies = (props.dependsOn ?? []).map(d => ('kustomization' in d ? d : { kustomization: d }));
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
    return nameOf(this.props.targetNamespace);
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
  public addDependsOn(...kustomizations: (IKustomization | KustomizationDependency)[]): void {
    this.dependencies.push(...kustomizations.map(d => ('kustomization' in d ? d : { kustomization: d })));
  }

  public override fluxReferences(): FluxReference[] {
    const p = this.props;
    return [
      { field: 'spec.sourceRef', target: p.sourceRef, explicitNamespace: explicitNamespace(p.sourceRef, this) },
      // Flux's lockdown does not restrict dependsOn: any namespace may be waited for
      ...this.dependencies.map(({ kustomization: d }) => ({ field: 'spec.dependsOn', target: d, dependsOn: true, lockedDown: false, explicitNamespace: explicitNamespace(d, this) })),
      ...secretReference('spec.kubeConfig.secretRef', p.kubeConfig?.secret),
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
    return nameOf(this.props.targetNamespace) ?? target.namespace;
  }

  protected renderSpec() {
    const p = this.props;
    return {
      sourceRef: referenceTo(p.sourceRef, this),
      path: this.renderedPath(),
      interval: goDuration(p.interval) ?? '10m',
      retryInterval: goDuration(p.retryInterval),
      timeout: goDuration(p.timeout),
      prune: p.prune ?? true,
      wait: p.wait,
      dependsOn: this.dependencies.length > 0
        ? this.dependencies.map(({ kustomization: d, readyExpr }) => ({ name: d.name, namespace: explicitNamespace(d, this), readyExpr }))
        : undefined,
      healthChecks: p.healthChecks?.map(h => {
        const t = healthCheckTarget(h);
        return { apiVersion: t.apiVersion, kind: t.kind, name: t.name, namespace: this.healthCheckNamespace(t) };
      }),
      targetNamespace: nameOf(p.targetNamespace),
      serviceAccountName: nameOf(p.serviceAccountName),
      postBuild: p.postBuild ? {
        substituteStrategy: p.postBuild.substituteStrategy,
        substitute: p.postBuild.substitute,
        substituteFrom: p.postBuild.substituteFrom?.map(s => ({ kind: valuesKindOf(s.source), name: s.source.name, optional: s.optional })),
      } : undefined,
      decryption: p.decryption ? {
        provider: p.decryption.provider,
        secretRef: nameRef(p.decryption.secretRef),
        serviceAccountName: nameOf(p.decryption.serviceAccountName),
      } : undefined,
      suspend: p.suspend,
      patches: renderPatches(p.patches),
      images: renderImages(p.images),
      commonMetadata: p.commonMetadata,
      components: p.components?.map(c => (typeof c === 'string' ? c : this.componentPath(c))),
      ignoreMissingComponents: p.ignoreMissingComponents,
      force: p.force,
      deletionPolicy: p.deletionPolicy,
      healthCheckExprs: renderHealthCheckExprs(p.healthCheckExprs),
      ignore: p.ignore?.map(r => ({ paths: r.paths, target: r.target })),
      kubeConfig: renderKubeConfig(p.kubeConfig),
    };
  }

  /** `spec.path`: a directory's path in the repository, or inside the artifact the source is made of. */
  private renderedPath(): string | undefined {
    const p = this.props;
    if (!p.path) return p.externalPath;
    const layout = p.sourceRef.artifactLayout;
    return layout ? layout.pathOf(p.path) ?? p.path.fluxPath : p.path.fluxPath;
  }

  /** A component directory's path relative to `spec.path`, as Flux reads `spec.components`. */
  private componentPath(component: LayoutDirectory): string {
    const layout = this.props.sourceRef.artifactLayout;
    // inside an artifact, both paths are where the generator put the directories
    const base = layout && this.props.path ? layout.pathOf(this.props.path) : this.props.path?.repoPath;
    const target = layout ? layout.pathOf(component) : component.repoPath;
    const rel = posix.relative(posix.normalize(base ?? '.'), posix.normalize(target ?? component.repoPath));
    return rel.startsWith('.') ? rel : `./${rel}`;
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
    c.label('spec.targetNamespace', nameOf(p.targetNamespace)).objectName('spec.serviceAccountName', nameOf(p.serviceAccountName));
    (p.healthChecks ?? []).forEach((h, i) => {
      const t = healthCheckTarget(h);
      if (!t.kind || !t.name) {
        c.add(`spec.healthChecks[${i}] is ${(h as IConstruct).node?.path ?? 'a value'} without a single API object: pass the object to check (e.g. a cdk8s-plus Deployment) or an import with kind and name`);
      }
    });
    if (p.wait && (p.healthChecks?.length ?? 0) > 0) {
      c.add('spec.healthChecks are ignored by Flux when spec.wait is true (every applied object is checked then): remove healthChecks or wait');
    }
    const layout = p.sourceRef.artifactLayout;
    if (p.path && !layout && p.sourceRef.kind === 'ExternalArtifact') {
      c.add(`spec.path is directory "${p.path.repoPath}", but ${p.sourceRef.kind} ${p.sourceRef.name} is made outside the fleet, so where that directory is inside it is unknown (paths are relative to the artifact): give externalPath, the path inside the artifact (e.g. "./"), or make the artifact with an ArtifactGenerator of the fleet`);
    }
    (p.components ?? []).forEach((comp, i) => {
      if (typeof comp !== 'string' && layout && layout.pathOf(comp) === undefined) {
        c.add(`spec.components[${i}] is directory "${comp.repoPath}", which ${p.sourceRef.kind} ${p.sourceRef.name} does not hold (it holds ${layout.contents.map(d => `"${d}"`).join(', ') || 'no directory of this repository'}): copy the component into the artifact too`);
      }
    });
    if (p.path && layout && layout.pathOf(p.path) === undefined) {
      c.add(`spec.path is directory "${p.path.repoPath}", which ${p.sourceRef.kind} ${p.sourceRef.name} does not hold (paths are relative to the artifact, which holds ${layout.contents.map(d => `"${d}"`).join(', ') || 'no directory of this repository'}): copy the directory into the artifact, or build from the repository itself`);
    }
    c.oneOf('spec.deletionPolicy', p.deletionPolicy, Object.values(DeletionPolicy));
    c.oneOf('spec.postBuild.substituteStrategy', p.postBuild?.substituteStrategy, Object.values(SubstituteStrategy));
    c.objectName('spec.decryption.serviceAccountName', nameOf(p.decryption?.serviceAccountName));
    checkPatchTargets(c, 'spec.patches', p.patches);
    (p.patches ?? []).forEach((x, i) => {
      if (Array.isArray(x.patch) && x.patch.length === 0) c.add(`spec.patches[${i}] has no operations: give at least one, or remove the patch`);
    });
    (p.images ?? []).forEach((img, i) => {
      if (img.name.includes('@') || /:[^/]*$/.test(img.name)) c.add(`spec.images[${i}].name ${JSON.stringify(img.name)} has a tag or digest: give the image name without them (e.g. "ghcr.io/org/app")`);
      if (img.newName === undefined && img.newTag === undefined && img.digest === undefined) c.add(`spec.images[${i}] changes nothing: set newName, newTag or digest`);
      if (img.digest !== undefined && !/^sha256:[a-f0-9]{64}$/.test(img.digest)) c.add(`spec.images[${i}].digest ${JSON.stringify(img.digest)} is not a digest: use "sha256:" followed by 64 hexadecimal digits`);
    });
    (p.components ?? []).forEach((comp, i) => {
      if (typeof comp === 'string') c.relativePath(`spec.components[${i}]`, comp.replace(/^(\.\.\/)+/, ''), '../components/ha');
      else if (!p.path) c.add(`spec.components[${i}] is directory "${comp.repoPath}", which only works with path (a directory of this repository): give its path relative to externalPath as a string`);
      else if (!comp.component) c.add(`spec.components[${i}] is directory "${comp.repoPath}", which is not a kustomize Component: make it with new LayoutDirectory(scope, id, { component: true })`);
    });
    (p.healthCheckExprs ?? []).forEach((h, i) => {
      if (!h.apiVersion || !h.kind || !h.current) c.add(`spec.healthCheckExprs[${i}] needs apiVersion, kind and current (a CEL expression that is true when the object is healthy)`);
    });
    (p.ignore ?? []).forEach((r, i) => r.paths.forEach((ptr, j) => {
      if (!ptr.startsWith('/')) c.add(`spec.ignore[${i}].paths[${j}] ${JSON.stringify(ptr)} is not a JSON pointer: start it with "/", e.g. "/spec/replicas"`);
    }));
    checkKubeConfig(c, p.kubeConfig);
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

