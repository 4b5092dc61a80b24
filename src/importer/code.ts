// A small expression language for the code the importer writes: every construct call is planned
// once as an `Expr`, then both printed as TypeScript (the fleet a team reviews) and evaluated in
// this process (the fleet the import synthesizes to prove it equal to the original), so that what
// is proven is exactly what is printed.

/** A class (or namespace member) the generated code imports. */
export interface ClassRef {
  /** The package it is imported from, e.g. `cdk8s-flux`. */
  readonly module: string;
  /** Its exported name, e.g. `HelmRelease`; with `namespace`, the member of that namespace. */
  readonly name: string;
  /** The exported namespace that holds it (`helm` for `helm.HelmRelease`). @default none */
  readonly namespace?: string;
}

/** A variable of the generated code: a directory, a file, an object or a store. */
export interface Var {
  /** Its name, unique within its home. */
  readonly name: string;
  /** Where it is declared: `layout` (the layout file) or the name of a component. */
  readonly home: string;
  /** Whether it is a field of its home (visible to other files) or local to its constructor. */
  readonly exported: boolean;
}

/** An expression of the generated code. */
export type Expr =
  | { readonly t: 'lit'; readonly v: unknown }
  | { readonly t: 'var'; readonly v: Var }
  | { readonly t: 'obj'; readonly props: readonly (readonly [string, Expr])[] }
  | { readonly t: 'arr'; readonly items: readonly Expr[] }
  | { readonly t: 'new'; readonly cls: ClassRef; readonly args: readonly Expr[] }
  | { readonly t: 'call'; readonly cls: ClassRef; readonly method: string; readonly args: readonly Expr[] }
  | { readonly t: 'method'; readonly target: Expr; readonly method: string; readonly args: readonly Expr[] }
  | { readonly t: 'prop'; readonly target: Expr; readonly name: string }
  | { readonly t: 'path'; readonly rel: string }
  | { readonly t: 'enum'; readonly cls: ClassRef; readonly member: string }
  | { readonly t: 'cast'; readonly expr: Expr; readonly type: string };

/** A literal value. */
export const lit = (v: unknown): Expr => ({ t: 'lit', v });
/** A reference to a variable. */
export const ref = (v: Var): Expr => ({ t: 'var', v });
/** An object literal; entries whose value is undefined are left out. */
export function obj(entries: Record<string, Expr | undefined> | readonly (readonly [string, Expr | undefined])[]): Expr {
  const list = Array.isArray(entries) ? entries : Object.entries(entries);
  return { t: 'obj', props: list.filter((e): e is [string, Expr] => e[1] !== undefined) };
}
/** An array literal. */
export const arr = (items: readonly Expr[]): Expr => ({ t: 'arr', items });
/** `new Class(args)`. */
export const construct = (cls: ClassRef, ...args: Expr[]): Expr => ({ t: 'new', cls, args });
/** `Class.method(args)`. */
export const staticCall = (cls: ClassRef, method: string, ...args: Expr[]): Expr => ({ t: 'call', cls, method, args });
/** `target.method(args)`. */
export const methodCall = (target: Expr, method: string, ...args: Expr[]): Expr => ({ t: 'method', target, method, args });
/** `target.name`. */
export const prop = (target: Expr, name: string): Expr => ({ t: 'prop', target, name });
/** A member of an exported enum (`CrdPolicy.CREATE`). */
export const enumMember = (cls: ClassRef, member: string): Expr => ({ t: 'enum', cls, member });
/** A value the original holds with a type its field does not allow (`true` as an annotation): kept, cast, for review. */
export const cast = (expr: Expr, type: string): Expr => ({ t: 'cast', expr, type });
/** A path relative to the fleet's root directory (`path.join(root, rel)`). */
export const rootPath = (rel: string): Expr => ({ t: 'path', rel });

/** Whether a value is a plain literal (no construct inside). */
export function isLiteral(e: Expr): e is { t: 'lit'; v: unknown } {
  return e.t === 'lit';
}

