import { ApiObject } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { IConstruct } from 'constructs';
import { ExistingFile } from '../core/existing-file';
import { FileRole } from '../core/layout-file';
import { FleetProblem, FleetValidationError } from '../core/errors';
import { deepEqual } from '../core/json-values';
import { LayoutDirectory } from '../core/layout-directory';
import { ManifestFile } from '../core/manifest-file';
import { Rules } from '../core/rules';
import { placeMarkedValues } from '../core/setter-markers';
import { documentDifferences } from '../fleet/environment-diff';
import { GitOpsRepo } from '../fleet/gitops-repo';
import { GitRepository } from '../flux/sources/git-repository';
import { HelmRepository, HelmRepositoryType } from '../flux/sources/helm-repository';
import { OCIRepository } from '../flux/sources/oci-repository';
import { Bucket } from '../flux/sources/bucket';
import { HelmChart } from '../flux/sources/helm-chart';
import { ExternalArtifact } from '../flux/sources/external-artifact';
import { Receiver } from '../notifications/receiver';
import { ImageRepository } from '../image/image-repository';
import { ImagePolicy, ImagePolicyRule } from '../image/image-policy';
import { ImageUpdateAutomation } from '../image/image-update-automation';
import { CrdPolicy, DriftDetectionMode, HelmRelease, UpgradeRemediationStrategy } from '../flux/helm-release';
import { Kustomization } from '../flux/kustomization';
import { Provider, ProviderType } from '../notifications/provider';
import { Alert } from '../notifications/alert';
import { SealedSecret } from '../secrets/sealed-secret';
import { SealedStore } from '../secrets/sealed-store';
import { SealingCertificate } from '../secrets/certificate';
import { SealingScope } from '../secrets/seal';
import * as helm from '../imports/helm-helm.toolkit.fluxcd.io';
import * as imageAutomation from '../imports/image-automation-image.toolkit.fluxcd.io';
import * as imageReflector from '../imports/image-reflector-image.toolkit.fluxcd.io';
import * as kustomize from '../imports/kustomize-kustomize.toolkit.fluxcd.io';
import * as notification from '../imports/notification-notification.toolkit.fluxcd.io';
import * as sealedSecrets from '../imports/sealed-secrets-bitnami.com';
import * as source from '../imports/source-source.toolkit.fluxcd.io';
import * as sourceWatcher from '../imports/source-watcher-source.extensions.fluxcd.io';
import { ArtifactGenerator } from '../flux/sources/artifact-generator';
import { FluxInstance } from '../flux/operator/flux-instance';
import { ClassRef, EvalContext, evaluate, Expr, Var } from './code';
import { normalizeGenerated } from './compare';
import { Component, layoutStatements, Plan, PlannedObject, repoVar } from './plan';

/** What the generated code imports from the library, for evaluating it here. */
const LIBRARY_EXPORTS: Record<string, unknown> = {
  LayoutDirectory, ManifestFile, ExistingFile, GitOpsRepo, SealedStore, SealingCertificate, Rules,
  GitRepository, HelmRepository, OCIRepository, Bucket, HelmChart, ExternalArtifact, HelmRelease, Kustomization, Provider, Alert, Receiver, SealedSecret,
  ImageRepository, ImagePolicy, ImagePolicyRule, ImageUpdateAutomation, ArtifactGenerator, FluxInstance,
  CrdPolicy, DriftDetectionMode, UpgradeRemediationStrategy, HelmRepositoryType, ProviderType, SealingScope,
  source, helm, kustomize, notification, imageReflector, imageAutomation, sealedSecrets, sourceWatcher,
};

function classOf(cls: ClassRef): unknown {
  const module: Record<string, unknown> = cls.module === 'cdk8s-flux' ? LIBRARY_EXPORTS
    : cls.module === 'cdk8s' ? { ApiObject }
      : cls.module === 'cdk8s-plus-27' ? { kplus }
        : {};
  const holder = cls.namespace ? module[cls.namespace] as Record<string, unknown> | undefined : module;
  const found = holder?.[cls.name];
  if (found === undefined) throw new Error(`the importer cannot evaluate ${cls.namespace ? `${cls.namespace}.` : ''}${cls.name} of ${cls.module}`);
  return found;
}

