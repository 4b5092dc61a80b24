import { Application, ownerOf } from '../core/model/cluster-model';
import { isClusterScoped } from '../core/kustomize/namespace';
import { FleetModel, FleetModule, ModelCheck } from '../core/model/fleet-model';
import { ProblemSet } from '../core/model/problem-set';
import { ReferenceResolution } from '../core/model/references';
import { makesArtifact } from '../flux/model/artifact-generators';
import { Tenant, tenantsOf } from './tenant';

/** Options of the tenancy checks. */
export interface TenancyCheckOptions {
  /** The clusters (repository paths of their directories) whose Flux runs with the multi-tenancy lockdown, with their environment's name. */
  readonly lockedDown: ReadonlyMap<string, string>;
}

/** The ServiceAccounts of the Flux controllers, which a `flux-system` object may impersonate. */
const CONTROLLER_ACCOUNTS = ['kustomize-controller', 'helm-controller'];
const FLUX_NAMESPACE = 'flux-system';
/** Namespaces no tenant may own: Kubernetes' own, the default one every user reaches, and Flux's. */
const SYSTEM_NAMESPACES = ['kube-system', 'kube-public', 'kube-node-lease', 'default', FLUX_NAMESPACE];
/** Groups every account, every signed-in user or anyone at all belongs to. */
const BROAD_GROUPS = ['system:serviceaccounts', 'system:authenticated', 'system:unauthenticated'];
/** Kubernetes' built-in roles that may change workloads and their secrets. */
const PRIVILEGED_CLUSTER_ROLES = ['cluster-admin', 'admin', 'edit'];
/** The fields through which a Flux object builds a source's content with its own rights. */
const BUILD_FIELDS = ['spec.sourceRef', 'spec.chart.spec.sourceRef', 'spec.chartRef'];

interface Applied {
  readonly application: Application;
  /** Where problems are reported: the construct that declared it, or its file. */
  readonly owner: string;
  /** As the cluster gets it: patches applied. */
  readonly doc: Record<string, any>;
  /** Its namespace in the cluster. */
  readonly namespace?: string;
}

/**
 * Tenant isolation, always, and Flux's multi-tenancy lockdown in the environments that turn it
 * on, checked cluster by cluster on the model of what each cluster applies:
 *
 * - tenants: valid, unique namespaces; objects in a tenant namespace reference nothing outside
 *   it (the tenant's declared platform `dependsOn` excepted), reconcile as the tenant's account
 *   into the tenant's namespace; objects in a tenant's directories stay in its namespace; no
 *   RBAC binds a tenant account outside its namespace;
 * - lockdown: every Kustomization and HelmRelease names the ServiceAccount it impersonates (Flux
 *   would otherwise use `default`, which has no rights), and that account exists in the cluster
 *   (defined by the fleet, or a Flux controller's). Cross-namespace references are the Flux
 *   module's check.
 */
export function tenancyCheck(options: TenancyCheckOptions): ModelCheck {
  return {
    id: 'tenancy/isolation',
    description: 'tenants stay in their namespaces; locked-down clusters name an existing account for every reconciler',
    check: model => {
      const problems = new ProblemSet();
      const report = (path: string, message: string) => problems.add(path, message);
      const tenants = tenantsOf(model.constructs);
      checkTenantNamespaces(tenants, report);
      const tenantOfFile = tenantsByDirectory(tenants);
      for (const cluster of model.clusters) {
        const applied = appliedObjects(cluster.applications);
        checkTenantObjects(model, tenants, applied, report, tenantOfFile);
        checkTenantRbac(tenants, applied, report);
        checkBroadBindings(applied, report);
        checkPlatformBuilds(model, tenants, applied, report);
        const environment = options.lockedDown.get(cluster.directory);
        if (environment !== undefined) {
          checkLockdown(environment, cluster.name, applied, report);
          checkServiceAccounts(environment, cluster.name, applied, report);
        }
      }
      return problems.list;
    },
  };
}

