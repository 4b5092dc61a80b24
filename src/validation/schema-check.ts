import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ApiObject } from 'cdk8s';
import { FleetProblem } from '../core/errors';
import { isLayoutFile } from '../core/layout-file';
import { FleetModel, FleetModule, ModelCheck } from '../core/model/fleet-model';
import { describeSource, KUSTOMIZATION_FILE_NAMES } from '../core/model/kustomize-build';
import { Doc } from '../core/model/repo-tree';
import { describeDoc } from '../core/model/identity';
import { SchemaIssue, SchemaValidator } from './schema-validator';

/** Options of schema validation. */
export interface SchemaValidationOptions {
  /**
   * Directory of CRDs to validate against.
   * @default the vendored Flux 2.9 and Sealed Secrets CRDs
   */
  readonly crdDirectory?: string;
  /**
   * Directory of vendored chart schemas: `<chart>.values.schema.json` (a chart's
   * `values.schema.json`). A HelmRelease's inline `values` are checked against its chart's
   * schema when present (required fields are not enforced: valuesFrom may supply them).
   * @default no chart schemas
   */
  readonly chartSchemas?: string;
  /**
   * CRD documents validated against besides those of `crdDirectory`: the third-party CRDs a fleet
   * registers (`GitOpsRepo.registerCrds`), whose kinds are then checked as strictly as Flux's.
   * @default none
   */
  readonly crds?: readonly Record<string, unknown>[];
}

const validators = new Map<string, SchemaValidator>();

/** One validator per CRD directory (and set of extra CRDs) per process: schemas are compiled once. */
export function validatorFor(crdDirectory?: string, crds: readonly Record<string, unknown>[] = []): SchemaValidator {
  const key = `${crdDirectory ?? ''}\0${crds.length === 0 ? '' : createHash('sha256').update(JSON.stringify(crds)).digest('hex')}`;
  let v = validators.get(key);
  if (!v) {
    v = SchemaValidator.fromDirectory(crdDirectory, crds);
    validators.set(key, v);
  }
  return v;
}

/**
 * Validates the model against the CRD schemas, strictly (unknown fields rejected): every object of
 * every file synth writes, every object of the files the user owns in the layout (inside `List`s
 * too), and every object as a build leaves it once patches, a namespace or substitution changed
 * it (an environment's overlay, a Flux Kustomization's `spec.patches`, as the cluster gets it).
 * An object of an API group the CRDs own but of a version or kind they do not serve is an error;
 * objects of other groups (core kinds) get their metadata checked. Each problem names the file, the
 * document's index in it, the object, the JSON pointer and what is wrong.
 */
export function schemaCheck(options: SchemaValidationOptions = {}): ModelCheck {
  return {
    id: 'validation/schemas',
    description: 'every object is valid against its CRD schema',
    check: model => {
      const validator = validatorFor(options.crdDirectory, options.crds);
      const problems: FleetProblem[] = [];
      const seen = new Set<string>();
      const validated = new Set<Doc>();
      const report = (constructPath: string, where: string, doc: Record<string, unknown>) => {
        if (validated.has(doc)) return;
        validated.add(doc);
        const push = (prefix: string, issues: SchemaIssue[]) => {
          for (const issue of issues) {
            const message = `${prefix}: ${where} ${describeDoc(doc)}: ${issue.pointer || '/'}: ${issue.message}`;
            const key = `${constructPath} ${prefix} ${describeDoc(doc)} ${issue.pointer} ${issue.message}`;
            if (seen.has(key)) continue; // the same object as several overlays build it
            seen.add(key);
            problems.push({ path: constructPath, message });
          }
        };
        const unknown = validator.unknownKind(String(doc.apiVersion), String(doc.kind));
        if (unknown) push('schema', [{ pointer: '/apiVersion', message: unknown }]);
        else push('schema', validator.validate(doc) ?? validator.validateMetadata(doc));
        push('chart values', valuesIssues(validator, options, doc, problems, constructPath));
      };
      if (options.chartSchemas && !fs.existsSync(options.chartSchemas)) {
        problems.push({ path: '(schema validation)', message: `chartSchemas directory ${options.chartSchemas} does not exist: create it and vendor each chart's values.schema.json there as <chart>.values.schema.json` });
      }
      for (const e of model.documents()) {
        if (e.patch || KUSTOMIZATION_FILE_NAMES.includes(e.source.file.slice(e.source.file.lastIndexOf('/') + 1))) continue;
        const object = e.source.origin.object;
        if (object && alreadyReported(model, object)) continue;
        report(object?.node.path ?? e.location, e.source.origin.object ? `${e.source.file}#${e.source.index}` : describeSource(e.source), e.doc);
      }
      for (const { constructPath, where, doc } of changedOutputs(model)) report(constructPath, where, doc);
      return problems;
    },
  };
}

