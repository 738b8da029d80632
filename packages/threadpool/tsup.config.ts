import { defineConfig } from 'tsup';
import { packageBuild } from '../../tsup.shared.js';

// Two entries: the library, and the worker runtime every worker starts (dist/worker.js, an ES
// module used by both the ESM and the CJS build). `shims` gives the CJS build import.meta.url.
export default defineConfig(
  packageBuild({ entry: ['src/index.ts', 'src/worker.ts'], shims: true }),
);
