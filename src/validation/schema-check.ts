import * as fs from 'node:fs';
import * as path from 'node:path';
import { FleetProblem } from '../layout/errors';
import { FileRole } from '../layout/layout-file';
import { FleetCheck, LayoutAnalysis } from '../layout/layout-model';
import { mergePatch } from './merge-patch';
import { SchemaValidator } from './schema-validator';

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
 * Validates every object synth would write, and every object as an overlay's patches leave it,
 * against its CRD's schema (strictly: unknown fields rejected). Each problem names the file,
 * the document's index in it, the object, the JSON pointer of the field and what is wrong.
 */
export function schemaCheck(options: SchemaValidationOptions = {}): FleetCheck {
  return analysis => {
    const validator = validatorFor(options.crdDirectory);
    const problems: FleetProblem[] = [];
    const report = (constructPath: string, where: string, doc: Record<string, unknown>) => {
      for (const issue of validator.validate(doc) ?? []) {
        problems.push({ path: constructPath, message: `schema: ${where} ${describe(doc)}: ${issue.pointer || '/'}: ${issue.message}` });
      }
      for (const issue of valuesIssues(validator, options, doc)) {
        problems.push({ path: constructPath, message: `chart values: ${where} ${describe(doc)}: /spec/values${issue.pointer}: ${issue.message}` });
      }
    };
    for (const f of analysis.files.filter(x => x.file.role === FileRole.RESOURCE)) {
      f.docs.forEach((doc, i) => {
        const object = f.objects?.[i];
        // a construct whose own checks already spoke (in its own words) is not reported twice
        if (object && (analysis.reported.has(object.node.path) || analysis.reported.has(object.node.scope?.node.path ?? ''))) return;
        report(object?.node.path ?? f.file.node.path, `${f.path}#${i}`, doc);
      });
    }
    for (const { constructPath, where, doc } of patchedObjects(analysis)) report(constructPath, where, doc);
    return problems;
  };
}

/** Each object a patch changes, as the patch leaves it (a patched object is reported against its patch). */
function* patchedObjects(analysis: LayoutAnalysis) {
  for (const f of analysis.files.filter(x => x.file.role === FileRole.PATCH)) {
    const dir = f.path.slice(0, f.path.lastIndexOf('/'));
    const directory = analysis.directories.find(d => d.repoPath === dir);
    if (!directory || !directory.kustomize) continue;
    const t = f.file.patchTarget!;
    const id = `${t.kind}${t.group ? `.${t.group}` : ''} ${t.namespace ? `${t.namespace}/` : ''}${t.name}`;
    const entry = analysis.build(directory).get(id);
    if (!entry) continue; // reported by the layout checks
    const doc = mergePatch(entry.doc, f.docs[0]) as Record<string, unknown>;
    yield { constructPath: f.file.node.path, where: `${f.path} (applied to ${entry.file})`, doc };
  }
}

const chartSchemaCache = new Map<string, object | null>();

function valuesIssues(validator: SchemaValidator, options: SchemaValidationOptions, doc: Record<string, unknown>) {
  if (!options.chartSchemas || doc.kind !== 'HelmRelease') return [];
  const spec = (doc.spec ?? {}) as { chart?: { spec?: { chart?: string } }; values?: unknown };
  const chart = spec.chart?.spec?.chart;
  if (!chart || spec.values === undefined) return [];
  const file = path.join(options.chartSchemas, `${chart}.values.schema.json`);
  if (!chartSchemaCache.has(file)) {
    chartSchemaCache.set(file, fs.existsSync(file) ? withoutRequired(JSON.parse(fs.readFileSync(file, 'utf8'))) as object : null);
  }
  const schema = chartSchemaCache.get(file);
  return schema ? validator.compileSchema(file, schema)(spec.values) : [];
}

/** A schema without `required`: other sources (valuesFrom, chart defaults) may supply those values. */
function withoutRequired(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(withoutRequired);
  if (typeof node !== 'object' || node === null) return node;
  return Object.fromEntries(Object.entries(node).filter(([k]) => k !== 'required').map(([k, v]) => [k, withoutRequired(v)]));
}

function describe(doc: Record<string, unknown>): string {
  const meta = (doc.metadata ?? {}) as { name?: string; namespace?: string };
  return `${String(doc.kind)} ${meta.namespace ? `${meta.namespace}/` : ''}${meta.name}`;
}
