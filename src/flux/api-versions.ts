import * as helm from '../imports/helm-helm.toolkit.fluxcd.io';
import * as imageAutomation from '../imports/image-automation-image.toolkit.fluxcd.io';
import * as imageReflector from '../imports/image-reflector-image.toolkit.fluxcd.io';
import * as kustomize from '../imports/kustomize-kustomize.toolkit.fluxcd.io';
import * as notification from '../imports/notification-notification.toolkit.fluxcd.io';
import * as sealedSecrets from '../imports/sealed-secrets-bitnami.com';
import * as source from '../imports/source-source.toolkit.fluxcd.io';

/**
 * The one source of truth for the API versions the library emits: each kind's group/version as
 * generated from the vendored CRDs (`crds/`, Flux v2.9.4 and Sealed Secrets v0.36.6, each of which
 * serves exactly one version). Upgrading Flux means replacing the CRDs and running `npm run import`.
 */
export const API_VERSIONS = {
  GitRepository: source.GitRepository.GVK.apiVersion,
  HelmRepository: source.HelmRepository.GVK.apiVersion,
  HelmChart: source.HelmChart.GVK.apiVersion,
  OCIRepository: source.OciRepository.GVK.apiVersion,
  Bucket: source.Bucket.GVK.apiVersion,
  HelmRelease: helm.HelmRelease.GVK.apiVersion,
  Kustomization: kustomize.Kustomization.GVK.apiVersion,
  Provider: notification.Provider.GVK.apiVersion,
  Alert: notification.Alert.GVK.apiVersion,
  Receiver: notification.Receiver.GVK.apiVersion,
  ImageRepository: imageReflector.ImageRepository.GVK.apiVersion,
  ImagePolicy: imageReflector.ImagePolicy.GVK.apiVersion,
  ImageUpdateAutomation: imageAutomation.ImageUpdateAutomation.GVK.apiVersion,
  SealedSecret: sealedSecrets.SealedSecret.GVK.apiVersion,
} as const;
