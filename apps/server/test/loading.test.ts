import { spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, hasRedisServer } from '@byor/test-oracle';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer } from '../src/index.js';
import { RawClient } from './helpers/raw-client.js';

/**
 * A server loading its RDB at start-up listens already, as redis-server: clients get LOADING
 * (but for the commands flagged `loading`: INFO, CONFIG...), INFO shows the progress, and a
 * SIGTERM meanwhile exits without saving over the file. Both servers load the same file, slowed
 * down by key-load-delay, and are asked the same things.
 */
const BIN = join(import.meta.dirname, '..', 'dist', 'bin.js');
const KEYS = 4000;

let source: string;
let rdb: Buffer;
beforeAll(async () => {
  source = mkdtempSync(join(tmpdir(), 'byor-loading-'));
  const server = await startServer({
    port: 0,
    config: { dir: source, 'enable-debug-command': 'yes' },
  });
  const client = await RawClient.connect(server.port);
  await client.call('DEBUG', 'POPULATE', String(KEYS), 'key', '100');
  await client.call('SAVE');
  client.close();
  await server.close();
  rdb = readFileSync(join(source, 'dump.rdb'));
});
afterAll(() => rmSync(source, { recursive: true, force: true }));

interface Loading {
  child: ChildProcess;
  port: number;
  dir: string;
  log: () => string;
}

