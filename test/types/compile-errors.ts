/**
 * Type-level tests: compiled by the `tsc` step of `npm test` (tsconfig.json includes test/**),
 * never run. Each `@ts-expect-error` line must fail to type-check: if a change to the library
 * made it compile, tsc would report the directive as unused and `npm test` would fail.
 */
import { Duration } from 'cdk8s';
import { Construct } from 'constructs';
import { ObjectPatch } from '../../src/core/object-patch';
import { HelmRelease } from '../../src/flux/helm-release';
import '../../src/flux/helm-release-patch';
import { DeletionPolicy, Kustomization } from '../../src/flux/kustomization';
import { GitRepository } from '../../src/flux/sources/git-repository';
import { HelmRepository } from '../../src/flux/sources/helm-repository';

interface PodinfoValues {
  readonly image: { readonly repository: string; readonly tag: string };
  readonly replicaCount: number;
}

export function typeLevelTests(scope: Construct): void {
  const repository = new HelmRepository(scope, 'repo', { metadata: { name: 'podinfo' }, url: 'https://stefanprodan.github.io/podinfo' });
  const release = new HelmRelease<PodinfoValues>(scope, 'release', {
    metadata: { name: 'podinfo' },
    chart: { repository, name: 'podinfo' },
    values: { image: { repository: 'ghcr.io/stefanprodan/podinfo', tag: '6.5.4' }, replicaCount: 2 },
  });

  // a typed patch of a typed release: the right keys compile…
  new ObjectPatch(scope, 'ok', { target: release, patch: { spec: { values: { image: { tag: '6.6.0' } }, chart: { spec: { version: '6.6.0' } } } } });
  // …a misspelt value does not
  // @ts-expect-error "replicas" is not a value of PodinfoValues (replicaCount is)
  new ObjectPatch(scope, 'typo', { target: release, patch: { spec: { values: { replicas: 3 } } } });
  // @ts-expect-error a value of the wrong type
  new ObjectPatch(scope, 'wrong-type', { target: release, patch: { spec: { values: { replicaCount: 'three' } } } });
  // @ts-expect-error "valeus" is no field of a HelmRelease's spec
  new ObjectPatch(scope, 'spec-typo', { target: release, patch: { spec: { valeus: { replicaCount: 3 } } } });

  // durations: a cdk8s Duration or a Go duration string
  const git = new GitRepository(scope, 'git', { metadata: { name: 'fleet' }, url: 'https://example.com/fleet.git', ref: { branch: 'main' }, interval: Duration.minutes(1) });
  // @ts-expect-error "10 min" is not a Go duration
  new GitRepository(scope, 'bad-interval', { metadata: { name: 'x' }, url: 'https://example.com/x.git', ref: { branch: 'main' }, interval: '10 min' });

  // a Kustomization builds a source of manifests: a Git repository yes, a Helm repository no
  new Kustomization(scope, 'ks', { metadata: { name: 'apps' }, sourceRef: git, externalPath: './apps' });
  // @ts-expect-error a HelmRepository is not a source a Kustomization can build
  new Kustomization(scope, 'ks-helm', { metadata: { name: 'charts' }, sourceRef: repository, externalPath: './' });

  // enum props take the member or its string value; any other string fails
  new Kustomization(scope, 'enum-member', { metadata: { name: 'a' }, sourceRef: git, externalPath: './a', deletionPolicy: DeletionPolicy.ORPHAN });
  new Kustomization(scope, 'enum-string', { metadata: { name: 'b' }, sourceRef: git, externalPath: './b', deletionPolicy: 'Orphan' });
  // @ts-expect-error "Keep" is not a DeletionPolicy
  new Kustomization(scope, 'enum-typo', { metadata: { name: 'c' }, sourceRef: git, externalPath: './c', deletionPolicy: 'Keep' });
  // @ts-expect-error "oci " (with a space) is not a HelmRepositoryType
  new HelmRepository(scope, 'type-typo', { metadata: { name: 'x' }, url: 'oci://ghcr.io/org/charts', type: 'oci ' });

  // a typed patch's durations are Go duration strings, and its install options are the props'
  new ObjectPatch(scope, 'interval-ok', { target: release, patch: { spec: { interval: '5m', install: { remediation: { retries: 3 } } } } });
  // @ts-expect-error "10 min" is not a Go duration in a patch either
  new ObjectPatch(scope, 'interval-typo', { target: release, patch: { spec: { interval: '10 min' } } });
  // @ts-expect-error "remediaton" is no install option
  new ObjectPatch(scope, 'install-typo', { target: release, patch: { spec: { install: { remediaton: { retries: 3 } } } } });
}
