import * as fs from 'node:fs';
import { CertificateError, SealingCertificate } from '../secrets/certificate';
import { SealingScope } from '../secrets/seal';
import { SealedStore, SealError } from '../secrets/sealed-store';

/** Where an environment's certificate and store live. */
export interface SealingEnvironment {
  /** The controller's public certificate (PEM), committed. */
  readonly certificate: string;
  /** The environment's store of sealed values, committed. */
  readonly store: string;
}

/** Where the seal command reads and prints; injectable for tests. */
export interface SealIo {
  /** Writes to standard output. */
  readonly out: (text: string) => void;
  /** Writes to standard error. */
  readonly err: (text: string) => void;
  /** Reads all of standard input. */
  readonly stdin: () => Buffer;
  /** Whether standard input is a terminal (then it is not read: the value would be echoed). */
  readonly stdinIsTerminal?: () => boolean;
}

/** Help of the seal command. */
export const SEAL_USAGE = `Usage: cdk8s-flux seal --env <env> --namespace <ns> --name <name> [values…] [--scope <scope>] [--rotate]
                                                                     (npm run seal -- …)

Seals Secret values with the environment's Sealed Secrets certificate, offline, exactly as kubeseal
does, and stores only the ciphertext in the environment's store for synth to emit.

  --from-literal KEY=VALUE   a value given on the command line (it stays in your shell history:
                             prefer --from-stdin or --from-file for real secrets)
  --from-file KEY=PATH       the exact bytes of a file
  --from-stdin KEY           the exact bytes of standard input (e.g. printf '%s' "$PW" | npm run seal …)
  --scope SCOPE              strict (default), namespace-wide or cluster-wide
  --rotate                   replace values already sealed (needed after a certificate change, or to
                             change the scope, which re-seals every key)
  --allow-empty              seal empty values (refused by default: usually an unset variable)
  --verbose                  print stack traces of unexpected errors
  --help                     show this help`;

const defaultIo: SealIo = {
  out: t => process.stdout.write(t),
  err: t => process.stderr.write(t),
  stdin: () => fs.readFileSync(0),
  stdinIsTerminal: () => process.stdin.isTTY === true,
};

interface SealArgs {
  allowEmpty: boolean;
  env?: string;
  namespace?: string;
  name?: string;
  scope: SealingScope;
  rotate: boolean;
  values: Map<string, Buffer>;
}

const KEY = /^[-._a-zA-Z0-9]+$/;
const LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** Runs the seal command; returns the exit code (0 sealed, 2 usage or sealing error). */
export function runSeal(environments: Readonly<Record<string, SealingEnvironment>>, argv: readonly string[], io: SealIo = defaultIo): number {
  if (argv.includes('--help') || argv.includes('-h')) {
    io.out(`${SEAL_USAGE}\n\nEnvironments: ${Object.keys(environments).join(', ')}\n`);
    return 0;
  }
  try {
    const args = parseArgs(argv, environments, io);
    const env = environments[args.env!];
    const certificate = SealingCertificate.fromFile(env.certificate);
    const { keys, displayPath } = SealedStore.update(env.store, certificate, args.env!, store => ({
      keys: store.seal({ namespace: args.namespace!, name: args.name!, scope: args.scope, values: Object.fromEntries(args.values), rotate: args.rotate }),
      displayPath: store.displayPath,
    }));
    io.out(`Sealed ${keys.map(k => `"${k}"`).join(', ')} of ${args.namespace}/${args.name} (scope ${args.scope}) for ${args.env} ` +
      `with certificate ${certificate.fingerprint} into ${displayPath}.\nCommit it, then run \`npm run synth\`.\n`);
    return 0;
  } catch (e) {
    if (e instanceof UsageError || e instanceof SealError || e instanceof CertificateError) {
      io.err(`${e.message}${e instanceof UsageError ? ' (cdk8s-flux seal --help lists the options)' : ''}\n`);
      return 2;
    }
    // never print argument values: they may be secrets
    const err = e as Error;
    io.err(argv.includes('--verbose') ? `${err.stack ?? err.message}\n` : `Sealing failed: ${err.message}\n(run with --verbose for details)\n`);
    return 2;
  }
}

/**
 * A usage error of seal. Its messages never show an argument's value: a secret typed in the
 * wrong place (a mistyped flag, a value where a name goes) would be printed, and logs keep it.
 */
class UsageError extends Error {}

