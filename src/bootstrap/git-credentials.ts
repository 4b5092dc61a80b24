import { Fn, ITerraformDependable, TerraformStack, TerraformVariable } from 'cdktf';
import { SecretV1 } from '@cdktf/provider-kubernetes/lib/secret-v1';

/**
 * The Secret Flux reads the fleet repository with, from files or values given as Terraform
 * variables (never in the code or in git): an SSH deploy key and known_hosts for an `ssh://` URL,
 * a user name and password (a token) for HTTPS.
 */
export function gitCredentialsSecret(stack: TerraformStack, name: string, namespace: string, url: string, dependsOn: ITerraformDependable[]): SecretV1 {
  if (/^https?:\/\//.test(url)) {
    const username = new TerraformVariable(stack, 'git_username', { type: 'string', default: 'git', description: 'User name Flux reads the fleet repository with over HTTPS' });
    const password = new TerraformVariable(stack, 'git_password', {
      type: 'string', sensitive: true, description: 'Password or token Flux reads the fleet repository with over HTTPS; never committed',
    });
    return new SecretV1(stack, 'git-credentials', {
      metadata: { name, namespace },
      data: { username: username.stringValue, password: password.stringValue },
      dependsOn,
    });
  }
  const identity = new TerraformVariable(stack, 'git_identity_path', {
    type: 'string', sensitive: true, description: 'Path of the SSH private key (deploy key) Flux reads the fleet repository with; never committed',
  });
  const knownHosts = new TerraformVariable(stack, 'git_known_hosts_path', {
    type: 'string', description: 'Path of the known_hosts file of the Git server',
  });
  return new SecretV1(stack, 'git-credentials', {
    metadata: { name, namespace },
    data: { identity: Fn.file(identity.stringValue), known_hosts: Fn.file(knownHosts.stringValue) },
    dependsOn,
  });
}
