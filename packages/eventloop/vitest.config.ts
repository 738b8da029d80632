import { defineProject } from 'vitest/config';

export default defineProject({
  test: { name: 'eventloop', include: ['test/**/*.test.ts'] },
});
