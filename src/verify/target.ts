/** Where a verified object is, for the report. */
export interface TargetOrigin {
  /** `Kind namespace/name`. */
  readonly object: string;
  /** The construct path (or file) of the object. */
  readonly location: string;
  /** The clusters that apply it so. */
  readonly clusters: readonly string[];
}

/** A chart (and version or range) in a Helm repository: its `index.yaml`, or an OCI registry's tags. */
export interface HelmChartTarget {
  readonly kind: 'helm-chart';
  /** The repository URL (`https://…` or `oci://…`). */
  readonly url: string;
  readonly chart: string;
  /** The version or range (`*` when the HelmRelease names none). */
  readonly version: string;
  /** Plain HTTP to an OCI registry (`spec.insecure`). */
  readonly insecure: boolean;
}

/** An OCIRepository's artifact: a tag, a semver range of tags, or a digest. */
export interface OciTarget {
  readonly kind: 'oci';
  /** `oci://host/name`. */
  readonly url: string;
  readonly ref: { readonly tag?: string; readonly semver?: string; readonly semverFilter?: string; readonly digest?: string };
  readonly insecure: boolean;
}

/** A GitRepository's ref. */
export interface GitTarget {
  readonly kind: 'git';
  readonly url: string;
  readonly ref: { readonly branch?: string; readonly tag?: string; readonly semver?: string; readonly name?: string; readonly commit?: string };
}

/** An ImagePolicy: some tag of its ImageRepository's image passes its filter and policy. */
export interface ImageTarget {
  readonly kind: 'image';
  /** The image, as the ImageRepository names it (`ghcr.io/org/app`, `nginx`). */
  readonly image: string;
  readonly insecure: boolean;
  readonly policy: { readonly semver?: string; readonly alphabetical?: string; readonly numerical?: string };
  readonly filter?: { readonly pattern: string; readonly extract?: string };
}

/** Something of the outside world the fleet depends on. */
export type VerifyTarget = HelmChartTarget | OciTarget | GitTarget | ImageTarget;

/** A target with the objects that depend on it. */
export interface PlannedCheck {
  readonly target: VerifyTarget;
  readonly origins: readonly TargetOrigin[];
}

/** What a check found. */
export interface CheckOutcome {
  /** ok: it exists; missing: it does not (a finding); unreachable: it could not be checked (a finding); skipped: it cannot be checked from here. */
  readonly status: 'ok' | 'missing' | 'unreachable' | 'skipped';
  /** What was found, for the report. */
  readonly message: string;
}
