import { ApiObject, ApiObjectProps, GroupVersionKind } from 'cdk8s';
import { Construct } from 'constructs';
import * as semver from 'semver';
import { hasNonPointerPath } from '../../core/kustomize/json-patch';
import { TargetSelector } from '../../core/kustomize/selector';
import { InlinePatch, LayoutDirectory } from '../../core/layout-directory';
import { inlinePatchText } from '../../core/render';
import { FieldChecks, isMastermindsRange } from '../field-checks';
import { FluxObject } from '../flux-object';
import { IKustomizationSource } from '../sources/source';
import { FluxDuration, goDuration } from '../duration';
import { EnumValue } from '../sources/source-options';

/**
 * The Flux Operator's `FluxInstance` kind (fluxcd.controlplane.io/v1). Written by hand from the
 * API's documented shape: the operator's code and its generated types are AGPL-3.0 and are not
 * used here; its CRD is vendored only to validate what we write.
 */
class FluxInstanceResource extends ApiObject {
  public static readonly GVK: GroupVersionKind = { apiVersion: 'fluxcd.controlplane.io/v1', kind: 'FluxInstance' };

  constructor(scope: Construct, id: string, props: Omit<ApiObjectProps, 'apiVersion' | 'kind'>) {
    super(scope, id, { ...FluxInstanceResource.GVK, ...props });
  }
}

/** A Flux controller the operator installs. */
export enum FluxComponent {
  SOURCE_CONTROLLER = 'source-controller',
  KUSTOMIZE_CONTROLLER = 'kustomize-controller',
  HELM_CONTROLLER = 'helm-controller',
  NOTIFICATION_CONTROLLER = 'notification-controller',
  IMAGE_REFLECTOR_CONTROLLER = 'image-reflector-controller',
  IMAGE_AUTOMATION_CONTROLLER = 'image-automation-controller',
  /** Serves ArtifactGenerator (Flux 2.7+). */
  SOURCE_WATCHER = 'source-watcher',
}

/** The controllers the operator installs when none are listed (its own default). */
export const DEFAULT_FLUX_COMPONENTS: readonly FluxComponent[] = [
  FluxComponent.SOURCE_CONTROLLER, FluxComponent.KUSTOMIZE_CONTROLLER, FluxComponent.HELM_CONTROLLER, FluxComponent.NOTIFICATION_CONTROLLER,
];

/** The kind of source the operator creates for the cluster's sync. */
export enum FluxSyncKind {
  GIT_REPOSITORY = 'GitRepository',
  OCI_REPOSITORY = 'OCIRepository',
  BUCKET = 'Bucket',
}

/** Where the cluster syncs from: the operator creates a source and a Kustomization of it. */
export interface FluxInstanceSync {
  /** @default FluxSyncKind.GIT_REPOSITORY */
  readonly kind?: EnumValue<FluxSyncKind>;
  /** The repository's URL (`ssh://…`, `https://…`; `oci://…` for an OCIRepository; the endpoint for a Bucket). */
  readonly url: string;
  /** A Git ref (`refs/heads/main`, `refs/tags/v1.0.0`), an OCI tag, or a bucket's name. */
  readonly ref: string;
  /** The cluster's own directory, which the synced Kustomization applies (checked: it must be this cluster's). */
  readonly path: LayoutDirectory;
  /** @default '1m' (the operator's default) */
  readonly interval?: FluxDuration;
  /** The Secret in the instance's namespace holding the credentials (created by the bootstrap, never in git). @default none: a public source */
  readonly pullSecret?: string;
  /** OIDC provider for the source's authentication. @default none */
  readonly provider?: 'generic' | 'aws' | 'azure' | 'gcp' | 'github';
  /** Name of the source and Kustomization the operator creates. @default the instance's namespace (`flux-system`), as `flux bootstrap` names them */
  readonly name?: string;
}

/** Which of the controllers' objects a patch applies to: always in the instance's namespace, so no namespace. */
export type FluxInstancePatchTarget = Omit<TargetSelector, 'namespace'>;

/** A kustomize patch of the controllers' manifests (or of the sync objects the operator creates). */
export interface FluxInstancePatch {
  /** The objects it applies to. */
  readonly target: FluxInstancePatchTarget;
  /** A strategic-merge document, or JSON 6902 operations. */
  readonly patch: InlinePatch['patch'];
}

