import { posix } from 'node:path';
import { ApiObject } from 'cdk8s';
import { IConstruct } from 'constructs';
import { apiObjectOf } from '../flux/flux-object';
import { FleetProblem } from '../core/errors';
import { isMap } from '../core/json-values';
import { Application, ClusterModel, ownerOf } from '../core/model/cluster-model';
import { FleetModel, FleetModule, ModelCheck, ModelFile } from '../core/model/fleet-model';
import { joinRepoPath } from '../core/model/repo-tree';
import { fieldName, markersOf, ownerPath, PlacedMarker, valueAt } from '../core/setter-markers';
import { canonicalImageName, imageNameProblem } from './image-repository';
import { ImageSetter, ImageSetterField } from './image-setter';
import { describeSelector, LabelSelectorRequirement, PolicySelector, selectorSelects } from './policy-selector';

/** A field marked for an ImagePolicy, where it is written. */
interface MarkedField {
  readonly file: ModelFile;
  readonly index: number;
  readonly marker: PlacedMarker;
  readonly setter: ImageSetter;
}

/** An ImageUpdateAutomation as one cluster runs it, read from its document. */
interface Run {
  readonly cluster: ClusterModel;
  readonly application: Application;
  /** Its name. */
  readonly name: string;
  /** Repository path its `update.path` names, when it commits to this repository. */
  readonly path?: string;
  /** Its `policySelector` (matchLabels and matchExpressions; empty: every policy). */
  readonly selector: PolicySelector;
}

/** An OCI tag: up to 128 word characters, '.' or '-', not starting with '.' or '-'. */
const TAG = /^[\w][\w.-]{0,127}$/;
/** An OCI digest: algorithm, ':', encoded hash. */
const DIGEST = /^[a-z0-9]+(?:[+._-][a-z0-9]+)*:[a-zA-Z0-9=_-]{32,}$/;

/**
 * The synth-time checks of image automation, over the model of what each cluster applies. Every
 * field marked with an ImagePolicy (`policy.setter(…)` and its variants) must be live: in some
 * cluster, an ImageUpdateAutomation of the policy's namespace (whose `policySelector` selects the
 * policy) has an `update.path` containing the marked file, and that cluster applies the policy in
 * the namespace the marker names. The marked value must be of the right form for the setter (a
 * reference with a tag, a tag, a name, a digest) and of the policy's image, and no two clusters may
 * update one field from different policies. Every ImageUpdateAutomation that commits to this
 * repository must have a marked field to update, and one whose `update.path` is a directory of this
 * repository must commit to the source its cluster syncs the repository from.
 */
export function imageAutomationCheck(): ModelCheck {
  return {
    id: 'image/markers',
    description: 'every image-automation marker is live, and every automation has something to update',
    check: model => {
      const marked = markedFields(model);
      const runs: Run[] = model.clusters.flatMap(cluster => cluster.applications
        .filter(a => a.doc.kind === 'ImageUpdateAutomation' && String(a.doc.apiVersion).startsWith('image.toolkit.fluxcd.io/'))
        .map(application => runOf(cluster, application)));
      if (marked.length === 0 && runs.length === 0) return [];

      const problems: FleetProblem[] = [];
      for (const field of marked) {
        const report = (message: string) => problems.push({ path: ownerPath(field.file, field.index), message: `${fieldName(field.marker.path)}: ${message}` });
        if (!field.file.written) {
          report(`${field.setter.description} is in ${field.file.path}, a template that is never written: its copies in the flattened directories cannot be checked here yet; mark the value in each environment's directory instead (an ObjectPatch there with the setter)`);
          continue;
        }
        // the value the file holds: the code's seed, or what image automation committed there
        const held = valueAt(field.file.documents[field.index].doc, field.marker.path);
        const valueProblem = typeof held === 'string' && held !== field.setter.value
          ? setterValueProblem(field.setter, held)?.replace(`${field.setter.description}: `, `${field.setter.description}: the value committed in ${field.file.path}, `)
          : setterValueProblem(field.setter, field.setter.value);
        if (valueProblem) report(valueProblem);
        const policy = field.setter.policy;
        if (policy.namespace === undefined) {
          report(`${field.setter.description} names a policy without a namespace, but a marker names its policy as "<namespace>:${policy.name}": set metadata.namespace on the ImagePolicy (or namespace on ImagePolicy.fromName)`);
          continue;
        }
        const root = (policy as unknown as Partial<IConstruct>).node?.root;
        if (root && model.constructs[0] && root !== model.constructs[0].node.root) {
          report(`${field.setter.description} is a policy of another GitOpsRepo: mark fields with an ImagePolicy of this repository (or ImagePolicy.fromName)`);
          continue;
        }
        for (const message of [...policyProblems(field.setter, model), ...livenessProblems(field, runs, model)]) report(message);
      }
      problems.push(...automationProblems(runs, marked, model));
      return problems;
    },
  };
}