/** The schema-validation module: its check, with the CRDs and chart schemas it validates against. */
export function schemaModule(options: SchemaValidationOptions = {}): FleetModule {
  return { name: 'validation', register: registry => registry.registerCheck(schemaCheck(options)) };
}

/**
 * Whether the object's own construct (the API object, or the Flux/cdk8s-plus construct that owns
 * it) already reported a problem in its own words: no need to repeat it as a schema error.
 */
function alreadyReported(model: FleetModel, object: ApiObject): boolean {
  const owner = object.node.scope;
  return model.reported.has(object.node.path) || (owner !== undefined && !isLayoutFile(owner) && model.reported.has(owner.node.path));
}

/**
 * The objects that a build changed: each generated directory's patched objects, and every object
 * a cluster gets changed by its applier (a namespace, patches, substitution). Each is reported
 * against the last patch that changed it, else the object.
 */
function* changedOutputs(model: FleetModel) {
  for (const file of model.tree.allFiles()) {
    if (!file.generated || !KUSTOMIZATION_FILE_NAMES.includes(file.path.slice(file.path.lastIndexOf('/') + 1))) continue;
    const dir = file.path.slice(0, file.path.lastIndexOf('/'));
    for (const o of model.builder.build(dir).objects) {
      const last = o.patches[o.patches.length - 1];
      if (last) yield { constructPath: last.constructPath ?? last.file, where: `${last.file} (as ${dir} builds ${o.source.file})`, doc: o.doc };
    }
  }
  for (const cluster of model.clusters) {
    for (const a of cluster.applications) {
      if (a.doc === a.built.source.doc) continue;
      const last = a.built.patches[a.built.patches.length - 1];
      yield { constructPath: last?.constructPath ?? a.built.source.origin.constructPath ?? a.built.source.file, where: `${a.built.source.file} (as cluster "${cluster.name}" gets it from ${a.by})`, doc: a.doc };
    }
  }
}

const chartSchemaCache = new Map<string, object | null>();

function valuesIssues(validator: SchemaValidator, options: SchemaValidationOptions, doc: Record<string, unknown>, problems: FleetProblem[], constructPath: string): SchemaIssue[] {
  if (!options.chartSchemas || doc.kind !== 'HelmRelease') return [];
  const spec = (doc.spec ?? {}) as { chart?: { spec?: { chart?: string } }; values?: unknown };
  const chart = spec.chart?.spec?.chart;
  if (!chart || spec.values === undefined) return [];
  const file = path.join(options.chartSchemas, `${chart}.values.schema.json`);
  if (!chartSchemaCache.has(file)) {
    chartSchemaCache.set(file, fs.existsSync(file) ? withoutRequired(JSON.parse(fs.readFileSync(file, 'utf8'))) as object : null);
  }
  const schema = chartSchemaCache.get(file);
  if (!schema) return [];
  try {
    return validator.compileSchema(file, schema)(spec.values).map(i => ({
      pointer: `/spec/values${i.pointer}`,
      message: i.message.replace('; check its spelling and the API version', '; check its spelling against the chart'),
    }));
  } catch (e) {
    problems.push({ path: constructPath, message: `chart values: ${file} cannot be used as a JSON schema: ${(e as Error).message}` });
    return [];
  }
}

/** A schema without the `required` keyword: other sources (valuesFrom, chart defaults) may supply those values. */
function withoutRequired(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(withoutRequired);
  if (typeof node !== 'object' || node === null) return node;
  return Object.fromEntries(Object.entries(node)
    .filter(([k, v]) => !(k === 'required' && Array.isArray(v))) // a property named "required" stays
    .map(([k, v]) => [k, withoutRequired(v)]));
}
