import { Fn, LocalBackend, Op, TerraformDataSource, TerraformStack, TerraformVariable } from 'cdktf';
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

/** The Secret label the Sealed Secrets controller looks for to pick up a key pair. */
export const SEALING_KEY_LABEL = 'sealedsecrets.bitnami.com/sealed-secrets-key';

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

    const keyPath = new TerraformVariable(this, 'sealing_key_path', {
      type: 'string', sensitive: true,
      description: `Absolute path of the Sealed Secrets private key (PEM) of ${target.name}, the one of certificate ${target.sealingCertificate.fingerprint}; never committed`,
    });
    // The public key of the given private key must be the committed certificate's: otherwise the
    // controller could not decrypt a single SealedSecret of the fleet.
    this.addOverride('terraform.required_providers.tls', { source: 'hashicorp/tls', version: '~> 4.0' });
    const publicKey = new TerraformDataSource(this, 'sealing-key-public', { terraformResourceType: 'tls_public_key' });
    publicKey.addOverride('private_key_pem', Fn.file(keyPath.stringValue));
    const expected = target.sealingCertificate.publicKey.export({ type: 'spki', format: 'pem' }).toString().trim();
    this.sealingKey = new SecretV1(this, 'sealing-key', {
      metadata: {
        name: 'sealed-secrets-key',
        namespace: target.sealedSecretsNamespace ?? 'flux-system',
        labels: { [SEALING_KEY_LABEL]: 'active' },
      },
      type: 'kubernetes.io/tls',
      // the committed certificate itself (public): exactly what the fleet's SealedSecrets are sealed for
      data: { 'tls.crt': target.sealingCertificate.pem, 'tls.key': Fn.file(keyPath.stringValue) },
      dependsOn: [namespace],
      lifecycle: {
        precondition: [{
          condition: Op.eq(Fn.trimspace(publicKey.getStringAttribute('public_key_pem')), expected),
          errorMessage: `The key at sealing_key_path does not belong to the certificate committed for ${target.name} (${target.sealingCertificate.fingerprint}): the controller could not decrypt the SealedSecrets in git. Use the matching private key, or commit the new certificate and re-seal.`,
        }],
      },
    });

    const secretRef = target.sync.repository.secretRefName;
    if (secretRef) {
      const identity = new TerraformVariable(this, 'git_identity_path', {
        type: 'string', sensitive: true, description: 'Path of the SSH private key (deploy key) Flux reads the fleet repository with; never committed',
      });
      const knownHosts = new TerraformVariable(this, 'git_known_hosts_path', {
        type: 'string', description: 'Path of the known_hosts file of the Git server',
      });
      new SecretV1(this, 'git-credentials', {
        metadata: { name: secretRef, namespace: namespace.metadata.name },
        data: { identity: Fn.file(identity.stringValue), known_hosts: Fn.file(knownHosts.stringValue) },
        dependsOn: [namespace],
      });
    }
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