/** The tenancy module: its checks. */
export function tenancyModule(options: TenancyCheckOptions): FleetModule {
  return { name: 'tenancy', register: registry => registry.registerCheck(tenancyCheck(options)) };
}

type Report = (path: string, message: string) => void;

function appliedObjects(applications: readonly Application[]): Applied[] {
  return applications.map(application => ({
    application,
    owner: ownerOf(application),
    doc: application.doc,
    namespace: application.namespace,
  }));
}

function describeApplied(a: Applied): string {
  return `${a.doc.kind} ${a.namespace ? `${a.namespace}/` : ''}${a.doc.metadata?.name}`;
}

function checkTenantNamespaces(tenants: Tenant[], report: Report): void {
  const claimed = new Map<string, Tenant>();
  for (const t of tenants.filter(x => x._validNames)) { // an invalid name is reported by the tenant itself
    if (SYSTEM_NAMESPACES.includes(t.namespace)) {
      report(t.node.path, `tenant "${t.tenantName}": namespace "${t.namespace}" is a system namespace (${SYSTEM_NAMESPACES.join(', ')}): a tenant's reconciler would get rights over the cluster's or Flux's own objects there; give the tenant a namespace of its own (e.g. namespace: "${t.tenantName === t.namespace ? `${t.tenantName}-apps` : t.tenantName}")`);
      continue;
    }
    const other = claimed.get(t.namespace);
    if (other && other !== t) {
      report(t.node.path, `tenant "${t.tenantName}" claims namespace "${t.namespace}", which tenant "${other.tenantName}" (${other.node.path}) already owns: give each tenant its own namespace`);
    } else {
      claimed.set(t.namespace, t);
    }
  }
}

/** The tenant whose directories (base or environment overlays) hold a file: by the file's parent directories. */
function tenantsByDirectory(tenants: Tenant[]): (file: string) => Tenant | undefined {
  const byDir = new Map<string, Tenant>();
  for (const t of tenants) for (const d of [t, ...t.environments]) if (!byDir.has(d.repoPath)) byDir.set(d.repoPath, t);
  const memo = new Map<string, Tenant | undefined>();
  return file => {
    const dir = file.slice(0, file.lastIndexOf('/'));
    if (memo.has(dir)) return memo.get(dir);
    let found: Tenant | undefined;
    for (let d = dir; d && !found; d = d.includes('/') ? d.slice(0, d.lastIndexOf('/')) : '') found = byDir.get(d);
    memo.set(dir, found);
    return found;
  };
}