/** Props of a `FluxInstance`. */
export interface FluxInstanceProps {
  /** The namespace of the operator and of Flux. @default 'flux-system' */
  readonly namespace?: string;
  /** The Flux distribution's version, as a semver range. @default '2.9.x' (the APIs this library emits) */
  readonly version?: string;
  /** Where the controllers' images come from. @default 'ghcr.io/fluxcd' */
  readonly registry?: string;
  /** The OCI artifact with the distribution's manifests. @default the operator's own */
  readonly artifact?: string;
  /** The controllers to install. @default DEFAULT_FLUX_COMPONENTS (source, kustomize, helm, notification) */
  readonly components?: readonly EnumValue<FluxComponent>[];
  /**
   * Flux's multi-tenancy lockdown: no cross-namespace references, no remote bases, and every
   * Kustomization and HelmRelease impersonates an account of its own namespace. Synth checks it
   * against the environment's `lockdown`. @default false
   */
  readonly multitenant?: boolean;
  /** The account a tenant's object impersonates when it names none (only with `multitenant`). @default 'default' when multitenant */
  readonly tenantDefaultServiceAccount?: string;
  /** Restrict the controllers' network access to their namespace. @default true */
  readonly networkPolicy?: boolean;
  /** @default 'kubernetes' */
  readonly clusterType?: 'kubernetes' | 'openshift' | 'aws' | 'azure' | 'gcp';
  /** Vertical scaling profile of the controllers. @default the operator's */
  readonly size?: 'small' | 'medium' | 'large';
  /** The cluster's DNS domain. @default 'cluster.local' */
  readonly domain?: string;
  /** Where the cluster syncs from. @default no sync (the operator only installs Flux) */
  readonly sync?: FluxInstanceSync;
  /** Patches of the controllers' manifests. @default none */
  readonly patches?: readonly FluxInstancePatch[];
  /** Labels and annotations of every object the operator creates. @default none */
  readonly commonMetadata?: { readonly labels?: Readonly<Record<string, string>>; readonly annotations?: Readonly<Record<string, string>> };
}

const FLUX_MINOR = '2.9.0';

/**
 * Flux's own installation, kept in the repository (`clusters/<cluster>/flux-system/`) and reviewed
 * like any other change: the Flux Operator installs and upgrades the distribution, lockdown
 * included, and creates the cluster's sync (a source and a Kustomization named after the
 * namespace, as `flux bootstrap` names them), so the repository no longer writes them by hand.
 *
 * ```ts
 * const flux = new FluxInstance(new ManifestFile(fluxSystem, 'flux-instance'), 'flux', {
 *   multitenant: true,
 *   components: [...DEFAULT_FLUX_COMPONENTS, FluxComponent.IMAGE_REFLECTOR_CONTROLLER, FluxComponent.IMAGE_AUTOMATION_CONTROLLER],
 *   sync: { url: 'ssh://git@github.com/org/fleet', ref: 'refs/heads/main', path: clusterDir, pullSecret: 'flux-system' },
 * });
 * new Kustomization(file, 'apps', { sourceRef: flux.syncSource, path: apps });
 * ```
 *
 * The operator accepts one instance per cluster, named `flux`.
 */
export class FluxInstance extends FluxObject {
  /** The source the operator creates for the sync, for other Kustomizations' `sourceRef`. */
  public readonly syncSource: IKustomizationSource;

  constructor(scope: Construct, id: string, private readonly props: FluxInstanceProps = {}) {
    super(scope, id, FluxInstanceResource, { metadata: { name: 'flux', namespace: props.namespace ?? 'flux-system' } });
    const namespace = props.namespace ?? 'flux-system';
    const kind = props.sync?.kind ?? FluxSyncKind.GIT_REPOSITORY;
    this.syncSource = {
      apiVersion: 'source.toolkit.fluxcd.io/v1', kind, name: props.sync?.name ?? namespace, namespace, isKustomizationSource: true,
    };
  }

  /** The controllers it installs. */
  public get components(): readonly FluxComponent[] {
    return (this.props.components ?? DEFAULT_FLUX_COMPONENTS) as readonly FluxComponent[]; // the string values are the members
  }

  protected renderSpec(): Record<string, unknown> {
    const p = this.props;
    const cluster = {
      type: p.clusterType,
      size: p.size,
      domain: p.domain,
      multitenant: p.multitenant ?? false,
      networkPolicy: p.networkPolicy ?? true,
      tenantDefaultServiceAccount: p.multitenant ? (p.tenantDefaultServiceAccount ?? 'default') : p.tenantDefaultServiceAccount,
    };
    return prune({
      distribution: { version: p.version ?? '2.9.x', registry: p.registry ?? 'ghcr.io/fluxcd', artifact: p.artifact },
      components: [...this.components],
      cluster,
      commonMetadata: p.commonMetadata,
      kustomize: p.patches && p.patches.length > 0 ? {
        patches: p.patches.map(x => ({ target: { ...x.target }, patch: inlinePatchText(x.patch) })),
      } : undefined,
      sync: p.sync ? {
        kind: p.sync.kind ?? FluxSyncKind.GIT_REPOSITORY,
        url: p.sync.url,
        ref: p.sync.ref,
        path: p.sync.path instanceof LayoutDirectory ? p.sync.path.repoPath : undefined,
        interval: goDuration(p.sync.interval),
        pullSecret: p.sync.pullSecret,
        provider: p.sync.provider,
        name: p.sync.name,
      } : undefined,
    });
  }

