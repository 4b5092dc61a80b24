import { ApiObject } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { describe, expect, it } from 'vitest';
import {
  CrdPolicy, ExistingFile, FleetValidationError, GitOpsRepo, GitRepository, HelmRelease, HelmRepository, HelmRepositoryType, Kustomization,
  LayoutDirectory, ManifestFile, ObjectPatch, OCIRepository, Rules, runSynth,
} from '../src';
import { FleetTesting } from '../src/testing';
import { problemsOf, writeFile } from './helpers';

const FLUX = 'flux-system';

/**
 * A fleet every rule passes: two clusters (dev, prod) that sync this repository with an ignore
 * list and a deploy key, an infrastructure Kustomization that waits, apps that depend on it, and a
 * HelmRelease with remediation whose version dev takes as a range and prod pins.
 */
function cleanFleet(options: { strict?: boolean } = {}) {
  const repo = FleetTesting.repo({ strict: options.strict });
  const infra = new LayoutDirectory(repo.infrastructure, 'base');
  const sources = new ManifestFile(infra, 'sources');
  const charts = new HelmRepository(sources, 'charts', { metadata: { name: 'charts', namespace: FLUX }, url: 'https://charts.example.com' });
  const release = new HelmRelease(new ManifestFile(infra, 'release'), 'release', {
    metadata: { name: 'podinfo', namespace: FLUX },
    chart: { repository: charts, name: 'podinfo', version: '>=6.5.0 <7' },
    targetNamespace: 'podinfo',
    install: { createNamespace: true, remediation: { retries: 3 } },
    upgrade: { remediation: { retries: 3 } },
  });
  const apps = new LayoutDirectory(repo.apps, 'base');
  new kplus.ConfigMap(new ManifestFile(apps, 'settings'), 'settings', { metadata: { name: 'settings', namespace: FLUX }, data: { a: 'b' } });
  const clusters: Record<string, { dir: LayoutDirectory; git: GitRepository; infra: Kustomization; apps: Kustomization; sync: ManifestFile }> = {};
  for (const name of ['dev', 'prod']) {
    const dir = new LayoutDirectory(repo.clusters, name);
    const sync = new ManifestFile(new LayoutDirectory(dir, 'flux-system'), 'gotk-sync');
    const git = new GitRepository(sync, 'repo', {
      metadata: { name: FLUX, namespace: FLUX },
      url: 'ssh://git@github.com/org/fleet',
      ref: { branch: 'main' },
      secretRef: kplus.Secret.fromSecretName(sync, 'deploy-key', FLUX),
      ignore: '/*\n!/clusters/\n!/infrastructure/\n!/apps/\n',
    });
    new Kustomization(sync, 'sync', { metadata: { name: FLUX, namespace: FLUX }, sourceRef: git, path: dir });
    const overlay = new LayoutDirectory(new LayoutDirectory(repo.infrastructure, `overlay-${name}`, { kustomize: false }), 'all');
    overlay.addResource(infra);
    if (name === 'prod') new ObjectPatch(overlay, 'pin', { target: release, patch: { spec: { chart: { spec: { version: '6.5.4' } } } } });
    const infraK = new Kustomization(new ManifestFile(dir, 'infrastructure'), 'infrastructure', { metadata: { name: 'infrastructure', namespace: FLUX }, sourceRef: git, path: overlay, wait: true });
    const appsK = new Kustomization(new ManifestFile(dir, 'apps'), 'apps', { metadata: { name: 'apps', namespace: FLUX }, sourceRef: git, path: apps, dependsOn: [infraK] });
    repo.addEnvironment({ name: name === 'dev' ? 'development' : 'production', cluster: name }, dir);
    clusters[name] = { dir, git, infra: infraK, apps: appsK, sync };
  }
  return { repo, infra, sources, charts, release, apps, clusters };
}

/** The warnings a synth prints, as `[path] message`. */
function warningsOf(repo: GitOpsRepo): string[] {
  repo.synthLayout();
  return repo.warnings.map(p => `[${p.path}] ${p.message}`);
}

