import { KustomizeBuilder } from '../core/model/kustomize-build';
import { FleetModel, FleetRegistry } from '../core/model/fleet-model';
import { RepoTree } from '../core/model/repo-tree';
import { compareKeys } from '../core/render';
import { compareObjects } from './environment-diff';
import { EnvironmentObject, environmentObjects } from './environment-objects';

/** One field of an object that differs between two revisions; a sealed or secret value is named, never shown. */
export interface RevisionFieldChange {
  /** Dotted path (`spec.chart.spec.version`). */
  readonly path: string;
  /** The value at the base (absent: undefined). Never set for a sealed value. */
  readonly from?: unknown;
  /** The value now (absent: undefined). Never set for a sealed value. */
  readonly to?: unknown;
  /** For a sealed (or Secret) value: whether it was added, removed or re-sealed; its value is not shown. */
  readonly sealed?: 'added' | 'removed' | 'changed';
}

/** How one object a cluster applies differs between two revisions. */
export interface RevisionObjectChange {
  /** kustomize's identity: `Kind.group namespace/name`. */
  readonly id: string;
  /** Added, removed or changed. */
  readonly change: 'added' | 'removed' | 'changed';
  /** Who applies it (`Kustomization flux-system/apps`, or the cluster directory). */
  readonly appliedBy: string;
  /** The repository file it comes from. */
  readonly file: string;
  /** The fields that differ (changed objects). */
  readonly fields: readonly RevisionFieldChange[];
}

/** What changes for one cluster. */
export interface ClusterChange {
  /** The cluster's name (its directory under clusters/). */
  readonly cluster: string;
  /** Its directory (`clusters/staging`). */
  readonly directory: string;
  /** A new cluster, a removed one, one whose objects change, or one left alone. */
  readonly change: 'added' | 'removed' | 'changed' | 'unchanged';
  /** The objects that differ, sorted by identity. */
  readonly objects: readonly RevisionObjectChange[];
  /** How many objects are the same in both. */
  readonly identical: number;
}

/** What a change of the repository does to each cluster. */
export interface RevisionDiff {
  /** The base revision, as given (`origin/main`). */
  readonly base: string;
  /** The other side (`working tree`). */
  readonly head: string;
  /** Every cluster of either side, sorted by directory. */
  readonly clusters: readonly ClusterChange[];
}

/**
 * The model of what each cluster applies, built from a repository's files (a synthesized layout
 * and the files the user owns, by repository path), as Flux reads them: every cluster directory
 * under clusters/, each Kustomization followed through the registry's appliers.
 * @param rootDir where directories outside the managed roots that a Kustomization builds are read
 */
export function modelOfFiles(files: ReadonlyMap<string, string>, registry: FleetRegistry, rootDir?: string, managedRoots: readonly string[] = ['clusters', 'infrastructure', 'apps']): FleetModel {
  const tree = new RepoTree([], { generated: new Set<string>(), foreign: files }, new Map(), rootDir !== undefined ? { rootDir, scanned: managedRoots } : undefined);
  const clusters = tree.directoriesIn('clusters').filter(d => tree.filesIn(d).length > 0 || tree.directoriesIn(d).length > 0);
  return new FleetModel(tree, new KustomizeBuilder(tree), clusters, registry, [], []);
}

/** The objects of every cluster of a model, by cluster directory. */
export function clusterObjects(model: FleetModel): Map<string, ReadonlyMap<string, EnvironmentObject>> {
  return new Map(model.clusters.map(c => [c.directory, environmentObjects(model, c.directory)]));
}

/** Compares what each cluster applies at two revisions, object by object and field by field. */
export function diffRevisions(base: string, head: string, before: ReadonlyMap<string, ReadonlyMap<string, EnvironmentObject>>, after: ReadonlyMap<string, ReadonlyMap<string, EnvironmentObject>>): RevisionDiff {
  const directories = [...new Set([...before.keys(), ...after.keys()])].sort(compareKeys);
  const empty = new Map<string, EnvironmentObject>();
  const clusters = directories.map((directory): ClusterChange => {
    const a = before.get(directory);
    const b = after.get(directory);
    const diff = compareObjects(base, head, a ?? empty, b ?? empty);
    const objects = diff.differences.map((d): RevisionObjectChange => {
      const x = a?.get(d.id);
      const y = b?.get(d.id);
      const where = (y ?? x)!;
      const secretKind = isSecretLike(where.doc);
      const change = d.change === 'only-in-first' ? 'removed' : d.change === 'only-in-second' ? 'added' : 'changed';
      return {
        id: d.id, change, appliedBy: where.appliedBy, file: where.file,
        fields: d.fields.map(f => secretKind && isSecretValuePath(f.path)
          ? { path: f.path, sealed: f.from === undefined ? 'added' : f.to === undefined ? 'removed' : 'changed' }
          : { path: f.path, ...f.from !== undefined ? { from: f.from } : {}, ...f.to !== undefined ? { to: f.to } : {} }),
      };
    });
    const change = !a ? 'added' : !b ? 'removed' : objects.length > 0 ? 'changed' : 'unchanged';
    return { cluster: directory.slice(directory.lastIndexOf('/') + 1), directory, change, objects, identical: diff.identical };
  });
  return { base, head, clusters };
}

