import { posix } from 'node:path';
import { ApiObject } from 'cdk8s';
import { IConstruct } from 'constructs';
import { ClusterApplication, ClusterContents, clustersOf } from '../flux/cluster-contents';
import { apiObjectOf } from '../flux/flux-object';
import { Kustomization } from '../flux/kustomization';
import { FleetProblem } from '../core/errors';
import { LayoutDirectory } from '../core/layout-directory';
import { FleetCheck, LayoutAnalysis, RenderedLayoutFile } from '../core/layout-model';
import { fieldName, markersOf, ownerPath, PlacedMarker } from '../core/setter-markers';
import { ImagePolicy } from './image-policy';
import { canonicalImageName, imageNameProblem, ImageRepository } from './image-repository';
import { ImageSetter, ImageSetterField } from './image-setter';
import { ImageUpdateAutomation } from './image-update-automation';

/** Options of the image-automation checks. */
export interface ImageAutomationCheckOptions {
  /** The directory whose sub-directories are clusters (`clusters/`). */
  readonly clustersDir: LayoutDirectory;
}

/** A field marked for an ImagePolicy, where it is written. */
interface MarkedField {
  readonly file: RenderedLayoutFile;
  readonly index: number;
  readonly marker: PlacedMarker;
  readonly setter: ImageSetter;
}

/** An ImageUpdateAutomation as one cluster runs it. */
interface Run {
  readonly cluster: ClusterContents;
  readonly application: ClusterApplication;
  readonly automation: ImageUpdateAutomation;
}

/** An OCI tag: up to 128 word characters, '.' or '-', not starting with '.' or '-'. */
const TAG = /^[\w][\w.-]{0,127}$/;
/** An OCI digest: algorithm, ':', encoded hash. */
const DIGEST = /^[a-z0-9]+(?:[+._-][a-z0-9]+)*:[a-zA-Z0-9=_-]{32,}$/;

/**
 * The synth-time checks of image automation, over the whole fleet. Every field marked with an
 * ImagePolicy (`policy.setter(…)` and its variants) must be live: in some cluster, an
 * ImageUpdateAutomation of the policy's namespace (whose `policySelector` selects the policy) has
 * an `update.path` containing the marked file, and that cluster reconciles the policy in the
 * namespace the marker names. The marked value must be of the right form for the setter (a
 * reference with a tag, a tag, a name, a digest) and of the policy's image, and no two clusters may
 * update one field from different policies. Every ImageUpdateAutomation must commit to the
 * GitRepository its cluster syncs this repository from, and have a marked field to update.
 */
export function imageAutomationChecks(options: ImageAutomationCheckOptions): FleetCheck {
  return analysis => {
    const marked = markedFields(analysis);
    const automations = analysis.constructs.filter((c): c is ImageUpdateAutomation => c instanceof ImageUpdateAutomation);
    if (marked.length === 0 && automations.length === 0) return [];

    const clusters = clustersOf(analysis, options.clustersDir);
    const runs: Run[] = clusters.flatMap(cluster => cluster.applications
      .filter(a => a.object.node.scope instanceof ImageUpdateAutomation)
      .map(application => ({ cluster, application, automation: application.object.node.scope as ImageUpdateAutomation })));

    const problems: FleetProblem[] = [];
    for (const field of marked) {
      const report = (message: string) => problems.push({ path: ownerPath(field.file, field.index), message: `${fieldName(field.marker.path)}: ${message}` });
      if (LayoutDirectory.enclosing(field.file.file)?.isVirtual) {
        report(`${field.setter.description} is in ${field.file.path}, a template that is never written: its copies in the flattened directories cannot be checked here yet; mark the value in each environment's directory instead (an ObjectPatch there with the setter)`);
        continue;
      }
      const valueProblem = setterValueProblem(field.setter);
      if (valueProblem) report(valueProblem);
      const policy = field.setter.policy;
      if (policy.namespace === undefined) {
        report(`${field.setter.description} names a policy without a namespace, but a marker names its policy as "<namespace>:${policy.name}": set metadata.namespace on the ImagePolicy (or namespace on ImagePolicy.fromName)`);
        continue;
      }
      const root = (policy as unknown as Partial<IConstruct>).node?.root;
      if (root && root !== field.file.file.node.root) {
        report(`${field.setter.description} is a policy of another GitOpsRepo: mark fields with an ImagePolicy of this repository (or ImagePolicy.fromName)`);
        continue;
      }
      for (const message of [...policyProblems(field.setter), ...livenessProblems(field, runs, analysis)]) report(message);
    }
    for (const automation of automations) problems.push(...automationProblems(automation, runs, marked));
    return problems;
  };
}