/** The findings of one rule, as warnings (or errors, for an error rule). */
function findings(repo: GitOpsRepo, rule: string): string[] {
  try {
    return warningsOf(repo).filter(w => w.includes(` ${rule} (`));
  } catch (e) {
    if (!(e instanceof FleetValidationError)) throw e;
    return e.problems.map(p => `[${p.path}] ${p.message}`).filter(w => w.includes(` ${rule} (`));
  }
}

describe('the Flux rules', () => {
  it('a clean fleet has no warning and no error, strict or not', () => {
    expect(warningsOf(cleanFleet().repo)).toEqual([]);
    expect(problemsOf(cleanFleet({ strict: true }).repo)).toEqual([]);
  });

  describe('depends-on-not-ready', () => {
    const message = '[clusters/dev/apps/apps] depends-on-not-ready (warning): spec.dependsOn[0] waits for Kustomization flux-system/infrastructure, which has neither spec.wait nor spec.healthChecks, so Flux marks it Ready as soon as its objects are applied, not when they are ready: this Kustomization is applied while what it needs (controllers, webhooks, CRDs\' operators) may still be starting. Set wait: true (or healthChecks) on Kustomization flux-system/infrastructure, or depend on an object that waits';

    it('fires on a dependsOn whose Kustomization does not wait', () => {
      const f = cleanFleet();
      new ObjectPatch(f.clusters.dev.dir, 'no-wait', { target: f.clusters.dev.infra, patch: { spec: { wait: false } } });
      expect(findings(f.repo, 'depends-on-not-ready')).toEqual([message]);
    });

    it('does not fire when the Kustomization has health checks instead of wait', () => {
      const f = cleanFleet();
      new ObjectPatch(f.clusters.dev.dir, 'checks', { target: f.clusters.dev.infra, patch: { spec: { wait: false, healthChecks: [{ apiVersion: 'helm.toolkit.fluxcd.io/v2', kind: 'HelmRelease', name: 'podinfo', namespace: FLUX }] } } });
      expect(findings(f.repo, 'depends-on-not-ready')).toEqual([]);
    });

    it('is silenced by a suppression with a reason, and a suppression without one is an error', () => {
      const f = cleanFleet();
      new ObjectPatch(f.clusters.dev.dir, 'no-wait', { target: f.clusters.dev.infra, patch: { spec: { wait: false } } });
      Rules.suppress(f.clusters.dev.apps, 'depends-on-not-ready', 'only the order of the apply matters here');
      expect(findings(f.repo, 'depends-on-not-ready')).toEqual([]);
      expect(f.repo.synthLayout().get('clusters/dev/apps.yaml')).toContain('suppress.cdk8s-flux.io/depends-on-not-ready: only the order of the apply matters here');

      const g = cleanFleet();
      new ObjectPatch(g.clusters.dev.dir, 'no-wait', { target: g.clusters.dev.infra, patch: { spec: { wait: false } } });
      Rules.suppress(g.clusters.dev.apps, 'depends-on-not-ready', '  ');
      expect(problemsOf(g.repo)).toEqual([
        '[clusters/dev/apps/apps] Kustomization flux-system/apps: annotation suppress.cdk8s-flux.io/depends-on-not-ready suppresses rule "depends-on-not-ready" without a reason: say why the rule does not apply here, e.g. Rules.suppress(construct, \'depends-on-not-ready\', \'why\')',
      ]);
    });
  });

  describe('helm-upgrade-remediation', () => {
    const message = '[infrastructure/base/release/release] helm-upgrade-remediation (warning): HelmRelease flux-system/podinfo has no spec.upgrade.strategy and no spec.upgrade.remediation.retries, so after the first failed upgrade helm-controller leaves the release failed and stops trying until its spec changes again: set upgrade: { remediation: { retries: 3 } } (roll back, then retry), or spec.upgrade.strategy.name: RetryOnFailure';

    function withoutRemediation() {
      const f = cleanFleet();
      new HelmRelease(new ManifestFile(f.infra, 'other'), 'release', {
        metadata: { name: 'other', namespace: FLUX }, chart: { repository: f.charts, name: 'other', version: '1.0.0' },
      });
      return f;
    }

    it('fires on a HelmRelease with neither, once however many clusters apply it', () => {
      expect(findings(withoutRemediation().repo, 'helm-upgrade-remediation')).toEqual([
        message.replace('release/release', 'other/release').replace('podinfo', 'other'),
      ]);
    });

    it('does not fire with the RetryOnFailure strategy', () => {
      const f = cleanFleet();
      new ObjectPatch(f.infra, 'strategy', { target: f.release, patch: { spec: { upgrade: { remediation: null, strategy: { name: 'RetryOnFailure' } } } } });
      expect(findings(f.repo, 'helm-upgrade-remediation')).toEqual([]);
    });

    it('is silenced by a suppression with a reason', () => {
      const f = withoutRemediation();
      Rules.suppress(f.infra.node.findChild('other'), 'helm-upgrade-remediation', 'a failed upgrade pages a human');
      expect(findings(f.repo, 'helm-upgrade-remediation')).toEqual([]);
    });
  });

  describe('helm-crds-create-replace', () => {
    it('fires on a chart known to ship CRDs, and on one whose install says it has CRDs', () => {
      const f = cleanFleet();
      new HelmRelease(new ManifestFile(f.infra, 'lbc'), 'release', {
        metadata: { name: 'aws-load-balancer-controller', namespace: FLUX }, chart: { repository: f.charts, name: 'aws-load-balancer-controller', version: '1.14.0' },
        upgrade: { remediation: { retries: 3 } },
      });
      new HelmRelease(new ManifestFile(f.infra, 'custom'), 'release', {
        metadata: { name: 'custom', namespace: FLUX }, chart: { repository: f.charts, name: 'custom', version: '1.0.0' },
        install: { crds: CrdPolicy.CREATE }, upgrade: { remediation: { retries: 3 }, crds: CrdPolicy.CREATE },
      });
      expect(findings(f.repo, 'helm-crds-create-replace')).toEqual([
        '[infrastructure/base/custom/release] helm-crds-create-replace (warning): HelmRelease flux-system/custom: spec.install.crds is Create, so its chart ships CRDs, but spec.upgrade.crds is Create, so helm-controller never updates them: a chart upgrade runs with the CRDs of the first install, and objects using new fields are refused. Set upgrade: { crds: CrdPolicy.CREATE_REPLACE }',
        '[infrastructure/base/lbc/release] helm-crds-create-replace (warning): HelmRelease flux-system/aws-load-balancer-controller: chart aws-load-balancer-controller ships CRDs, but spec.upgrade.crds is not set (Skip), so helm-controller never updates them: a chart upgrade runs with the CRDs of the first install, and objects using new fields are refused. Set upgrade: { crds: CrdPolicy.CREATE_REPLACE }',
      ]);
    });

    it('does not fire with CreateReplace, and is silenced by a suppression', () => {
      const f = cleanFleet();
      new HelmRelease(new ManifestFile(f.infra, 'lbc'), 'release', {
        metadata: { name: 'aws-load-balancer-controller', namespace: FLUX }, chart: { repository: f.charts, name: 'aws-load-balancer-controller', version: '1.14.0' },
        upgrade: { remediation: { retries: 3 }, crds: CrdPolicy.CREATE_REPLACE },
      });
      const other = new HelmRelease(new ManifestFile(f.infra, 'sealed'), 'release', {
        metadata: { name: 'sealed-secrets', namespace: FLUX }, chart: { repository: f.charts, name: 'sealed-secrets', version: '2.18.5' },
        upgrade: { remediation: { retries: 3 } },
      });
      Rules.suppress(other, 'helm-crds-create-replace', 'its CRDs are managed by the platform team');
      expect(findings(f.repo, 'helm-crds-create-replace')).toEqual([]);
    });
  });

  describe('kustomization-outside-clusters', () => {
    function nested() {
      const f = cleanFleet();
      const lateDir = new LayoutDirectory(f.repo.apps, 'late');
      new kplus.ConfigMap(new ManifestFile(lateDir, 'late'), 'late', { metadata: { name: 'late', namespace: 'default' }, data: { a: 'b' } });
      const late = new Kustomization(new ManifestFile(f.infra, 'late-sync'), 'late', { metadata: { name: 'late', namespace: FLUX }, sourceRef: f.clusters.dev.git, path: lateDir, wait: true });
      // a Kustomization of the cluster directory depends on one the infrastructure applies
      const dependent = new Kustomization(new ManifestFile(f.clusters.dev.dir, 'after-late'), 'after', { metadata: { name: 'after-late', namespace: FLUX }, sourceRef: f.clusters.dev.git, path: f.apps, dependsOn: [late], targetNamespace: 'other' });
      return { ...f, late, dependent };
    }

    it('fires on a Kustomization another Kustomization applies when a dependsOn involves it', () => {
      expect(findings(nested().repo, 'kustomization-outside-clusters')).toEqual([
        '[infrastructure/base/late-sync/late] kustomization-outside-clusters (warning): Kustomization flux-system/late is declared in infrastructure/base/late-sync.yaml, which Kustomization flux-system/infrastructure applies, not in the cluster directory: on a fresh cluster it only exists once Kustomization flux-system/infrastructure has reconciled, so Kustomization flux-system/after-late depends on it and fails with "dependency \'flux-system/late\' not found" until it is applied. Declare it in clusters/<cluster>/ (a ManifestFile of the cluster directory) so that the whole dependency graph exists from the first reconcile',
      ]);
    });

    it('does not fire on one that nothing depends on (even if it depends on one of the cluster directory), and is silenced by a suppression', () => {
      const f = cleanFleet();
      const lateDir = new LayoutDirectory(f.repo.apps, 'late');
      new kplus.ConfigMap(new ManifestFile(lateDir, 'late'), 'late', { metadata: { name: 'late', namespace: 'default' }, data: { a: 'b' } });
      new Kustomization(new ManifestFile(f.infra, 'late-sync'), 'late', { metadata: { name: 'late', namespace: FLUX }, sourceRef: f.clusters.dev.git, path: lateDir, dependsOn: [f.clusters.dev.apps] });
      expect(findings(f.repo, 'kustomization-outside-clusters')).toEqual([]);
      const g = nested();
      Rules.suppress(g.late, 'kustomization-outside-clusters', 'the retry after "dependency not found" is acceptable for this one');
      expect(findings(g.repo, 'kustomization-outside-clusters')).toEqual([]);
    });
  });

  describe('sync-ignore', () => {
    it('fires on the sync GitRepository without spec.ignore, not on another GitRepository', () => {
      const f = cleanFleet();
      new ObjectPatch(f.clusters.dev.dir, 'no-ignore', { target: f.clusters.dev.git, patch: { spec: { ignore: null } } });
      new GitRepository(new ManifestFile(f.apps, 'tenant'), 'git', { metadata: { name: 'tenant', namespace: FLUX }, url: 'https://github.com/org/tenant', ref: { branch: 'main' } });
      expect(findings(f.repo, 'sync-ignore')).toEqual([
        '[clusters/dev/flux-system/gotk-sync/repo] sync-ignore (warning): GitRepository flux-system/flux-system is the source the cluster applies this repository from, but it has no spec.ignore, so source-controller downloads the whole repository into the cluster: the library\'s source, its tests and their throwaway keys, benchmarks. Set spec.ignore to keep only the layout, e.g. "/*\\n!/clusters/\\n!/infrastructure/\\n!/apps/"',
      ]);
    });

    it('is silenced by a suppression given in a patch', () => {
      const f = cleanFleet();
      new ObjectPatch(f.clusters.dev.dir, 'no-ignore', { target: f.clusters.dev.git, patch: { metadata: { annotations: { 'suppress.cdk8s-flux.io/sync-ignore': 'this repository holds only the layout' } }, spec: { ignore: null } } });
      expect(findings(f.repo, 'sync-ignore')).toEqual([]);
    });
  });

  describe('ssh-without-secret', () => {
    it('is an error for an ssh:// GitRepository without secretRef, and not for https:// or one with a secret', () => {
      const f = cleanFleet();
      const file = new ManifestFile(f.apps, 'tenants');
      new GitRepository(file, 'a', { metadata: { name: 'a', namespace: FLUX }, url: 'ssh://git@github.com/org/a', ref: { branch: 'main' } });
      new GitRepository(file, 'b', { metadata: { name: 'b', namespace: FLUX }, url: 'https://github.com/org/b', ref: { branch: 'main' } });
      expect(problemsOf(f.repo)).toEqual([
        '[apps/base/tenants/a] ssh-without-secret (error): GitRepository flux-system/a: spec.url "ssh://git@github.com/org/a" is an SSH URL but there is no spec.secretRef, so source-controller has no key to authenticate with and every fetch fails: name a Secret with identity, identity.pub and known_hosts in spec.secretRef (sealed with npm run seal), or use an https:// URL for a public repository',
      ]);
    });

    it('is read from files you own too, and can be suppressed by annotation', () => {
      const f = cleanFleet();
      const yaml = (annotations: string) => `apiVersion: source.toolkit.fluxcd.io/v1\nkind: GitRepository\nmetadata:\n  name: own\n  namespace: flux-system\n${annotations}spec:\n  interval: 1m\n  url: ssh://git@example.com/own\n  ref:\n    branch: main\n`;
      writeFile(f.repo.rootDir, 'apps/base/own.yaml', yaml(''));
      new ExistingFile(f.apps, 'own', { fileName: 'own.yaml' });
      expect(findings(f.repo, 'ssh-without-secret')).toEqual([
        '[apps/base/own] ssh-without-secret (error): GitRepository flux-system/own: spec.url "ssh://git@example.com/own" is an SSH URL but there is no spec.secretRef, so source-controller has no key to authenticate with and every fetch fails: name a Secret with identity, identity.pub and known_hosts in spec.secretRef (sealed with npm run seal), or use an https:// URL for a public repository',
      ]);
      writeFile(f.repo.rootDir, 'apps/base/own.yaml', yaml('  annotations:\n    suppress.cdk8s-flux.io/ssh-without-secret: the node\'s own SSH agent authenticates\n'));
      expect(problemsOf(f.repo)).toEqual([]);
    });
  });

  describe('helm-repository-oci', () => {
    it('fires on a HelmRepository of type oci, not on an OCIRepository, and is suppressible', () => {
      const f = cleanFleet();
      const repo = new HelmRepository(f.sources, 'oci', { metadata: { name: 'oci-charts', namespace: FLUX }, url: 'oci://ghcr.io/org/charts', type: HelmRepositoryType.OCI });
      new OCIRepository(f.sources, 'chart', { metadata: { name: 'chart', namespace: FLUX }, url: 'oci://ghcr.io/org/charts/chart', ref: { semver: '1.x' } });
      expect(findings(f.repo, 'helm-repository-oci')).toEqual([
        '[infrastructure/base/sources/oci] helm-repository-oci (warning): HelmRepository flux-system/oci-charts has type: oci, which Flux keeps in maintenance mode only (no digest pinning, a HelmChart per release, verification only through each release\'s chart.verify): declare an OCIRepository per chart (url oci://…/<chart>, ref.semver, layerSelector for the Helm chart media type) and point the HelmRelease at it with chartRef',
      ]);
      Rules.suppress(repo, 'helm-repository-oci', 'the registry serves no OCI artifacts but charts');
      expect(findings(f.repo, 'helm-repository-oci')).toEqual([]);
    });
  });

  describe('promotion-shared-range', () => {
    it('fires when every cluster has the same range, not when a later stage pins', () => {
      const f = cleanFleet();
      expect(findings(f.repo, 'promotion-shared-range')).toEqual([]);
      const h = cleanFleet();
      new HelmRelease(new ManifestFile(h.infra, 'shared'), 'release', {
        metadata: { name: 'shared', namespace: FLUX }, chart: { repository: h.charts, name: 'shared', version: '1.x' },
        upgrade: { remediation: { retries: 3 } },
      });
      expect(findings(h.repo, 'promotion-shared-range')).toEqual([
        '[infrastructure/base/shared/release] promotion-shared-range (warning): HelmRelease flux-system/shared has spec.chart.spec.version "1.x" in every cluster (dev, prod), so a new release matching it reaches all of them within one interval, the last stage as soon as the first: give the range to the first stage only and pin the later ones to the version it validated (a Promotion whose later stages follow())',
      ]);
    });

    it('an exact version everywhere is not a range, and a suppression silences it', () => {
      const f = cleanFleet();
      const shared = new HelmRelease(new ManifestFile(f.infra, 'shared'), 'release', {
        metadata: { name: 'shared', namespace: FLUX }, chart: { repository: f.charts, name: 'shared', version: '1.2.3' },
        upgrade: { remediation: { retries: 3 } },
      });
      expect(findings(f.repo, 'promotion-shared-range')).toEqual([]);
      new ObjectPatch(f.infra, 'range', { target: shared, patch: { spec: { chart: { spec: { version: '^1.2.3' } } } } });
      expect(findings(f.repo, 'promotion-shared-range')).toHaveLength(1);
      Rules.suppress(shared, 'promotion-shared-range', 'a stateless utility every stage may take at once');
      expect(findings(f.repo, 'promotion-shared-range')).toEqual([]);
    });
  });

  describe('sealed-secrets-key-renewal', () => {
    function withController(values: Record<string, unknown> | undefined) {
      const f = cleanFleet();
      new HelmRelease(new ManifestFile(f.infra, 'sealed-secrets'), 'release', {
        metadata: { name: 'sealed-secrets', namespace: FLUX }, chart: { repository: f.charts, name: 'sealed-secrets', version: '2.18.5' },
        install: { crds: CrdPolicy.CREATE }, upgrade: { crds: CrdPolicy.CREATE_REPLACE, remediation: { retries: 3 } },
        values,
      });
      new ApiObject(new ManifestFile(f.apps, 'sealed'), 'sealed', {
        apiVersion: 'bitnami.com/v1alpha1', kind: 'SealedSecret', metadata: { name: 'db', namespace: FLUX },
        spec: { encryptedData: { password: 'AgB' }, template: { metadata: { name: 'db', namespace: FLUX } } },
      });
      return f;
    }

    it('fires when the controller renews its key while the cluster applies SealedSecrets sealed offline', () => {
      expect(findings(withController(undefined).repo, 'sealed-secrets-key-renewal')).toEqual([
        '[infrastructure/base/sealed-secrets/release] sealed-secrets-key-renewal (error): HelmRelease flux-system/sealed-secrets runs the Sealed Secrets controller with key renewal on (values.keyrenewperiod unset: a new key every 30 days), while the SealedSecrets its cluster applies are sealed offline for the certificate committed in the repository, whose private key the bootstrap installs: after a renewal, kubeseal --fetch-cert returns a certificate no one committed, and what is sealed for it cannot be restored by a new bootstrap. Set values: { keyrenewperiod: \'0\' } and rotate by committing a new certificate and key',
      ]);
      expect(findings(withController({ keyrenewperiod: '720h' }).repo, 'sealed-secrets-key-renewal')[0]).toContain('(values.keyrenewperiod "720h")');
    });

    it('does not fire with renewal off, and a suppression silences it', () => {
      expect(findings(withController({ keyrenewperiod: '0' }).repo, 'sealed-secrets-key-renewal')).toEqual([]);
      const f = withController(undefined);
      Rules.suppress(f.infra.node.findChild('sealed-secrets'), 'sealed-secrets-key-renewal', 'keys are backed up nightly by the platform team');
      expect(findings(f.repo, 'sealed-secrets-key-renewal')).toEqual([]);
    });
  });
});

