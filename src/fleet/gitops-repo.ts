import * as fs from 'node:fs';
import * as path from 'node:path';
import { App, AppProps } from 'cdk8s';
import { LayoutDirectory, LayoutDirectoryProps } from '../core/layout-directory';
import { isLayoutFile } from '../core/layout-file';
import { fluxModule } from '../flux/model/flux-module';
import { fluxInstallationModule } from '../flux/operator/flux-installation-module';
import { tenancyModule } from '../tenancy/tenancy-checks';
import { imageModule } from '../image/image-automation-checks';
import { MarkedValueResolver } from '../core/setter-markers';
import { secretsModule } from '../secrets/plaintext-guard';
import { schemaModule, SchemaValidationOptions } from '../validation/schema-check';
import { coreModule } from '../core/model/core-module';
import { FleetRegistry, ModelCheck } from '../core/model/fleet-model';
import { fieldProblem, KindReferences } from '../core/model/references';
import { CrdSource, loadCrds, RegisteredCrd } from '../validation/crd-documents';
import { scanLayout, scanUserFiles } from '../core/disk-scan';
import { DiskFiles } from '../core/model/repo-tree';
import { CommittedMarkedValues } from '../core/automated-values';
import { FleetProblem } from '../core/errors';
import { warningsOf } from '../core/warnings';
import { analyzeLayout, LayoutFiles, LayoutModel } from '../core/layout-model';
import { Environment, RegisteredEnvironment } from './environment';
import { DIRECTORY_NAME_PATTERN } from '../core/names';
import { diffPlan, isClean, LayoutPlan, OpenLayoutWrite, openLayoutWrite, planLayout, WriteHooks } from '../core/tree-writer';

/** Props of a `GitOpsRepo`. */
export interface GitOpsRepoProps extends AppProps {
  /**
   * The repository root the layout is written into.
   * @default the current working directory
   */
  readonly rootDir?: string;

  /**
   * Allow Flux objects to reference objects in another namespace (a HelmRelease in `kube-system`
   * using a HelmRepository in `flux-system`). Flux allows it by default, but its multi-tenancy
   * lockdown (`--no-cross-namespace-refs`) refuses such references, so synth reports them unless
   * this is set.
   * @default false
   */
  readonly allowCrossNamespaceReferences?: boolean;

  /**
   * Validate every object against its CRD's schema at synth, strictly (unknown fields rejected).
   * `runSynth` turns it on with `--validate`, and always in CI (`CI` set).
   * @default false
   */
  readonly validateSchemas?: boolean | SchemaValidationOptions;

  /**
   * Treat the rules' warnings as errors. `runSynth` turns it on with `--strict`, and always in CI
   * (`CI` set to `true` or `1`).
   * @default false: warnings are printed (see `warnings`) and the synth goes on
   */
  readonly strict?: boolean;
}

/** Result of comparing the repository with a fresh synth. */
export interface LayoutCheck {
  /** Whether the files on disk are exactly what a synth would write. */
  readonly clean: boolean;
  /** A unified diff from the files on disk to a fresh synth (empty when clean). */
  readonly diff: string;
  /** The plan behind the diff. */
  readonly plan: LayoutPlan;
}

/**
 * The root of a Flux GitOps repository. Constructs placed in its three top-level directories
 * are written to stable paths of the Flux layout:
 *
 * - `clusters/<cluster>/…`: what each cluster's Flux reconciles;
 * - `infrastructure/base/<component>/…` and `infrastructure/overlays/<env>/…`: shared controllers;
 * - `apps/…`: applications and tenants.
 *
 * `synth()` validates the whole fleet, renders every file in memory, and only then writes the
 * tree atomically, pruning files it generated earlier that are no longer produced.
 */
export class GitOpsRepo extends App {
  /**
   * The top-level directories every fleet's layout writer owns; it writes and prunes nowhere else
   * but in the roots a fleet adds (`addRoot`; all of them: `managedRoots`).
   */
  public static readonly MANAGED_ROOTS: readonly string[] = ['clusters', 'infrastructure', 'apps'];

