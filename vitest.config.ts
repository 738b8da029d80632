import { defineConfig } from 'vitest/config';

// Runs every package's tests in one process: `pnpm vitest` from the root.
// Each package also runs alone with its own vitest.config.ts (`pnpm --filter <name> test`).
export default defineConfig({
  test: {
    projects: ['packages/*', 'apps/*'],
  },
});
