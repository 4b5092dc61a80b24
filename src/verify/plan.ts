import { isMap } from '../core/json-values';
import { Application, ClusterModel, ownerOf } from '../core/model/cluster-model';
import { FleetModel } from '../core/model/fleet-model';
import { describeDoc, groupOf } from '../core/model/identity';
import { PlannedCheck, VerifyTarget } from './target';

const SOURCE = 'source.toolkit.fluxcd.io';

/**
 * What the fleet depends on outside the repository, read from the model of what each cluster
 * applies (patches included): every HelmRelease's chart and version in its HelmRepository, every
 * OCIRepository's and GitRepository's ref, every ImagePolicy's range. One check per distinct
 * target, with every object (and cluster) that needs it.
 */
export function planChecks(model: FleetModel): PlannedCheck[] {
  const planned = new Map<string, { target: VerifyTarget; origins: Map<string, { object: string; location: string; clusters: string[] }> }>();
  const add = (target: VerifyTarget | undefined, a: Application, cluster: ClusterModel) => {
    if (!target) return;
    const key = JSON.stringify(target);
    let entry = planned.get(key);
    if (!entry) planned.set(key, entry = { target, origins: new Map() });
    const location = ownerOf(a);
    const origin = entry.origins.get(location) ?? { object: describeDoc(a.doc), location, clusters: [] };
    if (!origin.clusters.includes(cluster.name)) origin.clusters.push(cluster.name);
    entry.origins.set(location, origin);
  };
  for (const cluster of model.clusters) {
    for (const a of cluster.applications) {
      const group = groupOf(a.doc.apiVersion);
      const spec: Record<string, any> = isMap(a.doc.spec) ? a.doc.spec : {};
      if (group === 'helm.toolkit.fluxcd.io' && a.doc.kind === 'HelmRelease') add(helmChart(cluster, a, spec), a, cluster);
      else if (group === SOURCE && a.doc.kind === 'OCIRepository' && typeof spec.url === 'string') {
        const ref = isMap(spec.ref) ? spec.ref : {};
        add({ kind: 'oci', url: spec.url, ref: pick(ref, ['tag', 'semver', 'semverFilter', 'digest']), insecure: spec.insecure === true }, a, cluster);
      } else if (group === SOURCE && a.doc.kind === 'GitRepository' && typeof spec.url === 'string') {
        const ref = isMap(spec.ref) ? spec.ref : {};
        add({ kind: 'git', url: spec.url, ref: pick(ref, ['branch', 'tag', 'semver', 'name', 'commit']) }, a, cluster);
      } else if (group === 'image.toolkit.fluxcd.io' && a.doc.kind === 'ImagePolicy') add(imagePolicy(cluster, a, spec), a, cluster);
    }
  }
  return [...planned.values()].map(p => ({ target: p.target, origins: [...p.origins.values()] }));
}

function pick(from: Record<string, unknown>, keys: readonly string[]): Record<string, string> {
  return Object.fromEntries(keys.filter(k => typeof from[k] === 'string' && from[k] !== '').map(k => [k, from[k] as string]));
}

function helmChart(cluster: ClusterModel, a: Application, spec: Record<string, any>): VerifyTarget | undefined {
  const chart = spec.chart?.spec;
  if (!isMap(chart) || typeof chart.chart !== 'string' || !isMap(chart.sourceRef) || chart.sourceRef.kind !== 'HelmRepository') return undefined;
  const ns = typeof chart.sourceRef.namespace === 'string' ? chart.sourceRef.namespace : a.namespace;
  const repo = cluster.find('HelmRepository', ns, String(chart.sourceRef.name))[0];
  const url = repo?.doc.spec?.url;
  if (typeof url !== 'string') return undefined; // the reference check reports a missing repository
  const version = typeof chart.version === 'string' && chart.version !== '' ? chart.version : '*';
  return { kind: 'helm-chart', url, chart: chart.chart, version, insecure: repo.doc.spec?.insecure === true };
}

function imagePolicy(cluster: ClusterModel, a: Application, spec: Record<string, any>): VerifyTarget | undefined {
  const ref = spec.imageRepositoryRef;
  if (!isMap(ref)) return undefined;
  const repo = cluster.find('ImageRepository', typeof ref.namespace === 'string' ? ref.namespace : a.namespace, String(ref.name))[0];
  const image = repo?.doc.spec?.image;
  if (typeof image !== 'string') return undefined;
  const policy = isMap(spec.policy) ? spec.policy : {};
  const filter = isMap(spec.filterTags) && typeof spec.filterTags.pattern === 'string'
    ? { pattern: spec.filterTags.pattern, ...typeof spec.filterTags.extract === 'string' ? { extract: spec.filterTags.extract } : {} }
    : undefined;
  return {
    kind: 'image',
    image,
    insecure: repo.doc.spec?.insecure === true,
    policy: {
      ...isMap(policy.semver) && typeof policy.semver.range === 'string' ? { semver: policy.semver.range } : {},
      ...isMap(policy.alphabetical) ? { alphabetical: String(policy.alphabetical.order ?? 'asc') } : {},
      ...isMap(policy.numerical) ? { numerical: String(policy.numerical.order ?? 'asc') } : {},
    },
    ...filter ? { filter } : {},
  };
}
