import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { freePort } from '@byor/test-oracle';
import { Conn, ReplyFailure } from './client.js';
import { tempDir } from './helpers.js';

/**
 * Crash proofs on the real binary (dist/bin.js, built before the server's tests):
 * - appendfsync always: a process killed with SIGKILL in the middle of a write load loses no
 *   write it acknowledged;
 * - a kill during BGSAVE leaves the previous snapshot intact (temporary file + rename).
 */
const BIN = join(import.meta.dirname, '..', '..', 'dist', 'bin.js');

interface Child {
  readonly process: ChildProcess;
  readonly port: number;
  output(): string;
  /** resolves when the output contains `text` */
  waitFor(text: string, timeoutMs?: number): Promise<void>;
  exited: Promise<void>;
}

const children: ChildProcess[] = [];
afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
});

async function startBinary(args: string[]): Promise<Child> {
  const port = await freePort();
  const child = spawn(process.execPath, [BIN, '--port', String(port), ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let output = '';
  const listeners: (() => void)[] = [];
  const onData = (chunk: Buffer) => {
    output += chunk.toString();
    for (const listener of listeners) listener();
  };
  child.stdout?.on('data', onData);
  child.stderr?.on('data', onData);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const waitFor = (text: string, timeoutMs = 30_000) =>
    new Promise<void>((resolve, reject) => {
      const check = () => {
        if (output.includes(text)) resolve();
      };
      listeners.push(check);
      check();
      setTimeout(() => reject(new Error(`no "${text}" in: ${output}`)), timeoutMs).unref();
      void exited.then(() => setTimeout(() => reject(new Error(`exited: ${output}`)), 100));
    });
  await waitFor('Ready to accept connections');
  return { process: child, port, output: () => output, waitFor, exited };
}

async function kill(child: Child): Promise<void> {
  child.process.kill('SIGKILL');
  await child.exited;
}

describe.skipIf(!existsSync(BIN))('crashes', () => {
  it('appendfsync always: SIGKILL during a write load loses no acknowledged write', async () => {
    const dir = tempDir();
    try {
      const args = [
        '--dir',
        dir.path,
        '--appendonly',
        'yes',
        '--appendfsync',
        'always',
        '--save',
        '',
      ];
      const server = await startBinary(args);
      const writers = 4;
      const acknowledged: number[] = new Array<number>(writers).fill(0);
      const incremented: number[] = new Array<number>(writers).fill(0);
      let stop = false;
      const loops = Array.from({ length: writers }, async (_, writer) => {
        const conn = await Conn.connect(server.port);
        try {
          for (let seq = 1; !stop; seq++) {
            // a pipeline of three writes: a key per write, a counter, a list
            const replies = await conn.pipeline([
              ['SET', `w${writer}:${seq}`, String(seq)],
              ['INCR', `counter:${writer}`],
              ['RPUSH', `log:${writer}`, String(seq)],
            ]);
            if (replies.some((reply) => reply === null || reply instanceof ReplyFailure)) break;
            acknowledged[writer] = seq;
            incremented[writer] = Number(replies[1]);
          }
        } catch {
          /* the connection dies with the server */
        } finally {
          await conn.close();
        }
      });
      // let the load run, then kill the process in the middle of it
      await new Promise((resolve) => setTimeout(resolve, 1500));
      await kill(server);
      stop = true;
      await Promise.all(loops);
      const total = acknowledged.reduce((sum, n) => sum + n, 0);
      expect(total).toBeGreaterThan(20);

      const restarted = await startBinary(args);
      const conn = await Conn.connect(restarted.port);
      try {
        for (let writer = 0; writer < writers; writer++) {
          const acked = acknowledged[writer] ?? 0;
          const counter = Number(await conn.call('GET', `counter:${writer}`));
          // every acknowledged INCR is there (one more may have been written, not acknowledged)
          expect(counter).toBeGreaterThanOrEqual(incremented[writer] ?? 0);
          expect(counter).toBeLessThanOrEqual((incremented[writer] ?? 0) + 1);
          const log = (await conn.call('LRANGE', `log:${writer}`, 0, -1)) as string[];
          expect(log.length).toBeGreaterThanOrEqual(acked);
          expect(log.slice(0, acked)).toEqual(
            Array.from({ length: acked }, (_, i) => String(i + 1)),
          );
          const keys = await conn.pipeline(
            Array.from({ length: acked }, (_, i) => ['GET', `w${writer}:${i + 1}`]),
          );
          expect(keys).toEqual(Array.from({ length: acked }, (_, i) => String(i + 1)));
        }
        expect(restarted.output()).toContain('DB loaded from append only file');
      } finally {
        await conn.close();
        await kill(restarted);
      }
      console.log(`crash test: ${total * 3} acknowledged writes, none lost`);
    } finally {
      dir.remove();
    }
  });

  it('appendfsync always: SIGKILL with blocked consumers: no acknowledged pop comes back', async () => {
    const dir = tempDir();
    try {
      const args = [
        '--dir',
        dir.path,
        '--appendonly',
        'yes',
        '--appendfsync',
        'always',
        '--save',
        '',
      ];
      const server = await startBinary(args);
      const pushed = new Set<string>();
      const popped = new Set<string>();
      const consumers = 3;
      let stop = false;
      // consumers wait in BLPOP; each push wakes one, whose pop is written after the push
      const consuming = Array.from({ length: consumers }, async () => {
        const conn = await Conn.connect(server.port);
        try {
          while (!stop) {
            const reply = await conn.call('BLPOP', 'jobs', 0);
            if (!Array.isArray(reply)) break;
            popped.add(String(reply[1]));
          }
        } finally {
          await conn.close();
        }
      });
      const producing = (async () => {
        const conn = await Conn.connect(server.port);
        try {
          for (let seq = 1; !stop; seq++) {
            // two pushes a round trip: one wakes a consumer, one may stay in the list
            const replies = await conn.pipeline([
              ['RPUSH', 'jobs', `a${seq}`],
              ['RPUSH', 'jobs', `b${seq}`],
            ]);
            if (replies.some((reply) => typeof reply !== 'number')) break;
            pushed.add(`a${seq}`).add(`b${seq}`);
          }
        } finally {
          await conn.close();
        }
      })();
      await new Promise((resolve) => setTimeout(resolve, 1500));
      await kill(server);
      stop = true;
      await Promise.all([producing, ...consuming]);
      expect(popped.size).toBeGreaterThan(10);

      const restarted = await startBinary(args);
      const conn = await Conn.connect(restarted.port);
      try {
        const left = new Set((await conn.call('LRANGE', 'jobs', 0, -1)) as string[]);
        // an acknowledged pop is durable: the element is not in the list again
        expect([...popped].filter((job) => left.has(job))).toEqual([]);
        // an acknowledged push is durable: popped (acknowledged, or not yet: at most one
        // outstanding pop per consumer) or still in the list
        const missing = [...pushed].filter((job) => !popped.has(job) && !left.has(job));
        expect(missing.length).toBeLessThanOrEqual(consumers);
      } finally {
        await conn.close();
        await kill(restarted);
      }
    } finally {
      dir.remove();
    }
  });

  it('a kill during BGSAVE leaves the previous snapshot intact', async () => {
    const dir = tempDir();
    try {
      const args = ['--dir', dir.path, '--save', '1 1', '--appendonly', 'no'];
      const server = await startBinary(args);
      const conn = await Conn.connect(server.port);
      await conn.pipeline(Array.from({ length: 1000 }, (_, i) => ['SET', `first:${i}`, String(i)]));
      // the save rule (1 change in 1 second) makes the first snapshot
      await server.waitFor('Background saving terminated with success');
      const path = join(dir.path, 'dump.rdb');
      // no automatic saves while the large dataset is written
      await conn.call('CONFIG', 'SET', 'save', '');
      while (String(await conn.call('INFO', 'persistence')).includes('rdb_bgsave_in_progress:1'))
        await new Promise((resolve) => setTimeout(resolve, 20));
      const before = createHash('sha1').update(readFileSync(path)).digest('hex');
      const value = 'v'.repeat(200);
      for (let batch = 0; batch < 40; batch++)
        await conn.pipeline(
          Array.from({ length: 5000 }, (_, i) => ['SET', `second:${batch}:${i}`, value]),
        );
      // the rule again: the next cron tick starts a BGSAVE of 200k keys; kill it as it starts
      const started = server.output().split('Background saving started').length - 1;
      await conn.call('CONFIG', 'SET', 'save', '1 1');
      await new Promise<void>((resolve) => {
        const poll = setInterval(() => {
          if (server.output().split('Background saving started').length - 1 > started) {
            clearInterval(poll);
            resolve();
          }
        }, 1);
      });
      await kill(server);
      await conn.close();
      // the snapshot being written was a temporary file; dump.rdb is the previous one, whole
      expect(createHash('sha1').update(readFileSync(path)).digest('hex')).toBe(before);
      expect(
        readdirSync(dir.path)
          .filter((name) => name !== 'dump.rdb')
          .every((name) => name.startsWith('temp-')),
      ).toBe(true);
      const restarted = await startBinary(['--dir', dir.path, '--save', '']);
      const check = await Conn.connect(restarted.port);
      try {
        expect(await check.call('DBSIZE')).toBe(1000);
        expect(await check.call('GET', 'first:999')).toBe('999');
      } finally {
        await check.close();
        await kill(restarted);
      }
    } finally {
      dir.remove();
    }
  });

  it.each(['SIGTERM', 'SIGINT'] as const)(
    '%s saves the RDB exactly once when save rules are set, and the restart loads it',
    async (signal) => {
      const dir = tempDir();
      try {
        const args = ['--dir', dir.path, '--save', '3600 1'];
        const server = await startBinary(args);
        const conn = await Conn.connect(server.port);
        await conn.call('SET', 'kept', 'across restarts');
        await conn.close();
        server.process.kill(signal);
        await server.exited;
        const output = server.output();
        const count = (text: string) => output.split(text).length - 1;
        expect(count(`Received ${signal} scheduling shutdown...`)).toBe(1);
        expect(count('Saving the final RDB snapshot before exiting.')).toBe(1);
        expect(count('DB saved on disk')).toBe(1);
        expect(server.process.exitCode).toBe(0);
        const restarted = await startBinary(args);
        const check = await Conn.connect(restarted.port);
        try {
          expect(await check.call('GET', 'kept')).toBe('across restarts');
        } finally {
          await check.close();
          await kill(restarted);
        }
      } finally {
        dir.remove();
      }
    },
  );

  it('SIGTERM with the AOF on: every write is in the file once, the restart has them all', async () => {
    const dir = tempDir();
    try {
      const args = ['--dir', dir.path, '--appendonly', 'yes', '--appendfsync', 'no', '--save', ''];
      const server = await startBinary(args);
      const conn = await Conn.connect(server.port);
      await conn.pipeline(Array.from({ length: 500 }, () => ['INCR', 'counter']));
      await conn.close();
      server.process.kill('SIGTERM');
      await server.exited;
      expect(server.output()).not.toContain('Saving the final RDB snapshot');
      const restarted = await startBinary(args);
      const check = await Conn.connect(restarted.port);
      try {
        expect(await check.call('GET', 'counter')).toBe('500');
      } finally {
        await check.close();
        await kill(restarted);
      }
    } finally {
      dir.remove();
    }
  });
});
