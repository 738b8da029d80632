import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The built byor-cli (turbo builds the package before its tests). */
export const BYOR_CLI = fileURLToPath(new URL('../../dist/bin.js', import.meta.url));

/** redis-cli (REDIS_CLI overrides), or undefined when it is not installed. */
export function redisCliBinary(): string | undefined {
  const binary = process.env.REDIS_CLI ?? 'redis-cli';
  const probe = spawnSync(binary, ['--version'], { encoding: 'utf8' });
  return probe.status === 0 ? binary : undefined;
}

export interface RunResult {
  stdout: Buffer;
  stderr: Buffer;
  code: number | null;
  /** stdout as latin1 text (one char per byte) */
  out: string;
  /** stderr as text */
  err: string;
}

export interface RunOptions {
  input?: string | Buffer;
  env?: Record<string, string | undefined>;
  /** kill the process after this many ms (SIGINT first, as Ctrl-C) */
  killAfter?: number;
  signal?: NodeJS.Signals;
}

/** Runs a program to its end, stdin from `input` (empty by default). */
export function run(
  command: string,
  args: readonly string[],
  options: RunOptions = {},
): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      env: { ...process.env, HOME: process.env.BYOR_TEST_HOME ?? '/nonexistent', ...options.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
    child.on('error', reject);
    const timer =
      options.killAfter !== undefined
        ? setTimeout(() => child.kill(options.signal ?? 'SIGINT'), options.killAfter)
        : undefined;
    child.on('close', (code) => {
      if (timer !== undefined) clearTimeout(timer);
      const stdout = Buffer.concat(out);
      const stderr = Buffer.concat(err);
      resolve({
        stdout,
        stderr,
        code,
        out: stdout.toString('latin1'),
        err: stderr.toString('utf8'),
      });
    });
    child.stdin.on('error', () => {});
    child.stdin.end(options.input ?? '');
  });
}

/** Runs byor-cli. */
export function byorCli(args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
  return run(process.execPath, [BYOR_CLI, ...args], options);
}

/** Runs redis-cli (the caller checks it is installed). */
export function redisCli(args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
  return run(redisCliBinary() ?? 'redis-cli', args, options);
}
