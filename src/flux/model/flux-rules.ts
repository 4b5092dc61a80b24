import * as semver from 'semver';
import { isMap } from '../../core/json-values';
import { Application, ClusterModel, ownerOf, subjectOf } from '../../core/model/cluster-model';
import { describeDoc, groupOf } from '../../core/model/identity';
import { FleetModel } from '../../core/model/fleet-model';
import { joinRepoPath } from '../../core/model/repo-tree';
import { FleetRule, RuleFinding, RuleSeverity, RuleSubject } from '../../core/model/rules';
import { ignoringLine } from './source-ignore';

const KUSTOMIZE = 'kustomize.toolkit.fluxcd.io';
const HELM = 'helm.toolkit.fluxcd.io';
const SOURCE = 'source.toolkit.fluxcd.io';

/** The object a finding about an application is about, reported at its construct (or file). */
export function subject(a: Application): RuleSubject {
  return { doc: a.doc, location: ownerOf(a) };
}

/** The object, for a message: `Kind ns/name`, and its file when no construct declared it. */
export function who(a: Application): string {
  return subjectOf(a).trim() || describeDoc(a.doc);
}

function isKind(a: Application, group: string, kind: string): boolean {
  return a.doc.kind === kind && groupOf(a.doc.apiVersion) === group;
}

function nonEmpty(v: unknown): boolean {
  return Array.isArray(v) ? v.length > 0 : isMap(v) ? Object.keys(v).length > 0 : v !== undefined && v !== null && v !== '';
}

/** `dependsOn` names a Kustomization that has no `wait` or health checks (or a HelmRelease that does not wait): it orders the apply, not readiness. */
export function dependsOnNotReadyRule(): FleetRule {
  return {
    id: 'depends-on-not-ready',
    severity: RuleSeverity.WARNING,
    description: 'dependsOn names only objects whose Ready condition means their workloads are ready',
    evaluate: model => {
      const found: RuleFinding[] = [];
      for (const cluster of model.clusters) {
        for (const r of model.references(cluster)) {
          if (!r.ref.rule.dependsOn) continue;
          for (const t of r.targets) {
            const spec: Record<string, any> = isMap(t.doc.spec) ? t.doc.spec : {};
            let why: string | undefined;
            if (isKind(t, KUSTOMIZE, 'Kustomization') && spec.wait !== true && !nonEmpty(spec.healthChecks) && !nonEmpty(spec.healthCheckExprs)) {
              why = `${describeDoc(t.doc)}, which has neither spec.wait nor spec.healthChecks, so Flux marks it Ready as soon as its objects are applied, not when they are ready: this ${String(r.from.doc.kind)} is applied while what it needs (controllers, webhooks, CRDs' operators) may still be starting. Set wait: true (or healthChecks) on ${describeDoc(t.doc)}`;
            } else if (isKind(t, HELM, 'HelmRelease') && (spec.install?.disableWait === true || spec.upgrade?.disableWait === true)) {
              why = `${describeDoc(t.doc)}, which sets disableWait, so Flux marks it Ready before its workloads are: remove disableWait from ${describeDoc(t.doc)}`;
            }
            if (why) found.push({ subject: subject(r.from), message: `${subjectOf(r.from)}${r.ref.field} waits for ${why}, or depend on an object that waits` });
          }
        }
      }
      return found;
    },
  };
}

/** A HelmRelease without an upgrade strategy or remediation stalls on its first failed upgrade. */
export function helmUpgradeRemediationRule(): FleetRule {
  return {
    id: 'helm-upgrade-remediation',
    severity: RuleSeverity.WARNING,
    description: 'every HelmRelease says what happens after a failed upgrade',
    evaluate: model => {
      const found: RuleFinding[] = [];
      for (const a of applicationsOf(model, HELM, 'HelmRelease')) {
        const upgrade = isMap(a.doc.spec?.upgrade) ? a.doc.spec.upgrade : {};
        const retries = isMap(upgrade.remediation) ? upgrade.remediation.retries : undefined;
        if (isMap(upgrade.strategy) || (typeof retries === 'number' && retries !== 0)) continue;
        found.push({ subject: subject(a), message: `${who(a)} has no spec.upgrade.strategy and no spec.upgrade.remediation.retries, so after the first failed upgrade helm-controller leaves the release failed and stops trying until its spec changes again: set upgrade: { remediation: { retries: 3 } } (roll back, then retry), or spec.upgrade.strategy.name: RetryOnFailure` });
      }
      return found;
    },
  };
}

/**
 * Charts known to ship CRDs in their `crds/` directory (what Helm installs but never upgrades). A
 * HelmRelease that sets `spec.install.crds` says its chart has CRDs too.
 */
