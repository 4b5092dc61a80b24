// The declared interface of the commands whose code only they need (diff, graph, verify, import,
// validate): the dispatcher parses and refuses a command line, and prints help and completion,
// from these alone, and loads a command's module (with what it imports) only to run it, so that
// a synth does not load the graph, the verifier, the importer or the revision diff.
import { CommandSpec } from './args';

/** The diff command's interface. */
export const DIFF_COMMAND: CommandSpec = {
  name: 'diff',
  summary: 'what a change does to each cluster (--base <git-ref>), or what differs between two environments',
  synopsis: `--base <git-ref> [--output text|markdown|json] [--exit-code]
       cdk8s-flux diff <envA> <envB> [--output text|json] [--exit-code]`,
  description: `With --base: synthesizes the fleet at a git revision (exported to a temporary directory, where
that revision's app runs; nothing in your tree changes) and the working tree (in memory), and
reports, per cluster, the objects added, removed and changed, field by field: everything each
cluster's Flux applies (its cluster directory and every Kustomization's path, patches applied,
targetNamespace set). Clusters the change does not touch are listed as unchanged. The markdown
output is made for a pull-request comment. Sealed values are named, never printed.

With two environments: compares what their clusters apply, object by object, writing nothing.`,
  flags: {
    'base': { type: 'string', valueName: 'REF', description: 'the git revision to compare the working tree with (origin/main, a tag, a commit)' },
    'output': { type: 'string', valueName: 'FORMAT', choices: ['text', 'markdown', 'json'], description: 'how to print the differences (default text)' },
    'json': { type: 'boolean', description: 'the same as --output json' },
    'exit-code': { type: 'boolean', description: 'exit 1 when there are differences (like git diff --exit-code)' },
  },
  positionals: { name: 'ENV', min: 0, max: 2, complete: 'environment' },
  findings: 'there are differences (--exit-code)',
};

/** The graph command's interface. */
export const GRAPH_COMMAND: CommandSpec = {
  name: 'graph',
  summary: 'write a Mermaid diagram of each environment\'s Flux objects to docs/fleet-<env>.md',
  synopsis: '[--check] [--env <env>]… [--out <dir>]',
  description: `Writes one Mermaid diagram per registered environment, <out>/fleet-<env>.md (GitHub renders it):
the Kustomizations, HelmReleases, sources, sealed secrets and alerts its cluster reconciles, grouped
by the build that applies them, with their dependsOn, source, secret, values, provider and event
edges; HelmReleases show their chart and version, ImageUpdateAutomations point at the ImagePolicies
they update. A graph too large for one Mermaid chart (50,000 characters) is split into one chart per
Kustomization, with a warning. Stale fleet-*.md files that graph generated are removed.`,
  flags: {
    check: { type: 'boolean', description: 'write nothing; show what differs if the documents are not up to date' },
    env: { type: 'string', multiple: true, valueName: 'ENV', complete: 'environment', description: 'only this environment; nothing is pruned then' },
    out: { type: 'string', valueName: 'DIR', complete: 'directory', description: 'where to write, relative to the repository root (default: docs)' },
  },
  findings: 'the documents are out of date (--check)',
};

/** The verify command's interface. */
export const VERIFY_COMMAND: CommandSpec = {
  name: 'verify',
  summary: 'check online that every chart version, source ref and image range the fleet names exists',
  synopsis: '[--timeout <ms>] [--concurrency <n>]',
  description: `Checks, online and only when asked, the outside world the fleet depends on, as each cluster's
objects name it (patches included):
  - every HelmRelease's chart and version (or range) in its HelmRepository's index.yaml, or in the
    OCI registry's tags (a HelmRepository of type oci)
  - every OCIRepository's tag, semver range or digest (the registry's distribution API)
  - every GitRepository's branch, tag, semver range or ref (git smart-HTTP ref advertisement;
    git ls-remote for ssh:// URLs)
  - every ImagePolicy: some tag of its ImageRepository's image passes its filter and range
Credentials: CDK8S_FLUX_AUTH_<HOST>=user:password (ghcr.io -> CDK8S_FLUX_AUTH_GHCR_IO), else the docker
config's auths ($DOCKER_CONFIG/config.json or ~/.docker/config.json); ssh uses your ssh agent and keys.`,
  flags: {
    timeout: { type: 'string', valueName: 'MS', description: 'give up on a request after MS milliseconds (default 10000)' },
    concurrency: { type: 'string', valueName: 'N', description: 'run at most N checks at once (default 8)' },
  },
  findings: 'something the fleet names is missing or unreachable',
};

