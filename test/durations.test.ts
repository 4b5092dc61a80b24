import * as kplus from 'cdk8s-plus-27';
import { Duration } from 'cdk8s';
import { describe, expect, it } from 'vitest';
import { GitRepository, HelmRelease, Kustomization, LayoutDirectory, ManifestFile } from '../src';
import { goDuration } from '../src/flux/duration';
import { fluxFleet } from './flux-fixture';
import { problemsOf } from './helpers';

describe('durations: a cdk8s Duration or a Go duration string', () => {
  it('renders a Duration as the shortest exact Go duration', () => {
    expect(goDuration(Duration.minutes(10))).toBe('10m');
    expect(goDuration(Duration.seconds(90))).toBe('1m30s');
    expect(goDuration(Duration.hours(25))).toBe('25h');
    expect(goDuration(Duration.days(1))).toBe('24h');
    expect(goDuration(Duration.millis(1500))).toBe('1s500ms');
    expect(goDuration(Duration.millis(0))).toBe('0s');
    expect(goDuration(Duration.millis(0.5))).toBe('0.5ms');
    expect(goDuration('1m30s')).toBe('1m30s');
    expect(goDuration(undefined)).toBeUndefined();
  });

  it('writes Durations into the specs of Flux objects', () => {
    const f = fluxFleet();
    const more = new LayoutDirectory(f.repo.apps, 'more');
    new kplus.ConfigMap(new ManifestFile(more, 'settings'), 'cm', { metadata: { name: 'settings', namespace: 'default' }, data: { a: 'b' } });
    const k = new Kustomization(new ManifestFile(f.cluster, 'extra'), 'extra', {
      metadata: { name: 'extra', namespace: 'flux-system' },
      sourceRef: f.gitRepo,
      path: more,
      interval: Duration.minutes(5),
      retryInterval: Duration.seconds(30),
      timeout: Duration.minutes(3),
    });
    const r = new HelmRelease(f.releases, 'd', {
      metadata: { name: 'd', namespace: 'flux-system' },
      chart: { repository: f.podinfo, name: 'podinfo', interval: Duration.hours(1) },
      interval: Duration.minutes(15), timeout: Duration.minutes(10),
    });
    expect(problemsOf(f.repo)).toEqual([]);
    expect(k.apiObject.toJson().spec).toMatchObject({ interval: '5m', retryInterval: '30s', timeout: '3m' });
    expect(r.apiObject.toJson().spec).toMatchObject({ interval: '15m', timeout: '10m', chart: { spec: { interval: '1h' } } });
  });

  it('refuses hours where the field takes at most minutes', () => {
    const f = fluxFleet();
    const sources = new ManifestFile(f.apps, 'more-sources');
    new GitRepository(sources, 'g', {
      metadata: { name: 'g', namespace: 'flux-system' }, url: 'https://example.com/repo', timeout: Duration.hours(2),
    });
    expect(problemsOf(f.repo)).toEqual([
      '[apps/base/more-sources/g] spec.timeout 2h is not valid here: the field takes at most minutes (no hours), e.g. Duration.minutes(2)',
    ]);
  });
});
