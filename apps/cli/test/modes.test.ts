/**
 * The modes (--scan, --bigkeys, --memkeys, --latency, --stat, --rdb) and the one-shot flags
 * (-r -i -x -X -e -d -D --quoted-input, help, SUBSCRIBE), against redis-server with redis-cli as
 * the oracle, and against byor.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, type RunningServer } from '@byor/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Connection } from '../src/connection.js';
import { byorCli, redisCli, redisCliBinary } from './helpers/cli.js';
import { redisServerBinary, startRedisServer, type RedisServerProcess } from '@byor/test-oracle';

const haveRedis = redisServerBinary() !== undefined && redisCliBinary() !== undefined;

async function fill(port: number): Promise<void> {
  const connection = await Connection.open({ port });
  await connection.sendMany([
    ['FLUSHALL'],
    ['SET', 'short', 'abc'],
    ['SET', 'longer:string', 'abcdefghij'],
    ['SET', 'bin\xffkey', 'x'],
    ['RPUSH', 'list', 'a', 'b', 'c'],
    ['HSET', 'hash', 'f1', 'v', 'f2', 'v'],
    ['SADD', 'set', 'a', 'b', 'c', 'd'],
    ['ZADD', 'zset', '1', 'a', '2', 'b'],
  ]);
  connection.close();
}

/** The lines of a --bigkeys report, with the summary's per-type lines sorted (their order is not fixed). */
function normaliseReport(text: string): string[] {
  const lines = text.split('\n');
  const summary = lines.indexOf('-------- summary -------');
  const head = lines.slice(0, summary + 5);
  const rest = lines.slice(summary + 5).sort();
  return [...head, ...rest];
}

