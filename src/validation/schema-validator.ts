import * as fs from 'node:fs';
import * as path from 'node:path';
import type Ajv from 'ajv';
import type { ErrorObject, ValidateFunction } from 'ajv';
import type Ajv2019 from 'ajv/dist/2019';
import type Ajv2020 from 'ajv/dist/2020';
import { parseAllDocuments } from 'yaml';
import { METADATA_ONLY, SchemaNode, strictSchema } from './strict-schema';

// verbose: each error carries the value that failed, so that the message can name it
const AJV_OPTIONS = { strict: false, allErrors: true, validateFormats: false, verbose: true };

/**
 * A class of ajv, loaded on first use: ajv is a hundred modules that a synth without schema
 * validation never needs (importing this file must not load it).
 */
function ajvClass(id: 'ajv' | 'ajv/dist/2019' | 'ajv/dist/2020'): unknown {
  return (require(id) as { default: unknown }).default;
}

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
  /**
   * A validator for the CRDs of a directory (every `*.yaml`, also one folder down), by default the
   * vendored Flux 2.9 and Sealed Secrets CRDs, plus the CRD documents given (third-party CRDs a
   * fleet registers; they win over a directory's CRD of the same kind).
   */
  public static fromDirectory(dir: string = VENDORED_CRDS, extraCrds: readonly Record<string, unknown>[] = []): SchemaValidator {
    const schemas = new Map<string, SchemaNode>();
    // a CRD kept in a folder of its own with its license (the Flux Operator's) counts too
    const files = fs.readdirSync(dir, { withFileTypes: true }).flatMap(e => e.isDirectory()
      ? fs.readdirSync(path.join(dir, e.name)).filter(f => f.endsWith('.yaml')).map(f => `${e.name}/${f}`)
      : e.name.endsWith('.yaml') ? [e.name] : []).sort();
    const docs = files.flatMap(file => parseAllDocuments(fs.readFileSync(path.join(dir, file), 'utf8')).map(d => d.toJS() as unknown));
    for (const crd of [...docs, ...extraCrds]) {
      for (const { key, schema } of crdSchemas(crd)) schemas.set(key, schema);
    }
    return new SchemaValidator(schemas);
  }

  private ajvInstance?: Ajv;

  /** The draft-07 compiler, made on first use. */
  private get ajv(): Ajv {
    return this.ajvInstance ??= new (ajvClass('ajv') as typeof Ajv)(AJV_OPTIONS);
  }
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

  /**
   * Why a document's kind escapes validation although its API group is one the CRDs own (a
   * removed beta version, a misspelled kind), or undefined.
   */
  public unknownKind(apiVersion: string, kind: string): string | undefined {
    const group = apiVersion.includes('/') ? apiVersion.split('/')[0] : '';
    if (this.covers(apiVersion, kind) || !this.kinds.some(k => k.startsWith(`${group}/`))) return undefined;
    const served = this.kinds.filter(k => k.startsWith(`${group}/`) && k.endsWith(` ${kind}`)).map(k => k.split(' ')[0]);
    return served.length > 0
      ? `${apiVersion} is not served for ${kind} (removed or misspelled): use ${served.join(' or ')}`
      : `${group} has no kind ${kind}: use one of ${this.kinds.filter(k => k.startsWith(`${group}/`)).map(k => k.split(' ')[1]).join(', ')}`;
  }

  /** Metadata problems of an object that has no schema of its own (core kinds). */
  public validateMetadata(doc: Record<string, unknown>): SchemaIssue[] {
    let validate = this.compiled.get(' metadata');
    if (!validate) {
      validate = this.ajv.compile(METADATA_ONLY);
      this.compiled.set(' metadata', validate);
    }
    return validate(doc) ? [] : collapse(validate.errors ?? [], true);
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
    return collapse(validate.errors ?? [], true);
  }

  /**
   * Compiles a JSON schema once (e.g. a chart's `values.schema.json`, any draft from 07 to 2020-12)
   * and returns its validator.
   */
  public compileSchema(id: string, schema: { $schema?: string }): (value: unknown) => SchemaIssue[] {
    let validate = this.compiled.get(id);
    if (!validate) {
      const draft = schema.$schema ?? '';
      const ajv = draft.includes('2020-12') ? new (ajvClass('ajv/dist/2020') as typeof Ajv2020)(AJV_OPTIONS)
        : draft.includes('2019-09') ? new (ajvClass('ajv/dist/2019') as typeof Ajv2019)(AJV_OPTIONS)
          : this.ajv;
      validate = ajv.compile(schema);
      this.compiled.set(id, validate);
    }
    const v = validate;
    return value => v(value) ? [] : collapse(v.errors ?? []);
  }
}

