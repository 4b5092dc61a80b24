import { FieldChecks } from '../field-checks';
import { HelmRepository } from './helm-repository';
import { IChartSource } from './source';

/**
 * Checks a chart taken from a chart source (a HelmRelease's `chart`, a HelmChart): a chart name in
 * a Helm repository, a path in a GitRepository or Bucket; signature verification only where Flux
 * verifies, charts of an OCI Helm repository.
 *
 * @param at the field of the chart's spec, e.g. `spec.chart.spec` or `spec`
 */
export function checkChartOfSource(c: FieldChecks, at: string, repository: IChartSource, chart: string, verified: boolean): void {
  if (!c.isString(`${at}.chart`, chart)) return;
  if (repository.kind === 'HelmRepository') {
    if (!/^[a-zA-Z0-9][a-zA-Z0-9._-]*$/.test(chart)) {
      c.add(`${at}.chart ${JSON.stringify(chart)} is not a chart name: use the chart's name in its repository (e.g. "external-dns")`);
    }
    if (verified && repository instanceof HelmRepository && !repository.isOci) {
      c.add(`${at}.verify is set, but ${repository.kind} ${repository.name} is not an OCI repository, and Flux only verifies charts stored as OCI artifacts: remove verify, or use an oci:// repository`);
    }
  } else {
    c.relativePath(`${at}.chart`, chart.replace(/^\.\//, ''), './charts/podinfo');
    if (verified) c.add(`${at}.verify is set, but the chart comes from ${repository.kind} ${repository.name}, and Flux only verifies charts stored as OCI artifacts: remove verify`);
  }
}