/** What evaluation needs: each class by module and name, each variable's value, the fleet's root. */
export interface EvalContext {
  readonly classes: (cls: ClassRef) => unknown;
  readonly vars: Map<Var, unknown>;
  readonly rootDir: string;
}

/** Evaluates an expression in this process. */
export function evaluate(e: Expr, ctx: EvalContext): unknown {
  switch (e.t) {
    case 'lit': return structuredClone(e.v);
    case 'var': {
      if (!ctx.vars.has(e.v)) throw new Error(`variable ${e.v.home}.${e.v.name} is used before it is defined`);
      return ctx.vars.get(e.v);
    }
    case 'obj': return Object.fromEntries(e.props.map(([k, v]) => [k, evaluate(v, ctx)]));
    case 'arr': return e.items.map(i => evaluate(i, ctx));
    case 'new': {
      const C = ctx.classes(e.cls) as new (...args: unknown[]) => unknown;
      return new C(...e.args.map(a => evaluate(a, ctx)));
    }
    case 'call': {
      const C = ctx.classes(e.cls) as Record<string, (...args: unknown[]) => unknown>;
      return C[e.method](...e.args.map(a => evaluate(a, ctx)));
    }
    case 'method': {
      const target = evaluate(e.target, ctx) as Record<string, (...args: unknown[]) => unknown>;
      return target[e.method](...e.args.map(a => evaluate(a, ctx)));
    }
    case 'prop': return (evaluate(e.target, ctx) as Record<string, unknown>)[e.name];
    case 'path': return `${ctx.rootDir}/${e.rel}`;
    case 'enum': return (ctx.classes(e.cls) as Record<string, unknown>)[e.member];
    case 'cast': return evaluate(e.expr, ctx);
  }
}

/** How the printer names variables and classes in the file being printed. */
export interface PrintContext {
  /** The home of the file being printed. */
  readonly home: string;
  /** How a variable of another home is reached from this file (e.g. `layout.base`). */
  readonly reach: (v: Var) => string;
  /** Records a class the file imports; returns how the code names it. */
  readonly use: (cls: ClassRef) => string;
}

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;
const WIDTH = 120;

/** Prints an expression as formatted TypeScript, starting at indentation `indent`. */
export function print(e: Expr, ctx: PrintContext, indent = ''): string {
  const flat = printFlat(e, ctx);
  if (flat !== undefined && flat.length + indent.length <= WIDTH) return flat;
  const inner = `${indent}  `;
  switch (e.t) {
    case 'lit': return printLiteral(e.v, indent);
    case 'obj':
      if (e.props.length === 0) return '{}';
      return `{\n${e.props.map(([k, v]) => `${inner}${key(k)}: ${print(v, ctx, inner)},`).join('\n')}\n${indent}}`;
    case 'arr':
      if (e.items.length === 0) return '[]';
      return `[\n${e.items.map(v => `${inner}${print(v, ctx, inner)},`).join('\n')}\n${indent}]`;
    case 'new':
    case 'call':
    case 'method': {
      const head = e.t === 'new' ? `new ${ctx.use(e.cls)}` : e.t === 'call' ? `${ctx.use(e.cls)}.${e.method}` : `${print(e.target, ctx, indent)}.${e.method}`;
      // the common shape (scope, 'id', { props }): keep the short arguments on the first line
      const last = e.args[e.args.length - 1];
      const firsts = e.args.slice(0, -1).map(a => printFlat(a, ctx));
      if (last && (last.t === 'obj' || last.t === 'arr' || (last.t === 'lit' && typeof last.v === 'object' && last.v !== null)) && firsts.every(f => f !== undefined)) {
        return `${head}(${[...firsts, print(last, ctx, indent)].join(', ')})`;
      }
      return `${head}(\n${e.args.map(a => `${inner}${print(a, ctx, inner)},`).join('\n')}\n${indent})`;
    }
    default: return flat ?? '';
  }
}