/** A flag's name as typed (`--from-litteral`), without any `=value`; undefined for anything that is not a flag's name. */
function flagName(arg: string): string | undefined {
  const name = arg.split('=')[0];
  return /^--?[A-Za-z][-A-Za-z0-9]{0,40}$/.test(name) ? (name === arg ? name : `${name}=…`) : undefined;
}

function parseArgs(argv: readonly string[], environments: Readonly<Record<string, SealingEnvironment>>, io: SealIo): SealArgs {
  const args: SealArgs = { allowEmpty: argv.includes('--allow-empty'), scope: SealingScope.STRICT, rotate: false, values: new Map() };
  if (argv.filter(a => a === '--from-stdin').length > 1) throw new UsageError('--from-stdin can be given once (standard input is read once)');
  const addValue = (key: string, value: Buffer, flag: string) => {
    // messages name the flag and key only: the value may be a secret, and logs are not
    if (!KEY.test(key) || key.length > 253) throw new UsageError(`${flag}: the key is not a valid Secret key: use at most 253 letters, digits, '-', '.' or '_'`);
    if (args.values.has(key)) throw new UsageError(`${flag}: a key is given twice (keys are not shown: one typed in the wrong place may be a secret)`);
    if (value.length === 0 && !args.allowEmpty) throw new UsageError(`${flag}: the value of a key is empty (an unset variable?); pass --allow-empty to seal an empty value on purpose`);
    args.values.set(key, value);
  };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const next = () => {
      const v = argv[++i];
      if (v === undefined) throw new UsageError(`${flag} needs a value`);
      return v;
    };
    const pair = () => {
      const v = next();
      const at = v.indexOf('=');
      if (at <= 0) throw new UsageError(`${flag} (argument ${i + 1}) takes KEY=${flag === '--from-file' ? 'PATH' : 'VALUE'}`);
      return [v.slice(0, at), v.slice(at + 1)] as const;
    };
    switch (flag) {
      case '--env': args.env = next(); break;
      case '--namespace': case '-n': args.namespace = next(); break;
      case '--name': args.name = next(); break;
      case '--rotate': args.rotate = true; break;
      case '--allow-empty': case '--verbose': break;
      case '--scope': {
        const v = next();
        const scope = Object.values(SealingScope).find(s => s === v);
        if (!scope) throw new UsageError(`--scope (argument ${i + 1}) is not a scope: use ${Object.values(SealingScope).join(', ')}`);
        args.scope = scope;
        break;
      }
      case '--from-literal': { const [k, v] = pair(); addValue(k, Buffer.from(v), flag); break; }
      case '--from-file': {
        const [k, file] = pair();
        let content: Buffer;
        try {
          content = fs.readFileSync(file);
        } catch (e) {
          // neither the path nor the key is shown: a value typed after --from-file by mistake would be
          throw new UsageError(`--from-file (argument ${i + 1}): cannot read the file given (${(e as NodeJS.ErrnoException).code ?? 'unreadable'}); did you mean --from-literal?`);
        }
        addValue(k, content, flag);
        break;
      }
      case '--from-stdin': {
        const key = next();
        if (io.stdinIsTerminal?.()) throw new UsageError('--from-stdin reads a pipe, but standard input is a terminal (typing would echo the value): pipe it, e.g. printf \'%s\' "$VALUE" | npm run seal -- …');
        addValue(key, io.stdin(), flag);
        break;
      }
      default: {
        const name = flagName(flag);
        throw new UsageError(`Unknown argument ${i + 1}${name ? `: ${name}` : flag.startsWith('-') ? '' : ' (not a flag; values go after --from-literal KEY=…)'}`);
      }
    }
  }
  if (!args.env) throw new UsageError('--env is required');
  if (!Object.prototype.hasOwnProperty.call(environments, args.env)) throw new UsageError(`--env is not an environment of this fleet: use ${Object.keys(environments).join(', ')}`);
  if (!args.namespace) throw new UsageError('--namespace is required');
  if (!LABEL.test(args.namespace) || args.namespace.length > 63) throw new UsageError(`--namespace is not a valid namespace (at most 63 lowercase letters, digits and '-')`);
  if (!args.name) throw new UsageError('--name is required');
  if (!NAME.test(args.name) || args.name.length > 253) throw new UsageError(`--name is not a valid Secret name (lowercase letters, digits, '-' and '.')`);
  if (args.values.size === 0) throw new UsageError('nothing to seal: give at least one --from-literal, --from-file or --from-stdin');
  return args;
}
