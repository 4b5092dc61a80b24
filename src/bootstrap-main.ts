// `npm run bootstrap:synth`: writes cdktf.out/stacks/<env>/cdk.tf.json, one stack per environment (git-ignored).
import * as path from 'node:path';
import { createExampleFleet } from './example-fleet';
import { createBootstrapApp } from './example-fleet/bootstrap';

const root = path.resolve(__dirname, '..');
const { app, stacks } = createBootstrapApp(createExampleFleet({ rootDir: root }), path.join(root, 'cdktf.out'));
app.synth();
for (const { target } of stacks) {
  process.stdout.write(`cdktf.out/stacks/${target.name}\n`);
}
