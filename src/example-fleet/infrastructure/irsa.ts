import * as kplus from 'cdk8s-plus-27';
import { LayoutDirectory } from '../../core/layout-directory';
import { ManifestFile } from '../../core/manifest-file';
import { ObjectPatch } from '../../core/object-patch';
import { IRSA_ROLE_ANNOTATION } from './component';

/**
 * A ServiceAccount for an AWS controller using IAM roles for service accounts (IRSA), in its
 * component's `serviceaccount.yaml`. The role is per environment (`patchRole`); regional STS
 * endpoints everywhere. Its token is mounted: the controllers talk to the Kubernetes API with it.
 */
export function irsaServiceAccount(component: LayoutDirectory, name: string, namespace: string): kplus.ServiceAccount {
  return new kplus.ServiceAccount(new ManifestFile(component, 'serviceaccount'), 'service-account', {
    metadata: { name, namespace, annotations: { 'eks.amazonaws.com/sts-regional-endpoints': 'true' } },
    automountToken: true,
  });
}

/** Binds the ServiceAccount to an environment's IAM role, in that environment's overlay. */
export function patchRole(overlay: LayoutDirectory, id: string, serviceAccount: kplus.ServiceAccount, roleArn: string): ObjectPatch {
  return new ObjectPatch(overlay, id, { target: serviceAccount, patch: { metadata: { annotations: { [IRSA_ROLE_ANNOTATION]: roleArn } } } });
}