/** Whether a revision diff has any change. */
export function hasChanges(diff: RevisionDiff): boolean {
  return diff.clusters.some(c => c.change !== 'unchanged');
}

function isSecretLike(doc: Record<string, unknown>): boolean {
  return doc.kind === 'SealedSecret' || (doc.kind === 'Secret' && (doc.apiVersion === 'v1' || doc.apiVersion === undefined));
}

/** The fields of a SealedSecret or Secret whose values are never printed. */
function isSecretValuePath(p: string): boolean {
  return /^(spec\.encryptedData|data|stringData)(\.|\[|$)/.test(p);
}

const OBJECT_SIGN = { added: '+', removed: '-', changed: '~' } as const;

function show(value: unknown): string {
  return value === undefined ? '(absent)' : JSON.stringify(value);
}

function fieldLine(f: RevisionFieldChange): string {
  return f.sealed ? `${f.path}: sealed value ${f.sealed} (not shown)` : `${f.path}: ${show(f.from)} → ${show(f.to)}`;
}

function counts(c: ClusterChange): { changed: number; added: number; removed: number } {
  return {
    changed: c.objects.filter(o => o.change === 'changed').length,
    added: c.objects.filter(o => o.change === 'added').length,
    removed: c.objects.filter(o => o.change === 'removed').length,
  };
}

function summary(c: ClusterChange): string {
  const n = counts(c);
  if (c.change === 'added') return `new cluster, ${n.added} object${n.added === 1 ? '' : 's'}`;
  if (c.change === 'removed') return `cluster removed, ${n.removed} object${n.removed === 1 ? '' : 's'}`;
  if (c.change === 'unchanged') return `unchanged (${c.identical} objects)`;
  return `${n.changed} changed, ${n.added} added, ${n.removed} removed, ${c.identical} identical`;
}

/** The diff as people read it in a terminal: one block per cluster, one line per object and per field. */
export function formatRevisionText(diff: RevisionDiff): string {
  const changed = diff.clusters.filter(c => c.change !== 'unchanged');
  const lines = [`${diff.base} → ${diff.head}: ${changed.length} of ${diff.clusters.length} cluster${diff.clusters.length === 1 ? '' : 's'} change`];
  for (const c of diff.clusters) {
    lines.push('', `cluster ${c.cluster} (${c.directory}): ${summary(c)}`);
    for (const o of c.objects) {
      lines.push(`  ${OBJECT_SIGN[o.change]} ${o.id}  (${o.appliedBy}, ${o.file})`);
      for (const f of o.fields) lines.push(`      ${fieldLine(f)}`);
    }
  }
  return `${lines.join('\n')}\n`;
}

/** A value cut to `max` characters, with an ellipsis. */
function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** GitHub's limit on a comment's body; the markdown stays below it. */
const COMMENT_LIMIT = 65_000;

/** The diff as a pull-request comment: a table of the clusters, then each changed cluster's objects in a collapsible section. */
export function formatRevisionMarkdown(diff: RevisionDiff): string {
  const code = (t: string) => `\`${t.replace(/`/g, 'ˋ')}\``;
  const changed = diff.clusters.filter(c => c.change !== 'unchanged');
  const head = [
    `### cdk8s-flux diff: ${code(diff.base)} → ${diff.head}`,
    '',
    changed.length === 0 ? 'No cluster changes: every cluster applies the same objects.' : `${changed.length} of ${diff.clusters.length} cluster${diff.clusters.length === 1 ? '' : 's'} change.`,
    '',
    '| cluster | change | changed | added | removed | identical |',
    '| --- | --- | ---: | ---: | ---: | ---: |',
    ...diff.clusters.map(c => {
      const n = counts(c);
      return `| ${code(c.cluster)} | ${c.change} | ${n.changed} | ${n.added} | ${n.removed} | ${c.identical} |`;
    }),
  ];
  // Each cluster gets a fair share of the room: its objects until its share is used, then a line
  // saying how many more (a long value is cut), so that no changed cluster is left without detail.
  const value = (v: unknown) => code(clip(show(v), 300));
  let out = head.join('\n');
  const share = Math.max(1_000, Math.floor((COMMENT_LIMIT - out.length - 500) / Math.max(1, changed.length)));
  for (const c of changed) {
    const open = `<details${changed.length <= 3 ? ' open' : ''}><summary><b>${c.cluster}</b> (${c.directory}): ${summary(c)}</summary>\n`;
    const close = '\n</details>';
    let body = open;
    let shown = 0;
    for (const o of c.objects) {
      const lines = [`- ${o.change === 'added' ? '➕' : o.change === 'removed' ? '➖' : '✏️'} ${code(o.id)} — ${o.appliedBy}, ${code(o.file)}`];
      for (const f of o.fields) lines.push(f.sealed ? `  - ${code(f.path)}: sealed value ${f.sealed} (not shown)` : `  - ${code(f.path)}: ${value(f.from)} → ${value(f.to)}`);
      const block = `\n${lines.join('\n')}`;
      if (body.length + block.length + close.length + 200 > share) break;
      body += block;
      shown++;
    }
    if (shown < c.objects.length) body += `\n- … and ${c.objects.length - shown} more object${c.objects.length - shown === 1 ? '' : 's'} (the comment has a size limit: run \`cdk8s-flux diff --base ${diff.base}\` locally for everything)`;
    out += `\n\n${body}${close}`;
  }
  return `${out}\n`;
}
