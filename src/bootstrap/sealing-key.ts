import { Fn, Op, TerraformDataSource, TerraformStack, TerraformVariable } from 'cdktf';
import { SecretV1 } from '@cdktf/provider-kubernetes/lib/secret-v1';
import { ITerraformDependable } from 'cdktf';
import { SealingCertificate } from '../secrets/certificate';

/** The Secret label the Sealed Secrets controller looks for to pick up a key pair. */
export const SEALING_KEY_LABEL = 'sealedsecrets.bitnami.com/sealed-secrets-key';

/**
 * The Sealed Secrets key pair as a `kubernetes.io/tls` Secret the controller picks up: the
 * committed certificate itself (public) with the private key from a file whose path is a
 * Terraform variable, and a precondition that the key belongs to that certificate (otherwise the
 * controller could not decrypt a single SealedSecret of the fleet).
 */
export function sealingKeySecret(stack: TerraformStack, environment: string, certificate: SealingCertificate, namespace: string, dependsOn: ITerraformDependable[]): SecretV1 {
  const keyPath = new TerraformVariable(stack, 'sealing_key_path', {
    type: 'string', sensitive: true,
    description: `Absolute path of the Sealed Secrets private key (PEM) of ${environment}, the one of certificate ${certificate.fingerprint}; never committed`,
  });
  stack.addOverride('terraform.required_providers.tls', { source: 'hashicorp/tls', version: '~> 4.0' });
  const publicKey = new TerraformDataSource(stack, 'sealing-key-public', { terraformResourceType: 'tls_public_key' });
  publicKey.addOverride('private_key_pem', Fn.file(keyPath.stringValue));
  const expected = certificate.publicKey.export({ type: 'spki', format: 'pem' }).toString().trim();
  return new SecretV1(stack, 'sealing-key', {
    metadata: { name: 'sealed-secrets-key', namespace, labels: { [SEALING_KEY_LABEL]: 'active' } },
    type: 'kubernetes.io/tls',
    data: { 'tls.crt': certificate.pem, 'tls.key': Fn.file(keyPath.stringValue) },
    dependsOn,
    lifecycle: {
      precondition: [{
        condition: Op.eq(Fn.trimspace(publicKey.getStringAttribute('public_key_pem')), expected),
        errorMessage: `The key at sealing_key_path does not belong to the certificate committed for ${environment} (${certificate.fingerprint}): the controller could not decrypt the SealedSecrets in git. Use the matching private key, or commit the new certificate and re-seal.`,
      }],
    },
  });
}