/** The image-automation module: its checks. */
export const imageModule: FleetModule = {
  name: 'image',
  register: registry => registry.registerCheck(imageAutomationCheck()),
};

function runOf(cluster: ClusterModel, application: Application): Run {
  const spec = isMap(application.doc.spec) ? application.doc.spec : {};
  const update = isMap(spec.update) ? spec.update : {};
  const written = isMap(spec.policySelector) ? spec.policySelector : {};
  const selector: PolicySelector = {
    matchLabels: isMap(written.matchLabels) ? written.matchLabels as Record<string, string> : undefined,
    matchExpressions: Array.isArray(written.matchExpressions) ? written.matchExpressions.filter(isMap) as unknown as LabelSelectorRequirement[] : undefined,
  };
  const fromThisRepository = syncedSources(cluster).some(s => sameRef(s, sourceOf(application)));
  const path = fromThisRepository ? joinRepoPath('', typeof update.path === 'string' && update.path !== '' ? update.path : './') : undefined;
  return { cluster, application, name: String(application.doc.metadata?.name), path, selector };
}

interface Ref { kind: string; namespace?: string; name: string }

function sourceOf(a: Application): Ref | undefined {
  const ref = a.doc.spec?.sourceRef;
  if (!isMap(ref) || typeof ref.name !== 'string') return undefined;
  return { kind: String(ref.kind ?? 'GitRepository'), name: ref.name, namespace: typeof ref.namespace === 'string' ? ref.namespace : a.namespace };
}

function sameRef(a: Ref, b: Ref | undefined): boolean {
  return b !== undefined && a.kind === b.kind && a.name === b.name && a.namespace === b.namespace;
}

/** The sources a cluster builds this repository's directories from: those of the Kustomizations that applied a directory of it. */
function syncedSources(cluster: ClusterModel): Ref[] {
  const out: Ref[] = [];
  const appliers = new Set(cluster.applications.map(a => a.appliedBy).filter((a): a is Application => a !== undefined));
  for (const a of cluster.applications) {
    if (a.doc.kind !== 'Kustomization') continue;
    const path = joinRepoPath('', String(a.doc.spec?.path ?? './'));
    if (!appliers.has(a) && path !== cluster.directory) continue;
    const s = sourceOf(a);
    if (s && !out.some(o => sameRef(o, s))) out.push(s);
  }
  return out;
}

function covers(run: Run, file: string): boolean {
  return run.path !== undefined && (run.path === '' || file.startsWith(`${run.path}/`));
}

function markedFields(model: FleetModel): MarkedField[] {
  const fields: MarkedField[] = [];
  for (const file of model.files) {
    file.documents.forEach((d, index) => {
      for (const marker of markersOf(d.doc)) {
        // a marker the writer cannot place is reported by markedValueCheck
        if (!marker.problem && marker.marked.origin instanceof ImageSetter) fields.push({ file, index, marker, setter: marker.marked.origin });
      }
    });
  }
  return fields;
}

/** Why the value written until the first update is not of the setter's form, if so. */
function setterValueProblem(s: ImageSetter, v: string): string | undefined {
  switch (s.field) {
    case ImageSetterField.TAG:
      return TAG.test(v) ? undefined : `${s.description}: ${JSON.stringify(v)} is not an image tag: use up to 128 letters, digits, '_', '.' or '-', not starting with '.' or '-' (e.g. "6.5.0")`;
    case ImageSetterField.DIGEST:
      return DIGEST.test(v) ? undefined : `${s.description}: ${JSON.stringify(v)} is not a digest: use "sha256:" followed by 64 hexadecimal digits`;
    case ImageSetterField.NAME: {
      const problem = imageNameProblem(v);
      return problem ? `${s.description}: ${JSON.stringify(v)} ${problem}` : undefined;
    }
    default: {
      const { name, tag } = splitReference(v);
      if (tag === undefined) {
        return `${s.description}: ${JSON.stringify(v)} has no tag, but the controller writes "<image>:<tag>" into this field: give the reference with its current tag (e.g. "${v}:1.0.0"), or use nameSetter for a field that holds the name alone`;
      }
      const problem = imageNameProblem(name) ?? (TAG.test(tag) ? undefined : `has the tag ${JSON.stringify(tag)}, which is not an image tag (use letters, digits, '_', '.' or '-')`);
      return problem ? `${s.description}: ${JSON.stringify(name)} ${problem}` : undefined;
    }
  }
}