/** Starts `command` on a copy of the RDB, loading it at most 1 KB between event-loop turns. */
async function startLoading(command: string[]): Promise<Loading> {
  const dir = mkdtempSync(join(tmpdir(), 'byor-loading-run-'));
  copyFileSync(join(source, 'dump.rdb'), join(dir, 'dump.rdb'));
  const port = await freePort();
  const [file = '', ...args] = command;
  const child = spawn(
    file,
    [
      ...args,
      ...['--port', String(port), '--dir', dir, '--save', '', '--appendonly', 'no'],
      ...['--key-load-delay', '500', '--loading-process-events-interval-bytes', '1024'],
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let log = '';
  child.stdout?.on('data', (chunk: Buffer) => (log += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (log += chunk.toString()));
  return { child, port, dir, log: () => log };
}

/** A client of a server that may not listen yet. */
async function connectSoon(port: number): Promise<RawClient> {
  for (let tries = 0; ; tries++) {
    try {
      return await RawClient.connect(port);
    } catch (error) {
      if (tries > 200) throw error;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }
}

const field = (info: string, name: string) => new RegExp(`${name}:([^\\r]*)`).exec(info)?.[1];

/** What a client sees while the server loads, and once it is done. */
async function observe(command: string[]): Promise<string[]> {
  const server = await startLoading(command);
  try {
    const client = await connectSoon(server.port);
    const out: string[] = [];
    for (const argv of [
      ['GET', 'key:1'],
      ['PING'],
      ['DBSIZE'],
      ['CONFIG', 'GET', 'key-load-delay'],
    ])
      out.push(await client.call(...argv));
    const info = await client.call('INFO', 'persistence');
    out.push(
      ...['loading', 'async_loading', 'loading_total_bytes'].map(
        (name) => `${name}:${field(info, name)}`,
      ),
    );
    const loaded = Number(field(info, 'loading_loaded_bytes'));
    out.push(`loaded part of it: ${loaded >= 0 && loaded < rdb.length}`);
    out.push(`perc: ${/^\d+\.\d\d$/.test(field(info, 'loading_loaded_perc') ?? '')}`);
    await client.call('MULTI');
    out.push(await client.call('EXEC'));
    while (field(await client.call('INFO', 'persistence'), 'loading') === '1')
      await new Promise((resolve) => setTimeout(resolve, 50));
    out.push(await client.call('DBSIZE'), await client.call('GET', 'key:1'));
    client.close();
    return out;
  } finally {
    server.child.kill('SIGKILL');
    rmSync(server.dir, { recursive: true, force: true });
  }
}

describe.skipIf(!hasRedisServer)('loading at start-up, as redis-server 7.0', () => {
  it('answers LOADING but for the loading commands, and shows the progress in INFO', async () => {
    const ours = await observe([process.execPath, BIN]);
    const theirs = await observe(['redis-server']);
    expect(ours).toEqual(theirs);
    expect(theirs[0]).toBe('-LOADING Redis is loading the dataset in memory\r\n');
    expect(theirs.at(-2)).toBe(`:${KEYS}\r\n`);
  });

  it('exits on SIGTERM while loading, without saving over the file', async () => {
    const server = await startLoading([process.execPath, BIN, '--save', '60 1']);
    try {
      const client = await connectSoon(server.port);
      expect(await client.call('GET', 'key:1')).toMatch(/^-LOADING/);
      client.close();
      const exit = new Promise<number | null>((resolve) => server.child.once('exit', resolve));
      server.child.kill('SIGTERM');
      expect(await exit).toBe(0);
      expect(server.log()).toContain(
        'Received shutdown signal during loading, scheduling shutdown.',
      );
      expect(server.log()).not.toContain('Saving the final RDB snapshot');
      expect(readFileSync(join(server.dir, 'dump.rdb')).equals(rdb)).toBe(true);
    } finally {
      server.child.kill('SIGKILL');
      rmSync(server.dir, { recursive: true, force: true });
    }
  });
});

/**
 * Starts `command` in a directory `prepare` fills, with `args`; resolves with its exit code and
 * the messages of its log lines (past "pid:role date time level").
 */
async function failedStart(
  command: string[],
  prepare: (dir: string) => void,
  args: string[] = [],
): Promise<{ code: number | null; messages: string[] }> {
  const dir = mkdtempSync(join(tmpdir(), 'byor-loading-bad-'));
  try {
    prepare(dir);
    const port = await freePort();
    const [file = '', ...rest] = command;
    const child = spawn(
      file,
      [...rest, '--port', String(port), '--dir', dir, '--save', '', ...args],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let log = '';
    child.stdout?.on('data', (chunk: Buffer) => (log += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    const messages = log
      .split('\n')
      .map((line) => /^\d+:[A-Z] .{24} [.\-*#] (.*)$/.exec(line)?.[1])
      .filter((message) => message !== undefined);
    return { code, messages };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe.skipIf(!hasRedisServer)('a file that does not load, as redis-server 7.0', () => {
  const lastLines = (messages: string[]) =>
    messages
      .filter((line) => /RDB|Internal error|Short read|Terminating|Failed/.test(line))
      // what differs by nature: the age, the C source position
      .map((line) =>
        line
          .replace(/RDB age \d+ seconds/, 'RDB age N seconds')
          .replace(/offset \d+, function at \S+ ->/, 'offset N, function at F ->'),
      );

  it('logs the CRC error and the end of a truncated file, and exits 1', async () => {
    const corrupt = Buffer.from(rdb);
    corrupt.write('foobar00', corrupt.length - 8, 'latin1');
    for (const bytes of [corrupt, rdb.subarray(0, 20000)]) {
      const prepare = (dir: string) => writeFileSync(join(dir, 'dump.rdb'), bytes);
      const ours = await failedStart([process.execPath, BIN], prepare);
      const theirs = await failedStart(['redis-server'], prepare);
      expect(ours.code).toBe(1);
      expect(theirs.code).toBe(1);
      expect(lastLines(ours.messages)).toEqual(lastLines(theirs.messages));
      expect(lastLines(theirs.messages).at(-1)).toMatch(/^Internal error in RDB reading/);
    }
  });
});

describe.skipIf(!hasRedisServer)('an AOF manifest that does not load, as redis-server 7.0', () => {
  const SET = '*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n';
  const BASE = 'file appendonly.aof.1.base.aof seq 1 type b\n';
  const cases: Record<string, string> = {
    'a blank line': `${BASE}\nfile appendonly.aof.1.incr.aof seq 1 type i\n`,
    'an unknown type': `${BASE}file appendonly.aof.1.incr.aof seq 1 type x\n`,
    'a line too long': `${BASE}file appendonly.aof.1.incr.aof seq 1 type i ${'x'.repeat(1100)}\n`,
    'an empty manifest': '',
    'no newline at the end': 'file appendonly.aof.1.base.aof seq 1 type b',
    'too few fields': 'file appendonly.aof.1.base.aof seq 1\n',
    'a path': 'file ../appendonly.aof.1.base.aof seq 1 type b\n',
    'two bases': `${BASE}file appendonly.aof.2.base.aof seq 2 type b\n`,
    'a decreasing sequence': `${BASE}file appendonly.aof.2.incr.aof seq 2 type i\nfile appendonly.aof.1.incr.aof seq 1 type i\n`,
    'a missing file': `${BASE}file appendonly.aof.1.incr.aof seq 1 type i\n`,
    'a missing base': 'file appendonly.aof seq 1 type b\n',
  };

  it('logs the reason (and the line) and exits 1', async () => {
    for (const [name, manifest] of Object.entries(cases)) {
      const prepare = (dir: string) => {
        mkdirSync(join(dir, 'appendonlydir'));
        writeFileSync(join(dir, 'appendonlydir', 'appendonly.aof.manifest'), manifest);
        writeFileSync(join(dir, 'appendonlydir', 'appendonly.aof.1.base.aof'), SET);
      };
      const args = ['--appendonly', 'yes'];
      const ours = await failedStart([process.execPath, BIN], prepare, args);
      const theirs = await failedStart(['redis-server'], prepare, args);
      const reasons = (messages: string[]) =>
        messages.filter((line) => /MANIFEST|manifest|>>>|AOF|Found|File can/.test(line));
      expect({ name, code: ours.code, log: reasons(ours.messages) }).toEqual({
        name,
        code: theirs.code,
        log: reasons(theirs.messages),
      });
      expect(theirs.code).toBe(1);
    }
  });
});
