import { LocalBackend, TerraformStack } from 'cdktf';
import { Construct } from 'constructs';
// Provider classes come from their submodules: the package roots cost ~10 s and half a GiB to type-check.
import { Release } from '@cdktf/provider-helm/lib/release';
import { HelmProvider } from '@cdktf/provider-helm/lib/provider';
import { NamespaceV1 } from '@cdktf/provider-kubernetes/lib/namespace-v1';
import { KubernetesProvider } from '@cdktf/provider-kubernetes/lib/provider';
import { SecretV1 } from '@cdktf/provider-kubernetes/lib/secret-v1';
import { isMap } from '../core/json-values';
import { toYaml } from '../core/render';
import { BootstrapTarget, FLUX_CHART_REPOSITORY, FLUX_CHART_VERSION } from './bootstrap-target';
import { clusterAccess } from './cluster-access';
import { gitCredentialsSecret } from './git-credentials';
import { sealingKeySecret } from './sealing-key';

/**
 * First stack of an environment's bootstrap: the `flux-system` namespace, Flux itself (the
 * fluxcd-community `flux2` chart, pinned), the Sealed Secrets key pair — the committed certificate
 * (public) with the private key from a file, checked to belong to it — and the deploy key Flux
 * reads this repository with. Every credential comes from a file whose path is a Terraform
 * variable: nothing secret is in the code or in git. The state (which does hold the keys) stays
 * in the stack's directory under the git-ignored `cdktf.out/`; use an encrypted remote backend
 * for real clusters.
 */
export class FluxBootstrapStack extends TerraformStack {
  /** The flux2 release. */
  public readonly flux: Release;
  /** The Sealed Secrets key Secret. */
  public readonly sealingKey: SecretV1;

  constructor(scope: Construct, target: BootstrapTarget) {
    super(scope, target.name);
    // relative to the stack's directory (cdktf.out/stacks/<env>), which git ignores
    new LocalBackend(this, { path: 'terraform.tfstate' });
    const access = clusterAccess(this, target);
    new KubernetesProvider(this, 'kubernetes', access);
    new HelmProvider(this, 'helm', { kubernetes: access });

    const namespace = new NamespaceV1(this, 'flux-system', { metadata: { name: target.sync.repository.namespace ?? 'flux-system' } });

    const lockdown = target.lockdown ? { multitenancy: { enabled: true, defaultServiceAccount: target.lockdown.defaultServiceAccount ?? 'default' } } : {};
    const values = deepMerge(target.fluxValues ?? {}, lockdown);
    this.flux = new Release(this, 'flux2', {
      name: 'flux2',
      namespace: namespace.metadata.name,
      repository: FLUX_CHART_REPOSITORY,
      chart: 'flux2',
      version: target.fluxChartVersion ?? FLUX_CHART_VERSION,
      values: Object.keys(values).length > 0 ? [toYaml([values])] : undefined,
      atomic: true,
      dependsOn: [namespace],
    });

    this.sealingKey = sealingKeySecret(this, target.name, target.sealingCertificate, target.sealedSecretsNamespace ?? 'flux-system', [namespace]);

    const secretRef = target.sync.repository.secretRefName;
    if (secretRef) gitCredentialsSecret(this, secretRef, namespace.metadata.name, target.sync.repository.apiObject.toJson().spec.url, [namespace]);
  }
}


function deepMerge(a: Record<string, unknown>, b: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...a };
  for (const [k, v] of Object.entries(b)) {
    const prev = out[k];
    out[k] = isMap(prev) && isMap(v) ? deepMerge(prev, v) : v;
  }
  return out;
}
