import { defineProject } from 'vitest/config';

export default defineProject({
  test: { name: 'heap', include: ['test/**/*.test.ts'] },
});