function checkTenantObjects(model: FleetModel, tenants: Tenant[], applied: Applied[], report: Report, tenantOfFile: (file: string) => Tenant | undefined): void {
  const byNamespace = new Map<string, Tenant>();
  for (const t of tenants) if (!byNamespace.has(t.namespace)) byNamespace.set(t.namespace, t); // a second claim is reported on its own
  for (const a of applied) {
    const home = tenantOfFile(a.application.built.source.file);
    if (home && a.doc.kind !== 'Namespace' && a.namespace !== home.namespace) {
      report(a.owner, `tenant "${home.tenantName}": ${describeApplied(a)} (in ${a.application.built.source.file}) is in namespace ${a.namespace === undefined ? (isClusterScoped(String(a.doc.apiVersion), String(a.doc.kind)) ? '(none: cluster-scoped)' : '(none: it states no namespace, so it lands in whichever namespace applies it)') : `"${a.namespace}"`}, not the tenant's namespace "${home.namespace}": a tenant's objects live in its own namespace; put it there, or move it out of the tenant's directories`);
    }
    const tenant = a.namespace === undefined ? undefined : byNamespace.get(a.namespace);
    if (!tenant) continue;
    for (const ref of model.referencesOf(a.application)) {
      if (ref.namespace === undefined || ref.namespace === tenant.namespace || ref.rule.resolution === ReferenceResolution.INFORMATIONAL) continue;
      // a field its kind declares open across namespaces (a Gateway's parentRefs: the Gateway's allowedRoutes decides); Flux's dependsOn stays checked
      if (ref.rule.lockedDown === false && !ref.field.startsWith('spec.dependsOn') && !ref.field.startsWith('spec.healthChecks')) continue;
      const platformDependency = ref.field.startsWith('spec.dependsOn') && a.owner === tenant.sync.node.path
        && tenant.platformDependencies.some(d => d.name === ref.name && d.namespace === ref.namespace);
      if (platformDependency) continue;
      report(a.owner, `tenant "${tenant.tenantName}": ${describeApplied(a)} ${ref.field} points at ${ref.kind} ${ref.namespace}/${ref.name} in namespace "${ref.namespace}": a tenant's objects may reference only objects of their own namespace "${tenant.namespace}"; define ${ref.kind} ${ref.name} in "${tenant.namespace}"${ref.field.startsWith('spec.dependsOn') && a.doc.kind === 'Kustomization' ? ' or, for a platform Kustomization the tenant waits for, declare it in the Tenant\'s dependsOn' : ''}`);
    }
    if (a.doc.kind === 'Kustomization' || a.doc.kind === 'HelmRelease') {
      const account = tenant.serviceAccount.name;
      const spec = a.doc.spec ?? {};
      if (spec.serviceAccountName !== account) {
        report(a.owner, `tenant "${tenant.tenantName}": ${describeApplied(a)} spec.serviceAccountName is ${spec.serviceAccountName === undefined ? 'not set' : JSON.stringify(spec.serviceAccountName)}: a tenant's ${a.doc.kind}s must reconcile as the tenant's account; set serviceAccountName: "${account}"`);
      }
      if (spec.targetNamespace !== undefined && spec.targetNamespace !== tenant.namespace) {
        report(a.owner, `tenant "${tenant.tenantName}": ${describeApplied(a)} spec.targetNamespace is "${spec.targetNamespace}", outside the tenant: set it to "${tenant.namespace}" or leave it out`);
      }
    }
  }
}

function checkTenantRbac(tenants: Tenant[], applied: Applied[], report: Report): void {
  const tenantOf = new Map(tenants.map(t => [t.namespace, t]));
  for (const a of applied) {
    if (a.doc.kind !== 'RoleBinding' && a.doc.kind !== 'ClusterRoleBinding') continue;
    for (const subject of (a.doc.subjects ?? []) as { kind?: string; name?: string; namespace?: string }[]) {
      const account = serviceAccountOf(subject);
      const tenant = account ? tenantOf.get(account.namespace) : undefined;
      if (!tenant || !account) continue;
      if (a.doc.kind === 'ClusterRoleBinding') {
        report(a.owner, `tenant "${tenant.tenantName}": ${describeApplied(a)} binds ServiceAccount ${account.namespace}/${account.name} cluster-wide: a tenant's rights stop at its namespace; use a RoleBinding in "${tenant.namespace}"`);
      } else if (a.namespace !== tenant.namespace) {
        report(a.owner, `tenant "${tenant.tenantName}": ${describeApplied(a)} gives ServiceAccount ${account.namespace}/${account.name} rights in namespace "${a.namespace}", outside the tenant: bind tenant accounts only in "${tenant.namespace}"`);
      }
    }
  }
}

/** Under the lockdown, an account that does not exist means a reconciliation that always fails. */
/**
 * The ServiceAccount (or all accounts of a namespace, name `*`) an RBAC subject grants: a
 * ServiceAccount subject, or the user / group names Kubernetes gives service accounts.
 */
function serviceAccountOf(subject: { kind?: string; name?: string; namespace?: string }): { namespace: string; name: string } | undefined {
  if (subject.kind === 'ServiceAccount' && subject.namespace && subject.name) return { namespace: subject.namespace, name: subject.name };
  const user = subject.kind === 'User' ? /^system:serviceaccount:([^:]+):(.+)$/.exec(subject.name ?? '') : null;
  if (user) return { namespace: user[1], name: user[2] };
  const group = subject.kind === 'Group' ? /^system:serviceaccounts:([^:]+)$/.exec(subject.name ?? '') : null;
  return group ? { namespace: group[1], name: '*' } : undefined;
}