  /**
   * Names a fleet cannot add as a root (`addRoot`): what a TypeScript fleet repository holds besides
   * the layout, and the never-written `templates` directory.
   */
  public static readonly RESERVED_ROOTS: readonly string[] = ['src', 'lib', 'test', 'tests', 'node_modules', 'templates', 'crds', 'docs', 'bench', 'sealed-secrets'];

  /** The repository root the layout is written into. */
  public readonly rootDir: string;
  /** `clusters/`: one directory per cluster. */
  public readonly clusters: LayoutDirectory;
  /** `infrastructure/`: shared components, as a base plus per-environment overlays. */
  public readonly infrastructure: LayoutDirectory;
  /** `apps/`: applications and tenants. */
  public readonly apps: LayoutDirectory;
  /**
   * A directory that is never written: a home for the shared base of fully rendered
   * (`flatten`ed) overlays, which copy its objects into each environment.
   */
  public readonly templates: LayoutDirectory;
  /** Whether Flux objects may reference objects in other namespaces. */
  public readonly allowCrossNamespaceReferences: boolean;
  private schemaValidation?: SchemaValidationOptions;
  private strictRules: boolean;
  private readonly registered: RegisteredEnvironment[] = [];
  private readonly userChecks: ModelCheck[] = [];
  private readonly userReferences: KindReferences[] = [];
  private readonly addedRoots: LayoutDirectory[] = [];
  private readonly crdList: RegisteredCrd[] = [];
  private readonly crdProblems: string[] = [];
  private crdSources = 0;

  constructor(props: GitOpsRepoProps = {}) {
    // resolves marked values (image-automation setters) wherever an object is rendered
    super({ ...props, resolvers: [new MarkedValueResolver(), ...props.resolvers ?? []] });
    this.rootDir = path.resolve(props.rootDir ?? process.cwd());
    this.clusters = new LayoutDirectory(this, 'clusters', { kustomize: false });
    this.infrastructure = new LayoutDirectory(this, 'infrastructure', { kustomize: false });
    this.apps = new LayoutDirectory(this, 'apps', { kustomize: false });
    this.templates = new LayoutDirectory(this, 'templates', { kustomize: false, virtual: true });
    this.allowCrossNamespaceReferences = props.allowCrossNamespaceReferences ?? false;
    this.strictRules = props.strict ?? false;
    if (props.validateSchemas) this.enableSchemaValidation(props.validateSchemas === true ? {} : props.validateSchemas);
    this.node.addValidation({ validate: () => [...this.validateEnvironments(), ...this.rootProblems(), ...this.crdProblems, ...this.referenceProblems()] });
  }

  /**
   * Adds a top-level directory to the layout besides `clusters/`, `infrastructure/` and `apps/`
   * (`tenants/`, as Flux's multi-tenancy example has it) and returns it. The writer owns it as it
   * owns the others: it writes there, prunes only files it generated (they carry its marker) and
   * never touches a file you put there; `synth --check` and the model read it; the sync
   * GitRepository's `spec.ignore` must keep it (the `sync-ignore-excludes-layout` rule says so). The
   * name is one path segment that is not a root already nor reserved (`RESERVED_ROOTS`).
   *
   * @param props the directory's props (`dirName` is the name)
   * @default props `{ kustomize: false }`: a grouping directory, like `apps/`
   */
  public addRoot(name: string, props: Omit<LayoutDirectoryProps, 'dirName'> = {}): LayoutDirectory {
    const taken = this.node.tryFindChild(name);
    if (taken) {
      throw new Error(`addRoot("${name}"): the fleet already has ${LayoutDirectory.isLayoutDirectory(taken) ? `the root "${taken.dirName}/"` : `a construct named "${name}" (${taken.node.path})`}; each root is added once: keep the directory addRoot returned the first time`);
    }
    const root = new LayoutDirectory(this, name, { kustomize: false, ...props });
    this.addedRoots.push(root);
    return root;
  }

