// The modules of the commands that only they need (diff, graph, verify, import, validate), loaded
// when the command runs rather than with the dispatcher: a synth then loads neither the revision
// diff, the graph, the verifier nor the importer. A synchronous require of a TypeScript source
// works under the register-ts hook (npm run, the bin) and compiled (lib/); a runner that loads
// sources its own way (vitest) hands the modules in first (test/setup/command-modules.ts).
import type * as DiffCommand from './diff';
import type * as GraphCommand from './graph';
import type * as ImportCommand from './import';
import type * as ValidateCommand from './validate';
import type * as VerifyCommand from './verify';

/** The lazily loaded command modules, by command. @internal */
export interface CommandModules {
  readonly diff: typeof DiffCommand;
  readonly graph: typeof GraphCommand;
  readonly import: typeof ImportCommand;
  readonly validate: typeof ValidateCommand;
  readonly verify: typeof VerifyCommand;
}

const provided: Partial<Record<keyof CommandModules, unknown>> = {};

/** Hands in modules already loaded (for a runner whose `require` cannot load TypeScript sources). @internal */
export function provideCommandModules(modules: Partial<CommandModules>): void {
  Object.assign(provided, modules);
}

/** The module of a command, loaded on first use. @internal */
export function commandModule<K extends keyof CommandModules>(name: K): CommandModules[K] {
  const given = provided[name];
  if (given !== undefined) return given as CommandModules[K];
  // literal paths, one per command, so that a bundler or `npm pack` sees every one
  switch (name) {
    case 'diff': return require('./diff') as CommandModules[K];
    case 'graph': return require('./graph') as CommandModules[K];
    case 'import': return require('./import') as CommandModules[K];
    case 'validate': return require('./validate') as CommandModules[K];
    case 'verify': return require('./verify') as CommandModules[K];
    default: throw new Error(`no command module "${String(name)}"`);
  }
}
