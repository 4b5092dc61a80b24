import * as path from 'node:path';
import { Construct } from 'constructs';
import * as l1 from '../../imports/source-watcher-source.extensions.fluxcd.io';
import { LayoutDirectory } from '../../core/layout-directory';
import { FieldChecks } from '../field-checks';
import { FluxObject, FluxObjectProps, FluxReference, referenceTo } from '../flux-object';
import { ExternalArtifact, IExternalArtifact } from './external-artifact';
import { IArtifactLayout, IChartRefSource, IKustomizationSource } from './source';
import { EnumValue } from './source-options';

/** A source an ArtifactGenerator reads: a GitRepository, OCIRepository, Bucket, HelmChart or ExternalArtifact. */
export type ArtifactSource = IKustomizationSource | IChartRefSource;

/** How a copy operation treats files already in the artifact. */
export enum CopyStrategy {
  /** Replace them (the default). */
  OVERWRITE = 'Overwrite',
  /** Merge YAML files key by key (e.g. Helm values files). */
  MERGE = 'Merge',
  /** Extract a tarball (e.g. a Helm chart) into the destination. */
  EXTRACT = 'Extract',
}

/** One copy into a generated artifact: a directory of this repository, or a glob in a source. */
export interface ArtifactCopy {
  /** The alias of the generator's source to copy from (a key of `sources`). */
  readonly source: string;
  /**
   * A directory of this repository, copied whole with its sub-directories (the source must be the
   * repository the cluster syncs). Kustomizations built from the artifact then take that
   * directory as `path` and get its path inside the artifact. Exactly one of `directory` and `path`.
   */
  readonly directory?: LayoutDirectory;
  /** A glob in the source, e.g. `deploy/**` or `charts/podinfo-*.tgz`. Exactly one of `directory` and `path`. */
  readonly path?: string;
  /** Where to put it in the artifact, e.g. `backend/` or `values.yaml`. @default the artifact's root */
  readonly to?: string;
  /** Globs of the copied files to leave out. @default none */
  readonly exclude?: readonly string[];
  /** @default CopyStrategy.OVERWRITE */
  readonly strategy?: EnumValue<CopyStrategy>;
}

/** One artifact a generator makes (an ExternalArtifact of that name, in the generator's namespace). */
export interface GeneratedArtifact {
  /** The ExternalArtifact's name. */
  readonly name: string;
  /** What goes into it, in order. */
  readonly copy: readonly ArtifactCopy[];
  /** The source alias whose revision the artifact carries. @default a digest of the content */
  readonly revision?: string;
  /** The source alias whose revision is recorded as the artifact's origin revision. @default none */
  readonly originRevision?: string;
}

/** Props of an `ArtifactGenerator`. */
export interface ArtifactGeneratorProps extends FluxObjectProps {
  /** The sources to read, by alias (lowercase letters, digits, '-' and '_'): the objects, not their names. */
  readonly sources: Readonly<Record<string, ArtifactSource>>;
  /** The artifacts to make. */
  readonly artifacts: readonly GeneratedArtifact[];
  /**
   * Make artifacts per directory matching a pattern in a source (e.g. `apps/*`), instead of one
   * per `artifacts` entry; the entries' names may then use the matched directory.
   * @default none
   */
  readonly pathPattern?: { readonly source: string; readonly pattern: string };
  /** Labels and annotations for the generated ExternalArtifacts. @default none */
  readonly commonMetadata?: { readonly labels?: Readonly<Record<string, string>>; readonly annotations?: Readonly<Record<string, string>> };
}

const ALIAS = /^[a-z0-9]([a-z0-9_-]*[a-z0-9])?$/;
/** The CRD's pattern of `sources[].name`. */
const SOURCE_NAME = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/;
/** A capture placeholder of `pathPattern`, e.g. `{app}`. */
const PLACEHOLDER = /\{[^{}]+\}/;

/**
 * A source-watcher `ArtifactGenerator` (source.extensions.fluxcd.io/v1beta1, Flux 2.7+): makes
 * ExternalArtifacts from parts of other sources, so that a Kustomization or HelmRelease
 * reconciles only when its own part changes. `artifact(name)` is the ExternalArtifact to use as
 * their source; a Kustomization's `path` is then resolved inside the artifact.
 */
export class ArtifactGenerator extends FluxObject {
  private readonly generated = new Map<string, IExternalArtifact>();

  constructor(scope: Construct, id: string, private readonly props: ArtifactGeneratorProps) {
    super(scope, id, l1.ArtifactGenerator, props);
  }

  /** The ExternalArtifact this generator makes for one of its `artifacts`. */
  public artifact(name: string): IExternalArtifact {
    let found = this.generated.get(name);
    if (!found && PLACEHOLDER.test(name)) {
      throw new Error(`${this.node.path}: artifact ${JSON.stringify(name)} is a template of pathPattern, which makes one ExternalArtifact per matched directory: refer to one of them with ExternalArtifact.fromName(scope, id, { name: '<rendered name>', namespace })`);
    }
    if (!found) {
      const entry = this.props.artifacts.find(a => a.name === name);
      if (!entry) {
        throw new Error(`${this.node.path}: no artifact named ${JSON.stringify(name)}; the generator makes ${this.props.artifacts.map(a => JSON.stringify(a.name)).join(', ') || 'none'}`);
      }
      found = ExternalArtifact.generated(this, name, this.namespace, directoryLayout(entry));
      this.generated.set(name, found);
    }
    return found;
  }

