import { expect, test } from 'vitest';
import { createFleet } from '../src/main';

// The committed layout is the snapshot: a fresh synth, in memory, must equal the files committed in
// clusters/ and infrastructure/ (nothing is stored twice). After an intended change: npm run synth,
// review the YAML's diff, and commit it with the code. For per-object snapshots of parts of the
// fleet, FleetTesting.synth(...) from 'cdk8s-flux/testing' is there too.
test('the committed layout is what the fleet synthesizes', () => {
  const { clean, diff } = createFleet().check();
  expect(clean, `The committed layout differs from a fresh synth; run \`npm run synth\` and commit the result:\n${diff}`).toBe(true);
});
