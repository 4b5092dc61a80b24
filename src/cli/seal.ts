import * as fs from 'node:fs';
import { parseAllDocuments } from 'yaml';
import { SealingCertificate } from '../secrets/certificate';
import { SealingScope } from '../secrets/seal';
import { SealedStore, SealError } from '../secrets/sealed-store';
import { CommandSpec, ExitCode, formatUsage, ParsedArgs, parseSpec, UsageError } from './args';
import { describeFailure, exitCodeOf } from './failure';

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

/** The seal command's interface. */
export const SEAL_COMMAND: CommandSpec = {
  name: 'seal',
  summary: 'seal Secret values for one environment, offline, into its store; seal import brings kubeseal output in',
  synopsis: `--env <env> --namespace <ns> --name <name> [values…] [--scope <scope>] [--rotate] [--cert <file>]
       cdk8s-flux seal --rotate --env <env>            (list the values to re-seal after a key renewal)
       cdk8s-flux seal import <file> --env <env> [--cert <file>] [--rotate]`,
  description: `Seals Secret values with the environment's Sealed Secrets certificate, offline, exactly as kubeseal
does, and stores only the ciphertext in the environment's store for synth to emit. The store
remembers every certificate it has sealed for: after the controller renews its key (every 30 days
by default) and the new certificate is committed, values sealed for an earlier one still
synthesize (the controller keeps its old keys), with a warning naming them.

Re-sealing after a renewal: sealing cannot be undone offline (only the controller holds the
private keys), so \`seal --rotate --env ENV\` lists every value sealed for an earlier certificate,
with the command that re-seals it; give each value again with --rotate. (With access to the
cluster, \`kubeseal --re-encrypt\` re-seals a SealedSecret's ciphertext there instead; bring its
output back with \`seal import\`.)

\`seal import FILE\` brings the SealedSecrets of kubeseal YAML output into the store, ciphertext
unchanged (namespace, name and scope from each document). The ciphertext does not record its
certificate: they are recorded as sealed for the environment's certificate, or --cert FILE's.`,
  // every value is sensitive: a secret typed in the wrong place (after --env, as a stray argument)
  // must not be printed, and CI logs keep what is printed
  flags: {
    'env': { type: 'string', sensitive: true, valueName: 'ENV', complete: 'environment', description: 'the environment whose certificate and store to use' },
    'namespace': { type: 'string', sensitive: true, short: 'n', valueName: 'NS', description: 'the Secret\'s namespace' },
    'name': { type: 'string', sensitive: true, valueName: 'NAME', description: 'the Secret\'s name' },
    'from-literal': { type: 'string', multiple: true, sensitive: true, valueName: 'KEY=VALUE', description: 'a value given on the command line (it stays in your shell history: prefer --from-stdin or --from-file)' },
    'from-file': { type: 'string', multiple: true, sensitive: true, valueName: 'KEY=PATH', complete: 'file', description: 'the exact bytes of a file' },
    'from-stdin': { type: 'string', sensitive: true, valueName: 'KEY', description: 'the exact bytes of standard input (e.g. printf \'%s\' "$PW" | npm run seal …)' },
    'scope': { type: 'string', sensitive: true, valueName: 'SCOPE', choices: Object.values(SealingScope), description: 'the sealing scope (default strict)' },
    'rotate': { type: 'boolean', description: 'replace values already sealed (after a key renewal, or to change the scope); alone with --env, list what needs re-sealing' },
    'cert': { type: 'string', sensitive: true, valueName: 'FILE', complete: 'file', description: 'seal with this certificate (PEM) instead of the environment\'s committed one' },
    'allow-empty': { type: 'boolean', description: 'seal empty values (refused by default: usually an unset variable)' },
  },
  positionals: { name: 'import FILE', min: 0, max: 2, complete: 'file', subcommands: ['import'], sensitive: true },
  findings: 'values need re-sealing (seal --rotate --env ENV alone)',
};

/** Help of the seal command. */
export const SEAL_USAGE = formatUsage(SEAL_COMMAND);

const defaultIo: SealIo = {
  out: t => process.stdout.write(t),
  err: t => process.stderr.write(t),
  stdin: () => fs.readFileSync(0),
  stdinIsTerminal: () => process.stdin.isTTY === true,
};

interface SealArgs {
  env: string;
  namespace: string;
  name: string;
  scope: SealingScope;
  rotate: boolean;
  values: Map<string, Buffer>;
}

