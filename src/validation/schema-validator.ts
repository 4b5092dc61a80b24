import * as fs from 'node:fs';
import * as path from 'node:path';
import Ajv, { ErrorObject, ValidateFunction } from 'ajv';
import { parseAllDocuments } from 'yaml';
import { SchemaNode, strictSchema } from './strict-schema';

/** One schema violation of one document. */
export interface SchemaIssue {
  /** JSON pointer of the offending field, e.g. `/spec/interval`. */
  readonly pointer: string;
  /** What is wrong, for a person. */
  readonly message: string;
}

/** The directory of the CRDs vendored with the library. */
export const VENDORED_CRDS = path.resolve(__dirname, '..', '..', 'crds');

/**
 * Validates Kubernetes documents against the `openAPIV3Schema` of CRDs, strictly (see
 * `strictSchema`). Each kind's schema is compiled once, on first use.
 */
export class SchemaValidator {
  /** A validator for the CRDs of a directory (every `*.yaml`), by default the vendored Flux 2.9 and Sealed Secrets CRDs. */
  public static fromDirectory(dir: string = VENDORED_CRDS): SchemaValidator {
    const schemas = new Map<string, SchemaNode>();
    for (const file of fs.readdirSync(dir).filter(f => f.endsWith('.yaml')).sort()) {
      for (const doc of parseAllDocuments(fs.readFileSync(path.join(dir, file), 'utf8'))) {
        const crd = doc.toJS() as { kind?: string; spec?: { group: string; names: { kind: string }; versions: { name: string; served: boolean; schema?: { openAPIV3Schema: SchemaNode } }[] } };
        if (crd?.kind !== 'CustomResourceDefinition' || !crd.spec) continue;
        for (const v of crd.spec.versions) {
          if (v.served && v.schema) schemas.set(`${crd.spec.group}/${v.name} ${crd.spec.names.kind}`, v.schema.openAPIV3Schema);
        }
      }
    }
    return new SchemaValidator(schemas);
  }

  private readonly ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false });
  private readonly compiled = new Map<string, ValidateFunction>();

  private constructor(private readonly schemas: Map<string, SchemaNode>) {}

  /** Whether a schema is known for this apiVersion and kind. */
  public covers(apiVersion: string, kind: string): boolean {
    return this.schemas.has(`${apiVersion} ${kind}`);
  }

  /** The kinds covered, as `group/version Kind`. */
  public get kinds(): string[] {
    return [...this.schemas.keys()].sort();
  }

  /** Schema violations of a document; `undefined` when no schema covers its kind. */
  public validate(doc: Record<string, unknown>): SchemaIssue[] | undefined {
    const key = `${String(doc.apiVersion)} ${String(doc.kind)}`;
    let validate = this.compiled.get(key);
    if (!validate) {
      const schema = this.schemas.get(key);
      if (!schema) return undefined;
      validate = this.ajv.compile(strictSchema(schema));
      this.compiled.set(key, validate);
    }
    if (validate(doc)) return [];
    return dedupe((validate.errors ?? []).map(issueOf));
  }

  /** Compiles a JSON schema once (e.g. a chart's `values.schema.json`) and returns its validator. */
  public compileSchema(id: string, schema: object): (value: unknown) => SchemaIssue[] {
    let validate = this.compiled.get(id);
    if (!validate) {
      validate = this.ajv.compile(schema);
      this.compiled.set(id, validate);
    }
    const v = validate;
    return value => v(value) ? [] : dedupe((v.errors ?? []).map(issueOf));
  }
}

function issueOf(e: ErrorObject): SchemaIssue {
  switch (e.keyword) {
    case 'additionalProperties': {
      const field = (e.params as { additionalProperty: string }).additionalProperty;
      return { pointer: `${e.instancePath}/${field}`, message: `unknown field "${field}" (not in the schema; check its spelling and the API version)` };
    }
    case 'required': {
      const field = (e.params as { missingProperty: string }).missingProperty;
      return { pointer: `${e.instancePath}/${field}`, message: `required field "${field}" is missing` };
    }
    case 'enum':
      return { pointer: e.instancePath, message: `must be one of ${((e.params as { allowedValues: unknown[] }).allowedValues).map(v => JSON.stringify(v)).join(', ')}` };
    case 'type':
      return { pointer: e.instancePath, message: `must be ${(e.params as { type: string }).type}` };
    case 'pattern':
      return { pointer: e.instancePath, message: `must match the pattern ${(e.params as { pattern: string }).pattern}` };
    default:
      return { pointer: e.instancePath, message: e.message ?? e.keyword };
  }
}

function dedupe(issues: SchemaIssue[]): SchemaIssue[] {
  const seen = new Set<string>();
  return issues.filter(i => {
    const key = `${i.pointer} ${i.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
