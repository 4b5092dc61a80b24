import * as kplus from 'cdk8s-plus-27';
import { ApiObject, ApiObjectProps, JsonPatch } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';
import { FieldChecks } from '../flux/field-checks';
import { IKustomization, Kustomization } from '../flux/kustomization';
import { GitRef, GitRepository } from '../flux/sources/git-repository';
import { OciRef, OCIRepository } from '../flux/sources/oci-repository';
import { LayoutDirectory } from '../core/layout-directory';
import { ManifestFile } from '../core/manifest-file';
import { ObjectPatch } from '../core/object-patch';
import { SealedSecret } from '../secrets/sealed-secret';
import { SealedStore } from '../secrets/sealed-store';
import { TenantRole } from './tenant-role';
import { FluxDuration } from '../flux/duration';

const TENANT = Symbol.for('cdk8s-flux.Tenant');

/** The label Flux's multi-tenancy examples put on every tenant object. */
export const TENANT_LABEL = 'toolkit.fluxcd.io/tenant';

/** Where a tenant keeps its own configuration. */
export type TenantSource =
  | {
    /** A Git repository. */
    readonly git: TenantGitSource;
  }
  | {
    /** An OCI artifact repository. */
    readonly oci: TenantOciSource;
  };

/** A tenant's Git repository. */
export interface TenantGitSource {
  /** Repository URL (`https://`, `ssh://`). */
  readonly url: string;
  /** The branch, tag or semver range the base checks out (environments may override it). */
  readonly ref: GitRef;
  /** How often Flux fetches it. @default '1m0s' */
  readonly interval?: FluxDuration;
}

/** A tenant's OCI artifact repository. */
export interface TenantOciSource {
  /** Repository URL (`oci://`). */
  readonly url: string;
  /** The tag, semver range or digest. */
  readonly ref: OciRef;
  /** How often Flux checks it. @default '5m0s' */
  readonly interval?: FluxDuration;
}

/** Credentials of a tenant's repository in one environment, sealed for its cluster. */
export interface TenantCredentials {
  /** The Secret's name in the tenant namespace. */
  readonly name: string;
  /** Its keys (`username`/`password`, or `identity`/`known_hosts`). */
  readonly keys: readonly string[];
  /** The environment's store of sealed values. */
  readonly store: SealedStore;
}

/** A subject of the tenant's RoleBinding besides its reconciler ServiceAccount. */
export interface TenantSubject {
  /** `User`, `Group` or `ServiceAccount`. */
  readonly kind: 'User' | 'Group' | 'ServiceAccount';
  /** The user's, group's or account's name. */
  readonly name: string;
  /** The account's namespace (ServiceAccount only). @default none */
  readonly namespace?: string;
  /** `rbac.authorization.k8s.io` for users and groups. @default none (Kubernetes assumes it for users and groups) */
  readonly apiGroup?: string;
}

/**
 * The user Flux's controllers act as in a namespace when the cluster runs them with
 * `--default-service-account` unset and impersonation by user (`gotk:<namespace>:reconciler`),
 * which `flux create tenant` binds beside the tenant's account.
 */
export function fluxReconcilerUser(namespace: string): TenantSubject {
  return { apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: `gotk:${namespace}:reconciler` };
}

