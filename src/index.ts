// Public API of cdk8s-flux: what a fleet author needs. Test helpers are in `cdk8s-flux/testing`;
// the cdktf bootstrap stacks in `cdk8s-flux/bootstrap` (cdktf is an optional peer: this entry
// point loads none of it).

// the layout: directories, files, patches, files you own
export { ConfigMapGenerator, ConfigMapGeneratorFile, InlinePatch, LayoutDirectory, LayoutDirectoryProps } from './core/layout-directory';
export { ValuesFile, ValuesFileProps } from './core/values-file';
export { ManifestFile, ManifestFileProps } from './core/manifest-file';
export { DeepPartial, IPatchable, ObjectPatch, ObjectPatchProps, PATCH_TYPE, PatchContent, PatchOf } from './core/object-patch';
export { ExistingFile, ExistingFileProps } from './core/existing-file';
export { FileRole, ILayoutFile, PatchTarget } from './core/layout-file';
export { FleetProblem, FleetValidationError, LayoutWriteError } from './core/errors';
export { addWarning, formatWarnings, warningsOf } from './core/warnings';
export { Rules } from './core/rules';
export { FleetRule, RuleCheck, RuleFinding, RuleSeverity, RuleSubject, SUPPRESSION_PREFIX, isRuleCheck, ruleCheck } from './core/model/rules';
export { GENERATED_MARKER } from './core/render';
export { LayoutFiles, LayoutModel } from './core/layout-model';
export { LayoutPlan, WriteHooks } from './core/tree-writer';

// the model of what each cluster applies, for rules of your own (GitOpsRepo.registerCheck) and tools
export { Application, ApplierResult, ClusterBuild, ClusterModel, ClusterWalk, DirectoryApplication, IApplier } from './core/model/cluster-model';
export { ExternalObject, FleetModel, FleetModule, FleetRegistry, ModelCheck, ModelFile, RequiredKeys, ResolvedReference } from './core/model/fleet-model';
export { DerivedObject, DerivedObjects, DocumentReference, InvalidReferenceError, KindReferences, ReferenceField, ReferenceResolution, ReferenceScope } from './core/model/references';
export { CertManagerReferencesOptions, certManagerReferences, gatewayApiReferences } from './core/model/ecosystem-references';
export { AppliedPatch, BuildOverlay, BuildProblem, BuiltObject, DirectoryBuild, OverlayPatch } from './core/model/kustomize-build';
export { DocumentOrigin, TreeDocument } from './core/model/repo-tree';
export { TargetSelector } from './core/kustomize/selector';
export { JsonPatchOperation } from './core/kustomize/json-patch';

// the fleet: repository, environments, promotion, env diff
export { GitOpsRepo, GitOpsRepoProps, LayoutCheck, UnknownEnvironmentError } from './fleet/gitops-repo';
export { CrdSource, RegisteredCrd } from './validation/crd-documents';
export { Environment, RegisteredEnvironment } from './fleet/environment';
export { EnvironmentObject, environmentObjects } from './fleet/environment-objects';
export { EnvironmentDiff, FieldDifference, ObjectDifference, compareObjects, diffEnvironments, formatEnvironmentDiff } from './fleet/environment-diff';
export { Follow, Promotion, PromotionProps, VersionChoice, follows } from './fleet/promotion';

// patterns: a cluster in one call, environment overlays and components customised per environment
export { Cluster, ClusterProps, ClusterStage, ClusterSync, FluxInstanceSyncProps, GitRepositorySyncProps } from './patterns/cluster';
export { EnvironmentOverlay, EnvironmentOverlayProps, IEnvironmentComponent } from './patterns/environment-overlay';

// Flux sources, releases and kustomizations
export { API_VERSIONS } from './flux/api-versions';
export { FluxDuration, GoDurationString } from './flux/duration';
export { FluxObject, FluxObjectProps, FluxReference, IObjectRef, ImportedObject, ImportedObjectProps, L1Class } from './flux/flux-object';
export { IValuesSource } from './flux/values-source';
export { IArtifactLayout, IChartRefSource, IChartSource, IKustomizationSource, ISecretRef, SourceProps } from './flux/sources/source';
export { FluxSource } from './flux/sources/flux-source';
export { ArtifactVerification, EnumValue, OidcIdentity, SignatureProvider, SourceProvider } from './flux/sources/source-options';
export { ArtifactCopy, ArtifactGenerator, ArtifactGeneratorProps, ArtifactSource, CopyStrategy, GeneratedArtifact } from './flux/sources/artifact-generator';
export { ExternalArtifact, IExternalArtifact } from './flux/sources/external-artifact';
export { NamedObject, NamespaceReference, ServiceAccountReference } from './flux/object-refs';
export { GitInclude, GitRef, GitRepository, GitRepositoryProps, GitVerification, GitVerifyMode, IGitRepository } from './flux/sources/git-repository';
export { HelmRepository, HelmRepositoryProps, HelmRepositoryType, NamespaceSelector } from './flux/sources/helm-repository';
export { OCIRepository, OCIRepositoryProps, OciRef } from './flux/sources/oci-repository';
export { Bucket, BucketProps, BucketProvider, BucketSts } from './flux/sources/bucket';
export { ChartReconcileStrategy, HelmChart, HelmChartProps } from './flux/sources/helm-chart';
export {
  ActionStrategy, ChartNameChangeStrategy, CrdPolicy, DeletionPropagation, DriftDetection, DriftDetectionMode, HelmActionOptions, HelmRelease, HelmReleaseChart,
  HelmReleaseDependency, HelmReleaseInstall, HelmReleaseProps, HelmReleaseRollback, HelmReleaseTest, HelmReleaseUninstall, HelmReleaseUpgrade, HelmUninstallOptions, IHelmRelease,
  PostRenderStrategy, PostRenderer, ReleaseStrategy, Remediation, ServerSideApplyMode, UpgradeRemediationStrategy, ValuesReference, WaitStrategy,
} from './flux/helm-release';
export { HelmReleasePatch, HelmReleasePatchSpec } from './flux/helm-release-patch';
export { BootstrapLockdown, FluxBootstrapComponents, FluxBootstrapComponentsProps } from './flux/bootstrap/flux-bootstrap-components';
export { FLUX_OPERATOR_CHART, FLUX_OPERATOR_VERSION, FluxOperator, FluxOperatorProps } from './flux/operator/flux-operator';
export { DEFAULT_FLUX_COMPONENTS, FluxComponent, FluxInstance, FluxInstancePatch, FluxInstancePatchTarget, FluxInstanceProps, FluxInstanceSync, FluxSyncKind } from './flux/operator/flux-instance';
export {
  Decryption, DeletionPolicy, DriftIgnoreRule, IKustomization, Kustomization, KustomizationDependency, KustomizationProps, PostBuild, SubstituteReference, SubstituteStrategy,
} from './flux/kustomization';
export { HealthCheckExpression, KubeConfigReference, KustomizationPatch, KustomizeImage } from './flux/kustomize-options';

