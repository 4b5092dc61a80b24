import { LocalBackend, TerraformStack } from 'cdktf';
import { Construct } from 'constructs';
import { parseAllDocuments } from 'yaml';
import { Release } from '@cdktf/provider-helm/lib/release';
import { HelmProvider } from '@cdktf/provider-helm/lib/provider';
import { NamespaceV1 } from '@cdktf/provider-kubernetes/lib/namespace-v1';
import { KubernetesProvider } from '@cdktf/provider-kubernetes/lib/provider';
import { SecretV1 } from '@cdktf/provider-kubernetes/lib/secret-v1';
import { isMap } from '../core/json-values';
import { toYaml } from '../core/render';
import { SealingCertificate } from '../secrets/certificate';
import { clusterAccess } from './cluster-access';
import { gitCredentialsSecret } from './git-credentials';
import { sealingKeySecret } from './sealing-key';

/** What the one-apply bootstrap of a cluster needs: the files synth wrote for it, and the keys' files at apply time. */
export interface OperatorBootstrapTarget {
  /** The environment's name: the stack's. */
  readonly name: string;
  /** Repository path of the cluster's directory, e.g. `clusters/cluster-dev`. */
  readonly clusterDirectory: string;
  /**
   * The synthesized layout, path → content (`repo.synthLayout()`, or the committed files read from
   * disk): the stack installs what `<clusterDirectory>/flux-system/` holds, nothing else.
   */
  readonly files: ReadonlyMap<string, string>;
  /** The environment's committed Sealed Secrets certificate. @default no sealing key is installed */
  readonly sealingCertificate?: SealingCertificate;
  /** @default the FluxInstance's namespace */
  readonly sealedSecretsNamespace?: string;
  /** The kubeconfig context of the cluster (default of the `kube_context` variable). @default none */
  readonly kubeContext?: string;
}

/** Where the operator's charts (flux-operator and flux-instance) are published, for the Helm provider. */
const OPERATOR_CHARTS = 'oci://ghcr.io/controlplaneio-fluxcd/charts';

type Doc = Record<string, any>;

/**
 * The bootstrap of one cluster in a single `terraform apply`, from the very files the repository
 * holds for it (as the Flux Operator's own Terraform bootstrap does): the operator's chart at the
 * version and with the values of the committed `flux-operator` HelmRelease, the committed
 * `FluxInstance` through the operator's `flux-instance` chart (a Helm release, so no CRD is needed
 * at plan time), the Sealed Secrets key and the credentials the sync reads the repository with,
 * both from Terraform variables. Changing the committed FluxInstance changes this stack; after the
 * bootstrap, the operator and Flux upgrade themselves from git.
 */
export class FluxOperatorBootstrapStack extends TerraformStack {
  /** The operator's release. */
  public readonly operator: Release;
  /** The FluxInstance's release. */
  public readonly instance: Release;
  /** The Sealed Secrets key Secret, when a certificate was given. */
  public readonly sealingKey?: SecretV1;

  constructor(scope: Construct, target: OperatorBootstrapTarget) {
    super(scope, target.name);
    new LocalBackend(this, { path: 'terraform.tfstate' });
    const { instance, operatorVersion, operatorValues } = readFluxSystem(target);
    const access = clusterAccess(this, target);
    new KubernetesProvider(this, 'kubernetes', access);
    new HelmProvider(this, 'helm', { kubernetes: access });

    const namespaceName = String(instance.metadata?.namespace ?? 'flux-system');
    const namespace = new NamespaceV1(this, 'flux-system', { metadata: { name: namespaceName } });
    this.operator = new Release(this, 'flux-operator', {
      name: 'flux-operator',
      namespace: namespaceName,
      repository: OPERATOR_CHARTS,
      chart: 'flux-operator',
      version: operatorVersion,
      values: Object.keys(operatorValues).length > 0 ? [toYaml([operatorValues])] : undefined,
      atomic: true,
      dependsOn: [namespace],
    });
    const pullSecret = instance.spec?.sync?.pullSecret;
    const credentials = typeof pullSecret === 'string'
      ? [gitCredentialsSecret(this, pullSecret, namespaceName, String(instance.spec.sync.url), [namespace])]
      : [];
    this.sealingKey = target.sealingCertificate
      ? sealingKeySecret(this, target.name, target.sealingCertificate, target.sealedSecretsNamespace ?? namespaceName, [namespace])
      : undefined;
    this.instance = new Release(this, 'flux-instance', {
      name: String(instance.metadata?.name ?? 'flux'),
      namespace: namespaceName,
      repository: OPERATOR_CHARTS,
      chart: 'flux-instance',
      version: operatorVersion,
      values: [toYaml([{ instance: instance.spec ?? {} }])],
      // the sync starts once its credentials and the sealing key are there
      dependsOn: [this.operator, ...credentials, ...this.sealingKey ? [this.sealingKey] : []],
    });
  }
}

/** The FluxInstance and the operator's HelmRelease and chart from `<cluster>/flux-system/`, with messages that say what is missing. */
function readFluxSystem(target: OperatorBootstrapTarget): { instance: Doc; operatorVersion: string; operatorValues: Record<string, unknown> } {
  const dir = `${target.clusterDirectory}/flux-system/`;
  const docs: { file: string; doc: Doc }[] = [];
  for (const [file, content] of target.files) {
    if (!file.startsWith(dir) || !file.endsWith('.yaml')) continue;
    for (const d of parseAllDocuments(content)) {
      const doc = d.toJS() as Doc | null;
      if (isMap(doc)) docs.push({ file, doc });
    }
  }
  const where = `the files of ${dir} (environment ${target.name})`;
  const instances = docs.filter(d => String(d.doc.apiVersion).startsWith('fluxcd.controlplane.io/') && d.doc.kind === 'FluxInstance');
  if (instances.length !== 1) {
    throw new Error(`The bootstrap installs the FluxInstance of ${where}, but they hold ${instances.length === 0 ? 'none' : `${instances.length} (${instances.map(i => i.file).join(', ')})`}: add one FluxInstance there (new FluxInstance(…)) and synthesize first`);
  }
  const release = docs.find(d => d.doc.kind === 'HelmRelease' && d.doc.metadata?.name === 'flux-operator');
  if (!release) throw new Error(`The bootstrap installs the operator as ${where} declare it, but they hold no HelmRelease flux-operator: add new FluxOperator(…) beside the FluxInstance`);
  const chartName = release.doc.spec?.chartRef?.name;
  const chart = docs.find(d => d.doc.kind === 'OCIRepository' && d.doc.metadata?.name === chartName);
  const tag = chart?.doc.spec?.ref?.tag;
  if (typeof tag !== 'string') {
    throw new Error(`The bootstrap installs the operator's chart at the version ${where} pin, but OCIRepository ${chartName ?? '(none)'} ${chart ? `has no exact tag (${JSON.stringify(chart.doc.spec?.ref ?? {})})` : 'is not there'}: give FluxOperator an exact version such as "0.58.1" (Terraform's Helm provider records the version it installed; a range would never match it)`);
  }
  return { instance: instances[0].doc, operatorVersion: tag, operatorValues: isMap(release.doc.spec?.values) ? release.doc.spec.values : {} };
}