function markedFields(analysis: LayoutAnalysis): MarkedField[] {
  const fields: MarkedField[] = [];
  for (const file of analysis.files) {
    file.docs.forEach((doc, index) => {
      for (const marker of markersOf(doc)) {
        // a marker the writer cannot place is reported by markedValueCheck
        if (!marker.problem && marker.marked.origin instanceof ImageSetter) fields.push({ file, index, marker, setter: marker.marked.origin });
      }
    });
  }
  return fields;
}

/** Why the value written until the first update is not of the setter's form, if so. */
function setterValueProblem(s: ImageSetter): string | undefined {
  const v = s.value;
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

/** What the policy would do to the field that the code does not expect: an empty digest, another image. */
function policyProblems(s: ImageSetter): string[] {
  const policy = s.policy;
  if (!(policy instanceof ImagePolicy)) return [];
  const problems: string[] = [];
  if (s.field === ImageSetterField.DIGEST && !policy.reflectsDigest) {
    problems.push(`${s.description}: the policy does not reflect digests (digestReflectionPolicy is "Never"), so the controller would write an empty digest here: set digestReflectionPolicy to DigestReflectionPolicy.IF_NOT_PRESENT or ALWAYS`);
  }
  const repo = policy.imageRepository;
  if (repo instanceof ImageRepository && (s.field === ImageSetterField.IMAGE || s.field === ImageSetterField.NAME)) {
    const name = s.field === ImageSetterField.NAME ? s.value : splitReference(s.value).name;
    if (!imageNameProblem(name) && !imageNameProblem(repo.image) && canonicalImageName(name) !== canonicalImageName(repo.image)) {
      problems.push(`${s.description}: the field holds image "${name}", but the policy picks tags of ImageRepository ${describe(repo)}, which scans "${repo.image}", so the controller would write ${s.field === ImageSetterField.NAME ? `"${repo.image}"` : `"${repo.image}:<tag>"`} here: mark it with a policy of "${name}"`);
    }
  }
  return problems;
}

/**
 * Why a marked field is dead (no cluster's automation would update it from its policy), or updated
 * by two clusters from different policies of the same name.
 */
function livenessProblems(field: MarkedField, runs: readonly Run[], analysis: LayoutAnalysis): string[] {
  const { setter } = field;
  const policy = setter.policy;
  const ns = policy.namespace!;
  const policyObject = apiObjectOf(policy);
  const file = field.file.path;
  const marker = setter.marker;
  const covering = runs.filter(r => r.automation.covers(file));
  const clusters = [...new Set(covering.map(r => r.cluster))];
  const live: string[] = [];
  const conflicts: string[] = [];
  const reasons: { readonly rank: number; readonly message: string }[] = [];

  for (const cluster of clusters) {
    const inNamespace = covering.filter(r => r.cluster === cluster && r.application.namespace === ns);
    if (inNamespace.length === 0) continue;
    const applied = policyObject ? cluster.byObject.get(policyObject) ?? [] : undefined;
    if (applied && applied.length === 0) {
      const other = cluster.applications.find(a => a.entry.doc.kind === 'ImagePolicy' && a.namespace === ns && a.object.name === policy.name);
      if (other) {
        conflicts.push(`cluster "${cluster.name}" updates it too, from its own ImagePolicy ${ns}/${policy.name}${where(other.object, analysis)}, which may pick another image: the clusters would overwrite each other's commits; give the policies distinct names, or mark the field in a file of one cluster only (e.g. an overlay patch)`);
      } else {
        reasons.push({ rank: 2, message: `cluster "${cluster.name}", whose ImageUpdateAutomation ${describeRun(inNamespace[0])} updates ${file}, does not reconcile ImagePolicy ${ns}/${policy.name}${where(policyObject!, analysis)}: build the policy's directory into cluster "${cluster.name}"` });
      }
      continue;
    }
    const there = applied?.filter(a => a.namespace === ns);
    if (applied && there!.length === 0) {
      reasons.push({ rank: 3, message: `in cluster "${cluster.name}" the ImagePolicy ends up in namespace ${[...new Set(applied.map(a => `"${a.namespace}"`))].join(', ')} (a Kustomization's targetNamespace moves it), so the marker's policy "${ns}:${policy.name}" does not exist there: apply the policy without targetNamespace` });
      continue;
    }
    const labels = there?.[0] ? labelsOf(there[0].entry.doc) : undefined; // unknown for an import
    const selecting = inNamespace.filter(r => labels === undefined || Object.entries(r.automation.policyLabels).every(([k, v]) => labels[k] === v));
    if (selecting.length === 0) {
      const r = inNamespace[0];
      reasons.push({ rank: 4, message: `the policySelector of ImageUpdateAutomation ${describeRun(r)} in cluster "${cluster.name}" (${Object.entries(r.automation.policyLabels).map(([k, v]) => `${k}=${v}`).join(',')}) does not select ImagePolicy ${ns}/${policy.name}: add those labels to the policy, or widen the selector` });
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
function automationProblems(automation: ImageUpdateAutomation, runs: readonly Run[], marked: readonly MarkedField[]): FleetProblem[] {
  const problems: FleetProblem[] = [];
  const path = automation.updatePath;
  // another repository's files (a tenant's) are not this fleet's to check
  if (path === undefined) return problems;
  if (!marked.some(f => automation.covers(f.file.path))) {
    problems.push({
      path: automation.node.path,
      message: `spec.update.path "${path.fluxPath}" holds no field marked for image automation, so this automation would never change anything: mark fields under ${path.repoPath}/ with an ImagePolicy's setter, tagSetter, nameSetter or digestSetter, or remove it`,
    });
  }
  const source = automation.source;
  if (!apiObjectOf(source)) return problems; // an import: its repository is not known here
  const reported = new Set<string>();
  for (const run of runs.filter(r => r.automation === automation)) {
    const synced = [...new Set(run.cluster.applications
      .map(a => a.object.node.scope)
      .filter((k): k is Kustomization => k instanceof Kustomization && k.directory !== undefined)
      .map(k => k.source))];
    // a source the cluster does not reconcile at all is reported by the Flux reference checks
    if (synced.includes(source) || reported.has(run.cluster.name) || !run.cluster.byObject.has(apiObjectOf(source)!)) continue;
    reported.add(run.cluster.name);
    const instead = synced.map(s => `${s.kind} ${s.namespace ? `${s.namespace}/` : ''}${s.name}`);
    problems.push({
      path: automation.node.path,
      message: `spec.sourceRef is ${source.kind} ${source.namespace ? `${source.namespace}/` : ''}${source.name}, but cluster "${run.cluster.name}" builds this repository's directories from ${instead.length > 0 ? instead.join(', ') : 'no source'}, so update.path "${path.fluxPath}" would be looked for in another repository: point sourceRef at ${instead.length > 0 ? instead[0] : 'the GitRepository the cluster syncs this repository from'}`,
    });
  }
  return problems;
}

function labelsOf(doc: Record<string, unknown>): Record<string, string> {
  return ((doc.metadata ?? {}) as { labels?: Record<string, string> }).labels ?? {};
}

function describe(o: { namespace?: string; name: string }): string {
  return `${o.namespace ? `${o.namespace}/` : ''}${o.name}`;
}

function describeRun(r: Run): string {
  return `${r.application.namespace ? `${r.application.namespace}/` : ''}${r.automation.name}`;
}

/** ` (in <file>)` for an object written to a file of the layout, else nothing. */
function where(object: ApiObject, analysis: LayoutAnalysis): string {
  const file = analysis.files.find(f => f.objects?.includes(object));
  return file ? ` (in ${file.path})` : ' (it is not written to any file)';
}
