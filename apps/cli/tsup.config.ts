import { defineConfig } from 'tsup';
import { packageBuild } from '../../tsup.shared.js';

// bench-worker is the task module of `bench --threads`: workers load it by URL, next to the
// bundle that starts them (shims give the CJS bundle an import.meta.url).
export default defineConfig(
  packageBuild({
    entry: { index: 'src/index.ts', bin: 'src/bin.ts', 'bench-worker': 'src/bench/worker.ts' },
    shims: true,
  }),
);
