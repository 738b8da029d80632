/**
 * The built package, as users get it: the ESM and the CJS build each start `dist/worker.js`
 * and run an ES module and a CommonJS task module, in a separate Node process. Runs when
 * `dist/` exists (after `pnpm build`; CI builds before testing).
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { fixture } from './helpers.js';

const run = promisify(execFile);
const dist = (file: string): string => fileURLToPath(new URL(`../dist/${file}`, import.meta.url));
const built = ['index.js', 'index.cjs', 'worker.js'].every((file) => existsSync(dist(file)));

const esm = (pool: string, task: string) => `
  const { ThreadPool } = await import(${JSON.stringify(pool)});
  const pool = new ThreadPool({ filename: ${JSON.stringify(task)}, size: 1, execArgv: [] });
  console.log(JSON.stringify(await Promise.all([pool.run(1), pool.run(2)])));
  await pool.close();
  console.log(pool.workers);`;

const cjs = (pool: string, task: string) => `
  const { ThreadPool } = require(${JSON.stringify(pool)});
  const pool = new ThreadPool({ filename: ${JSON.stringify(task)}, size: 1, execArgv: [] });
  Promise.all([pool.run(1), pool.run(2)]).then(async (results) => {
    console.log(JSON.stringify(results));
    await pool.close();
    console.log(pool.workers);
  });`;

// `execArgv: []`: workers would otherwise inherit --input-type, which Node refuses for a file.
describe.skipIf(!built)('the built package', () => {
  it.each([
    {
      build: 'ESM',
      type: 'module',
      script: esm,
      entry: 'index.js',
      task: 'default-export.mjs',
      expected: '["default:1","default:2"]',
    },
    {
      build: 'ESM',
      type: 'module',
      script: esm,
      entry: 'index.js',
      task: 'commonjs.cjs',
      expected: '["cjs:1","cjs:2"]',
    },
    {
      build: 'CJS',
      type: 'commonjs',
      script: cjs,
      entry: 'index.cjs',
      task: 'default-export.mjs',
      expected: '["default:1","default:2"]',
    },
    {
      build: 'CJS',
      type: 'commonjs',
      script: cjs,
      entry: 'index.cjs',
      task: 'commonjs-named.cjs',
      expected: '["cjs-task:1","cjs-task:2"]',
    },
  ])('the $build build runs $task', async ({ type, script, entry, task, expected }) => {
    const { stdout } = await run(process.execPath, [
      `--input-type=${type}`,
      '--eval',
      script(dist(entry), fileURLToPath(fixture(task))),
    ]);
    expect(stdout.trim().split('\n')).toEqual([expected, '0']);
  });
});
