import { Construct } from 'constructs';
import { CrdPolicy, HelmRelease } from '../helm-release';
import { OCIRepository } from '../sources/oci-repository';
import { FluxDuration } from '../duration';

/** The Flux Operator's Helm chart, an OCI artifact. */
export const FLUX_OPERATOR_CHART = 'oci://ghcr.io/controlplaneio-fluxcd/charts/flux-operator';
/** The operator version whose CRDs are vendored in `crds/flux-operator/` (the chart's version is the operator's). */
export const FLUX_OPERATOR_VERSION = '0.58.1';

/** Props of `FluxOperator`. */
export interface FluxOperatorProps {
  /** The namespace of the operator (the FluxInstance's). @default 'flux-system' */
  readonly namespace?: string;
  /** The chart's version: an exact version or a semver range. @default FLUX_OPERATOR_VERSION */
  readonly version?: string;
  /** The chart's values (also what the bootstrap installs it with). @default none */
  readonly values?: Readonly<Record<string, unknown>>;
  /** How often the chart is checked for a new version. @default '1h' */
  readonly interval?: FluxDuration;
  /**
   * The account helm-controller impersonates to install it (it installs CRDs and cluster roles:
   * a controller account of the namespace).
   * @default 'helm-controller'
   */
  readonly serviceAccountName?: string;
}

/**
 * The Flux Operator managing itself from git: an OCIRepository of its chart and a HelmRelease of
 * it, with its values, in the operator's namespace. The bootstrap installs the operator once with
 * the same chart version and values (read from these very files); from then on, upgrades of the
 * operator, like upgrades of Flux in the `FluxInstance`, are pull requests.
 */
export class FluxOperator extends Construct {
  /** The chart's OCIRepository. */
  public readonly chart: OCIRepository;
  /** The operator's HelmRelease. */
  public readonly release: HelmRelease;

  constructor(scope: Construct, id: string, props: FluxOperatorProps = {}) {
    super(scope, id);
    const namespace = props.namespace ?? 'flux-system';
    const version = props.version ?? FLUX_OPERATOR_VERSION;
    const exact = /^\d+\.\d+\.\d+$/.test(version);
    this.chart = new OCIRepository(this, 'chart', {
      metadata: { name: 'flux-operator', namespace },
      url: FLUX_OPERATOR_CHART,
      ref: exact ? { tag: version } : { semver: version },
      interval: props.interval ?? '1h',
      layerSelector: { mediaType: 'application/vnd.cncf.helm.chart.content.v1.tar+gzip', operation: 'copy' },
    });
    this.release = new HelmRelease(this, 'release', {
      metadata: { name: 'flux-operator', namespace },
      chartRef: this.chart,
      interval: props.interval ?? '1h',
      serviceAccountName: props.serviceAccountName ?? 'helm-controller',
      install: { crds: CrdPolicy.CREATE_REPLACE, remediation: { retries: 3 } },
      // a failed upgrade of the operator is rolled back and retried, not left failed
      upgrade: { crds: CrdPolicy.CREATE_REPLACE, remediation: { retries: 3 } },
      values: props.values,
    });
  }
}