/** The schemas a CRD document serves, by `group/version Kind`; none for anything else. */
function crdSchemas(doc: unknown): { key: string; schema: SchemaNode }[] {
  const crd = doc as { kind?: string; spec?: { group?: string; names?: { kind?: string }; versions?: { name: string; served: boolean; schema?: { openAPIV3Schema: SchemaNode } }[] } } | null;
  if (crd?.kind !== 'CustomResourceDefinition' || !crd.spec?.group || !crd.spec.names?.kind || !Array.isArray(crd.spec.versions)) return [];
  const { group, names } = crd.spec;
  return crd.spec.versions.filter(v => v.served && v.schema).map(v => ({ key: `${group}/${v.name} ${names.kind}`, schema: v.schema!.openAPIV3Schema }));
}

/** A JSON-pointer token: `~` and `/` escaped. */
function token(name: string): string {
  return name.replace(/~/g, '~0').replace(/\//g, '~1');
}

/**
 * One issue per problem: the alternatives of a failed `anyOf` collapse into one message. With
 * `echo`, a message names the value that failed when it is a short scalar (an enum, a pattern, a
 * type), and the kind of value otherwise; chart values are not echoed (they may hold secrets).
 */
function collapse(errors: ErrorObject[], echo = false): SchemaIssue[] {
  const anyOf = errors.filter(e => e.keyword === 'anyOf');
  const inAnyOf = (e: ErrorObject) => anyOf.some(a => e !== a && e.instancePath === a.instancePath && e.schemaPath.startsWith(a.schemaPath.replace(/\/anyOf$/, '/anyOf/')));
  // a key failing propertyNames is reported once, not also as the pattern it failed
  const keyChecks = errors.filter(e => e.keyword === 'propertyNames');
  const underKeyCheck = (e: ErrorObject) => e.keyword !== 'propertyNames' && e.schemaPath.includes('/propertyNames/') && keyChecks.some(k => k.instancePath === e.instancePath);
  const issues = errors.filter(e => !inAnyOf(e) && !underKeyCheck(e)).map(e => {
    if (e.keyword !== 'anyOf') return withValue(issueOf(e), e, echo);
    const types = errors.filter(x => x.keyword === 'type' && inAnyOf(x) && x.instancePath === e.instancePath).map(x => (x.params as { type: string }).type);
    return withValue({ pointer: e.instancePath, message: types.length > 0 ? `must be ${[...new Set(types)].join(' or ')}` : 'matches none of the allowed forms' }, e, echo);
  });
  return dedupe(issues);
}

/** The issue with the value that failed appended (`, not "block"`), for the keywords about a value. */
function withValue(issue: SchemaIssue, e: ErrorObject, echo: boolean): SchemaIssue {
  if (!echo || !['enum', 'type', 'pattern', 'anyOf', 'minimum', 'maximum', 'minLength', 'maxLength', 'format', 'const'].includes(e.keyword)) return issue;
  return { ...issue, message: `${issue.message}, not ${describeValue(e.data)}` };
}

/** A value for a message: a short scalar as JSON, anything else by its kind. */
function describeValue(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  const text = JSON.stringify(v);
  return text.length <= 80 ? text : `a ${typeof v} of ${String(v).length} characters`;
}

function issueOf(e: ErrorObject): SchemaIssue {
  switch (e.keyword) {
    case 'additionalProperties': {
      const field = (e.params as { additionalProperty: string }).additionalProperty;
      return { pointer: `${e.instancePath}/${token(field)}`, message: `unknown field "${field}" (not in the schema; check its spelling and the API version)` };
    }
    case 'required': {
      const field = (e.params as { missingProperty: string }).missingProperty;
      return { pointer: `${e.instancePath}/${token(field)}`, message: `required field "${field}" is missing` };
    }
    case 'enum':
      return { pointer: e.instancePath, message: `must be one of ${((e.params as { allowedValues: unknown[] }).allowedValues).map(v => JSON.stringify(v)).join(', ')}` };
    case 'type':
      return { pointer: e.instancePath, message: `must be ${(e.params as { type: string }).type}` };
    case 'pattern':
      return { pointer: e.instancePath, message: `must match the pattern ${(e.params as { pattern: string }).pattern}` };
    case 'propertyNames':
      return { pointer: e.instancePath, message: `has a key that is not a valid label or annotation key (${(e.params as { propertyName: string }).propertyName})` };
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
