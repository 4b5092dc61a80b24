import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // the dispatcher's lazily loaded command modules, which vitest cannot require (see the file)
    setupFiles: ['test/setup/command-modules.ts'],
    // synthesizing a fleet and shelling out to kubectl can take a few seconds on a 2-core machine
    testTimeout: 60_000,
    hookTimeout: 60_000,
    reporters: ['default', './test/summary-reporter.ts'],
  },
});