/** `<name>:<tag>@<digest>` split into its parts (tag and digest optional). */
function splitReference(ref: string): { name: string; tag?: string } {
  const withoutDigest = ref.split('@')[0];
  const colon = withoutDigest.lastIndexOf(':');
  if (colon < 0 || colon < withoutDigest.lastIndexOf('/')) return { name: withoutDigest };
  return { name: withoutDigest.slice(0, colon), tag: withoutDigest.slice(colon + 1) };
}

/** What the policy would do to the field that the code does not expect: an empty digest, another image. Read from the policy's and its ImageRepository's documents as a cluster applies them. */
function policyProblems(s: ImageSetter, model: FleetModel): string[] {
  const found = policyDocuments(model, s.policy.namespace!, s.policy.name);
  if (!found) return []; // a policy defined outside the fleet
  const problems: string[] = [];
  const reflection = found.policy.doc.spec?.digestReflectionPolicy ?? 'Never';
  if (s.field === ImageSetterField.DIGEST && reflection === 'Never') {
    problems.push(`${s.description}: the policy does not reflect digests (digestReflectionPolicy is "Never"), so the controller would write an empty digest here: set digestReflectionPolicy to DigestReflectionPolicy.IF_NOT_PRESENT or ALWAYS`);
  }
  const image = found.repository?.doc.spec?.image;
  if (typeof image === 'string' && (s.field === ImageSetterField.IMAGE || s.field === ImageSetterField.NAME)) {
    const name = s.field === ImageSetterField.NAME ? s.value : splitReference(s.value).name;
    if (!imageNameProblem(name) && !imageNameProblem(image) && canonicalImageName(name) !== canonicalImageName(image)) {
      problems.push(`${s.description}: the field holds image "${name}", but the policy picks tags of ImageRepository ${describe({ namespace: found.repository!.namespace, name: String(found.repository!.doc.metadata?.name) })}, which scans "${image}", so the controller would write ${s.field === ImageSetterField.NAME ? `"${image}"` : `"${image}:<tag>"`} here: mark it with a policy of "${name}"`);
    }
  }
  return problems;
}

/** The first cluster's application of an ImagePolicy, and of the ImageRepository it reads. */
function policyDocuments(model: FleetModel, namespace: string, name: string): { policy: Application; repository?: Application } | undefined {
  for (const cluster of model.clusters) {
    const policy = cluster.find('ImagePolicy', namespace, name)[0];
    if (!policy) continue;
    const ref = policy.doc.spec?.imageRepositoryRef;
    const repository = isMap(ref) ? cluster.find('ImageRepository', typeof ref.namespace === 'string' ? ref.namespace : namespace, String(ref.name))[0] : undefined;
    return { policy, repository };
  }
  return undefined;
}

/**
 * Why a marked field is dead (no cluster's automation would update it from its policy), or updated
 * by two clusters from different policies of the same name.
 */