describe.skipIf(!haveRedis)('modes against redis-server, redis-cli as the oracle', () => {
  let redis: RedisServerProcess;
  let port: string;

  beforeAll(async () => {
    redis = await startRedisServer();
    port = String(redis.port);
    await fill(redis.port);
  });
  afterAll(async () => {
    await redis.stop();
  });

  it.each([[['--scan']], [['--scan', '--no-raw']], [['--scan', '--pattern', '*s*']]])(
    '%j lists the same keys',
    async (flags) => {
      const [ours, theirs] = [
        await byorCli(['-p', port, ...flags]),
        await redisCli(['-p', port, ...flags]),
      ];
      expect(ours.out.split('\n').sort()).toEqual(theirs.out.split('\n').sort());
      expect(ours.out.split('\n').length).toBeGreaterThan(2);
    },
  );

  it.each([[['GET', '"unterminated']], [['SET', '"a" "b"', 'x']]])(
    '--quoted-input %j: the same refusal',
    async (command) => {
      const args = ['-p', port, '--quoted-input', ...command];
      const [ours, theirs] = [await byorCli(args), await redisCli(args)];
      expect([ours.code, ours.out, ours.err]).toEqual([theirs.code, theirs.out, theirs.err]);
      expect(theirs.code).toBe(1);
    },
  );

  it.each([[['--bigkeys']], [['--memkeys']], [['--memkeys-samples', '2']]])(
    '%j reports the same',
    async (flags) => {
      const [ours, theirs] = [
        await byorCli(['-p', port, ...flags]),
        await redisCli(['-p', port, ...flags]),
      ];
      expect(normaliseReport(ours.out)).toEqual(normaliseReport(theirs.out));
      // By length the longest value wins; by memory, equal-sized strings tie and
      // the first one scanned is named, so only say that one is.
      expect(ours.out).toMatch(
        flags[0] === '--bigkeys'
          ? /Biggest string found '"longer:string"' has /
          : /Biggest string found '"[^']+"' has \d+ bytes/,
      );
    },
  );

  it('--eval runs a script file with its keys and arguments, as redis-cli', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'byor-cli-eval-'));
    try {
      const script = join(dir, 'script.lua');
      writeFileSync(
        script,
        "return {KEYS[1], KEYS[2], ARGV[1], ARGV[2], redis.call('GET', 'short')}\n",
      );
      for (const args of [
        ['--eval', script, 'k1', 'k2', ',', 'a1', ',', 'a2'],
        ['--eval', script, 'k1'],
        ['--eval', script],
        ['--eval', script, ',', 'a1'],
        ['--eval', join(dir, 'missing.lua'), 'k'],
        ['--raw', '--eval', script, 'k1', ',', 'a1'],
      ]) {
        const [ours, theirs] = [
          await byorCli(['-p', port, ...args]),
          await redisCli(['-p', port, ...args]),
        ];
        expect(ours.out).toBe(theirs.out);
        expect(ours.err).toBe(theirs.err);
        expect(ours.code).toBe(theirs.code);
      }
      const theirs = await redisCli([
        '-p',
        port,
        '--eval',
        script,
        'k1',
        'k2',
        ',',
        'a1',
        ',',
        'a2',
      ]);
      expect(theirs.out).toContain('k2');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('--hotkeys reports the most used keys, and the error without an LFU policy', async () => {
    const lfu = await startRedisServer(['--maxmemory-policy', 'allkeys-lfu']);
    try {
      const connection = await Connection.open({ port: lfu.port });
      const commands: string[][] = [];
      for (let i = 0; i < 40; i++) commands.push(['SET', `key:${i}`, 'v']);
      for (let i = 0; i < 30; i++) commands.push(['GET', 'key:7'], ['GET', `key:${i % 20}`]);
      await connection.sendMany(commands);
      connection.close();
      for (const args of [['--hotkeys'], ['--hotkeys', '--pattern', 'key:1*']]) {
        const [ours, theirs] = [
          await byorCli(['-p', String(lfu.port), ...args]),
          await redisCli(['-p', String(lfu.port), ...args]),
        ];
        expect(ours.out).toBe(theirs.out);
        expect(ours.code).toBe(0);
      }
      const theirs = await redisCli(['-p', String(lfu.port), '--hotkeys']);
      expect(theirs.out).toContain('keyname: "key:7"');
    } finally {
      await lfu.stop();
    }
    // byor counts accesses too: the key read most leads the summary
    const byor = await startServer({ port: 0, config: { 'maxmemory-policy': 'allkeys-lfu' } });
    try {
      const connection = await Connection.open({ port: byor.port });
      const commands: string[][] = [
        ['SET', 'cold', 'v'],
        ['SET', 'hot', 'v'],
      ];
      for (let i = 0; i < 50; i++) commands.push(['GET', 'hot']);
      await connection.sendMany(commands);
      connection.close();
      const report = await byorCli(['-p', String(byor.port), '--hotkeys']);
      expect(report.out).toMatch(
        /Sampled 2 keys in the keyspace!\nhot key found with counter: \d+\tkeyname: "hot"\n/,
      );
    } finally {
      await byor.close();
    }
    // the shared server has no LFU policy: OBJECT FREQ refuses
    const [ours, theirs] = [
      await byorCli(['-p', port, '--hotkeys']),
      await redisCli(['-p', port, '--hotkeys']),
    ];
    expect(theirs.err).toMatch(/^Error: ERR An LFU maxmemory policy is not selected/);
    expect([ours.out, ours.err, ours.code]).toEqual([theirs.out, theirs.err, theirs.code]);
  });

  it('--intrinsic-latency prints what redis-cli prints, numbers aside', async () => {
    const shape = (text: string) => [...new Set(text.replace(/\d+(\.\d+)?|inf/g, 'N').split('\n'))];
    const started = performance.now();
    const ours = await byorCli(['--intrinsic-latency', '1']);
    expect(performance.now() - started).toBeGreaterThanOrEqual(1000);
    const theirs = await redisCli(['--intrinsic-latency', '1']);
    expect(shape(ours.out)).toEqual(shape(theirs.out));
    expect(ours.out).toMatch(/^Max latency so far: \d+ microseconds\.\n/);
    expect(ours.code).toBe(0);
    // atoi's reading: no digits is 0 seconds, one run
    const [none, theirNone] = [
      await byorCli(['--intrinsic-latency', 'abc']),
      await redisCli(['--intrinsic-latency', 'abc']),
    ];
    expect(shape(none.out)).toEqual(shape(theirNone.out));
  });

  it('--bigkeys on an empty database', async () => {
    const [ours, theirs] = [
      await byorCli(['-p', port, '-n', '5', '--bigkeys']),
      await redisCli(['-p', port, '-n', '5', '--bigkeys']),
    ];
    expect(normaliseReport(ours.out)).toEqual(normaliseReport(theirs.out));
    expect(ours.out).toContain('Sampled 0 keys in the keyspace!');
  });

  it('help <command> and help @<group> print what redis-cli prints', async () => {
    for (const topic of [['set'], ['config', 'get'], ['@hyperloglog'], ['@list']]) {
      const args = ['-p', port, 'help', ...topic];
      const [ours, theirs] = [await byorCli(args), await redisCli(args)];
      expect(ours.out).toBe(theirs.out);
    }
  });

  it('--rdb saves the dataset (to a file, or to stdout with -)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'byor-cli-rdb-'));
    try {
      const file = join(dir, 'dump.rdb');
      const saved = await byorCli(['-p', port, '--rdb', file]);
      expect(saved.code).toBe(0);
      expect(saved.err).toMatch(
        /^sending REPLCONF capa eof\nsending REPLCONF rdb-only 1\nSYNC sent to master, writing (\d+ bytes|bytes of bulk transfer until EOF marker) to '/m,
      );
      expect(saved.err).toContain('Transfer finished with success.\n');
      const bytes = readFileSync(file);
      expect(bytes.subarray(0, 5).toString()).toBe('REDIS');
      expect(bytes.includes(Buffer.from('longer:string'))).toBe(true);
      const piped = await byorCli(['-p', port, '--rdb', '-']);
      expect(piped.stdout.subarray(0, 5).toString()).toBe('REDIS');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('SUBSCRIBE prints the messages as redis-cli does, until Ctrl-C', async () => {
    const publish = async (): Promise<void> => {
      const connection = await Connection.open({ port: redis.port });
      for (let i = 0; i < 50; i++) {
        await connection.send(['PUBLISH', 'news', `hello ${i}`]);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      connection.close();
    };
    for (const flags of [['--no-raw'], ['--raw'], ['--no-raw', '-3']]) {
      const args = ['-p', port, ...flags, 'SUBSCRIBE', 'news'];
      const running = [byorCli(args, { killAfter: 2500 }), redisCli(args, { killAfter: 2500 })];
      await new Promise((resolve) => setTimeout(resolve, 800));
      await publish();
      const [ours, theirs] = await Promise.all(running);
      // both started before the first message; compare from the subscription on
      const from = (text: string): string => text.slice(text.indexOf('subscribe'));
      const cut = (text: string, other: string): string =>
        text.slice(0, Math.min(text.length, other.length));
      expect(cut(from(ours!.out), from(theirs!.out))).toBe(cut(from(theirs!.out), from(ours!.out)));
      expect(ours!.out).toContain('hello 1');
      if (flags[0] === '--no-raw')
        expect(ours!.out).toMatch(/^Reading messages\.\.\. \(press Ctrl-C to quit\)\n/);
    }
  });
});

/**
 * --replica and --functions-rdb against a server of each kind (redis-server with a diskless sync
 * without delay: its RDB comes between EOF marks, byor's with a length).
 */
describe('the replication modes', () => {
  const servers: [string, () => Promise<{ port: number; stop: () => Promise<void> }>][] = [
    [
      'byor',
      async () => {
        const server = await startServer({ port: 0 });
        return { port: server.port, stop: () => server.close() };
      },
    ],
  ];
  if (redisServerBinary() !== undefined)
    servers.push([
      'redis-server',
      async () => {
        const server = await startRedisServer(['--repl-diskless-sync-delay', '0']);
        return { port: server.port, stop: () => server.stop() };
      },
    ]);

  it.each(servers)(
    '--replica prints the stream of %s, a command per line',
    async (_, start) => {
      const server = await start();
      try {
        const running = byorCli(['-p', String(server.port), '--replica'], { killAfter: 3000 });
        // the stream starts once the replica acknowledged its RDB (a second after it, as redis-cli)
        await new Promise((resolve) => setTimeout(resolve, 1800));
        const connection = await Connection.open({ port: server.port });
        await connection.sendMany([
          ['SET', 'k', 'v'],
          ['SELECT', '2'],
          ['RPUSH', 'l', 'a b', '"quoted"'],
        ]);
        // the master drops its replica: redis-cli reports it and exits 1
        await new Promise((resolve) => setTimeout(resolve, 300));
        await connection.send(['CLIENT', 'KILL', 'TYPE', 'replica']);
        connection.close();
        const result = await running;
        expect(result.code).toBe(1);
        expect(result.err).toMatch(/\nError: Server closed the connection\n$/);
        expect(result.err).toMatch(
          /^sending REPLCONF capa eof\nsending REPLCONF rdb-filter-only \nSYNC with master, discarding (\d+ bytes|bytes) of bulk transfer/,
        );
        expect(result.err).toMatch(
          /SYNC done( after \d+ bytes)?\. Logging commands from master\.\n/,
        );
        // the commands as the client sent them (after the SELECT the stream starts with)
        expect(result.out).toContain(
          '"SET","k","v"\n"SELECT","2"\n"RPUSH","l","a b","\\"quoted\\""\n',
        );
      } finally {
        await server.stop();
      }
    },
    10_000,
  );

  it.each(servers)('--functions-rdb saves the functions of %s and no keys', async (_, start) => {
    const server = await start();
    const dir = mkdtempSync(join(tmpdir(), 'byor-cli-frdb-'));
    try {
      const connection = await Connection.open({ port: server.port });
      await connection.sendMany([
        ['SET', 'a-key', 'a-value'],
        [
          'FUNCTION',
          'LOAD',
          "#!lua name=cli_lib\nredis.register_function('f', function() return 1 end)",
        ],
      ]);
      connection.close();
      const file = join(dir, 'functions.rdb');
      const saved = await byorCli(['-p', String(server.port), '--functions-rdb', file]);
      expect(saved.code).toBe(0);
      expect(saved.err).toContain('sending REPLCONF rdb-filter-only functions\n');
      const bytes = readFileSync(file);
      expect(bytes.subarray(0, 5).toString()).toBe('REDIS');
      expect(bytes.includes(Buffer.from('cli_lib'))).toBe(true);
      expect(bytes.includes(Buffer.from('a-key'))).toBe(false);
      const both = await byorCli([
        '-p',
        String(server.port),
        '--rdb',
        file,
        '--functions-rdb',
        file,
      ]);
      expect(both.err).toBe('Option --functions-rdb and --rdb are mutually exclusive.\n');
    } finally {
      rmSync(dir, { recursive: true, force: true });
      await server.stop();
    }
  });
});

describe('modes and flags against byor', () => {
  let byor: RunningServer;
  let port: string;

  beforeAll(async () => {
    byor = await startServer({ port: 0 });
    port = String(byor.port);
    await fill(byor.port);
  });
  afterAll(async () => {
    await byor.close();
  });

  it('--scan quotes keys in the standard format, prints bytes otherwise', async () => {
    const quoted = await byorCli(['-p', port, '--scan', '--no-raw', '--pattern', 'bin*']);
    expect(quoted.out).toBe('"bin\\xffkey"\n');
    const raw = await byorCli(['-p', port, '--scan', '--pattern', 'bin*']);
    expect(raw.stdout).toEqual(Buffer.from('bin\xffkey\n', 'latin1'));
    const counted = await byorCli(['-p', port, '--scan', '--count', '2']);
    expect(counted.out.split('\n').filter(Boolean)).toHaveLength(7);
  });

  it('--bigkeys finds the biggest of each type', async () => {
    const report = await byorCli(['-p', port, '--bigkeys']);
    expect(report.code).toBe(0);
    expect(report.out).toContain('Sampled 7 keys in the keyspace!');
    expect(report.out).toContain('Biggest    set found \'"set"\' has 4 members');
    expect(report.out).toContain('3 strings with 14 bytes (42.86% of keys, avg size 4.67)');
  });

  it('-r and -i repeat, -x and -X read stdin, -d and -D delimit', async () => {
    expect((await byorCli(['-p', port, '-r', '3', '-i', '0.05', 'INCR', 'repeated'])).out).toBe(
      '1\n2\n3\n',
    );
    const binary = Buffer.from([0, 1, 2, 255, 10, 13]);
    await byorCli(['-p', port, '-x', 'SET', 'fromstdin'], { input: binary });
    expect((await byorCli(['-p', port, '-D', '', 'GET', 'fromstdin'])).stdout).toEqual(binary);
    await byorCli(['-p', port, '-X', 'TAG', 'SET', 'tagged', 'TAG'], { input: 'tag value' });
    expect((await byorCli(['-p', port, 'GET', 'tagged'])).out).toBe('tag value\n');
    expect((await byorCli(['-p', port, '-X', 'NOPE', 'GET', 'x'], { input: 'v' })).err).toBe(
      'Using -X option but stdin tag not match.\n',
    );
    expect(
      (await byorCli(['-p', port, '-d', ',', '-D', ';', 'LRANGE', 'list', '0', '-1'])).out,
    ).toBe('a,b,c;');
  });

  it('-e turns an error into exit status 1', async () => {
    const plain = await byorCli(['-p', port, 'INCR', 'short']);
    expect([plain.code, plain.out]).toEqual([0, 'ERR value is not an integer or out of range\n\n']);
    const strict = await byorCli(['-p', port, '-e', 'INCR', 'short']);
    expect([strict.code, strict.out, strict.err]).toEqual([
      1,
      '',
      'ERR value is not an integer or out of range\n',
    ]);
  });

  it('--quoted-input reads arguments with the prompt quoting', async () => {
    await byorCli(['-p', port, '--quoted-input', 'SET', '"nul\\x00key"', '"a\\tb"']);
    expect(
      (await byorCli(['-p', port, '--no-raw', 'GET', 'nul\x00key'.replace('\x00', '')])).out,
    ).toBe('(nil)\n');
    expect(
      (await byorCli(['-p', port, '--no-raw', '--quoted-input', 'GET', '"nul\\x00key"'])).out,
    ).toBe('"a\\tb"\n');
    const bad = await byorCli(['-p', port, '--quoted-input', 'GET', '"unbalanced']);
    expect([bad.code, bad.out, bad.err]).toEqual([1, 'Invalid quoted string\n', '']);
  });

  it('--latency prints one line when not on a terminal, in every format', async () => {
    const raw = await byorCli(['-p', port, '--latency', '-i', '0.3']);
    expect(raw.out).toMatch(/^\d+\.\d\d \d+\.\d\d \d+\.\d\d \d+\n$/);
    const csv = await byorCli(['-p', port, '--latency', '--csv', '-i', '0.2']);
    expect(csv.out).toMatch(/^\d+\.\d\d,\d+\.\d\d,\d+\.\d\d,\d+\n$/);
    const json = JSON.parse(
      (await byorCli(['-p', port, '--latency', '--json', '-i', '0.2'])).out,
    ) as Record<string, number>;
    expect(Object.keys(json)).toEqual(['min', 'max', 'avg', 'count']);
    expect(json.min).toBeLessThanOrEqual(json.avg!);
    expect(json.avg).toBeLessThanOrEqual(json.max!);
    expect(json.count).toBeGreaterThan(1);
  });

  it('--latency-history prints a line per interval until Ctrl-C', async () => {
    const run = await byorCli(['-p', port, '--latency-history', '-i', '0.2'], { killAfter: 4000 });
    const lines = run.out.trim().split('\n');
    expect(lines.length).toBeGreaterThanOrEqual(2);
    for (const line of lines) expect(line).toMatch(/^\d+\.\d\d \d+\.\d\d \d+\.\d\d \d+$/);
  });

  it('--stat prints the header and a line per interval until Ctrl-C', async () => {
    const run = await byorCli(['-p', port, '--stat', '-i', '0.2'], { killAfter: 4000 });
    const lines = run.out.split('\n');
    expect(lines[0]).toBe(
      '------- data ------ --------------------- load -------------------- - child -',
    );
    expect(lines[1]).toBe(
      'keys       mem      clients blocked requests            connections          ',
    );
    expect(lines.length).toBeGreaterThanOrEqual(4);
    expect(lines[2]).toMatch(/^\d+ +\d+(\.\d\d)?[BKMG] +\d+ +\d+ +\d+ \(\+0\) +\d+ */);
    expect(lines[3]).toMatch(/^\d+ +\d+(\.\d\d)?[BKMG] +\d+ +\d+ +\d+ \(\+\d+\) +\d+ */);
  });

  it('--version and --help', async () => {
    expect((await byorCli(['--version'])).out).toMatch(/^byor-cli \d+\.\d+\.\d+\n$/);
    const help = await byorCli(['--help']);
    expect(help.out).toContain('Usage: byor-cli [OPTIONS] [cmd [arg [arg ...]]]');
    expect((await byorCli(['bench', '--help'])).out).toContain('-P <numreq>');
  });

  it('a bad flag is one line on stderr and status 1', async () => {
    const run = await byorCli(['--nope']);
    expect([run.code, run.err]).toEqual([
      1,
      "Unrecognized option or bad number of args for: '--nope'\n",
    ]);
  });
});
