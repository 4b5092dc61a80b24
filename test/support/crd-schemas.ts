// Test-only: validates documents against the openAPIV3Schema of the vendored CRDs with ajv.
import * as fs from 'node:fs';
import * as path from 'node:path';
import Ajv, { ValidateFunction } from 'ajv';
import { parseAllDocuments } from 'yaml';

const CRDS = path.resolve(__dirname, '../../crds');
let validators: Map<string, ValidateFunction> | undefined;

function load(): Map<string, ValidateFunction> {
  // Kubernetes extensions (x-kubernetes-*) and formats such as int32 are not JSON Schema: ignore them here
  const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false });
  const out = new Map<string, ValidateFunction>();
  for (const file of fs.readdirSync(CRDS).filter(f => f.endsWith('.yaml'))) {
    for (const doc of parseAllDocuments(fs.readFileSync(path.join(CRDS, file), 'utf8'))) {
      const crd = doc.toJS();
      for (const v of crd.spec.versions) {
        out.set(`${crd.spec.group}/${v.name}/${crd.spec.names.kind}`, ajv.compile(v.schema.openAPIV3Schema));
      }
    }
  }
  return out;
}

/** Schema errors of a document, or `undefined` when no vendored CRD describes its kind. */
export function crdErrors(doc: Record<string, any>): string[] | undefined {
  validators ??= load();
  const validate = validators.get(`${doc.apiVersion}/${doc.kind}`);
  if (!validate) return undefined;
  return validate(doc) ? [] : (validate.errors ?? []).map(e => `${e.instancePath} ${e.message}`);
}
