// Names of the generated code, all derived from the repository's own names.

const RESERVED = new Set([
  'break', 'case', 'catch', 'class', 'const', 'continue', 'debugger', 'default', 'delete', 'do', 'else', 'enum', 'export', 'extends', 'false',
  'finally', 'for', 'function', 'if', 'import', 'in', 'instanceof', 'new', 'null', 'return', 'super', 'switch', 'this', 'throw', 'true', 'try',
  'typeof', 'var', 'void', 'while', 'with', 'as', 'implements', 'interface', 'let', 'package', 'private', 'protected', 'public', 'static', 'yield',
  'await', 'constructor', 'layout', 'repo', 'deps', 'path', 'ROOT', 'node',
]);

function words(s: string): string[] {
  return s.replace(/([a-z0-9])([A-Z])/g, '$1 $2').split(/[^A-Za-z0-9]+/).filter(Boolean);
}

/** `external-dns` → `externalDns`; a name that would not be an identifier gets a prefix. */
export function camelCase(s: string, prefix = 'x'): string {
  const w = words(s);
  const id = w.map((x, i) => (i === 0 ? x.toLowerCase() : x[0].toUpperCase() + x.slice(1).toLowerCase())).join('');
  if (id === '' || /^[0-9]/.test(id) || RESERVED.has(id)) return `${prefix}${id ? id[0].toUpperCase() + id.slice(1) : ''}`;
  return id;
}

/** `infrastructure/base/dns` → `InfrastructureBaseDns`. */
export function pascalCase(s: string): string {
  const c = camelCase(s, 'X');
  return c[0].toUpperCase() + c.slice(1);
}

/** A name unique among `taken` (adds `2`, `3`… when needed), recorded in it. */
export function unique(name: string, taken: Set<string>): string {
  let n = name;
  for (let i = 2; taken.has(n); i++) n = `${name}${i}`;
  taken.add(n);
  return n;
}

/** A directory name the layout accepts: lowercase letters, digits, '-', '.', '_'. */
export function directoryName(s: string): string {
  const n = s.toLowerCase().replace(/[^a-z0-9._-]+/g, '-').replace(/^[^a-z0-9]+|[^a-z0-9]+$/g, '');
  return (n || 'dir').replace(/\.ya?ml$/, '-yaml');
}

/** A manifest file name the layout accepts (ends in `.yaml`, not `kustomization.yaml`). */
export function manifestFileName(s: string): string {
  const base = s.replace(/\.ya?ml$/, '').toLowerCase().replace(/[^a-z0-9._-]+/g, '-').replace(/^[^a-z0-9]+|[^a-z0-9]+$/g, '') || 'manifest';
  return `${base === 'kustomization' ? 'kustomization-resources' : base}.yaml`;
}