const KEY = /^[-._a-zA-Z0-9]+$/;
const LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** Runs the seal command; returns the exit code (0 sealed, 1 values to re-seal with `--rotate` alone, 2 usage or sealing error). */
export function runSeal(environments: Readonly<Record<string, SealingEnvironment>>, argv: readonly string[], io: SealIo = defaultIo): number {
  let parsed: ParsedArgs;
  try {
    parsed = parseSpec(SEAL_COMMAND, argv);
  } catch (e) {
    io.err(`${(e as Error).message}\n`);
    return ExitCode.ERROR;
  }
  if (parsed.values.help) {
    io.out(`${SEAL_USAGE}\n\nEnvironments: ${Object.keys(environments).join(', ')}\n`);
    return ExitCode.CLEAN;
  }
  try {
    const v = parsed.values;
    const envName = requireEnv(v.env as string | undefined, environments);
    const env = environments[envName];
    const certFile = (v.cert as string | undefined) ?? env.certificate;
    const [sub, file] = parsed.positionals;
    if (sub !== undefined && sub !== 'import') throw new UsageError(`seal: unexpected argument (not a flag; values go after --from-literal KEY=…, and the only sub-command is \`seal import FILE\`)`);
    if (sub === 'import') {
      if (!file) throw new UsageError('seal import needs the file of kubeseal output (cdk8s-flux seal import FILE --env ENV)');
      const extra = ['namespace', 'name', 'from-literal', 'from-file', 'from-stdin', 'scope'].filter(f => v[f] !== undefined);
      if (extra.length > 0) throw new UsageError(`seal import reads namespace, name, scope and values from the file: drop --${extra.join(', --')}`);
      let docs: unknown[];
      try {
        docs = parseAllDocuments(fs.readFileSync(file, 'utf8')).map(d => {
          if (d.errors.length > 0) throw new Error(d.errors[0].message.split('\n')[0]);
          return d.toJSON();
        });
      } catch (e) {
        throw new SealError(`cannot read ${file} as YAML: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
      }
      const certificate = SealingCertificate.fromFile(certFile, { checkValidity: false });
      const { imported, displayPath } = SealedStore.update(env.store, certificate, envName, store => ({
        imported: store.importSealedSecrets(docs, file, v.rotate === true),
        displayPath: store.displayPath,
      }), { record: isCommitted(certificate, certFile, env.certificate) });
      io.out(`Imported ${imported.map(i => `${i.id} (${i.keys.map(k => `"${k}"`).join(', ')})`).join(', ')} for ${envName}, ciphertext unchanged, ` +
        `as sealed for certificate ${certificate.fingerprint}, into ${displayPath}.\nCommit it, then run \`npm run synth\`.\n`);
      return ExitCode.CLEAN;
    }
    if (v.rotate && v.namespace === undefined && v.name === undefined && !hasValues(v)) return listStale(envName, env, certFile, io);
    const args = sealArgs(envName, v, io);
    const certificate = SealingCertificate.fromFile(certFile);
    const committed = isCommitted(certificate, certFile, env.certificate);
    const { keys, displayPath } = SealedStore.update(env.store, certificate, envName, store => ({
      keys: store.seal({ namespace: args.namespace, name: args.name, scope: args.scope, values: Object.fromEntries(args.values), rotate: args.rotate }),
      displayPath: store.displayPath,
    }), { record: committed });
    io.out(`Sealed ${keys.map(k => `"${k}"`).join(', ')} of ${args.namespace}/${args.name} (scope ${args.scope}) for ${envName} ` +
      `with certificate ${certificate.fingerprint} into ${displayPath}.\nCommit it, then run \`npm run synth\`.\n`);
    if (!committed) {
      io.err(`note: --cert is not ${envName}'s committed certificate, so it was not recorded as one of ${envName}'s: synth refuses these values until that certificate is committed as the environment's (replace its committed certificate file with it after a key renewal).\n`);
    }
    return ExitCode.CLEAN;
  } catch (e) {
    // never print argument values: they may be secrets
    io.err(describeFailure('seal', e, parsed.values.verbose === true));
    return exitCodeOf(e);
  }
}

/** Whether a certificate is the environment's committed one (only that one enters its history). */
function isCommitted(certificate: SealingCertificate, certFile: string, committedFile: string): boolean {
  if (certFile === committedFile) return true; // read already: no --cert
  try {
    return SealingCertificate.fromFile(committedFile, { checkValidity: false }).fingerprint === certificate.fingerprint;
  } catch {
    return false; // none committed yet: the first --cert is not recorded either
  }
}

/** `seal --rotate --env ENV` alone: what was sealed for an earlier certificate, with the command that re-seals each Secret. */
function listStale(envName: string, env: SealingEnvironment, certFile: string, io: SealIo): number {
  const certificate = SealingCertificate.fromFile(certFile, { checkValidity: false });
  const store = SealedStore.load(env.store, certificate, envName);
  const stale = store.staleValues();
  if (stale.length === 0) {
    io.out(`Every value of ${store.displayPath} is sealed for ${envName}'s current certificate (${certificate.fingerprint}): nothing to re-seal.\n`);
    return ExitCode.CLEAN;
  }
  const bySecret = new Map<string, typeof stale>();
  for (const s of stale) bySecret.set(`${s.namespace}/${s.name}`, [...bySecret.get(`${s.namespace}/${s.name}`) ?? [], s]);
  const lines = [`${stale.length} value${stale.length === 1 ? '' : 's'} of ${store.displayPath} ${stale.length === 1 ? 'is' : 'are'} sealed for an earlier certificate than ${envName}'s current one (${certificate.fingerprint}).`,
    'Sealing cannot be undone offline, so give each value again:', ''];
  for (const [id, values] of bySecret) {
    const [namespace, name] = id.split('/');
    const scope = store.entry(namespace, name)!.scope;
    lines.push(`  ${id}: ${values.map(s => `"${s.key}" (${s.known ? 'earlier certificate' : 'a certificate this store never sealed for: it does not decrypt'} ${s.certificate.slice(0, 19)}…)`).join(', ')}`);
    lines.push(`    cdk8s-flux seal --env ${envName} --namespace ${namespace} --name ${name}${scope !== SealingScope.STRICT ? ` --scope ${scope}` : ''} ${values.map(s => `--from-file ${s.key}=<file>`).join(' ')} --rotate`);
  }
  io.out(`${lines.join('\n')}\n`);
  return ExitCode.FINDINGS;
}

function hasValues(v: ParsedArgs['values']): boolean {
  return v['from-literal'] !== undefined || v['from-file'] !== undefined || v['from-stdin'] !== undefined;
}

function requireEnv(env: string | undefined, environments: Readonly<Record<string, SealingEnvironment>>): string {
  if (!env) throw new UsageError('seal: --env is required (cdk8s-flux seal --help lists the options)');
  if (!Object.prototype.hasOwnProperty.call(environments, env)) throw new UsageError(`--env is not an environment of this fleet: use ${Object.keys(environments).join(', ')} (cdk8s-flux seal --help lists the options)`);
  return env;
}

function sealArgs(env: string, v: ParsedArgs['values'], io: SealIo): SealArgs {
  const usage = (m: string) => new UsageError(`${m} (cdk8s-flux seal --help lists the options)`);
  const allowEmpty = v['allow-empty'] === true;
  const values = new Map<string, Buffer>();
  const addValue = (key: string, value: Buffer, flag: string) => {
    // messages name the flag and key only: the value may be a secret, and logs are not
    if (!KEY.test(key) || key.length > 253) throw usage(`${flag}: the key is not a valid Secret key: use at most 253 letters, digits, '-', '.' or '_'`);
    if (values.has(key)) throw usage(`${flag}: a key is given twice (keys are not shown: one typed in the wrong place may be a secret)`);
    if (value.length === 0 && !allowEmpty) throw usage(`${flag}: the value of a key is empty (an unset variable?); pass --allow-empty to seal an empty value on purpose`);
    values.set(key, value);
  };
  const pair = (flag: string, v: string, n: number) => {
    const at = v.indexOf('=');
    if (at <= 0) throw usage(`${flag} (value ${n}) takes KEY=${flag === '--from-file' ? 'PATH' : 'VALUE'}`);
    return [v.slice(0, at), v.slice(at + 1)] as const;
  };
  ((v['from-literal'] as string[] | undefined) ?? []).forEach((raw, i) => {
    const [k, value] = pair('--from-literal', raw, i + 1);
    addValue(k, Buffer.from(value), '--from-literal');
  });
  ((v['from-file'] as string[] | undefined) ?? []).forEach((raw, i) => {
    const [k, file] = pair('--from-file', raw, i + 1);
    let content: Buffer;
    try {
      content = fs.readFileSync(file);
    } catch (e) {
      // neither the path nor the key is shown: a value typed after --from-file by mistake would be
      throw usage(`--from-file (value ${i + 1}): cannot read the file given (${(e as NodeJS.ErrnoException).code ?? 'unreadable'}); did you mean --from-literal?`);
    }
    addValue(k, content, '--from-file');
  });
  const stdinKey = v['from-stdin'] as string | undefined;
  if (stdinKey !== undefined) {
    if (io.stdinIsTerminal?.()) throw usage('--from-stdin reads a pipe, but standard input is a terminal (typing would echo the value): pipe it, e.g. printf \'%s\' "$VALUE" | npm run seal -- …');
    addValue(stdinKey, io.stdin(), '--from-stdin');
  }
  const namespace = v.namespace as string | undefined;
  const name = v.name as string | undefined;
  if (!namespace) throw usage('--namespace is required');
  if (!LABEL.test(namespace) || namespace.length > 63) throw usage(`--namespace is not a valid namespace (at most 63 lowercase letters, digits and '-')`);
  if (!name) throw usage('--name is required');
  if (!NAME.test(name) || name.length > 253) throw usage(`--name is not a valid Secret name (lowercase letters, digits, '-' and '.')`);
  if (values.size === 0) throw usage('nothing to seal: give at least one --from-literal, --from-file or --from-stdin');
  const scope = (v.scope as SealingScope | undefined) ?? SealingScope.STRICT;
  return { env, namespace, name, scope, rotate: v.rotate === true, values };
}
