#!/usr/bin/env node
// The cdk8s-flux command. A thin launcher: `init` runs here; every other command runs the fleet's
// own app (the `app` of cdk8s.yaml in the current directory) with the command and its arguments
// appended, and the app hands them to runCli. Exit code and output are the app's. An app that is
// a file run by tsx or node runs in this very process (no second Node, no tsx start-up).
import { launch } from './launcher';

process.exitCode = launch(process.argv.slice(2), { inProcess: true });
