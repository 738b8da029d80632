import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'threadpool',
    include: ['test/**/*.test.ts'],
    // Tests start real workers (through tsx, which takes ~100 ms each); on a loaded 2-core
    // machine the default 5 s is tight for the property tests that start many. No test
    // asserts on time: this only bounds a hang.
    testTimeout: 60_000,
  },
});