/** The import command's interface. */
export const IMPORT_COMMAND: CommandSpec = {
  name: 'import',
  summary: 'turn an existing Flux repository into a typed fleet, proven equal (cdk8s-flux import <repo>)',
  synopsis: '<repo> [--out <dir>] [--cert <cluster>=<file>]… [--crd <file>]… [--strict] [--no-kubectl]',
  description: `Reads a Flux repository (clusters/<cluster>/, infrastructure/, apps/, tenants/, base and overlays,
or flat per-cluster directories) and writes into dir (default: the current directory, which must be
empty; a .git directory is fine) a TypeScript fleet that uses this library: one file per directory
of the repository (src/components/), its directories as LayoutDirectory and its files as
ManifestFile (src/layout.ts), one environment per cluster (src/environments.ts), overlays' patches,
the library's constructs for every Flux kind and SealedSecret, cdk8s-plus for the built-in kinds it
writes unchanged, the classes cdk8s import generates for the CRDs the repository carries (or --crd
names), and ApiObject only where nothing typed has the kind. SealedSecrets move into the
sealed store of the cluster that applies them (sealed-secrets/<cluster>.yaml), ciphertext unchanged,
when the repository (or --cert) has that cluster's certificate.
It then synthesizes the fleet into a temporary directory and compares, per cluster, what Flux would
apply from the original and from the synthesized layout (the model of what each cluster applies,
and kubectl kustomize when it is on the PATH), and writes IMPORT-REPORT.md: every difference, every
fallback and why, every rule of the library the original breaks (suppressed, to review).
Also writes package.json (as init does; npm test runs tsc and synth --check --strict), tsconfig.json and cdk8s.yaml.
Then: review, commit the code and the layout together, and switch CI to cdk8s-flux synth --check.
Exit code 1: with --strict, a difference, or a finding the generated fleet's synth refuses.`,
  flags: {
    'out': { type: 'string', valueName: 'DIR', complete: 'directory', description: 'where to write the fleet (default: the current directory); new or empty' },
    'cert': { type: 'string', multiple: true, valueName: 'CLUSTER=FILE', complete: 'file', description: 'the Sealed Secrets certificate of a cluster (kubeseal --fetch-cert), when the repository has none (repeatable)' },
    'crd': { type: 'string', multiple: true, valueName: 'FILE', complete: 'file', description: 'CustomResourceDefinitions of kinds the repository uses but does not carry: their objects are written with classes cdk8s import generates (repeatable)' },
    'strict': { type: 'boolean', description: 'exit 1 on any difference or finding' },
    'no-kubectl': { type: 'boolean', description: 'compare with the model only, even when kubectl is on the PATH' },
  },
  positionals: { name: 'REPO', min: 1, max: 1, complete: 'directory' },
};

/** The validate command's interface. */
export const VALIDATE_COMMAND: CommandSpec = {
  name: 'validate',
  summary: 'validate every object against its CRD schema and run every synth check, writing nothing',
  synopsis: '[--chart-schemas <dir>] [--strict] [--json]',
  description: `Validates the whole fleet, writing nothing: every object of every file synth would write, and every
object as each overlay's patches leave it, against its CRD's schema (strictly: unknown fields are
errors), together with all other synth checks.`,
  flags: {
    'chart-schemas': { type: 'string', valueName: 'DIR', complete: 'directory', description: 'also check HelmRelease values against DIR/<chart>.values.schema.json' },
    'strict': { type: 'boolean', description: 'treat warnings as problems' },
    'json': { type: 'boolean', description: 'print the result as JSON on standard output: { valid, problems, warnings, counts }' },
  },
  findings: 'the fleet is invalid (or has warnings, with --strict)',
};
