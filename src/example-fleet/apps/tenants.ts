import { Construct } from 'constructs';
import { GitRepository } from '../../flux/sources/git-repository';
import { ImagePolicy, ImagePolicyRule } from '../../image/image-policy';
import { ImageRepository } from '../../image/image-repository';
import { ImageUpdateAutomation } from '../../image/image-update-automation';
import { LayoutDirectory } from '../../core/layout-directory';
import { ManifestFile } from '../../core/manifest-file';
import { ObjectPatch } from '../../core/object-patch';
import { Alert, EventSeverity, EventSourceKind } from '../../notifications/alert';
import { Provider, ProviderType } from '../../notifications/provider';
import { SealedSecret } from '../../secrets/sealed-secret';
import { SecretDeclaration } from '../../secrets/secret-declaration';
import { Tenant, TenantOverlay } from '../../tenancy/tenant';
import { FleetComponent, FleetOverlay } from '../infrastructure/component';
import { TenantPolicyRule, TenantRole, Verb } from '../../tenancy/tenant-role';
import { EnvironmentName } from '../environments';

const MANAGE: readonly Verb[] = ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete'];

/** What both of the seed's tenants may do in their namespaces (seed rbac.yaml, typed). */
const WORKLOAD_RULES: readonly TenantPolicyRule[] = [
  { apiGroups: [''], resources: ['pods', 'configmaps', 'services', 'endpoints', 'persistentvolumeclaims'], verbs: MANAGE },
  { apiGroups: ['apps'], resources: ['deployments', 'daemonsets', 'statefulsets', 'replicasets'], verbs: MANAGE },
  { apiGroups: ['networking.k8s.io'], resources: ['ingresses'], verbs: MANAGE },
  { apiGroups: ['networking.k8s.io'], resources: ['ingresses/status'], verbs: ['update'] },
];

/**
 * The seed repository's two tenants (zxkane/eks-gitops, apps/), typed. In the seed, sock-shop's
 * patches were copied from app-a's and still moved its objects into namespace "app-a"; here each
 * tenant's objects come from its own definition, and synth rejects an object that strays.
 */
export class ExampleTenants extends LayoutDirectory implements FleetComponent {
  /** app-a: a Helm-based application from its own repository, branch `main`. */
  public readonly appA: Tenant;
  /** sock-shop: a kustomize application on branch `gitops`, where image automation commits. */
  public readonly sockShop: Tenant;
  private readonly sockShopProvider: Provider;

  constructor(scope: Construct) {
    super(scope, 'base', { kustomize: false }); // apps/base/: each tenant is built by its environment overlays
    this.appA = new Tenant(this, {
      name: 'app-a',
      source: { git: { url: 'https://github.com/zxkane/eks-gitops-app-a.git', ref: { branch: 'main' } } },
      // the tenant's repository has overlays/development, overlays/staging and overlays/product
      path: './overlays/product',
      role: TenantRole.rules([
        ...WORKLOAD_RULES,
        // Helm stores releases in Secrets; the tenant's charts come from its own HelmRepositories
        { apiGroups: [''], resources: ['secrets'], verbs: ['get', 'list', 'create', 'delete', 'update'] },
        { apiGroups: ['batch'], resources: ['jobs'], verbs: MANAGE },
        { apiGroups: ['source.toolkit.fluxcd.io'], resources: ['helmrepositories'], verbs: MANAGE },
        { apiGroups: ['helm.toolkit.fluxcd.io'], resources: ['helmreleases'], verbs: MANAGE },
      ]),
      // no dependsOn: the apps Kustomization that applies this one already waits for the infrastructure
    });

    this.sockShop = new Tenant(this, {
      name: 'sock-shop',
      source: { git: { url: 'https://github.com/zxkane/microservices-demo.git', ref: { branch: 'gitops' } } },
      // branch gitops of the tenant's repository has only this overlay: sock-shop runs in development only, as in the seed
      path: './deploy/kubernetes/overlays/development',
      role: TenantRole.rules(WORKLOAD_RULES),
    });

    // sock-shop's own notifications: its own channel, its own objects only
    const notifications = new ManifestFile(this.sockShop, 'notifications');
    this.sockShopProvider = new Provider(notifications, 'provider', {
      metadata: { name: 'slack', namespace: this.sockShop.namespace },
      type: ProviderType.SLACK,
      secretRef: SOCK_SHOP_SLACK_URL,
    });
    const { GIT_REPOSITORY, KUSTOMIZATION } = EventSourceKind;
    new Alert(notifications, 'alert', {
      metadata: { name: 'sock-shop', namespace: this.sockShop.namespace },
      provider: this.sockShopProvider,
      eventSeverity: EventSeverity.INFO,
      eventSources: [GIT_REPOSITORY, KUSTOMIZATION].map(kind => ({ kind, name: '*' as const })),
    });
  }

