import { ApiObject, ApiObjectProps } from 'cdk8s';
import { Construct } from 'constructs';

/** A Kubernetes API verb. */
export type Verb = 'get' | 'list' | 'watch' | 'create' | 'update' | 'patch' | 'delete' | 'deletecollection' | 'bind' | 'escalate' | 'impersonate' | 'use' | '*';

/** One rule of a tenant's Role: verbs on resources of API groups (`''` is the core group). */
export interface TenantPolicyRule {
  /** API groups (`''` for the core group, `apps`…). */
  readonly apiGroups: readonly string[];
  /** Resources of those groups (`deployments`, `ingresses/status`…). */
  readonly resources: readonly string[];
  /** What may be done with them. */
  readonly verbs: readonly Verb[];
}

/**
 * What a tenant's reconciler may do inside its namespace (and nowhere else: it is always bound
 * with a RoleBinding in that namespace).
 */
export abstract class TenantRole {
  /** Binds an existing ClusterRole (`admin`, `edit`…) inside the tenant namespace only. */
  public static clusterRole(name: string): TenantRole {
    return new ClusterRoleGrant(name);
  }

  /** A Role of the tenant namespace with exactly these rules. */
  public static rules(rules: readonly TenantPolicyRule[]): TenantRole {
    return new RulesGrant(rules);
  }

  /** @internal the role a tenant's RoleBinding refers to (declaring it first when it is the tenant's own) */
  public abstract _bind(scope: Construct, name: string, namespace: string): RoleRef;
}

/** A RoleBinding's `roleRef`. */
export interface RoleRef {
  /** Always `rbac.authorization.k8s.io`. */
  readonly apiGroup: 'rbac.authorization.k8s.io';
  /** `Role` (of the binding's namespace) or `ClusterRole`. */
  readonly kind: 'Role' | 'ClusterRole';
  /** The role's name. */
  readonly name: string;
}

class ClusterRoleGrant extends TenantRole {
  constructor(private readonly name: string) {
    super();
  }

  public _bind(): RoleRef {
    return { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: this.name };
  }
}

class RulesGrant extends TenantRole {
  constructor(private readonly rules: readonly TenantPolicyRule[]) {
    super();
  }

  public _bind(scope: Construct, name: string, namespace: string): RoleRef {
    // written rule by rule as declared (cdk8s-plus would split every resource into a rule of its own)
    new ApiObject(scope, 'role', {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'Role',
      metadata: { name, namespace },
      rules: this.rules.map(r => ({ apiGroups: [...r.apiGroups], resources: [...r.resources], verbs: [...r.verbs] })),
    } as ApiObjectProps & { rules: unknown });
    return { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name };
  }
}
