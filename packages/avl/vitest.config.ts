import { defineProject } from 'vitest/config';

export default defineProject({
  test: { name: 'avl', include: ['test/**/*.test.ts'] },
});