function checkServiceAccounts(environment: string, cluster: string, applied: Applied[], report: Report): void {
  const accounts = new Set(applied.filter(a => a.doc.kind === 'ServiceAccount').map(a => `${a.namespace}/${a.doc.metadata?.name}`));
  for (const name of CONTROLLER_ACCOUNTS) accounts.add(`${FLUX_NAMESPACE}/${name}`);
  for (const a of applied) {
    if (a.doc.kind !== 'Kustomization' && a.doc.kind !== 'HelmRelease') continue;
    const account = a.doc.spec?.serviceAccountName;
    if (account === undefined || accounts.has(`${a.namespace}/${account}`)) continue;
    report(a.owner, `${describeApplied(a)} spec.serviceAccountName "${account}" names no ServiceAccount of namespace "${a.namespace}" in environment "${environment}" (cluster "${cluster}", lockdown on: Flux impersonates an account of the object's own namespace): define it there${CONTROLLER_ACCOUNTS.includes(account) ? `, or move this ${a.doc.kind} to "${FLUX_NAMESPACE}", where the controllers' accounts are` : ''}`);
  }
}

function checkLockdown(environment: string, cluster: string, applied: Applied[], report: Report): void {
  const where = `environment "${environment}" (cluster "${cluster}") runs Flux with the multi-tenancy lockdown`;
  for (const a of applied) {
    if ((a.doc.kind === 'Kustomization' || a.doc.kind === 'HelmRelease') && a.doc.spec?.serviceAccountName === undefined) {
      const controller = a.doc.kind === 'Kustomization' ? 'kustomize-controller' : 'helm-controller';
      report(a.owner, `${where}: ${describeApplied(a)} has no spec.serviceAccountName, so Flux would impersonate the "default" ServiceAccount of "${a.namespace}", which has no rights: set serviceAccountName ("${controller}" for a platform ${a.doc.kind} in "${FLUX_NAMESPACE}", a tenant's reconciler for a tenant's)`);
    }
  }
}

/** A role that grants everything of some resource or every resource: `*` in its verbs, resources or API groups' resources. */
function isWildcardRole(doc: Record<string, any>): boolean {
  return ((doc.rules ?? []) as { verbs?: string[]; resources?: string[] }[]).some(r => (r.verbs ?? []).includes('*') || (r.resources ?? []).includes('*'));
}

/**
 * No binding anywhere in the fleet gives a privileged role (cluster-admin, admin, edit, or a role
 * of the fleet with `*` verbs or resources) to a group that every account, every signed-in user
 * or anyone belongs to: that would hand a tenant (or anyone) the platform's rights.
 */
function checkBroadBindings(applied: Applied[], report: Report): void {
  const wildcardRoles = new Set(applied
    .filter(a => (a.doc.kind === 'ClusterRole' || a.doc.kind === 'Role') && isWildcardRole(a.doc))
    .map(a => `${a.doc.kind}/${a.doc.kind === 'Role' ? `${a.namespace}/` : ''}${a.doc.metadata?.name}`));
  for (const a of applied) {
    if (a.doc.kind !== 'RoleBinding' && a.doc.kind !== 'ClusterRoleBinding') continue;
    const roleRef = a.doc.roleRef ?? {};
    const privileged = roleRef.kind === 'ClusterRole'
      ? PRIVILEGED_CLUSTER_ROLES.includes(roleRef.name) || wildcardRoles.has(`ClusterRole/${roleRef.name}`)
      : roleRef.kind === 'Role' && wildcardRoles.has(`Role/${a.namespace}/${roleRef.name}`);
    if (!privileged) continue;
    const why = PRIVILEGED_CLUSTER_ROLES.includes(roleRef.name) && roleRef.kind === 'ClusterRole' ? 'a privileged built-in role' : 'a role with "*" verbs or resources';
    ((a.doc.subjects ?? []) as { kind?: string; name?: string }[]).forEach((subject, i) => {
      const broad = (subject.kind === 'Group' && BROAD_GROUPS.includes(subject.name ?? '')) || (subject.kind === 'User' && subject.name === 'system:anonymous');
      if (!broad) return;
      report(a.owner, `${describeApplied(a)} subjects[${i}] is ${subject.kind} "${subject.name}", bound to ${roleRef.kind} "${roleRef.name}" (${why})${a.doc.kind === 'RoleBinding' ? ` in namespace "${a.namespace}"` : ' cluster-wide'}: every ${subject.name === 'system:serviceaccounts' ? 'ServiceAccount of the cluster, tenants\' included,' : subject.name === 'system:authenticated' ? 'signed-in user and account' : 'anonymous request'} would get it; bind the role to named subjects (a ServiceAccount, a user, a group of your own) instead of ${BROAD_GROUPS.map(g => `"${g}"`).join(', ')}`);
    });
  }
}

/** The ArtifactGenerator the cluster applies that makes an ExternalArtifact, if any. */
function generatorOf(applied: readonly Applied[], namespace: string | undefined, name: string): Applied | undefined {
  return applied.find(g => makesArtifact(g.doc, g.namespace, namespace, name));
}

/**
 * A platform object (outside every tenant namespace) that builds a tenant's source — a
 * Kustomization applying a tenant's repository, a HelmRelease installing a chart from it — must
 * impersonate the tenant's account: with the controller's own account it would apply what the
 * tenant commits with the platform's rights.
 */
function checkPlatformBuilds(model: FleetModel, tenants: Tenant[], applied: Applied[], report: Report): void {
  const byNamespace = new Map<string, Tenant>();
  for (const t of tenants) if (!byNamespace.has(t.namespace)) byNamespace.set(t.namespace, t);
  for (const a of applied) {
    if (a.doc.kind !== 'Kustomization' && a.doc.kind !== 'HelmRelease') continue;
    if (a.namespace !== undefined && byNamespace.has(a.namespace)) continue; // a tenant's own object: checked above
    // any account of a platform namespace is the platform's: only the tenant's own namespace holds the tenant's account
    const account = a.doc.spec?.serviceAccountName as string | undefined;
    for (const ref of model.referencesOf(a.application)) {
      if (!BUILD_FIELDS.includes(ref.field)) continue;
      // a tenant's source read directly, or through an ArtifactGenerator that copies from it
      const through = ref.kind === 'ExternalArtifact' ? generatorOf(applied, ref.namespace, ref.name) : undefined;
      const sources = through ? model.referencesOf(through.application).filter(r => r.field.startsWith('spec.sources')) : [ref];
      for (const source of sources) {
        const tenant = source.namespace === undefined ? undefined : byNamespace.get(source.namespace);
        if (!tenant) continue;
        const via = through ? ` (ExternalArtifact ${ref.namespace}/${ref.name}, which ArtifactGenerator ${through.namespace}/${String(through.doc.metadata?.name)} makes from ${source.kind} ${source.namespace}/${source.name})` : '';
        report(a.owner, `${describeApplied(a)} ${ref.field} points at ${through ? `${ref.kind} ${ref.namespace}/${ref.name}${via}` : `${ref.kind} ${ref.namespace}/${ref.name}`}, tenant "${tenant.tenantName}"'s source, and spec.serviceAccountName is ${account === undefined ? `not set (the controller's own account)` : `"${account}", an account of the platform's namespace "${a.namespace ?? 'default'}"`}: it would ${a.doc.kind === 'Kustomization' ? 'apply' : 'install'} what the tenant commits with the platform's rights; let the tenant's own Kustomization in "${tenant.namespace}" build it (Tenant.sync), or move this ${a.doc.kind} to "${tenant.namespace}" with serviceAccountName: "${tenant.serviceAccount.name}"`);
      }
    }
  }
}