export const CHARTS_WITH_CRDS: readonly string[] = ['aws-load-balancer-controller', 'sealed-secrets', 'karpenter', 'kube-prometheus-stack', 'traefik', 'external-dns'];

/** A chart that ships CRDs does not update them on upgrade unless `spec.upgrade.crds` is `CreateReplace`. */
export function helmCrdsRule(): FleetRule {
  return {
    id: 'helm-crds-create-replace',
    severity: RuleSeverity.WARNING,
    description: 'a chart that ships CRDs updates them on upgrade',
    evaluate: model => {
      const found: RuleFinding[] = [];
      for (const cluster of model.clusters) {
        for (const a of cluster.ofKind('HelmRelease', null)) {
          if (!isKind(a, HELM, 'HelmRelease')) continue;
          const spec: Record<string, any> = isMap(a.doc.spec) ? a.doc.spec : {};
          const chart = chartName(cluster, a);
          const installCrds = spec.install?.crds;
          const known = chart !== undefined && CHARTS_WITH_CRDS.includes(chart);
          if (!known && installCrds !== 'Create' && installCrds !== 'CreateReplace') continue;
          if (spec.upgrade?.crds === 'CreateReplace') continue;
          const because = known ? `chart ${chart} ships CRDs` : `spec.install.crds is ${String(installCrds)}, so its chart ships CRDs`;
          found.push({ subject: subject(a), message: `${who(a)}: ${because}, but spec.upgrade.crds is ${spec.upgrade?.crds === undefined ? 'not set (Skip)' : String(spec.upgrade.crds)}, so helm-controller never updates them: a chart upgrade runs with the CRDs of the first install, and objects using new fields are refused. Set upgrade: { crds: CrdPolicy.CREATE_REPLACE }` });
        }
      }
      return found;
    },
  };
}

/** The chart a HelmRelease installs: `spec.chart.spec.chart`, or the last segment of its OCIRepository's URL. */
export function chartName(cluster: ClusterModel, a: Application): string | undefined {
  const spec: Record<string, any> = isMap(a.doc.spec) ? a.doc.spec : {};
  const named = spec.chart?.spec?.chart;
  if (typeof named === 'string') return named.slice(named.lastIndexOf('/') + 1);
  const ref = spec.chartRef;
  if (!isMap(ref) || ref.kind !== 'OCIRepository') return undefined;
  const source = cluster.find('OCIRepository', typeof ref.namespace === 'string' ? ref.namespace : a.namespace, String(ref.name))[0];
  const url = source?.doc.spec?.url;
  return typeof url === 'string' ? url.replace(/\/+$/, '').slice(url.replace(/\/+$/, '').lastIndexOf('/') + 1) : undefined;
}

/** The repository path of the directory a Kustomization's spec.path names. */
function pathOf(doc: Record<string, any>): string | undefined {
  return typeof doc.spec?.path === 'string' ? joinRepoPath('', doc.spec.path) : undefined;
}

/**
 * A Flux Kustomization that another depends on, declared outside `clusters/<cluster>/` (another
 * Kustomization applies it): its dependents fail with "dependency not found" on the first reconcile.
 * One declared outside that only depends on others is fine: when it appears, they exist.
 */
export function kustomizationOutsideClustersRule(): FleetRule {
  return {
    id: 'kustomization-outside-clusters',
    severity: RuleSeverity.WARNING,
    description: 'a Kustomization that others depend on is declared in the cluster directory',
    evaluate: model => {
      const found: RuleFinding[] = [];
      for (const cluster of model.clusters) {
        const involved = new Map<Application, string>();
        for (const r of model.references(cluster)) {
          if (!r.ref.rule.dependsOn || !isKind(r.from, KUSTOMIZE, 'Kustomization')) continue;
          for (const t of r.targets) {
            if (!involved.has(t)) involved.set(t, `${describeDoc(r.from.doc)} depends on it and fails with "dependency '${t.namespace ?? ''}/${String(t.doc.metadata?.name)}' not found" until it is applied`);
          }
        }
        for (const [k, why] of involved) {
          if (k.directory === cluster.directory || k.directory.startsWith(`${cluster.directory}/`) || !k.appliedBy) continue;
          if (pathOf(k.doc) === cluster.directory) continue; // the sync itself
          found.push({
            subject: subject(k),
            message: `${who(k)} is declared in ${k.built.source.file}, which ${k.by} applies, not in the cluster directory: on a fresh cluster it only exists once ${k.by} has reconciled, so ${why}. Declare it in clusters/<cluster>/ (a ManifestFile of the cluster directory) so that the whole dependency graph exists from the first reconcile`,
          });
        }
      }
      return found;
    },
  };
}