/** The fleet built in this process from a plan, and how each object came out. */
export interface BuiltFleet {
  readonly repo: GitOpsRepo;
  /** Objects that could not be created or do not render as the original: what differs. */
  readonly failures: Map<PlannedObject, string>;
  /** The construct of each object. */
  readonly constructs: Map<PlannedObject, IConstruct>;
}

/** The variables an expression refers to. */
export function varsOf(e: Expr, into = new Set<Var>()): Set<Var> {
  switch (e.t) {
    case 'var': into.add(e.v); break;
    case 'obj': e.props.forEach(([, v]) => varsOf(v, into)); break;
    case 'arr': e.items.forEach(v => varsOf(v, into)); break;
    case 'new': case 'call': e.args.forEach(v => varsOf(v, into)); break;
    case 'method': varsOf(e.target, into); e.args.forEach(v => varsOf(v, into)); break;
    case 'prop': varsOf(e.target, into); break;
    case 'cast': varsOf(e.expr, into); break;
    default: break;
  }
  return into;
}

/** The `fromName` imports a component's chosen ways use, in declaration order. */
export function usedImports(c: Component): { var: Var; expr: Expr }[] {
  const used = new Set<Var>();
  for (const o of c.objects) varsOf(o.ways[o.level].expr, used);
  return [...c.imports.values()].filter(i => used.has(i.var));
}

/** Builds the planned fleet in this process (as the generated code would), writing nothing. */
export function buildFleet(plan: Plan, rootDir: string): BuiltFleet {
  // strict, as CI runs synth: a rule's warning is one more finding to suppress, with a reason
  const repo = new GitOpsRepo({ rootDir, allowCrossNamespaceReferences: true, strict: true });
  const vars = new Map<Var, unknown>([[repoVar, repo]]);
  const classes = (cls: ClassRef) => plan.crdClasses.modules.get(cls.module)?.[cls.name] ?? classOf(cls);
  const ctx: EvalContext = { classes, vars, rootDir };
  for (const s of layoutStatements(plan)) {
    const value = evaluate(s.expr, ctx);
    if (s.var) vars.set(s.var, value);
  }
  const envs = new Map(plan.environments.map(e => [e.name, environmentValue(plan, e.name)]));
  for (const e of plan.environments) repo.addEnvironment(envs.get(e.name)!, vars.get(e.dir.var) as LayoutDirectory);
  const failures = new Map<PlannedObject, string>();
  const constructs = new Map<PlannedObject, IConstruct>();
  for (const c of plan.components) {
    const dir = vars.get(c.dir.var) as LayoutDirectory;
    if (c.env) vars.set(c.env.var, envs.get(c.env.name));
    for (const f of c.files) {
      vars.set(f.var, f.existing !== undefined ? new ExistingFile(dir, f.fileName, { fileName: f.fileName, ...f.data ? { role: FileRole.DATA } : {} }) : new ManifestFile(dir, f.fileName, { fileName: f.fileName }));
    }
    for (const i of usedImports(c)) vars.set(i.var, evaluate(i.expr, ctx));
    for (const o of c.objects) {
      try {
        const value = evaluate(o.ways[o.level].expr, ctx) as IConstruct;
        vars.set(o.var, value);
        constructs.set(o, value);
        for (const [rule, reason] of o.suppressions) Rules.suppress(value, rule, reason);
        // a setter call's token resolved to its value, as the writer does
        const rendered = normalizeGenerated(JSON.parse(JSON.stringify(placeMarkedValues([ApiObject.of(value).toJson()])[0])));
        const expected = normalizeGenerated(o.expected);
        if (!deepEqual(rendered, expected)) {
          const d = documentDifferences(expected, rendered).slice(0, 3).map(x => `${x.path}: ${JSON.stringify(x.from)} → ${JSON.stringify(x.to)}`);
          failures.set(o, `renders differently (${d.join('; ')})`);
        }
      } catch (e) {
        failures.set(o, `cannot be created: ${(e as Error).message.split('\n')[0]}`);
        vars.set(o.var, undefined);
      }
    }
    for (const p of c.patches) evaluate(p, ctx);
    for (const g of c.generators) evaluate(g, ctx);
  }
  return { repo, failures, constructs };
}

