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
  /** API version of `GitRepository`. */
  GitRepository: source.GitRepository.GVK.apiVersion,
  /** API version of `HelmRepository`. */
  HelmRepository: source.HelmRepository.GVK.apiVersion,
  /** API version of `HelmChart`. */
  HelmChart: source.HelmChart.GVK.apiVersion,
  /** API version of `OCIRepository`. */
  OCIRepository: source.OciRepository.GVK.apiVersion,
  /** API version of `Bucket`. */
  Bucket: source.Bucket.GVK.apiVersion,
  /** API version of `HelmRelease`. */
  HelmRelease: helm.HelmRelease.GVK.apiVersion,
  /** API version of `Kustomization`. */
  Kustomization: kustomize.Kustomization.GVK.apiVersion,
  /** API version of `Provider`. */
  Provider: notification.Provider.GVK.apiVersion,
  /** API version of `Alert`. */
  Alert: notification.Alert.GVK.apiVersion,
  /** API version of `Receiver`. */
  Receiver: notification.Receiver.GVK.apiVersion,
  /** API version of `ImageRepository`. */
  ImageRepository: imageReflector.ImageRepository.GVK.apiVersion,
  /** API version of `ImagePolicy`. */
  ImagePolicy: imageReflector.ImagePolicy.GVK.apiVersion,
  /** API version of `ImageUpdateAutomation`. */
  ImageUpdateAutomation: imageAutomation.ImageUpdateAutomation.GVK.apiVersion,
  /** API version of `SealedSecret`. */
  SealedSecret: sealedSecrets.SealedSecret.GVK.apiVersion,
} as const;
