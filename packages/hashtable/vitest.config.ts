import { defineProject } from 'vitest/config';

export default defineProject({
  test: { name: 'hashtable', include: ['test/**/*.test.ts'] },
});
