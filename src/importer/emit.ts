import { ClassRef, Expr, lit, print, PrintContext, quote, Var } from './code';
import { environmentValue, usedImports } from './build';
import { camelCase } from './names';
import { Component, layoutStatements, Plan, PlannedObject } from './plan';

/** The generated code: repository path (under the output directory) → content. */
export type GeneratedCode = Map<string, string>;

const HEADER = (what: string) => `// ${what}\n// Written by \`cdk8s-flux import\`: review it, then edit it freely (the import never runs again over it).\n`;

/** Collects the imports of one file as the printer uses classes. */
class Imports {
  private readonly named = new Map<string, Set<string>>();
  private readonly star = new Map<string, string>();
  private readonly local = new Map<string, Set<string>>();

  public use = (cls: ClassRef): string => {
    if (cls.module === 'cdk8s-plus-27') {
      this.star.set(cls.module, cls.namespace ?? 'kplus');
      return `${cls.namespace ?? 'kplus'}.${cls.name}`;
    }
    const set = this.named.get(cls.module) ?? new Set();
    set.add(cls.namespace ?? cls.name);
    this.named.set(cls.module, set);
    return cls.namespace ? `${cls.namespace}.${cls.name}` : cls.name;
  };

  public addLocal(from: string, name: string): void {
    const set = this.local.get(from) ?? new Set();
    set.add(name);
    this.local.set(from, set);
  }

  public render(): string {
    const lines: string[] = [];
    for (const [m, alias] of [...this.star].sort()) lines.push(`import * as ${alias} from '${m}';`);
    for (const [m, names] of [...this.named].sort()) lines.push(`import { ${[...names].sort().join(', ')} } from '${m}';`);
    for (const [m, names] of [...this.local].sort()) lines.push(`import { ${[...names].sort().join(', ')} } from '${m}';`);
    return lines.join('\n');
  }
}

/** The file name of a component's code. */
export function componentFile(c: Component): string {
  return `src/components/${c.dir.target.replace(/\//g, '-')}.ts`;
}

function depName(c: Component): string {
  return camelCase(c.name);
}

/** Prints the whole fleet: the layout, one file per component, the environments and the app. */
export function emitFleet(plan: Plan): GeneratedCode {
  const out: GeneratedCode = new Map();
  out.set('src/layout.ts', emitLayout(plan));
  for (const c of plan.components) out.set(componentFile(c), emitComponent(c));
  out.set('src/environments.ts', emitEnvironments(plan));
  out.set('src/fleet.ts', emitFleetFile(plan));
  out.set('src/main.ts', `${HEADER('The fleet\'s app: `npx tsx src/main.ts synth` (or cdk8s-flux synth) writes the layout into this repository.')}import { runCli } from 'cdk8s-flux';
import { createFleet } from './fleet';

// synth (the default), diff, seal, validate, graph: \`npx tsx src/main.ts --help\` lists them
if (require.main === module) process.exitCode = runCli(() => createFleet(), process.argv.slice(2));
`);
  return out;
}

function emitLayout(plan: Plan): string {
  const imports = new Imports();
  imports.use({ module: 'cdk8s-flux', name: 'GitOpsRepo' });
  const ctx: PrintContext = { home: 'layout', reach: v => v.name, use: imports.use };
  const body: string[] = [];
  const fields: string[] = [];
  for (const s of layoutStatements(plan)) {
    const code = print(s.expr, ctx, '  ');
    if (s.var) {
      body.push(`  const ${s.var.name} = ${code};`);
      const d = plan.directories.find(x => x.var === s.var);
      const type = d ? imports.use({ module: 'cdk8s-flux', name: 'LayoutDirectory' }) : imports.use({ module: 'cdk8s-flux', name: 'SealedStore' });
      fields.push(`  /** ${d ? `\`${d.target}/\`${d.source !== d.target ? ` (\`${d.source || '.'}/\` in the imported repository)` : ''}` : `the sealed values of ${s.var.name.replace(/Store$/, '')}, ciphertext as the repository had it`}. */\n  readonly ${s.var.name}: ${type};`);
    } else {
      body.push(`  ${code};`);
    }
  }
  const names = ['repo', ...layoutStatements(plan).filter(s => s.var).map(s => s.var!.name)];
  return `${HEADER('The layout: every directory of the imported repository, where the fleet writes it.')}import * as path from 'node:path';
${imports.render()}

/** The fleet repository's root: the sealed stores and their certificates live under it. */
export const ROOT = path.resolve(__dirname, '..');

/** The directories of the layout and the sealed stores. */
export interface Layout {
  /** The repository. */
  readonly repo: GitOpsRepo;
${fields.join('\n')}
}

/** Creates the directories (and what each builds besides its own files) and loads the sealed stores. */
export function createLayout(repo: GitOpsRepo): Layout {
${body.join('\n')}
  return { ${names.join(', ')} };
}
`;
}