  /**
   * Enables the tenants in an environment, with the paths their repositories have: app-a's
   * `overlays/<env>` (production's is `overlays/product`); sock-shop, in development only (the only
   * overlay of its branch `gitops`), with its credentials, channel and image automation.
   */
  public customize(overlay: FleetOverlay): void {
    const env = overlay.environment;
    this.appA.enable(overlay, { path: `./overlays/${APP_A_OVERLAYS[env.name]}` });
    if (!SOCK_SHOP_ENVIRONMENTS.includes(env.name)) return;
    const sockShopPath = `./deploy/kubernetes/overlays/${env.name}`;
    const sockShop = this.sockShop.enable(overlay, {
      path: sockShopPath,
      // image automation pushes to the tenant's repository: it needs write access there
      credentials: env.imageAutomation ? { name: 'sock-shop-git', keys: ['username', 'password'], store: overlay.store } : undefined,
    });
    if (env.imageAutomation) this.sockShopImageAutomation(sockShop, sockShopPath);
    new ObjectPatch(sockShop, 'notifications-patch', { target: this.sockShopProvider, patch: { spec: { channel: env.slackChannel } } });
    SealedSecret.forDeclaration(new ManifestFile(sockShop, 'slack-url'), 'secret', SOCK_SHOP_SLACK_URL, { store: overlay.store });
  }

  /**
   * sock-shop's front-end image, updated by Flux in the tenant's own repository (branch `gitops`,
   * the environment's overlay there), as the seed had it for development. The markers live in
   * that repository, so the update path is one of its directories, not one of this fleet's.
   */
  private sockShopImageAutomation(overlay: TenantOverlay, path: string): void {
    const namespace = this.sockShop.namespace;
    const file = new ManifestFile(overlay, 'image-automation');
    // named as the markers in the tenant's repository name the policy: {"$imagepolicy": "sock-shop:sock-shop-front-end:tag"}
    const images = new ImageRepository(file, 'repository', {
      metadata: { name: IMAGE_POLICY, namespace },
      image: 'ghcr.io/zxkane/weaveworksdemos/front-end',
      interval: '1m0s',
    });
    new ImagePolicy(file, 'policy', {
      metadata: { name: IMAGE_POLICY, namespace },
      imageRepository: images,
      policy: ImagePolicyRule.semver('^0.3.x-0'),
    });
    new ImageUpdateAutomation(file, 'automation', {
      metadata: { name: IMAGE_POLICY, namespace },
      sourceRef: this.sockShop.source as GitRepository,
      checkout: { branch: 'gitops' },
      push: { branch: 'gitops' },
      commit: {
        author: { name: 'fluxcdbot', email: 'fluxcdbot@users.noreply.github.com' },
        messageTemplate: '{{range .Changed.Changes}}{{print .OldValue}} -> {{println .NewValue}}{{end}}',
      },
      update: { externalPath: path },
      interval: '5m0s',
    });
  }
}

/** The overlay of app-a's repository for each environment (its production overlay is `overlays/product`). */
const APP_A_OVERLAYS: Readonly<Record<EnvironmentName, string>> = { development: 'development', staging: 'staging', production: 'product' };

/** The environments sock-shop runs in: its repository's branch `gitops` has only the development overlay. */
const SOCK_SHOP_ENVIRONMENTS: readonly EnvironmentName[] = ['development'];

/** The name the image markers in sock-shop's repository give its front-end's ImagePolicy. */
const IMAGE_POLICY = 'sock-shop-front-end';

/** sock-shop's Slack webhook, sealed per environment into its namespace. */
export const SOCK_SHOP_SLACK_URL = new SecretDeclaration({ name: 'slack-url', namespace: 'sock-shop', keys: ['address'] });