// sealed secrets
export { CertificateError, CertificateOptions, MIN_RSA_BITS, SealingCertificate } from './secrets/certificate';
export { SealingScope } from './secrets/seal';
export { SealedSecret, SealedSecretProps } from './secrets/sealed-secret';
export { SealError, SealRequest, SealedEntry, SealedStore, SealedValue } from './secrets/sealed-store';
export { SecretDeclaration, SecretDeclarationProps } from './secrets/secret-declaration';

// notifications
export { Alert, AlertProps, EventSeverity, EventSource, EventSourceKind, WildcardEventSource } from './notifications/alert';
export { IProvider, Provider, ProviderProps, ProviderType } from './notifications/provider';
export {
  FilteredResource, OidcProvider, OidcValidation, OidcVariable, Receiver, ReceiverProps, ReceiverResource, ReceiverResourceKind, ReceiverType, WildcardResource,
} from './notifications/receiver';

// tenants
export { TENANT_LABEL, Tenant, TenantCredentials, TenantEnvironmentProps, TenantGitSource, TenantOciSource, TenantOverlay, TenantProps, TenantSource, TenantSubject, fluxReconcilerUser } from './tenancy/tenant';
export { RoleRef, TenantPolicyRule, TenantRole, Verb } from './tenancy/tenant-role';

// image automation
export { DigestReflectionPolicy, ImagePolicy, ImagePolicyProps, ImagePolicyRule, TagFilter, TagOrder } from './image/image-policy';
export { IImageRepository, ImageRegistryProvider, ImageRepository, ImageRepositoryAccessFrom, ImageRepositoryProps } from './image/image-repository';
export { IImagePolicy, ImageSetter, ImageSetterField } from './image/image-setter';
export {
  ImageUpdate, ImageUpdateAutomation, ImageUpdateAutomationProps, ImageUpdateCommit, ImageUpdatePush, SigningKeyType, UpdateStrategy,
} from './image/image-update-automation';
export { LabelSelectorOperator, LabelSelectorRequirement, PolicySelector } from './image/policy-selector';

// schema validation
export { SchemaValidationOptions } from './validation/schema-check';

// the command line and the fleet graph
export { CliIo, CliOptions, FleetSource, cliUsage, cliVersion, runCli } from './cli/run-cli';
export { ExitCode } from './cli/args';
export { ClusterChange, RevisionDiff, RevisionFieldChange, RevisionObjectChange } from './fleet/revision-diff';
export { ImportedSecret, StaleValue, StoreCertificate } from './secrets/sealed-store';
export { SynthIo, runSynth } from './cli/synth';
export { SealIo, SealingEnvironment, runSeal } from './cli/seal';
export { runValidate } from './cli/validate';
export { runDiff } from './cli/diff';
export { runGraph } from './cli/graph';
export { runImport } from './cli/import';
export { ImportOptions, ImportResult, importRepository, writeImport } from './importer/import-repo';
export { ClusterComparison, ClusterDifference, RepositoryComparison } from './importer/compare';
export { FleetGraph, GraphEdge, GraphGroup, GraphNode, GraphNodeCategory, fleetGraph } from './graph/fleet-graph';
export { GRAPH_MARKER, GraphChart, GraphDocument, GraphFiles, MERMAID_MAX_TEXT, fleetGraphDocuments, fleetGraphFiles, graphCharts, graphDocument, renderGraphDocument, renderMermaid } from './graph/mermaid';

// Generated L1 classes of the vendored CRDs, one namespace per API group (names overlap across groups).
export * as source from './imports/source-source.toolkit.fluxcd.io';
export * as helm from './imports/helm-helm.toolkit.fluxcd.io';
export * as kustomize from './imports/kustomize-kustomize.toolkit.fluxcd.io';
export * as notification from './imports/notification-notification.toolkit.fluxcd.io';
export * as imageReflector from './imports/image-reflector-image.toolkit.fluxcd.io';
export * as imageAutomation from './imports/image-automation-image.toolkit.fluxcd.io';
export * as sealedSecrets from './imports/sealed-secrets-bitnami.com';
export * as sourceWatcher from './imports/source-watcher-source.extensions.fluxcd.io';