function emitComponent(c: Component): string {
  const imports = new Imports();
  imports.addLocal('../layout', 'Layout');
  const deps = [...c.deps];
  for (const d of deps) imports.addLocal(`./${componentFile(d).slice('src/components/'.length, -3)}`, d.name);
  const reach = (v: Var) => (v.home === 'layout' ? `layout.${v.name}` : `deps.${depName(deps.find(d => d.name === v.home)!)}.${v.name}`);
  const ctx: PrintContext = { home: c.name, reach, use: imports.use };
  const lines: string[] = [];
  for (const f of c.files) {
    const cls = imports.use({ module: 'cdk8s-flux', name: f.existing !== undefined ? 'ExistingFile' : 'ManifestFile' });
    const role = f.data ? `, role: ${imports.use({ module: 'cdk8s-flux', name: 'FileRole' })}.DATA` : '';
    const why = f.data ? ' // kept as the file it was: its bytes are the generated ConfigMap\'s data and hash' : f.existing !== undefined ? ' // kept as the file it was (Flux\'s installation, CRDs)' : '';
    lines.push(`    const ${f.var.name} = new ${cls}(layout.${c.dir.var.name}, ${quote(f.fileName)}, { fileName: ${quote(f.fileName)}${role} });${why}`);
  }
  const used = usedImports(c);
  if (used.length > 0) lines.push('    // defined outside the repository, or by an object created later', ...used.map(i => `    const ${i.var.name} = ${print(i.expr, ctx, '    ')};`));
  const fields: string[] = [];
  for (const o of c.objects) {
    const way = o.ways[o.level];
    lines.push(`    this.${o.var.name} = ${print(way.expr, ctx, '    ')};`);
    for (const [rule, reason] of o.suppressions) lines.push(`    ${imports.use({ module: 'cdk8s-flux', name: 'Rules' })}.suppress(this.${o.var.name}, ${quote(rule)}, ${quote(reason)});`);
    fields.push(`  /** ${describe(o)}${way.because.length > 0 ? ` Written as ${article(way.as)}: ${way.because[way.because.length - 1]}.` : ''} */\n  public readonly ${o.var.name}: ${typeName(way.cls, imports)};`);
  }
  if (c.generators.length > 0) {
    lines.push('    // the kustomization\'s configMapGenerator');
    for (const g of c.generators) lines.push(`    ${print(g, ctx, '    ')};`);
  }
  if (c.patches.length > 0) {
    lines.push('    // the overlay\'s patches');
    for (const p of c.patches) lines.push(`    ${print(p, ctx, '    ')};`);
  }
  const depsParam = deps.length > 0 ? `, deps: { ${deps.map(d => `readonly ${depName(d)}: ${d.name}`).join('; ')} }` : '';
  if (c.env) imports.addLocal('../environments', 'FleetEnvironment');
  const envParam = c.env ? ', env: FleetEnvironment' : '';
  return `${HEADER(c.dir.source === c.dir.target ? `The objects of \`${c.dir.target}/\`, as the imported repository has them.` : `\`${c.dir.target}/\`, imported from \`${c.dir.source}/\`.`)}${imports.render()}

