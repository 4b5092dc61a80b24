import * as fs from 'node:fs';
import * as path from 'node:path';
import { ApiObject } from 'cdk8s';
import { FleetProblem } from '../core/errors';
import { FileRole, isLayoutFile } from '../core/layout-file';
import { FleetCheck, LayoutAnalysis } from '../core/layout-model';
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
}

const validators = new Map<string, SchemaValidator>();

/** One validator per CRD directory per process: schemas are compiled once. */
export function validatorFor(crdDirectory?: string): SchemaValidator {
  const key = crdDirectory ?? '';
  let v = validators.get(key);
  if (!v) {
    v = SchemaValidator.fromDirectory(crdDirectory);
    validators.set(key, v);
  }
  return v;
}

/**
 * Validates what synth writes against the CRD schemas, strictly (unknown fields rejected): every
 * object of every file, and every object as each built directory's patches leave it (the output of
 * each environment's overlay). An object of an API group the CRDs own but of a version or kind they
 * do not serve is an error; objects of other groups (core kinds) get their metadata checked.
 * Each problem names the file, the document's index in it, the object, the JSON pointer and what
 * is wrong.
 */
export function schemaCheck(options: SchemaValidationOptions = {}): FleetCheck {
  return analysis => {
    const validator = validatorFor(options.crdDirectory);
    const problems: FleetProblem[] = [];
    const seen = new Set<string>();
    const report = (constructPath: string, where: string, doc: Record<string, unknown>) => {
      const push = (prefix: string, issues: SchemaIssue[]) => {
        for (const issue of issues) {
          const message = `${prefix}: ${where} ${describe(doc)}: ${issue.pointer || '/'}: ${issue.message}`;
          const key = `${constructPath} ${prefix} ${describe(doc)} ${issue.pointer} ${issue.message}`;
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
    for (const f of analysis.files.filter(x => x.file.role === FileRole.RESOURCE)) {
      f.docs.forEach((doc, i) => {
        const object = f.objects?.[i];
        if (object && alreadyReported(analysis, object)) return;
        report(object?.node.path ?? f.file.node.path, `${f.path}#${i}`, doc);
      });
    }
    for (const { constructPath, where, doc } of builtOutputs(analysis)) report(constructPath, where, doc);
    return problems;
  };
}

/**
 * Whether the object's own construct (the API object, or the Flux/cdk8s-plus construct that owns
 * it) already reported a problem in its own words: no need to repeat it as a schema error.
 */
function alreadyReported(analysis: LayoutAnalysis, object: ApiObject): boolean {
  const owner = object.node.scope;
  return analysis.reported.has(object.node.path) || (owner !== undefined && !isLayoutFile(owner) && analysis.reported.has(owner.node.path));
}

/**
 * The objects each built directory outputs once all its patches are applied, in kustomize's order
 * (those of included directories first, then its own): an environment's overlay as the cluster
 * gets it. Only objects that a patch changed; each is reported against the last patch that did.
 */
function* builtOutputs(analysis: LayoutAnalysis) {
  for (const dir of analysis.directories.filter(d => d.kustomize)) {
    if (analysis.patchFiles(dir).length === 0) continue;
    for (const e of analysis.effectiveBuild(dir).values()) {
      const last = e.patchedBy[e.patchedBy.length - 1];
      if (last) yield { constructPath: last.file.node.path, where: `${last.path} (as ${dir.repoPath} builds ${e.file})`, doc: e.doc };
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

function describe(doc: Record<string, unknown>): string {
  const meta = (doc.metadata ?? {}) as { name?: string; namespace?: string };
  return `${String(doc.kind)} ${meta.namespace ? `${meta.namespace}/` : ''}${meta.name}`;
}