/** Props of a `Tenant`. */
export interface TenantProps {
  /**
   * The tenant's name: its directory, the value of its `toolkit.fluxcd.io/tenant` label, and the
   * name of its source and Kustomization. An RFC 1123 label.
   */
  readonly name: string;
  /**
   * The tenant's namespace (Flux's multi-tenancy example has tenant `dev-team` in namespace `apps`).
   * Never a system namespace (kube-system, kube-public, kube-node-lease, default, flux-system).
   * @default the tenant's name
   */
  readonly namespace?: string;
  /** Extra labels of the tenant's namespace (ownership, cost centre…). @default only `toolkit.fluxcd.io/tenant: <name>` */
  readonly labels?: Readonly<Record<string, string>>;
  /**
   * Which objects carry the `toolkit.fluxcd.io/tenant: <name>` label: every object of the tenant,
   * only its namespace, account and binding (as `flux create tenant` writes them), or none.
   * @default 'all'
   */
  readonly tenantLabel?: 'all' | 'rbac' | 'none';
  /** The reconciler ServiceAccount's name. @default `<name>-reconciler` */
  readonly serviceAccountName?: string;
  /**
   * Whether the reconciler account's token is mounted into pods: Flux only impersonates the
   * account, so no pod needs it. `'kubernetes-default'` writes no field (as `flux create tenant` does).
   * @default false
   */
  readonly automountToken?: boolean | 'kubernetes-default';
  /** The RoleBinding's name. @default `<name>-reconciler` */
  readonly roleBindingName?: string;
  /**
   * Further subjects of the RoleBinding, listed before the reconciler account (the order
   * `flux create tenant` writes), e.g. `fluxReconcilerUser(namespace)`.
   * @default none
   */
  readonly extraSubjects?: readonly TenantSubject[];
  /**
   * The file (in the tenant's directory) holding its Namespace: `'rbac'` puts it with the account
   * and binding, as Flux's multi-tenancy example does.
   * @default 'namespace'
   */
  readonly namespaceFile?: string;
  /**
   * Whether the tenant's Kustomization sets `targetNamespace` to the tenant namespace (so objects
   * of the tenant's repository that state no namespace land there).
   * @default true
   */
  readonly targetNamespace?: boolean;
  /**
   * What the tenant's reconciler may do, inside its namespace only.
   * @default TenantRole.clusterRole('admin') (full rights in the namespace, none outside)
   */
  readonly role?: TenantRole;
  /** The tenant's repository (Git or OCI), reconciled from the tenant namespace. */
  readonly source: TenantSource;
  /**
   * The path in the tenant's repository that the base reconciles; environments override it with
   * `enable(…, { path })`.
   */
  readonly path: string;
  /** How often the tenant's Kustomization reconciles. @default '5m0s' */
  readonly interval?: FluxDuration;
  /** Whether objects removed from the tenant's repository are deleted. @default true */
  readonly prune?: boolean;
  /**
   * Platform Kustomizations the tenant waits for (e.g. the infrastructure). Declared here by the
   * platform, this is the one cross-namespace reference a tenant object may make.
   * @default none
   */
  readonly dependsOn?: readonly IKustomization[];
}

/** What differs for a tenant in one environment. */
export interface TenantEnvironmentProps {
  /** The path in the tenant's repository for this environment (`./overlays/staging`). @default the base's path */
  readonly path?: string;
  /** Another ref for this environment: a Git ref (branch, tag, semver…) of a Git tenant, an OCI ref (tag, semver, digest) of an OCI one. @default the base's ref */
  readonly ref?: GitRef | OciRef;
  /** Another URL for this environment (e.g. `ssh://` where image automation pushes). @default the base's URL */
  readonly url?: string;
  /**
   * Credentials of the tenant's repository in this environment, sealed for its cluster: a
   * SealedSecret of the tenant namespace with these keys (`username`/`password`, or
   * `identity`/`known_hosts`) from the environment's store.
   * @default none (a public repository)
   */
  readonly credentials?: TenantCredentials;
}

/**
 * An application team onboarded onto the fleet, as Flux's multi-tenancy model has it: its own
 * namespace, a reconciler ServiceAccount bound inside that namespace only, its own repository,
 * and a Flux Kustomization of the tenant namespace that applies that repository as the
 * reconciler, into the namespace. Declared once in `apps/base/<name>/`; `enable` writes an
 * environment's differences in `apps/overlays/<env>/<name>/`.
 *
 * Synth checks, always: tenant objects reference nothing outside the namespace, reconcile as
 * the tenant's account into the tenant's namespace, and no RBAC reaches beyond it.
 */
export class Tenant extends LayoutDirectory {
  /** Whether a construct is a `Tenant`. */
  public static isTenant(x: unknown): x is Tenant {
    return typeof x === 'object' && x !== null && TENANT in x;
  }

