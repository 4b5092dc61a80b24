import { TerraformVariable } from 'cdktf';
import { Construct } from 'constructs';

/**
 * How the providers reach the cluster: a kubeconfig file and context, both Terraform variables, so
 * that no endpoint or credential is written into the stack.
 */
export function clusterAccess(scope: Construct, target: { readonly name: string; readonly kubeContext?: string }): { configPath: string; configContext: string } {
  const path = new TerraformVariable(scope, 'kubeconfig_path', {
    type: 'string', default: '~/.kube/config', description: 'Path of the kubeconfig file to reach the cluster with',
  });
  const context = new TerraformVariable(scope, 'kube_context', {
    type: 'string', default: target.kubeContext, description: `kubeconfig context of the ${target.name} cluster`,
  });
  return { configPath: path.stringValue, configContext: context.stringValue };
}
