import { defineProject } from 'vitest/config';

export default defineProject({
  test: { name: 'threadpool', include: ['test/**/*.test.ts'] },
});