  /** Every top-level directory the writer owns: `MANAGED_ROOTS`, then those added with `addRoot`, in order. */
  public get managedRoots(): readonly string[] {
    // a name that leaves the repository ("..", a path) is reported at synth, never scanned or written
    return [...GitOpsRepo.MANAGED_ROOTS, ...this.addedRoots.map(r => r.dirName).filter(n => n !== '.' && n !== '..' && !/[/\\]/.test(n))];
  }

  /** The roots added with `addRoot`, in order. */
  public get roots(): readonly LayoutDirectory[] {
    return [...this.addedRoots];
  }

  /**
   * Registers an environment and the directory of its cluster (`clusters/<env.cluster>/`), so
   * that tools can refer to it by name (`diff development staging`, `graph`).
   */
  public addEnvironment(env: Environment, cluster: LayoutDirectory): void {
    this.registered.push({ env, cluster });
  }

  /** The registered environments, in registration order (promotion order, by convention). */
  public get environments(): readonly RegisteredEnvironment[] {
    return [...this.registered];
  }

  /** The registered environment called `name`; throws an error listing the valid names otherwise. */
  public environment(name: string): RegisteredEnvironment {
    const found = this.registered.find(r => r.env.name === name);
    if (!found) {
      const known = this.registered.map(r => `"${r.env.name}"`).join(', ');
      throw new UnknownEnvironmentError(`unknown environment "${name}": ${known ? `the fleet defines ${known}` : 'the fleet registers no environment (GitOpsRepo.addEnvironment)'}`);
    }
    return found;
  }

  /**
   * Adds a rule of your own over the model of what each cluster applies: it runs at every synth
   * with the library's checks, and its problems fail the synth the same way.
   */
  public registerCheck(check: ModelCheck): void {
    this.userChecks.push(check);
  }

  /**
   * Declares the reference fields of a kind the library does not know (a CRD imported with
   * `cdk8s import`), so that the checks resolve them and the graph draws them.
   */
  public registerReferences(entry: KindReferences): void {
    this.userReferences.push(entry);
  }

  /**
   * Registers the CRDs of kinds you import with `cdk8s import` (cert-manager, Gateway API,
   * Kyverno…): the paths of their YAML files (relative to the working directory) or parsed CRD
   * documents. Schema validation (`validate`, `synth --validate`, always in CI) then checks their
   * objects as strictly as Flux's, instead of their metadata only, and refuses a version the CRD
   * does not serve; and references to a kind whose CRD says `scope: Cluster` resolve in no
   * namespace. Declare the references the kinds make with `registerReferences` (or the ready-made
   * `certManagerReferences()` and `gatewayApiReferences()`). A file that does not exist or holds
   * no CRD is reported at synth. Returns the CRDs read.
   */
  public registerCrds(...sources: CrdSource[]): readonly RegisteredCrd[] {
    const read: RegisteredCrd[] = [];
    for (const source of sources) {
      const { crds, problems } = loadCrds(source, this.crdSources++);
      read.push(...crds);
      this.crdProblems.push(...problems.map(p => `registerCrds(): ${p}`));
    }
    this.crdList.push(...read);
    return read;
  }

  /** The CRDs registered with `registerCrds`, in registration order. */
  public get crds(): readonly RegisteredCrd[] {
    return [...this.crdList];
  }

  /** The registry a synth runs with: every module's reference tables, appliers and checks, then yours. */
  public registry(): FleetRegistry {
    const lockedDown = new Map(this.registered.filter(r => r.env.lockdown).map(r => [r.cluster.repoPath, r.env.name]));
    const registry = new FleetRegistry()
      .use(coreModule)
      .use(fluxModule({ allowCrossNamespaceReferences: this.allowCrossNamespaceReferences, lockedDown }))
      .use(secretsModule)
      .use(imageModule)
      .use(tenancyModule({ lockedDown }))
      .use(fluxInstallationModule({ lockedDown, environments: new Map(this.registered.map(r => [r.cluster.repoPath, r.env.name])) }));
    if (this.schemaValidation) registry.use(schemaModule(this.schemaValidationOptions()));
    this.crdList.filter(c => c.clusterScoped).forEach(c => registry.registerClusterScoped(c.group, c.kind));
    // a declaration the table cannot read is reported by this app's validation
    this.userReferences.filter(r => r.fields.every(f => fieldProblem(f) === undefined)).forEach(r => registry.registerReferences(r));
    this.userChecks.forEach(c => registry.registerCheck(c));
    return registry;
  }