describe('suppressions', () => {
  it('refuse an unknown rule, a rule that cannot be suppressed, and a bad id', () => {
    const f = cleanFleet();
    Rules.suppress(f.release, 'no-such-rule', 'why not');
    Rules.suppress(f.charts, 'Not An Id', 'why');
    const problems = problemsOf(f.repo);
    expect(problems).toContain('[infrastructure/base/sources/charts] Rules.suppress: "Not An Id" is not a rule id: use the id the rule reports (e.g. "depends-on-not-ready")');
    expect(problems.find(p => p.includes('no-such-rule'))).toMatch(/^\[infrastructure\/base\/release\/release\] HelmRelease flux-system\/podinfo: annotation suppress\.cdk8s-flux\.io\/no-such-rule suppresses rule "no-such-rule", which does not exist: use one of .*depends-on-not-ready.*sealed-secrets-key-renewal/);
  });

  it('a rule may refuse suppression', async () => {
    const { ruleCheck, RuleSeverity } = await import('../src');
    const f = cleanFleet();
    f.repo.registerCheck(ruleCheck({
      id: 'no-podinfo', severity: RuleSeverity.ERROR, description: 'no podinfo', suppressible: false,
      evaluate: model => model.clusters.flatMap(c => c.ofKind('HelmRelease', null)).filter(a => a.doc.metadata?.name === 'podinfo').map(a => ({ subject: { doc: a.doc, location: 'x' }, message: 'podinfo is banned' })),
    }));
    Rules.suppress(f.release, 'no-podinfo', 'please');
    expect(problemsOf(f.repo)).toEqual([
      '[infrastructure/base/release/release] HelmRelease flux-system/podinfo: annotation suppress.cdk8s-flux.io/no-podinfo suppresses rule "no-podinfo", which cannot be suppressed: fix what it reports',
      '[x] no-podinfo (error): podinfo is banned',
    ]);
  });
});