  protected validateSpec(c: FieldChecks): void {
    const p = this.props;
    const version = p.version ?? '2.9.x';
    c.semverRange('spec.distribution.version', version);
    if (c.isString('spec.distribution.version', version) && isMastermindsRange(version)) {
      const range = version.replace(/,/g, ' ');
      const lowest = semver.minVersion(range);
      if (lowest && semver.lt(lowest, FLUX_MINOR)) {
        c.add(`spec.distribution.version ${JSON.stringify(version)} admits Flux ${lowest.version}, older than 2.9, whose controllers do not serve every API version this library writes: use a range within 2.9, e.g. "2.9.x"`);
      } else if (semver.intersects(range, '>=3.0.0')) {
        c.add(`spec.distribution.version ${JSON.stringify(version)} admits Flux 3, which may remove the APIs this fleet uses: upgrade the major version deliberately, e.g. "2.9.x" or ">=2.9.0 <3.0.0"`);
      }
    }
    if (p.artifact !== undefined) c.urlScheme('spec.distribution.artifact', p.artifact, ['oci'], 'oci://ghcr.io/controlplaneio-fluxcd/flux-operator-manifests');
    const known = Object.values(FluxComponent) as string[];
    const components = this.components;
    components.filter(x => !known.includes(x)).forEach(x => c.add(`spec.components has ${JSON.stringify(x)}, which is not a Flux component: use ${known.join(', ')}`));
    const twice = components.filter((x, i) => components.indexOf(x) !== i);
    if (twice.length > 0) c.add(`spec.components lists ${[...new Set(twice)].join(', ')} more than once`);
    for (const needed of [FluxComponent.SOURCE_CONTROLLER, FluxComponent.KUSTOMIZE_CONTROLLER]) {
      if (p.sync && !components.includes(needed)) c.add(`spec.components has no ${needed}, which the sync needs (its source and Kustomization): add FluxComponent.${componentKey(needed)}`);
    }
    if (p.tenantDefaultServiceAccount !== undefined && !p.multitenant) {
      c.add('spec.cluster.tenantDefaultServiceAccount is set without multitenant: it takes effect only under the multi-tenancy lockdown; set multitenant: true or remove it');
    }
    c.objectName('spec.cluster.tenantDefaultServiceAccount', p.tenantDefaultServiceAccount);
    if (p.sync) {
      const kind = p.sync.kind ?? FluxSyncKind.GIT_REPOSITORY;
      if (kind === FluxSyncKind.GIT_REPOSITORY) {
        c.urlScheme('spec.sync.url', p.sync.url, ['ssh', 'https', 'http'], 'ssh://git@github.com/org/fleet');
        if (c.isString('spec.sync.ref', p.sync.ref) && !/^(refs\/(heads|tags)\/\S+|[0-9a-f]{40})$/.test(p.sync.ref)) {
          c.add(`spec.sync.ref ${JSON.stringify(p.sync.ref)} is not a Git ref the operator reads: use a full ref such as "refs/heads/main" or "refs/tags/v1.2.0"`);
        }
      } else if (kind === FluxSyncKind.OCI_REPOSITORY) {
        c.urlScheme('spec.sync.url', p.sync.url, ['oci'], 'oci://ghcr.io/org/fleet-manifests');
      }
      if (!(p.sync.path instanceof LayoutDirectory)) c.add('spec.sync.path is not a LayoutDirectory: pass the cluster\'s own directory (its path is taken from the layout, never typed by hand)');
      else if (p.sync.path.isVirtual) c.add(`spec.sync.path is directory "${p.sync.path.repoPath}", which is virtual (a template that is never written): point it at the cluster's directory`);
      c.duration('spec.sync.interval', p.sync.interval);
      c.objectName('spec.sync.pullSecret', p.sync.pullSecret);
      c.objectName('spec.sync.name', p.sync.name);
    }
    (p.patches ?? []).forEach((x, i) => {
      if ((x.target as { namespace?: unknown }).namespace !== undefined) {
        c.add(`spec.kustomize.patches[${i}].target.namespace is set: the operator applies every patch in the instance's namespace; remove it`);
      }
      if (Array.isArray(x.patch) && hasNonPointerPath(x.patch)) {
        c.add(`spec.kustomize.patches[${i}] has a JSON 6902 operation whose path is not a JSON pointer: start it with "/" (e.g. "/spec/template/spec/containers/0/args/-")`);
      }
    });
  }
}

/** The enum member's name of a component (`IMAGE_REFLECTOR_CONTROLLER`), for messages that say what to add. @internal */
export function componentKey(component: string): string {
  return Object.entries(FluxComponent).find(([, v]) => v === component)?.[0] ?? component;
}

/** Drops undefined fields and empty objects, so the output has only what was set. */
function prune<T>(value: T): T {
  if (Array.isArray(value)) return value.map(prune) as T;
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    if (v === undefined) continue;
    const pruned = prune(v);
    if (pruned !== null && typeof pruned === 'object' && !Array.isArray(pruned) && Object.keys(pruned).length === 0) continue;
    out[k] = pruned;
  }
  return out as T;
}