  /** Validates every object against its CRD's schema at synth, from now on (see `validateSchemas`). */
  public enableSchemaValidation(options: SchemaValidationOptions = {}): void {
    this.schemaValidation = { ...this.schemaValidation, ...options };
  }

  /**
   * The options schema validation runs with: those given (`validateSchemas`,
   * `enableSchemaValidation`) and the registered CRDs.
   */
  public schemaValidationOptions(): SchemaValidationOptions {
    const crds = [...this.schemaValidation?.crds ?? [], ...this.crdList.map(c => c.document)];
    return { ...this.schemaValidation, ...crds.length > 0 ? { crds } : {} };
  }

  /** Makes the rules' warnings errors from now on (see `strict`). */
  public enableStrictRules(): void {
    this.strictRules = true;
  }

  /** Whether the rules' warnings are errors (see `strict`). */
  public get strict(): boolean {
    return this.strictRules;
  }

  /** The warnings of the latest synth (the rules', and those of constructs such as a value sealed for an earlier certificate); the rules' are errors with `strict`. */
  public get warnings(): readonly FleetProblem[] {
    return warningsOf(this);
  }

  /**
   * Validates the fleet and renders every file of the layout in memory, without touching
   * the disk. Throws `FleetValidationError` listing every problem.
   */
  public synthLayout(): LayoutFiles {
    return this.synthModel().files;
  }

  /** Like `synthLayout`, but also returns the analysis behind it (builds, patches, constructs). */
  public synthModel(): LayoutModel {
    return this.synthWith(scanUserFiles(this.rootDir, this.managedRoots));
  }

  private synthWith(disk: DiskFiles, onFile?: (path: string, content: string) => void): LayoutModel {
    const result = analyzeLayout(this, this.managedRoots, {
      committedValues: new CommittedMarkedValues(this.rootDir),
      registry: this.registry(),
      rootDir: this.rootDir,
      disk,
      clustersDir: this.clusters,
      strict: this.strictRules,
      onFile,
    });
    return result;
  }

  /** Validates, renders and writes the layout into `rootDir` (see `write`). */
  public override synth(): void {
    this.write();
  }

  /**
   * Validates, renders and atomically writes the layout into `rootDir`, returning what changed.
   * When run by `cdk8s synth` (which sets `CDK8S_OUTDIR`), also copies the layout into the
   * CLI's scratch output directory so the CLI can list and validate it.
   */
  public write(hooks?: WriteHooks): LayoutPlan {
    const disk = scanUserFiles(this.rootDir, this.managedRoots);
    // each file is staged as soon as it is rendered, while the rest renders and the checks run;
    // only a synth whose checks pass commits them (the writer re-uses the model's scan when no
    // synth has written since: see writeLayout)
    let writer: OpenLayoutWrite | undefined;
    let writeError: { error: unknown } | undefined;
    try {
      writer = openLayoutWrite(this.rootDir, this.managedRoots, hooks, disk);
    } catch (error) {
      writeError = { error }; // the fleet's own problems are reported first
    }
    let files: LayoutFiles;
    try {
      files = this.synthWith(disk, writer ? (p, content) => writer.add(p, content) : undefined).files;
    } catch (e) {
      writer?.abort();
      throw e;
    }
    if (writeError || !writer) throw writeError?.error;
    const plan = writer.finish(files).commit();
    if (process.env.CDK8S_OUTDIR) this.copyTo(path.resolve(this.outdir), files);
    return plan;
  }

