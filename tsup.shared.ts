import type { Options } from 'tsup';

/**
 * The one build recipe every package uses: ESM + CJS + .d.ts/.d.cts, source maps, Node 20.
 * Kept plain (no plugins) so the move to another bundler stays a small change.
 */
export function packageBuild(overrides: Options = {}): Options {
  return {
    entry: ['src/index.ts'],
    format: ['esm', 'cjs'],
    dts: true,
    sourcemap: true,
    clean: true,
    target: 'node20',
    platform: 'node',
    splitting: false,
    treeshake: true,
    ...overrides,
  };
}
