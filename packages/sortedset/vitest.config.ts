import { defineProject } from 'vitest/config';

export default defineProject({
  test: { name: 'sortedset', include: ['test/**/*.test.ts'] },
});
