/**
 * In-process CPU time per command of the server's own work, without sockets: a pre-encoded
 * pipeline (what redis-benchmark sends for each test, 16 commands per batch, random keys of
 * `-r 100000`) goes through the RESP parser, the server's dispatch and the handlers, and the
 * replies into the shared writer, which is reset per batch as the network does.
 *
 *   npx tsx bench/dispatch.ts [--tests set,get] [--commands 300000] [--rounds 7] [--parse-only]
 *
 * CPU time (process.cpuUsage), median of the rounds after a warm-up: what a change to the
 * parser, the dispatch or a handler saves per command, with little of the machine's noise.
 */
import { parseArgs } from 'node:util';
import { RequestParser } from '@byor/protocol';
import type { ClientConnection } from '../src/client.js';
import { allCommands } from '../src/commands/index.js';
import { Config } from '../src/config/config.js';
import { silentLogger } from '../src/logger.js';
import { Server } from '../src/server.js';
import { benchArgs } from './ports.js';

const { values: options } = parseArgs({
  args: benchArgs(),
  options: {
    tests: { type: 'string', default: 'set,get,incr,lpush,lpop,sadd,hset,zadd,lrange_100,mset' },
    commands: { type: 'string', default: '300000' },
    rounds: { type: 'string', default: '7' },
    pipeline: { type: 'string', default: '16' },
    'parse-only': { type: 'boolean', default: false },
    /**
     * distinct pre-encoded batches, cycled: 8192 x 16 commands reach most of the 100k keys, so
     * lookups miss the CPU caches as redis-benchmark's random keys do (64 fit in L2)
     */
    batches: { type: 'string', default: '8192' },
  },
});
const COMMANDS = Number(options.commands);
const ROUNDS = Number(options.rounds);
const PIPELINE = Number(options.pipeline);
const BATCHES = Number(options.batches);

function resp(args: readonly string[]): string {
  return `*${args.length}\r\n${args.map((a) => `$${a.length}\r\n${a}\r\n`).join('')}`;
}

let seed = 1;
function random(): number {
  seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
  return seed;
}
const key = (prefix: string) => `${prefix}:${String(random() % 100000).padStart(12, '0')}`;
const VALUE = 'x'.repeat(16);

/** redis-benchmark's commands for each test (-d 16 -r 100000). */
const generators: Record<string, () => string[]> = {
  set: () => ['SET', key('key'), VALUE],
  get: () => ['GET', key('key')],
  ping: () => ['PING'],
  incr: () => ['INCR', key('counter')],
  lpush: () => ['LPUSH', 'mylist', VALUE],
  lpop: () => ['LPOP', 'mylist'],
  sadd: () => ['SADD', 'myset', `element:${String(random() % 100000).padStart(12, '0')}`],
  hset: () => ['HSET', 'myhash', `element:${String(random() % 100000).padStart(12, '0')}`, VALUE],
  zadd: () => ['ZADD', 'myzset', String(random() % 100000), `element:${random() % 100000}`],
  lrange_100: () => ['LRANGE', 'mylist', '0', '99'],
  mset: () => {
    const argv = ['MSET'];
    for (let i = 0; i < 10; i++) argv.push(key('key'), VALUE);
    return argv;
  },
};

const stub: ClientConnection = {
  remoteAddress: '127.0.0.1',
  remotePort: 1,
  localAddress: '127.0.0.1',
  localPort: 6379,
  unix: false,
  queryBufferBytes: 0,
  outputBufferBytes: 0,
  write: () => undefined,
  close: () => undefined,
  pause: () => undefined,
  resume: () => undefined,
  setOutputClass: () => undefined,
  setIdleExempt: () => undefined,
};

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[sorted.length >> 1] ?? 0;
}

const config = new Config();
const server = new Server(config, silentLogger(), { now: () => Date.now() }, allCommands);
const client = server.createClient(stub);
const writer = server.writer;

console.log(
  `| test | ns/cmd (CPU, ${options['parse-only'] ? 'parse only' : 'parse + dispatch'}) |`,
);
console.log('|---|---:|');
for (const test of options.tests.split(',')) {
  const generate = generators[test];
  if (!generate) throw new Error(`unknown test ${test}`);
  // distinct batches, cycled: random keys without generating them in the timed loop
  const batches: Buffer[] = [];
  for (let b = 0; b < BATCHES; b++) {
    let text = '';
    for (let i = 0; i < PIPELINE; i++) text += resp(generate());
    batches.push(Buffer.from(text, 'latin1'));
  }
  if (test === 'get') {
    // GET finds its keys, as in a redis-benchmark run after SET: every key of -r 100000
    const parser = new RequestParser();
    for (let i = 0; i < 100000; i++) {
      parser.push(Buffer.from(resp(['SET', `key:${String(i).padStart(12, '0')}`, VALUE])));
      server.execute(client, parser.next()!);
      writer.reset();
    }
  }
  if (test === 'lpop' || test === 'lrange_100') {
    const fill = Buffer.from(resp(['LPUSH', 'mylist', ...Array<string>(600).fill(VALUE)]));
    const parser = new RequestParser();
    parser.push(fill);
    server.execute(client, parser.next()!);
    writer.reset();
  }
  const parser = new RequestParser();
  // each batch is copied into one read buffer first, as the kernel copies into the network's
  // shared read buffer: the parser reads warm bytes, only the keyspace misses the caches
  const input = Buffer.alloc(Math.max(...batches.map((batch) => batch.length)));
  const run = (count: number) => {
    const parseOnly = options['parse-only'];
    for (let done = 0, b = 0; done < count; b = (b + 1) % BATCHES) {
      const batch = batches[b]!;
      batch.copy(input);
      parser.push(input.subarray(0, batch.length));
      for (let argv = parser.next(); argv !== undefined; argv = parser.next()) {
        if (!parseOnly) server.execute(client, argv);
        done++;
      }
      writer.reset();
      if (test === 'lpop' && (b & 31) === 0) {
        // keep the list from running empty
        parser.push(Buffer.from(resp(['LPUSH', 'mylist', ...Array<string>(600).fill(VALUE)])));
        server.execute(client, parser.next()!);
        writer.reset();
      }
    }
  };
  run(COMMANDS);
  const samples: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const start = process.cpuUsage();
    run(COMMANDS);
    const used = process.cpuUsage(start);
    samples.push(((used.user + used.system) * 1000) / COMMANDS);
    await new Promise((resolve) => setImmediate(resolve)); // batch-time microtasks, timers
  }
  console.log(`| ${test.toUpperCase()} | ${median(samples).toFixed(0)} |`);
}