  /** The tenant's name. */
  public readonly tenantName: string;
  /** The tenant namespace. */
  public readonly namespace: string;
  /** The reconciler ServiceAccount that the tenant's Flux objects impersonate. */
  public readonly serviceAccount: kplus.ServiceAccount;
  /** The tenant's source (GitRepository or OCIRepository) in the tenant namespace. */
  public readonly source: GitRepository | OCIRepository;
  /** The Flux Kustomization that applies the tenant's repository. */
  public readonly sync: Kustomization;
  /** The path in the tenant's repository that the base reconciles. */
  public readonly path: string;
  /** @internal whether the names are valid (else the tenant reports them, and the fleet checks skip it) */
  public readonly _validNames: boolean;
  /** The platform Kustomizations this tenant may depend on. */
  public readonly platformDependencies: readonly IKustomization[];
  private readonly props: TenantProps;
  private readonly overlays: TenantOverlay[] = [];

  constructor(scope: Construct, props: TenantProps) {
    super(scope, props.name, { dirName: usableName(props.name) });
    Object.defineProperty(this, TENANT, { value: true });
    this.props = props;
    this.tenantName = props.name;
    // an invalid name is reported once, by the tenant, rather than by every object named after it
    const name = usableName(props.name);
    const ns = props.namespace === undefined ? name : usableName(props.namespace);
    this.namespace = ns;
    this._validNames = name === props.name && ns === (props.namespace ?? props.name);
    this.path = props.path;
    this.platformDependencies = [...props.dependsOn ?? []];
    const labelled = props.tenantLabel ?? 'all';
    const rbacLabels = labelled === 'none' ? undefined : { [TENANT_LABEL]: name };
    const labels = labelled === 'all' ? rbacLabels : undefined;

    const rbac = new ManifestFile(this, 'rbac');
    const namespaceFile = props.namespaceFile ?? 'namespace';
    // written as `flux create tenant` writes it: no empty spec
    new ApiObject(namespaceFile === 'rbac' ? rbac : new ManifestFile(this, namespaceFile), 'namespace', {
      apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns, labels: { ...props.labels, ...rbacLabels } },
    });
    const accountName = props.serviceAccountName ?? `${name}-reconciler`;
    const automount = props.automountToken ?? false;
    this.serviceAccount = new kplus.ServiceAccount(rbac, 'reconciler', {
      metadata: { name: accountName, namespace: ns, labels: rbacLabels },
      automountToken: automount === true,
    });
    if (automount === 'kubernetes-default') ApiObject.of(this.serviceAccount).addJsonPatch(JsonPatch.remove('/automountServiceAccountToken'));
    const bindingName = props.roleBindingName ?? `${name}-reconciler`;
    const roleRef = (props.role ?? TenantRole.clusterRole('admin'))._bind(rbac, bindingName, ns);
    new ApiObject(rbac, 'binding', {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: { name: bindingName, namespace: ns, labels: rbacLabels },
      roleRef,
      subjects: [
        ...(props.extraSubjects ?? []).map(s => ({ apiGroup: s.apiGroup, kind: s.kind, name: s.name, namespace: s.namespace })),
        { kind: 'ServiceAccount', name: accountName, namespace: ns },
      ],
    } as ApiObjectProps & { roleRef: unknown; subjects: unknown });

    const sync = new ManifestFile(this, 'sync');
    const metadata = { name, namespace: ns, labels };
    this.source = 'git' in props.source
      ? new GitRepository(sync, 'source', { metadata, url: props.source.git.url, ref: props.source.git.ref, interval: props.source.git.interval ?? '1m0s' })
      : new OCIRepository(sync, 'source', { metadata, url: props.source.oci.url, ref: props.source.oci.ref, interval: props.source.oci.interval ?? '5m0s' });
    this.sync = new Kustomization(sync, 'kustomization', {
      metadata,
      sourceRef: this.source,
      externalPath: props.path,
      interval: props.interval ?? '5m0s',
      prune: props.prune ?? true,
      serviceAccountName: this.serviceAccount.name,
      targetNamespace: props.targetNamespace ?? true ? ns : undefined,
      dependsOn: props.dependsOn,
    });
    this.node.addValidation({ validate: () => this.validateTenant() });
  }

  /** The environments' overlays of this tenant, in the order they were enabled. */
  /** The ref of the tenant's base source. */
  public get baseRef(): GitRef | OciRef | undefined {
    return 'git' in this.props.source ? this.props.source.git.ref : this.props.source.oci.ref;
  }

  public get environments(): readonly TenantOverlay[] {
    return [...this.overlays];
  }

  /**
   * Enables the tenant in an environment: `<overlay>/<name>/` builds the tenant's base with this
   * environment's differences as patches. Include the returned directory's parent in the
   * environment's Kustomization; add further tenant objects of this environment to it.
   */
  public enable(environmentOverlay: LayoutDirectory, props: TenantEnvironmentProps = {}): TenantOverlay {
    const overlay = new TenantOverlay(environmentOverlay, this, props);
    this.overlays.push(overlay);
    return overlay;
  }

  private validateTenant(): string[] {
    const c = new FieldChecks();
    c.label('name', this.props.name);
    c.objectName('roleBindingName', this.props.roleBindingName);
    if (this.props.namespace !== undefined) c.label('namespace', this.props.namespace);
    return c.problems.map(p => `tenant "${this.props.name}": ${this.props.namespace === undefined ? p.replace(/^name /, 'name (its namespace) ') : p}`);
  }
}

