import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'sortedset',
    include: ['test/**/*.test.ts'],
    // Property tests run thousands of operation sequences; on a loaded 2-core CI machine the
    // default 5 s is tight. No test asserts on time: this only bounds a hang.
    testTimeout: 60_000,
  },
});
