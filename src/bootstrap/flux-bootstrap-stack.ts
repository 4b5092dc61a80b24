import { Fn, Op, TerraformStack, TerraformVariable } from 'cdktf';
import { Construct } from 'constructs';
// Provider classes come from their submodules: the package roots cost ~10 s and half a GiB to type-check.
import { Release } from '@cdktf/provider-helm/lib/release';
import { HelmProvider } from '@cdktf/provider-helm/lib/provider';
import { NamespaceV1 } from '@cdktf/provider-kubernetes/lib/namespace-v1';
import { KubernetesProvider } from '@cdktf/provider-kubernetes/lib/provider';
import { SecretV1 } from '@cdktf/provider-kubernetes/lib/secret-v1';
import { toYaml } from '../layout/render';
import { BootstrapTarget, FLUX_CHART_REPOSITORY, FLUX_CHART_VERSION } from './bootstrap-target';
import { clusterAccess } from './cluster-access';

/** The Secret label the Sealed Secrets controller looks for to pick up a key pair. */
export const SEALING_KEY_LABEL = 'sealedsecrets.bitnami.com/sealed-secrets-key';

/**
 * First stack of an environment's bootstrap: the `flux-system` namespace, Flux itself (the
 * fluxcd-community `flux2` chart, pinned), the Sealed Secrets key pair whose certificate must be
 * the one committed for sealing, and the deploy key Flux reads this repository with. Every
 * credential comes from a file whose path is a Terraform variable: nothing secret is in the code
 * or in git.
 */
export class FluxBootstrapStack extends TerraformStack {
  /** The flux2 release. */
  public readonly flux: Release;
  /** The Sealed Secrets key Secret. */
  public readonly sealingKey: SecretV1;

  constructor(scope: Construct, target: BootstrapTarget) {
    super(scope, target.name);
    const access = clusterAccess(this, target);
    new KubernetesProvider(this, 'kubernetes', access);
    new HelmProvider(this, 'helm', { kubernetes: access });

    const namespace = new NamespaceV1(this, 'flux-system', { metadata: { name: target.sync.repository.namespace ?? 'flux-system' } });

    const values: Record<string, unknown> = {
      ...target.fluxValues,
      ...target.lockdown ? { multitenancy: { enabled: true, defaultServiceAccount: target.lockdown.defaultServiceAccount ?? 'default' } } : {},
    };
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
      description: `Path of the Sealed Secrets private key (PEM) of ${target.name}; never committed`,
    });
    const certPath = new TerraformVariable(this, 'sealing_certificate_path', {
      type: 'string',
      description: `Path of the Sealed Secrets certificate (PEM) of ${target.name}; must equal ${target.sealingCertificate.source}`,
    });
    const committed = target.sealingCertificate.pem.trim();
    this.sealingKey = new SecretV1(this, 'sealing-key', {
      metadata: {
        name: 'sealed-secrets-key',
        namespace: target.sealedSecretsNamespace ?? 'flux-system',
        labels: { [SEALING_KEY_LABEL]: 'active' },
      },
      type: 'kubernetes.io/tls',
      data: { 'tls.crt': Fn.file(certPath.stringValue), 'tls.key': Fn.file(keyPath.stringValue) },
      dependsOn: [namespace],
      lifecycle: {
        precondition: [{
          condition: Op.eq(Fn.trimspace(Fn.file(certPath.stringValue)), committed),
          errorMessage: `The certificate at sealing_certificate_path is not the one committed for ${target.name} (${target.sealingCertificate.source}, ${target.sealingCertificate.fingerprint}): the SealedSecrets in git could not be decrypted. Use the matching key pair, or re-seal after committing the new certificate.`,
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