/** The expression on one line, or undefined when it holds a multi-line string. */
function printFlat(e: Expr, ctx: PrintContext): string | undefined {
  switch (e.t) {
    case 'lit': return flatLiteral(e.v);
    case 'var': return e.v.home === ctx.home ? (e.v.exported && e.v.home !== 'layout' ? `this.${e.v.name}` : e.v.name) : ctx.reach(e.v);
    case 'obj': {
      if (e.props.length === 0) return '{}';
      const parts = e.props.map(([k, v]) => { const p = printFlat(v, ctx); return p === undefined ? undefined : `${key(k)}: ${p}`; });
      return parts.every(p => p !== undefined) ? `{ ${parts.join(', ')} }` : undefined;
    }
    case 'arr': {
      const parts = e.items.map(v => printFlat(v, ctx));
      return parts.every(p => p !== undefined) ? `[${parts.join(', ')}]` : undefined;
    }
    case 'new':
    case 'call':
    case 'method': {
      const parts = e.args.map(v => printFlat(v, ctx));
      if (!parts.every(p => p !== undefined)) return undefined;
      if (e.t === 'new') return `new ${ctx.use(e.cls)}(${parts.join(', ')})`;
      if (e.t === 'call') return `${ctx.use(e.cls)}.${e.method}(${parts.join(', ')})`;
      const target = printFlat(e.target, ctx);
      return target === undefined ? undefined : `${target}.${e.method}(${parts.join(', ')})`;
    }
    case 'prop': {
      const target = printFlat(e.target, ctx);
      return target === undefined ? undefined : `${target}.${e.name}`;
    }
    case 'path': return `path.join(ROOT, ${quote(e.rel)})`;
    case 'enum': return `${ctx.use(e.cls)}.${e.member}`;
    case 'cast': { const inner = printFlat(e.expr, ctx); return inner === undefined ? undefined : `${inner} as unknown as ${e.type}`; }
  }
}

function key(k: string): string {
  return IDENTIFIER.test(k) ? k : quote(k);
}

/** A string in single quotes (as the project's style has it). */
export function quote(s: string): string {
  return `'${JSON.stringify(s).slice(1, -1).replace(/\\"/g, '"').replace(/'/g, "\\'")}'`;
}

function flatLiteral(v: unknown): string | undefined {
  if (v === undefined) return 'undefined';
  if (v === null) return 'null';
  if (typeof v === 'string') return v.includes('\n') && v.length > 40 ? undefined : quote(v);
  if (typeof v === 'number' || typeof v === 'boolean') return JSON.stringify(v);
  if (Array.isArray(v)) {
    const parts = v.map(flatLiteral);
    return parts.every(p => p !== undefined) ? `[${parts.join(', ')}]` : undefined;
  }
  const entries = Object.entries(v as Record<string, unknown>);
  if (entries.length === 0) return '{}';
  const parts = entries.map(([k, x]) => { const p = flatLiteral(x); return p === undefined ? undefined : `${key(k)}: ${p}`; });
  return parts.every(p => p !== undefined) ? `{ ${parts.join(', ')} }` : undefined;
}

function printLiteral(v: unknown, indent: string): string {
  const flat = flatLiteral(v);
  if (flat !== undefined && flat.length + indent.length <= WIDTH) return flat;
  const inner = `${indent}  `;
  if (typeof v === 'string') {
    // a long text (a script, a certificate, a values file) as a template literal, line by line
    return `\`${v.replace(/\\/g, '\\\\').replace(/`/g, '\\`').replace(/\$\{/g, '\\${')}\``;
  }
  if (Array.isArray(v)) {
    if (v.length === 0) return '[]';
    return `[\n${v.map(x => `${inner}${printLiteral(x, inner)},`).join('\n')}\n${indent}]`;
  }
  const entries = Object.entries(v as Record<string, unknown>);
  return `{\n${entries.map(([k, x]) => `${inner}${key(k)}: ${printLiteral(x, inner)},`).join('\n')}\n${indent}}`;
}