/** The keys of a GitRepository's or an OCIRepository's `spec.ref`. */
const REF_KEYS = ['branch', 'tag', 'semver', 'semverFilter', 'name', 'commit', 'digest'];

/** `apps/overlays/<env>/<tenant>/`: one environment's view of a tenant. */
export class TenantOverlay extends LayoutDirectory {
  /** The tenant. */
  public readonly tenant: Tenant;
  /** The repository credentials of this environment, if any. */
  public readonly credentials?: SealedSecret;

  constructor(scope: LayoutDirectory, tenant: Tenant, props: TenantEnvironmentProps) {
    super(scope, tenant.tenantName, { dirName: tenant.dirName });
    this.tenant = tenant;
    this.addResource(tenant);
    const sync = tenant.sync;
    if (props.path !== undefined && props.path !== tenant.path) {
      new ObjectPatch(this, 'sync-patch', { target: sync, patch: { spec: { path: props.path } } });
    }
    if (props.credentials) {
      this.credentials = new SealedSecret(new ManifestFile(this, 'credentials'), 'credentials', {
        metadata: { name: props.credentials.name, namespace: tenant.namespace },
        store: props.credentials.store,
        keys: props.credentials.keys,
      });
    }
    const source: Record<string, unknown> = {};
    // the environment's ref replaces the base's: a strategic merge would keep the base's other keys, and Flux
    // would then check out by whichever wins (commit > name > semver > tag > branch), not by the override
    if (props.ref) {
      const dropped = Object.keys(tenant.baseRef ?? {}).filter(k => REF_KEYS.includes(k) && !(k in props.ref!));
      source.ref = { ...Object.fromEntries(dropped.map(k => [k, null])), ...props.ref };
    }
    if (props.url) source.url = props.url;
    if (this.credentials) source.secretRef = { name: this.credentials.name };
    if (Object.keys(source).length > 0) {
      const keys = Object.keys(props.ref ?? {});
      const oci = tenant.source instanceof OCIRepository;
      const foreign = keys.filter(k => (oci ? ['branch', 'name', 'commit'] : ['digest', 'semverFilter']).includes(k));
      if (foreign.length > 0) {
        this.node.addValidation({
          validate: () => [`tenant "${tenant.tenantName}": ref ${JSON.stringify(props.ref)} sets ${foreign.map(k => `"${k}"`).join(', ')}, which ${oci ? 'an OCIRepository' : 'a GitRepository'} ref does not have: give ${oci ? 'a tag, semver (with semverFilter) or digest' : 'a branch, tag, semver, name or commit'}`],
        });
      }
      new ObjectPatch(this, 'source-patch', { target: tenant.source, patch: { spec: source } });
    }
  }
}

/** Every tenant of the fleet. */
export function tenantsOf(constructs: readonly IConstruct[]): Tenant[] {
  return constructs.filter(Tenant.isTenant);
}

/** The name itself when it is a valid namespace name; otherwise a stand-in, so that only the tenant's own validation reports it. */
function usableName(name: string): string {
  return new FieldChecks().label('name', name).problems.length === 0 ? name : 'invalid-tenant-name';
}