/** The sources a cluster applies this repository from: those of the Kustomizations whose path the model followed, and of the sync of the cluster directory. */
export function syncSources(cluster: ClusterModel): Application[] {
  const appliers = new Set<Application>();
  for (const a of cluster.applications) if (a.appliedBy) appliers.add(a.appliedBy);
  for (const k of cluster.ofKind('Kustomization', null)) if (isKind(k, KUSTOMIZE, 'Kustomization') && pathOf(k.doc) === cluster.directory) appliers.add(k);
  const sources = new Set<Application>();
  for (const k of appliers) {
    const ref = k.doc.spec?.sourceRef;
    if (!isMap(ref) || ref.kind !== 'GitRepository') continue;
    for (const s of cluster.find('GitRepository', typeof ref.namespace === 'string' ? ref.namespace : k.namespace, String(ref.name))) sources.add(s);
  }
  return [...sources];
}

/** The GitRepository a cluster syncs this repository from has `spec.ignore`, so that only the layout reaches the cluster. */
export function syncIgnoreRule(): FleetRule {
  return {
    id: 'sync-ignore',
    severity: RuleSeverity.WARNING,
    description: 'the sync GitRepository downloads only the layout',
    evaluate: model => {
      const found: RuleFinding[] = [];
      for (const cluster of model.clusters) {
        for (const s of syncSources(cluster)) {
          if (typeof s.doc.spec?.ignore === 'string' && s.doc.spec.ignore.trim() !== '') continue;
          found.push({ subject: subject(s), message: `${who(s)} is the source the cluster applies this repository from, but it has no spec.ignore, so source-controller downloads the whole repository into the cluster: the library's source, its tests and their throwaway keys, benchmarks. Set spec.ignore to keep only the layout, e.g. "/*\\n!/clusters/\\n!/infrastructure/\\n!/apps/"` });
        }
      }
      return found;
    },
  };
}

/**
 * The sync GitRepository's `spec.ignore` keeps every top-level directory the cluster builds from
 * it: a root left out (`tenants/` under `/*` with no `!/tenants/`) is not in the artifact, so the
 * Kustomization of a directory under it fails with "path not found".
 */
export function syncIgnoreExcludesLayoutRule(): FleetRule {
  return {
    id: 'sync-ignore-excludes-layout',
    severity: RuleSeverity.ERROR,
    description: 'the sync GitRepository\'s spec.ignore keeps every directory the cluster builds from it',
    evaluate: model => {
      const found: RuleFinding[] = [];
      for (const cluster of model.clusters) {
        for (const s of syncSources(cluster)) {
          const ignore = s.doc.spec?.ignore;
          if (typeof ignore !== 'string') continue;
          const built = builtFrom(cluster, s);
          const reported = new Set<string>();
          for (const dir of built) {
            const top = dir.split('/')[0];
            const line = reported.has(top) ? undefined : ignoringLine(ignore, top);
            if (!line) continue;
            reported.add(top);
            found.push({ subject: subject(s), message: `${who(s)}: spec.ignore ${JSON.stringify(ignore)} leaves "${top}/" out of the artifact (its line "${line}"), but cluster "${cluster.name}" builds "${dir}" from this source, so the Kustomization fails with "path not found": add "!/${top}/" to spec.ignore` });
          }
        }
      }
      return found;
    },
  };
}

/** The directories a cluster builds from a source: those of the Kustomizations that name it, and the cluster directory its sync applies. */
function builtFrom(cluster: ClusterModel, source: Application): string[] {
  const dirs = new Set<string>();
  for (const k of cluster.ofKind('Kustomization', null)) {
    if (!isKind(k, KUSTOMIZE, 'Kustomization')) continue;
    const ref = k.doc.spec?.sourceRef;
    const path = pathOf(k.doc);
    if (!isMap(ref) || ref.kind !== 'GitRepository' || path === undefined) continue;
    const namespace = typeof ref.namespace === 'string' ? ref.namespace : k.namespace;
    if (ref.name === source.doc.metadata?.name && namespace === source.namespace && path !== '') dirs.add(path);
  }
  return [...dirs].sort();
}

/** Whether a Git URL is SSH (`ssh://…`; Flux refuses the scp-like `git@host:path`, which schema validation reports). */
export function isSshUrl(url: string): boolean {
  return /^ssh:\/\//i.test(url);
}

/** A GitRepository with an SSH URL has a `secretRef` (its key and known hosts). */
export function sshSecretRule(): FleetRule {
  return {
    id: 'ssh-without-secret',
    severity: RuleSeverity.ERROR,
    description: 'an ssh:// source has a secretRef to authenticate with',
    evaluate: model => {
      const found: RuleFinding[] = [];
      for (const a of applicationsOf(model, SOURCE, 'GitRepository')) {
        const url = a.doc.spec?.url;
        if (typeof url !== 'string' || !isSshUrl(url) || typeof a.doc.spec?.secretRef?.name === 'string' || model.reported.has(ownerOf(a))) continue;
        found.push({ subject: subject(a), message: `${who(a)}: spec.url "${url}" is an SSH URL but there is no spec.secretRef, so source-controller has no key to authenticate with and every fetch fails: name a Secret with identity, identity.pub and known_hosts in spec.secretRef (sealed with npm run seal), or use an https:// URL for a public repository` });
      }
      return found;
    },
  };
}