  public override fluxReferences(): FluxReference[] {
    return Object.entries(this.props.sources).map(([alias, source]) => ({ field: `spec.sources[${alias}]`, target: source }));
  }

  protected renderSpec() {
    const p = this.props;
    return {
      sources: Object.entries(p.sources).map(([alias, source]) => ({ alias, ...referenceTo(source, this) })),
      artifacts: p.artifacts.map(a => ({
        name: a.name,
        revision: a.revision !== undefined ? `@${a.revision}` : undefined,
        originRevision: a.originRevision !== undefined ? `@${a.originRevision}` : undefined,
        copy: a.copy.map(c => ({
          from: `@${c.source}/${c.directory ? `${c.directory.repoPath}/**` : c.path}`,
          to: `@artifact/${c.to ?? ''}`,
          exclude: c.exclude,
          strategy: c.strategy,
        })),
      })),
      pathPattern: p.pathPattern ? `@${p.pathPattern.source}/${p.pathPattern.pattern}` : undefined,
      commonMetadata: p.commonMetadata,
    };
  }

  protected validateSpec(c: FieldChecks): void {
    const p = this.props;
    const aliases = Object.keys(p.sources);
    const known = aliases.map(a => `"${a}"`).join(', ') || 'none';
    for (const [alias, source] of Object.entries(p.sources)) {
      if (!ALIAS.test(alias) || alias.length > 63) c.add(`spec.sources alias ${JSON.stringify(alias)} is not valid: use at most 63 lowercase letters, digits, '-' or '_', starting and ending with a letter or digit (e.g. "repo")`);
      if (!SOURCE_NAME.test(source.name) || source.name.length > 63) c.add(`spec.sources["${alias}"] is ${source.kind} ${JSON.stringify(source.name)}, a name an ArtifactGenerator cannot refer to: its sources need names of at most 63 lowercase letters, digits or '-' (no dots)`);
      if (!['GitRepository', 'OCIRepository', 'Bucket', 'HelmChart', 'ExternalArtifact'].includes(source.kind)) {
        c.add(`spec.sources["${alias}"] is a ${source.kind}: an ArtifactGenerator reads a GitRepository, OCIRepository, Bucket, HelmChart or ExternalArtifact`);
      }
    }
    if (p.artifacts.length === 0) c.add('spec.artifacts is empty: give at least one artifact to generate');
    const names = new Set<string>();
    p.artifacts.forEach((a, i) => {
      const at = `spec.artifacts[${i}]`;
      if (names.has(a.name)) c.add(`${at}.name ${JSON.stringify(a.name)} is given twice: each generated ExternalArtifact needs its own name`);
      names.add(a.name);
      if (!p.pathPattern || !PLACEHOLDER.test(a.name)) c.objectName(`${at}.name`, a.name);
      if (a.copy.length === 0) c.add(`${at}.copy is empty: copy at least one directory or glob into the artifact`);
      for (const [field, alias] of [['revision', a.revision], ['originRevision', a.originRevision]] as const) {
        if (alias !== undefined && !aliases.includes(alias)) c.add(`${at}.${field} ${JSON.stringify(alias)} is not a source alias of this generator: use one of ${known}`);
      }
      a.copy.forEach((op, j) => {
        const cf = `${at}.copy[${j}]`;
        if (!aliases.includes(op.source)) c.add(`${cf}.from names source ${JSON.stringify(op.source)}, which is not an alias of this generator: use one of ${known}`);
        if ((op.directory === undefined) === (op.path === undefined)) c.add(`${cf} needs exactly one of directory (a LayoutDirectory of this repository) and path (a glob in the source)`);
        const from = p.sources[op.source];
        if (op.directory && from && from.kind !== 'GitRepository') c.add(`${cf}.directory "${op.directory.repoPath}" is a directory of this repository, but source "${op.source}" is ${from.kind} ${from.name}: copy directories from the GitRepository the cluster syncs this repository from, or give path (a glob in that source)`);
        if (op.directory?.isVirtual) c.add(`${cf}.directory "${op.directory.repoPath}" is virtual (never written): copy a directory synth writes`);
        c.relativePath(`${cf}.from`, op.path, 'deploy/**').relativePath(`${cf}.to`, op.to, 'backend/');
        c.oneOf(`${cf}.strategy`, op.strategy, Object.values(CopyStrategy));
      });
    });
    if (p.pathPattern && !aliases.includes(p.pathPattern.source)) c.add(`spec.pathPattern names source ${JSON.stringify(p.pathPattern.source)}, which is not an alias of this generator: use one of ${known}`);
  }
}

/** Where the copied directories of this repository end up inside one generated artifact. */
function directoryLayout(entry: GeneratedArtifact): IArtifactLayout {
  const copies = entry.copy.filter((c): c is ArtifactCopy & { directory: LayoutDirectory } => c.directory !== undefined);
  return {
    contents: copies.map(c => c.directory.repoPath),
    pathOf: (directory: LayoutDirectory) => {
      // the last copy wins, as files copied later overwrite earlier ones
      for (const c of [...copies].reverse()) {
        const rel = path.posix.relative(c.directory.repoPath, directory.repoPath);
        if (rel === '' || (!rel.startsWith('..') && !path.posix.isAbsolute(rel))) {
          const inArtifact = path.posix.join(c.to ?? '', rel);
          return inArtifact === '.' || inArtifact === '' ? './' : `./${inArtifact.replace(/\/$/, '')}`;
        }
      }
      return undefined;
    },
  };
}
