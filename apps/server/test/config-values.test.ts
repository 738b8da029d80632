import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hasRedisServer } from '@byor/test-oracle';
import { describe, expect, it } from 'vitest';
import { Config } from '../src/index.js';
import directives from '../src/config/redis-directives.json' with { type: 'json' };
import types from '../src/config/redis-directive-types.json' with { type: 'json' };

/**
 * Every directive redis-server knows, given bad and edge values on the command line: byor refuses
 * what redis-server refuses, with its text, and takes what it takes (implemented or not).
 */

/** The reason of a FATAL CONFIG FILE ERROR block ('' when the configuration was taken). */
function reasonOf(text: string): string {
  return /\n>>> .*\n(.*)/.exec(text)?.[1] ?? '';
}

function byorReason(args: string[]): string {
  try {
    Config.fromArgv(args);
    return '';
  } catch (error) {
    return reasonOf((error as Error).message);
  }
}

/** redis-server's answer: with port 0 and no socket, a configuration it takes ends at once. */
function redisReason(args: string[], cwd: string): Promise<string> {
  return new Promise((resolve) => {
    const child = spawn('redis-server', args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('latin1')));
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.once('close', () => {
      clearTimeout(timer);
      resolve(reasonOf(stderr));
    });
  });
}

// directives a trial would act on: dir changes this process's directory, a socket would listen
const SKIPPED = new Set(['dir', 'unixsocket', 'include']);

describe.skipIf(!hasRedisServer)('directive values, as redis-server 7.0 checks them', () => {
  it('refuses and takes the same values, with the same reasons', async () => {
    const kinds = types as Record<string, { kind: string }>;
    const cases: string[][] = [];
    for (const name of Object.keys(directives.defaults)) {
      if (SKIPPED.has(name)) continue;
      const values = ['abc', '-1'];
      const kind = kinds[name]?.kind;
      if (kind === 'int') values.push('007', '9223372036854775807');
      if (kind === 'memory')
        values.push('007', '1kB', '9223372036854775807', '18446744073709551616', '5.5mb');
      if (name === 'maxmemory-clients') values.push('5%', '101%', '-5%');
      if (name === 'latency-tracking-info-percentiles') values.push('50', '99.9', '101', 'inf');
      for (const value of values) cases.push(['--port', '0', `--${name}`, value]);
    }
    cases.push(
      ['--port', '0', '--unixsocketperm', '800'],
      ['--port', '0', '--unixsocketperm', '755'],
    );
    const cwd = mkdtempSync(join(tmpdir(), 'byor-config-values-'));
    try {
      const theirs: string[] = [];
      // four trials at a time
      for (let i = 0; i < cases.length; i += 4) {
        const batch = cases.slice(i, i + 4).map((args) => redisReason(args, cwd));
        theirs.push(...(await Promise.all(batch)));
      }
      expect(theirs.filter((reason) => reason !== '').length).toBeGreaterThan(200);
      const mismatches = cases
        .map((args, index) => [args.slice(2).join(' '), byorReason(args), theirs[index]])
        .filter(([, ours, expected]) => ours !== expected)
        .map(([line, ours, expected]) => `${line}: byor '${ours}', redis-server '${expected}'`);
      expect(mismatches).toEqual([]);
    } finally {
      rmSync(cwd, { recursive: true, force: true });
    }
  }, 120_000);
});
