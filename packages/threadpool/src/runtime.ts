/**
 * Where the worker runtime (`worker.ts`, built to `dist/worker.js`) is. @internal
 *
 * Both builds of the pool (`dist/index.js` and `dist/index.cjs`) start the same ES module
 * `dist/worker.js`, which loads any task module with `import()`: ESM, CommonJS, and anything a
 * loader registered in the worker understands. (tsup shims `import.meta.url` in the CJS build.)
 *
 * When the pool itself runs from its TypeScript source (this package's tests and benchmarks,
 * under vitest or tsx), there is no `worker.js`: the worker starts from a one-line script that
 * registers tsx's loader in the worker and imports `worker.ts`. On Node 20 the loader that tsx
 * registers in the main thread is not inherited by workers, hence the explicit `register()`.
 * This branch never runs from `dist/`.
 */

const here = import.meta.url;

/** The script a worker is started with, and whether it is code (`eval`) or a file URL. @internal */
export interface WorkerRuntime {
  script: string | URL;
  eval: boolean;
}

function locate(): WorkerRuntime {
  if (!here.endsWith('.ts')) return { script: new URL('./worker.js', here), eval: false };
  const source = JSON.stringify(new URL('./worker.ts', here).href);
  return {
    script: `import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${source}); });`,
    eval: true,
  };
}

/** @internal */
export const workerRuntime: WorkerRuntime = locate();