describe('warnings on synth, and --strict', () => {
  function warned() {
    const f = cleanFleet();
    new HelmRepository(f.sources, 'oci', { metadata: { name: 'oci-charts', namespace: FLUX }, url: 'oci://ghcr.io/org/charts', type: HelmRepositoryType.OCI });
    return f;
  }
  const line = 'warning: [infrastructure/base/sources/oci] helm-repository-oci (warning): HelmRepository flux-system/oci-charts has type: oci';

  it('synth prints the warnings and succeeds', () => {
    const out: string[] = [];
    const err: string[] = [];
    const code = runSynth(warned().repo, [], { out: t => out.push(t), err: t => err.push(t), env: {} });
    expect(code).toBe(0);
    expect(err.join('')).toContain(line);
  });

  it('--strict, or CI=true, makes them errors and writes nothing', () => {
    for (const [args, env] of [[['--strict'], {}], [[], { CI: 'true' }]] as const) {
      const f = warned();
      const err: string[] = [];
      const code = runSynth(f.repo, args, { out: () => undefined, err: t => err.push(t), env });
      expect(code).toBe(1); // an invalid fleet is a finding
      expect(err.join('')).toContain('[infrastructure/base/sources/oci] helm-repository-oci (warning, an error with --strict): HelmRepository flux-system/oci-charts has type: oci');
      expect(err.join('')).toContain('nothing was written');
    }
  });

  it('GitOpsRepo({ strict: true }) makes them errors for synthLayout too', () => {
    const f = cleanFleet({ strict: true });
    new HelmRepository(f.sources, 'oci', { metadata: { name: 'oci-charts', namespace: FLUX }, url: 'oci://ghcr.io/org/charts', type: HelmRepositoryType.OCI });
    expect(() => f.repo.synthLayout()).toThrow(FleetValidationError);
    expect(f.repo.strict).toBe(true);
  });
});
