import { FleetTesting } from 'cdk8s-flux/testing';
import { expect, test } from 'vitest';
import { createFleet } from '../src/main';

// Every generated file, in one snapshot: review its diff like any code change.
// After an intended change: npx vitest run -u, and commit the updated snapshot.
test('the fleet synthesizes', () => {
  expect(FleetTesting.synth(createFleet(FleetTesting.tempDir()))).toMatchSnapshot();
});