function livenessProblems(field: MarkedField, runs: readonly Run[], model: FleetModel): string[] {
  const { setter } = field;
  const policy = setter.policy;
  const ns = policy.namespace!;
  const policyObject = apiObjectOf(policy);
  const file = field.file.path;
  const marker = setter.marker;
  const covering = runs.filter(r => covers(r, file));
  const clusters = [...new Set(covering.map(r => r.cluster))];
  const live: string[] = [];
  const conflicts: string[] = [];
  const reasons: { readonly rank: number; readonly message: string }[] = [];

  for (const cluster of clusters) {
    const inNamespace = covering.filter(r => r.cluster === cluster && r.application.namespace === ns);
    if (inNamespace.length === 0) continue;
    const applied = policyObject ? cluster.applications.filter(a => a.built.source.origin.object === policyObject) : undefined;
    if (applied && applied.length === 0) {
      const other = cluster.find('ImagePolicy', ns, policy.name)[0];
      if (other) {
        conflicts.push(`cluster "${cluster.name}" updates it too, from its own ImagePolicy ${ns}/${policy.name} (in ${other.built.source.file}), which may pick another image: the clusters would overwrite each other's commits; give the policies distinct names, or mark the field in a file of one cluster only (e.g. an overlay patch)`);
      } else {
        reasons.push({ rank: 2, message: `cluster "${cluster.name}", whose ImageUpdateAutomation ${describeRun(inNamespace[0])} updates ${file}, does not reconcile ImagePolicy ${ns}/${policy.name}${where(policyObject!, model)}: build the policy's directory into cluster "${cluster.name}"` });
      }
      continue;
    }
    const there = applied?.filter(a => a.namespace === ns);
    if (applied && there!.length === 0) {
      reasons.push({ rank: 3, message: `in cluster "${cluster.name}" the ImagePolicy ends up in namespace ${[...new Set(applied.map(a => `"${a.namespace}"`))].join(', ')} (a Kustomization's targetNamespace moves it), so the marker's policy "${ns}:${policy.name}" does not exist there: apply the policy without targetNamespace` });
      continue;
    }
    const imported = !policyObject ? cluster.find('ImagePolicy', ns, policy.name)[0] : undefined;
    const labels = there?.[0] ? labelsOf(there[0].doc) : imported ? labelsOf(imported.doc) : undefined; // unknown for an import defined elsewhere
    const selecting = inNamespace.filter(r => labels === undefined || selectorSelects(r.selector, labels));
    if (selecting.length === 0) {
      const r = inNamespace[0];
      reasons.push({ rank: 4, message: `the policySelector of ImageUpdateAutomation ${describeRun(r)} in cluster "${cluster.name}" (${describeSelector(r.selector)}) does not select ImagePolicy ${ns}/${policy.name}: ${(r.selector.matchExpressions ?? []).length === 0 ? 'add those labels to the policy' : 'give the policy labels it selects'}, or widen the selector` });
      continue;
    }
    live.push(cluster.name);
  }

  const problems = conflicts.map(c => `marked ${marker}, but ${c}`);
  if (live.length > 0) return problems;
  const best = reasons.sort((a, b) => b.rank - a.rank)[0];
  if (best) return [...problems, `marked ${marker}, but ${best.message}`];
  if (problems.length > 0) return problems;
  if (covering.length > 0) {
    const others = [...new Set(covering.map(r => `${describeRun(r)} in cluster "${r.cluster.name}"`))].join(', ');
    return [`marked ${marker}, but the ImageUpdateAutomations that update ${file} (${others}) apply only the ImagePolicies of their own namespace, and this policy is in "${ns}": define the ImagePolicy in the automation's namespace, or an ImageUpdateAutomation in "${ns}"`];
  }
  return [`marked ${marker}, but no ImageUpdateAutomation updates ${file} (none has an update.path containing it), so the marker is dead: add an ImageUpdateAutomation in namespace "${ns}" whose update.path is ${posix.dirname(file)} or a parent directory, in a cluster that reconciles the policy`];
}

/** An automation that commits to another repository than the one its cluster syncs, or that has nothing to update. */
function automationProblems(runs: readonly Run[], marked: readonly MarkedField[], model: FleetModel): FleetProblem[] {
  const found = new Map<string, FleetProblem>();
  const add = (path: string, message: string) => found.set(`${path}\n${message}`, { path, message });
  for (const run of runs) {
    const at = ownerOf(run.application);
    const update = run.application.doc.spec?.update?.path;
    if (run.path !== undefined) {
      if (!marked.some(f => f.file.written && covers(run, f.file.path))) {
        add(at, `spec.update.path ${JSON.stringify(update ?? './')} holds no field marked for image automation, so this automation would never change anything: mark fields under ${run.path || 'the repository'}/ with an ImagePolicy's setter, tagSetter, nameSetter or digestSetter, or remove it`);
      }
      continue;
    }
    // another repository's files (a tenant's) are not this fleet's to check, unless the path is one of ours
    const path = joinRepoPath('', typeof update === 'string' ? update : './');
    const source = sourceOf(run.application);
    if (path === undefined || path === '' || !model.tree.isDirectory(path) || !source || run.cluster.find(source.kind, source.namespace, source.name).length === 0) continue;
    const instead = syncedSources(run.cluster).map(s => `${s.kind} ${s.namespace ? `${s.namespace}/` : ''}${s.name}`);
    add(at, `spec.sourceRef is ${source.kind} ${source.namespace ? `${source.namespace}/` : ''}${source.name}, but cluster "${run.cluster.name}" builds this repository's directories from ${instead.length > 0 ? instead.join(', ') : 'no source'}, so update.path "./${path}" would be looked for in another repository: point sourceRef at ${instead.length > 0 ? instead[0] : 'the GitRepository the cluster syncs this repository from'}`);
  }
  return [...found.values()];
}

function labelsOf(doc: Record<string, unknown>): Record<string, string> {
  return ((doc.metadata ?? {}) as { labels?: Record<string, string> }).labels ?? {};
}

function describe(o: { namespace?: string; name: string }): string {
  return `${o.namespace ? `${o.namespace}/` : ''}${o.name}`;
}

function describeRun(r: Run): string {
  return `${r.application.namespace ? `${r.application.namespace}/` : ''}${r.name}`;
}

/** ` (in <file>)` for an object written to a file of the layout, else nothing. */
function where(object: ApiObject, model: FleetModel): string {
  const file = model.files.find(f => f.written && f.documents.some(d => d.origin.object === object));
  return file ? ` (in ${file.path})` : ' (it is not written to any file)';
}