/** An environment as the generated `ENVIRONMENTS` holds it: its name, its cluster and the values lifted from its overlays. */
export function environmentValue(plan: Plan, name: string): { name: string; cluster: string } & Record<string, unknown> {
  return { name, cluster: name, ...Object.fromEntries(plan.environmentFields.map(f => [f.name, f.values[name]])) };
}

/** The outcome of choosing how to write every object. */
export interface Choice {
  /** The fleet as finally built. */
  readonly fleet: BuiltFleet;
  /** Why objects were written less typed than they could have been, by object. */
  readonly downgrades: Map<PlannedObject, string[]>;
  /**
   * Problems the library's checks find in the original itself (a reference that resolves to
   * nothing…), which no way of writing an object avoids: the generated fleet's synth refuses them
   * until they are fixed. The comparison was made with those checks off.
   */
  readonly findings: readonly FleetProblem[];
  /** What still keeps the fleet from synthesizing, with the checks off: the import could not write these. */
  readonly problems: readonly FleetProblem[];
}

const SUPPRESSION_REASON = 'imported from the original repository as it was (cdk8s-flux import): review, then fix and remove this suppression';

/**
 * Chooses the most typed way to write each object that renders it exactly and passes its
 * construct's own checks: builds the fleet, moves each object that renders differently or that its
 * construct refuses to its next way, and builds again, until every object holds. Findings of the
 * library's rules about the original are suppressed on their object (with a reason to review);
 * other findings of the checks are returned, and the fleet is synthesized without those checks.
 */
export function chooseWays(plan: Plan, rootDir: string): Choice {
  const downgrades = new Map<PlannedObject, string[]>();
  const bump = (o: PlannedObject, why: string) => {
    if (o.level >= o.ways.length - 1) return false;
    downgrades.set(o, [...downgrades.get(o) ?? [], `${o.ways[o.level].as}: ${why}`]);
    o.level++;
    return true;
  };
  for (let pass = 0; ; pass++) {
    const fleet = buildFleet(plan, rootDir);
    let changed = false;
    for (const [o, why] of fleet.failures) changed = bump(o, why) || changed;
    if (changed) continue;
    // the construct's own validation (its props): write the object less typed
    for (const [o, c] of fleet.constructs) {
      const own = c.node.findAll().flatMap(n => n.node.validate());
      if (own.length > 0) changed = bump(o, `its construct refuses it: ${own[0]}`) || changed;
    }
    if (changed) continue;
    let problems: readonly FleetProblem[] = [];
    try {
      fleet.repo.synthLayout();
    } catch (e) {
      if (!(e instanceof FleetValidationError)) throw e;
      problems = e.problems;
    }
    // a rule the original breaks: suppressed on its object, with a reason to review
    for (const p of problems) {
      if (!p.rule) continue;
      for (const [o, c] of fleet.constructs) {
        if ((p.path === c.node.path || p.path.startsWith(`${c.node.path}/`)) && !o.suppressions.has(p.rule)) {
          o.suppressions.set(p.rule, SUPPRESSION_REASON);
          changed = true;
        }
      }
    }
    if (changed && pass < 8) continue;
    const findings = problems.filter(p => !p.rule || ![...fleet.constructs.values()].some(c => p.path === c.node.path || p.path.startsWith(`${c.node.path}/`)));
    if (findings.length === 0) return { fleet, downgrades, findings: [], problems: [] };
    // prove the objects anyway: the same fleet with the model's checks off
    const unchecked = buildFleet(plan, rootDir);
    for (const check of unchecked.repo.registry().checks) unchecked.repo.registerCheck({ id: check.id, description: check.description, check: () => [] });
    try {
      unchecked.repo.synthLayout();
      return { fleet: unchecked, downgrades, findings, problems: [] };
    } catch (e) {
      if (!(e instanceof FleetValidationError)) throw e;
      return { fleet: unchecked, downgrades, findings, problems: e.problems };
    }
  }
}
