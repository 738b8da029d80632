/**
 * Runs a measurement script of `bench/child/` in a fresh Node process (its own heap, with
 * `--expose-gc`), so that one implementation's garbage and heap growth do not bill another.
 * Returns what the script printed as JSON on its last line.
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export function runChild<T>(script: string, args: readonly string[], heapMegabytes = 4096): T {
  const path = fileURLToPath(new URL(script, import.meta.url));
  const output = execFileSync(
    process.execPath,
    ['--expose-gc', `--max-old-space-size=${heapMegabytes}`, '--import', 'tsx', path, ...args],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 1 << 20 },
  );
  const lines = output.trim().split('\n');
  return JSON.parse(lines[lines.length - 1]!) as T;
}