  /** Compares `rootDir` with a fresh synth, writing nothing. */
  public check(): LayoutCheck {
    const disk = scanLayout(this.rootDir, this.managedRoots); // one read of the tree for the model and the comparison
    const plan = planLayout(this.rootDir, this.synthWith(disk).files, this.managedRoots, disk);
    return { clean: isClean(plan), diff: diffPlan(plan), plan };
  }

  private rootProblems(): string[] {
    const problems: string[] = [];
    const seen = new Set(GitOpsRepo.MANAGED_ROOTS);
    for (const root of this.addedRoots) {
      if (GitOpsRepo.RESERVED_ROOTS.includes(root.dirName)) {
        problems.push(`addRoot("${root.dirName}"): "${root.dirName}/" is reserved (${GitOpsRepo.RESERVED_ROOTS.map(r => `${r}/`).join(', ')} hold the fleet's code, tools or never-written templates): pick another name, e.g. "tenants"`);
      } else if (seen.has(root.dirName)) {
        problems.push(`addRoot("${root.node.id}"): "${root.dirName}/" is already a root of the layout: use that directory (repo.${root.dirName === 'clusters' || root.dirName === 'infrastructure' || root.dirName === 'apps' ? root.dirName : 'roots'}) instead`);
      } else if (root.isVirtual) {
        problems.push(`addRoot("${root.dirName}"): a root is written, so it cannot be virtual; put templates under repo.templates`);
      }
      seen.add(root.dirName);
    }
    return problems;
  }

  private referenceProblems(): string[] {
    return this.userReferences.flatMap(r => r.fields.flatMap(f => {
      const problem = fieldProblem(f);
      return problem ? [`registerReferences(): reference field "${f.path}" of ${r.group ? `${r.group}/` : ''}${r.kind}: ${problem}`] : [];
    }));
  }

  private validateEnvironments(): string[] {
    const problems: string[] = [];
    const seen = new Map<string, string>();
    for (const { env, cluster } of this.registered) {
      if (!DIRECTORY_NAME_PATTERN.test(env.name)) {
        problems.push(`environment name "${env.name}" is not a valid directory name: use lowercase letters, digits and '-' (e.g. "staging")`);
      }
      if (seen.has(env.name)) problems.push(`environment "${env.name}" is registered twice: give each environment its own name`);
      const owner = [...seen.entries()].find(([, c]) => c === cluster.node.path);
      if (owner) problems.push(`environments "${owner[0]}" and "${env.name}" share the cluster directory ${cluster.repoPath}: give each environment its own cluster`);
      seen.set(env.name, cluster.node.path);
      if (LayoutDirectory.enclosing(cluster) !== this.clusters) {
        problems.push(`environment "${env.name}": its cluster directory "${cluster.repoPath}" is not directly under clusters/: pass the directory clusters/<cluster>/ that its Flux reconciles`);
      } else if (cluster.dirName !== env.cluster) {
        problems.push(`environment "${env.name}" declares cluster "${env.cluster}" but is registered with directory "${cluster.repoPath}": name the directory after env.cluster`);
      } else if (!cluster.node.findAll().some(isLayoutFile)) {
        problems.push(`environment "${env.name}": its cluster directory "${cluster.repoPath}" holds nothing, so Flux would apply nothing there (and synth writes no such directory): add the cluster's Flux sync and its Kustomizations to it`);
      }
    }
    return problems;
  }

  private copyTo(outdir: string, files: LayoutFiles): void {
    if (outdir === this.rootDir) return; // never let the scratch copy touch the repository itself
    for (const [p, content] of files) {
      fs.mkdirSync(path.dirname(path.join(outdir, p)), { recursive: true });
      fs.writeFileSync(path.join(outdir, p), content);
    }
  }
}

/** Thrown for an environment name the fleet does not define. */
export class UnknownEnvironmentError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnknownEnvironmentError';
  }
}