/** HelmRepository `type: oci` is in maintenance mode: an OCIRepository and `chartRef` replace it. */
export function helmRepositoryOciRule(): FleetRule {
  return {
    id: 'helm-repository-oci',
    severity: RuleSeverity.WARNING,
    description: 'OCI charts come from an OCIRepository (chartRef), not a HelmRepository of type oci',
    evaluate: model => applicationsOf(model, SOURCE, 'HelmRepository')
      .filter(a => a.doc.spec?.type === 'oci')
      .map(a => ({ subject: subject(a), message: `${who(a)} has type: oci, which Flux keeps in maintenance mode only (no digest pinning, a HelmChart per release, verification only through each release's chart.verify): declare an OCIRepository per chart (url oci://…/<chart>, ref.semver, layerSelector for the Helm chart media type) and point the HelmRelease at it with chartRef` })),
  };
}

/** A version range (not one exact version): `>=1.2 <2`, `1.x`, `*`. */
export function isVersionRange(v: string): boolean {
  return semver.valid(v) === null && semver.validRange(v) !== null;
}

/** A version range shared by every stage: a new release reaches every cluster at once. */
export function promotionSharedRangeRule(): FleetRule {
  return {
    id: 'promotion-shared-range',
    severity: RuleSeverity.WARNING,
    description: 'a version range is not shared by every stage of a promotion',
    evaluate: model => {
      if (model.clusters.length < 2) return [];
      const found: RuleFinding[] = [];
      const byId = new Map<string, { cluster: ClusterModel; a: Application; range: string; field: string }[]>();
      for (const cluster of model.clusters) {
        for (const a of cluster.applications) {
          const pinned = versionSelector(a);
          if (!pinned) continue;
          const id = `${String(a.doc.kind)}\0${a.namespace ?? ''}\0${String(a.doc.metadata?.name)}`;
          byId.set(id, [...byId.get(id) ?? [], { cluster, a, ...pinned }]);
        }
      }
      for (const list of byId.values()) {
        const clusters = new Set(list.map(e => e.cluster));
        if (clusters.size !== model.clusters.length) continue;
        const ranges = new Set(list.map(e => e.range));
        if (ranges.size !== 1 || !isVersionRange(list[0].range)) continue;
        const first = list[0];
        found.push({
          subject: subject(first.a),
          alsoAbout: list.slice(1).map(e => subject(e.a)),
          message: `${who(first.a)} has ${first.field} "${first.range}" in every cluster (${model.clusters.map(c => c.name).join(', ')}), so a new release matching it reaches all of them within one interval, the last stage as soon as the first: give the range to the first stage only and pin the later ones to the version it validated (a Promotion whose later stages follow())`,
        });
      }
      return found;
    },
  };
}

/** The version selector of an object that follows releases: a HelmRelease's chart version (`*` when unset), an OCIRepository's or GitRepository's `ref.semver`. */
function versionSelector(a: Application): { range: string; field: string } | undefined {
  if (isKind(a, HELM, 'HelmRelease') && isMap(a.doc.spec?.chart)) {
    const v = a.doc.spec.chart.spec?.version;
    return { range: typeof v === 'string' && v !== '' ? v : '*', field: 'spec.chart.spec.version' };
  }
  if ((isKind(a, SOURCE, 'OCIRepository') || isKind(a, SOURCE, 'GitRepository')) && typeof a.doc.spec?.ref?.semver === 'string') {
    return { range: a.doc.spec.ref.semver, field: 'spec.ref.semver' };
  }
  return undefined;
}

/** Every application of a kind, in every cluster. */
export function applicationsOf(model: FleetModel, group: string, kind: string): Application[] {
  return model.clusters.flatMap(c => c.ofKind(kind, null).filter(a => groupOf(a.doc.apiVersion) === group));
}

/** The Flux rules, in the order the README lists them. */
export function fluxRules(): FleetRule[] {
  return [
    dependsOnNotReadyRule(),
    helmUpgradeRemediationRule(),
    helmCrdsRule(),
    kustomizationOutsideClustersRule(),
    syncIgnoreRule(),
    syncIgnoreExcludesLayoutRule(),
    sshSecretRule(),
    helmRepositoryOciRule(),
    promotionSharedRangeRule(),
  ];
}