/** The objects of \`${c.dir.target}/\`${c.patches.length > 0 ? ' and its patches' : ''}. */
export class ${c.name} {
${fields.join('\n')}

  constructor(layout: Layout${envParam}${depsParam}) {
${lines.join('\n')}
  }
}
`.replace(/\n\n\n/g, '\n\n');
}

function describe(o: PlannedObject): string {
  const ns = o.doc.metadata?.namespace;
  return `${String(o.doc.kind)} ${ns ? `${String(ns)}/` : ''}${String(o.doc.metadata?.name)} (\`${o.source.replace(/#.*/, '')}\`).`;
}

function article(as: string): string {
  return /^[aeiouAEIOU]/.test(as) ? `an ${as}` : `a ${as}`;
}

function typeName(cls: ClassRef, imports: Imports): string {
  return imports.use(cls);
}

function emitEnvironments(plan: Plan): string {
  const ctx: PrintContext = { home: 'environments', reach: v => v.name, use: c => c.name };
  return `${HEADER('The environments: one per cluster of the imported repository.')}import { Environment } from 'cdk8s-flux';

/**
 * An environment of this fleet. Add the values that differ between environments here (a region,
 * a domain, a replica count) and derive the overlays' patches from them.
 */
export interface FleetEnvironment extends Environment {
  /** The environment's name: the cluster's. */
  readonly name: ${plan.environments.map(e => quote(e.name)).join(' | ')};
${plan.environmentFields.map(f => `  /** From ${f.from}. */\n  readonly ${f.name}: ${f.type};`).join('\n')}
}

/** Every environment, in the order of the clusters' directories. */
export const ENVIRONMENTS: readonly FleetEnvironment[] = [
${plan.environments.map(e => `  ${print(lit(environmentValue(plan, e.name)), ctx, '  ')},`).join('\n')}
];
`;
}

function emitFleetFile(plan: Plan): string {
  const imports = new Imports();
  imports.use({ module: 'cdk8s-flux', name: 'GitOpsRepo' });
  imports.addLocal('./layout', 'createLayout');
  imports.addLocal('./layout', 'ROOT');
  imports.addLocal('./environments', 'ENVIRONMENTS');
  if (plan.components.some(c => c.env)) imports.addLocal('./environments', 'FleetEnvironment');
  const lines: string[] = [];
  for (const c of plan.components) {
    imports.addLocal(`./components/${componentFile(c).slice('src/components/'.length, -3)}`, c.name);
    const deps = [...c.deps];
    const env = c.env ? `, environment(${quote(c.env.name)})` : '';
    lines.push(`  ${c.deps.size > 0 || isUsed(plan, c) ? `const ${depName(c)} = ` : ''}new ${c.name}(layout${env}${deps.length > 0 ? `, { ${deps.map(depName).join(', ')} }` : ''});`);
  }
  const envDirs = plan.environments.map(e => `    ${quote(e.name)}: layout.${e.dir.var.name},`).join('\n');
  return `${HEADER('The fleet: the layout, the environments and every component, in the order their references need.')}${imports.render()}

/** Builds the fleet; \`rootDir\` is where synth writes the layout. */
export function createFleet(rootDir: string = ROOT): GitOpsRepo {
  // as in the imported repository, objects may refer to objects of other namespaces
  const repo = new GitOpsRepo({ rootDir, allowCrossNamespaceReferences: true });
  const layout = createLayout(repo);
  const clusters = {
${envDirs}
  };
  for (const env of ENVIRONMENTS) repo.addEnvironment(env, clusters[env.name]);
${plan.components.some(c => c.env) ? '  const environment = (name: FleetEnvironment[\'name\']) => ENVIRONMENTS.find(e => e.name === name)!;\n' : ''}${lines.join('\n')}
  return repo;
}
`;
}

function isUsed(plan: Plan, c: Component): boolean {
  return plan.components.some(o => o.deps.has(c));
}

/** Re-exported for the report: how an expression prints on its own. */
export function printExpr(e: Expr): string {
  return print(e, { home: '', reach: v => v.name, use: c => (c.namespace ? `${c.namespace}.${c.name}` : c.name) });
}
