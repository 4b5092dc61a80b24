import { parseArgs } from 'node:util';

/**
 * The exit codes of every command, one table: 0 clean, 1 findings (the fleet is invalid, the
 * layout or graphs differ, a diff found differences with `--exit-code`, values need re-sealing),
 * 2 a usage error or anything that kept the command from running (an unreadable file, a bug).
 */
export const ExitCode = {
  /** Done, nothing found. */
  CLEAN: 0,
  /** The command ran and found something: an invalid fleet, a difference, stale values. */
  FINDINGS: 1,
  /** A usage error, or the command could not run (a missing file, an internal error). */
  ERROR: 2,
} as const;

/** What completion offers for a flag's value or a positional argument. */
export type CompletionKind = 'file' | 'directory' | 'environment' | 'none';

/** One flag of a command. */
export interface FlagSpec {
  /** `string` takes a value (`--env dev` or `--env=dev`); `boolean` takes none. */
  readonly type: 'string' | 'boolean';
  /** A one-letter alias (`-n`). @default none */
  readonly short?: string;
  /** Whether the flag may be given more than once (its values collect in a list). @default false: a repeat is refused */
  readonly multiple?: boolean;
  /** The value's name in the help (`ENV`). @default VALUE */
  readonly valueName?: string;
  /** What the flag does, for the help. */
  readonly description: string;
  /** The values it accepts (checked, and offered by completion). @default any */
  readonly choices?: readonly string[];
  /** What completion offers for its value. @default 'none' (or the choices) */
  readonly complete?: CompletionKind;
  /** Never echo the flag's values in messages (they may be secrets). @default false */
  readonly sensitive?: boolean;
}

/** The flags of a command, by long name (without `--`). */
export type FlagSpecs = Readonly<Record<string, FlagSpec>>;

/** The positional arguments a command takes. */
export interface PositionalSpec {
  /** Their name in messages and help (`ENV`). */
  readonly name: string;
  /** How many at least. */
  readonly min: number;
  /** How many at most. */
  readonly max: number;
  /** What completion offers. @default 'none' */
  readonly complete?: CompletionKind;
  /** Sub-commands it may be (`seal import`), offered by completion. @default none */
  readonly subcommands?: readonly string[];
  /** Never echo them in messages (a secret typed where an argument goes). @default false */
  readonly sensitive?: boolean;
}

/** Parsed arguments: each flag's value (a list for `multiple` flags) and the positionals. */
export interface ParsedArgs {
  /** Flag values by long name; absent flags are undefined. */
  readonly values: Readonly<Record<string, string | boolean | string[] | undefined>>;
  /** Positional arguments, in order. */
  readonly positionals: readonly string[];
}

/** A usage error: the command line is wrong. Exit code 2; the message names the flag, never a sensitive value. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** Flags every command accepts. */
export const COMMON_FLAGS: FlagSpecs = {
  verbose: { type: 'boolean', description: 'print stack traces of unexpected errors' },
  help: { type: 'boolean', short: 'h', description: 'show this help' },
};

/**
 * Parses a command's arguments with Node's `util.parseArgs` (`--flag value`, `--flag=value`,
 * `-x value`, `--` ends the flags) and adds what it lacks: a single-valued flag given twice is
 * refused, a value that looks like a flag is refused (`--env --check`), `choices` are checked,
 * positionals are counted, and every message names the command and the flag (never the value of
 * a sensitive flag). Throws `UsageError`.
 */
