// Checked before any stack module loads: without its optional peers, `cdk8s-flux/bootstrap` says
// what to install instead of failing with "Cannot find module 'cdktf'" from deep inside a stack.

/** The optional peer dependencies the bootstrap stacks need, with the ranges this version is built against. */
const PEERS: Readonly<Record<string, string>> = {
  'cdktf': '^0.21.0',
  '@cdktf/provider-kubernetes': '^12.1.1',
  '@cdktf/provider-helm': '^12.1.2',
};

const missing = Object.keys(PEERS).filter(name => {
  try {
    require.resolve(name);
    return false;
  } catch {
    return true;
  }
});
if (missing.length > 0) {
  throw new Error(
    `cdk8s-flux/bootstrap needs ${missing.join(', ')}, which ${missing.length === 1 ? 'is an optional peer dependency' : 'are optional peer dependencies'} of cdk8s-flux ` +
    `(most fleets never bootstrap from it, so they are not installed with it). Install them in your fleet:\n` +
    `  npm install --save-dev ${Object.entries(PEERS).map(([n, r]) => `${n}@${r}`).join(' ')}`,
  );
}

export {};