export function parseCommandArgs(command: string, flags: FlagSpecs, argv: readonly string[], positionals: PositionalSpec = { name: 'ARG', min: 0, max: 0 }): ParsedArgs {
  const specs: FlagSpecs = { ...flags, ...COMMON_FLAGS };
  const hint = `(cdk8s-flux ${command} --help lists the options)`;
  const fail = (message: string) => new UsageError(`${command}: ${message} ${hint}`);
  const byShort = new Map(Object.entries(specs).filter(([, s]) => s.short).map(([n, s]) => [s.short!, n]));
  // non-strict: every token comes back, and the messages below are ours (they never echo a secret)
  const { tokens } = parseArgs({
    args: [...argv],
    options: Object.fromEntries(Object.entries(specs).map(([n, s]) => [n, { type: s.type, ...s.short ? { short: s.short } : {} }])),
    strict: false,
    allowPositionals: true,
    tokens: true,
  });
  const values: Record<string, string | boolean | string[] | undefined> = {};
  const found: string[] = [];
  const seen = new Map<string, number>();
  for (const t of tokens ?? []) {
    if (t.kind === 'positional') {
      found.push(t.value);
      continue;
    }
    if (t.kind !== 'option') continue;
    const name = t.rawName.startsWith('--') ? t.name : byShort.get(t.name) ?? t.name;
    const spec = Object.prototype.hasOwnProperty.call(specs, name) ? specs[name] : undefined;
    if (!spec) {
      const near = nearest(name, Object.keys(specs));
      throw fail(`unknown option ${t.rawName}${near ? ` (did you mean --${near}?)` : ''}`);
    }
    const shown = `--${name}`;
    if (spec.type === 'boolean') {
      if (t.inlineValue) throw fail(`${shown} takes no value`);
      values[name] = true;
      continue;
    }
    const value = t.value;
    if (value === undefined || (!t.inlineValue && value.startsWith('-') && value !== '-')) {
      throw fail(`${shown} needs a ${spec.valueName ?? 'VALUE'} (${shown} ${spec.valueName ?? 'VALUE'} or ${shown}=${spec.valueName ?? 'VALUE'})`);
    }
    if (spec.choices && !spec.choices.includes(value)) {
      throw fail(`${shown} ${spec.sensitive ? '' : `${JSON.stringify(value)} `}is not one of ${spec.choices.join(', ')}`);
    }
    const count = (seen.get(name) ?? 0) + 1;
    seen.set(name, count);
    if (spec.multiple) {
      values[name] = [...(values[name] as string[] | undefined) ?? [], value];
    } else if (count > 1) {
      const before = values[name] as string;
      throw fail(`${shown} is given twice${spec.sensitive ? '' : ` (${JSON.stringify(before)} and ${JSON.stringify(value)})`}: give it once`);
    } else {
      values[name] = value;
    }
  }
  if (values.help) return { values, positionals: found };
  if (found.length > positionals.max) {
    const extra = found.slice(positionals.max);
    const flagLike = extra.some(a => a.startsWith('-'));
    throw fail(positionals.max === 0
      ? `takes no ${positionals.name} argument${flagLike || positionals.sensitive ? '' : ` (unexpected ${extra.map(a => JSON.stringify(a)).join(' ')})`}`
      : `takes at most ${positionals.max} ${positionals.name} argument${positionals.max === 1 ? '' : 's'}, not ${found.length}${positionals.sensitive ? '' : ` (${found.map(a => JSON.stringify(a)).join(' ')})`}`);
  }
  if (found.length < positionals.min) {
    throw fail(`needs ${positionals.min === positionals.max ? positionals.min : `at least ${positionals.min}`} ${positionals.name} argument${positionals.min === 1 ? '' : 's'}${found.length > 0 ? `, not ${found.length}` : ''}`);
  }
  return { values, positionals: found };
}

/** The help's option lines, generated from the flag specs (with the common flags last). */
export function formatFlags(flags: FlagSpecs): string {
  const entries = Object.entries({ ...flags, ...COMMON_FLAGS });
  const left = ([name, s]: [string, FlagSpec]) =>
    `${s.short ? `-${s.short}, ` : ''}--${name}${s.type === 'string' ? ` ${s.valueName ?? 'VALUE'}` : ''}`;
  const width = Math.max(...entries.map(e => left(e).length));
  return entries.map(e => {
    const [, s] = e;
    const notes = [s.choices ? `one of ${s.choices.join(', ')}` : '', s.multiple ? 'repeatable' : ''].filter(Boolean).join('; ');
    return `  ${left(e).padEnd(width)}  ${s.description}${notes ? ` (${notes})` : ''}`;
  }).join('\n');
}

/** The help's exit-code line, from the table. */
export function formatExitCodes(findings?: string): string {
  return `Exit codes: ${ExitCode.CLEAN} clean; ${findings ? `${ExitCode.FINDINGS} ${findings}; ` : ''}${ExitCode.ERROR} a usage error, or the command could not run.`;
}

/** The closest name within two edits, for "did you mean". */
function nearest(name: string, names: readonly string[]): string | undefined {
  let best: { name: string; d: number } | undefined;
  for (const n of names) {
    const d = distance(name, n);
    if (d <= 2 && (!best || d < best.d)) best = { name: n, d };
  }
  return best?.name;
}

function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cur = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = cur;
    }
  }
  return row[b.length];
}

/** A command's declared interface: the dispatcher parses with it, `--help` and completion are made from it. */
export interface CommandSpec {
  /** The command's name. */
  readonly name: string;
  /** One line, for the list of commands. */
  readonly summary: string;
  /** What follows `cdk8s-flux <name>` in the usage line. */
  readonly synopsis: string;
  /** What the command does, for its help. */
  readonly description: string;
  /** Its flags (`--verbose` and `-h/--help` are added to every command). */
  readonly flags: FlagSpecs;
  /** Its positional arguments. @default none */
  readonly positionals?: PositionalSpec;
  /** What exit code 1 means for it; undefined when it has no findings. */
  readonly findings?: string;
}

/** A command's help, made from its spec. */
export function formatUsage(spec: CommandSpec): string {
  return [
    ...`Usage: cdk8s-flux ${spec.name} ${spec.synopsis}`.split('\n').map((line, i) => (i === 0 ? `${line}      (in this repository: npm run ${spec.name} -- …)` : line)),
    '',
    spec.description,
    '',
    formatFlags(spec.flags),
    '',
    formatExitCodes(spec.findings),
  ].join('\n');
}

/** Parses a command's arguments by its spec (see `parseCommandArgs`). */
export function parseSpec(spec: CommandSpec, argv: readonly string[]): ParsedArgs {
  return parseCommandArgs(spec.name, spec.flags, argv, spec.positionals);
}
