/**
 * The oracle: random ZSET command sequences run against redis-server and against SortedSet,
 * replies compared value by value (and OBJECT ENCODING after every ZADD). Skipped when no
 * redis-server is installed; REDIS_SERVER overrides its path.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AddOutcome,
  SortedSet,
  SortedSetEncoding,
  type AddOptions,
  type LexBound,
  type ScoreBound,
  type ScoredMember,
} from '../src/index.js';

const redisServer = process.env.REDIS_SERVER ?? '/usr/bin/redis-server';
const available = existsSync(redisServer);
const LISTPACK_ENTRIES = 4;
const LISTPACK_VALUE = 8;

type Reply = string | number | null | Error | Reply[];

/** A minimal RESP2 client: commands as arrays of latin1 bulk strings, one reply per command. */
class RespClient {
  readonly #socket: Socket;
  #buffer = Buffer.alloc(0);
  readonly #waiting: ((reply: Reply) => void)[] = [];

  constructor(socket: Socket) {
    this.#socket = socket;
    socket.on('data', (chunk: Buffer) => {
      this.#buffer = Buffer.concat([this.#buffer, chunk]);
      for (;;) {
        const parsed = this.#parse(0);
        if (parsed === undefined) break;
        this.#buffer = this.#buffer.subarray(parsed[1]);
        this.#waiting.shift()?.(parsed[0]);
      }
    });
  }

  send(...args: string[]): Promise<Reply> {
    let frame = `*${args.length}\r\n`;
    for (const arg of args) frame += `$${arg.length}\r\n${arg}\r\n`;
    this.#socket.write(Buffer.from(frame, 'latin1'));
    return new Promise((resolve) => this.#waiting.push(resolve));
  }

  close(): void {
    this.#socket.destroy();
  }

  /** [reply, end offset], or undefined when the buffer holds no complete reply yet */
  #parse(offset: number): [Reply, number] | undefined {
    const buffer = this.#buffer;
    const lineEnd = buffer.indexOf('\r\n', offset, 'latin1');
    if (lineEnd < 0) return undefined;
    const line = buffer.toString('latin1', offset + 1, lineEnd);
    const next = lineEnd + 2;
    switch (String.fromCharCode(buffer[offset]!)) {
      case '+':
        return [line, next];
      case '-':
        return [new Error(line), next];
      case ':':
        return [Number(line), next];
      case '$': {
        const length = Number(line);
        if (length < 0) return [null, next];
        if (buffer.length < next + length + 2) return undefined;
        return [buffer.toString('latin1', next, next + length), next + length + 2];
      }
      case '*': {
        const count = Number(line);
        if (count < 0) return [null, next];
        const items: Reply[] = [];
        let position = next;
        for (let index = 0; index < count; index++) {
          const item = this.#parse(position);
          if (item === undefined) return undefined;
          items.push(item[0]);
          position = item[1];
        }
        return [items, position];
      }
      default:
        throw new Error(`unexpected RESP type at ${offset}`);
    }
  }
}

const formatScore = (value: number): string =>
  value === Infinity
    ? '+inf'
    : value === -Infinity
      ? '-inf'
      : Object.is(value, -0)
        ? '-0'
        : `${value}`;
const formatScoreBound = (bound: ScoreBound): string =>
  (bound.exclusive ? '(' : '') + formatScore(bound.value);
const formatLexBound = (bound: LexBound): string =>
  typeof bound === 'string' ? bound : (bound.exclusive ? '(' : '[') + bound.value;
const parseReplyScore = (text: string): number =>
  text === 'inf' ? Infinity : text === '-inf' ? -Infinity : Number(text);
/** WITHSCORES replies as [member, score] pairs */
function pairs(reply: Reply): ScoredMember[] {
  if (!Array.isArray(reply)) throw new Error(`not an array: ${String(reply)}`);
  const result: ScoredMember[] = [];
  for (let index = 0; index < reply.length; index += 2) {
    result.push([reply[index] as string, parseReplyScore(reply[index + 1] as string)]);
  }
  return result;
}

const memberArbitrary = fc.constantFrom(
  'a',
  'b',
  'c',
  'ab',
  '',
  'a\u0000',
  '\u00ff',
  'zzzzzzzzz',
  'm',
);
const scoreArbitrary = fc.constantFrom(-Infinity, Infinity, 0, -0, 1, 1.5, -2, 3, 1e300, 0.1, 7);
const scoreBoundArbitrary = fc.record({ value: scoreArbitrary, exclusive: fc.boolean() });
const lexBoundArbitrary: fc.Arbitrary<LexBound> = fc.oneof(
  fc.constantFrom('-' as const, '+' as const),
  fc.record({ value: memberArbitrary, exclusive: fc.boolean() }),
);
const limitArbitrary = fc.option(
  fc.record({ offset: fc.integer({ min: -1, max: 5 }), count: fc.integer({ min: -1, max: 5 }) }),
  { nil: undefined },
);
const flagsArbitrary: fc.Arbitrary<AddOptions & { ch?: boolean }> = fc.constantFrom(
  {},
  { nx: true },
  { xx: true },
  { gt: true },
  { lt: true },
  { xx: true, gt: true, ch: true },
  { ch: true },
  { lt: true, ch: true },
  { incr: true },
  { incr: true, xx: true },
  { incr: true, nx: true },
  { incr: true, gt: true },
);

type Command =
  | { kind: 'zadd'; flags: AddOptions & { ch?: boolean }; score: number; member: string }
  | { kind: 'zrem' | 'zscore' | 'zrank' | 'zrevrank'; member: string }
  | { kind: 'zrange'; start: number; stop: number; reverse: boolean }
  | {
      kind: 'zrangebyscore';
      min: ScoreBound;
      max: ScoreBound;
      reverse: boolean;
      limit?: { offset: number; count: number } | undefined;
    }
  | {
      kind: 'zrangebylex';
      min: LexBound;
      max: LexBound;
      reverse: boolean;
      limit?: { offset: number; count: number } | undefined;
    }
  | { kind: 'zcount'; min: ScoreBound; max: ScoreBound }
  | { kind: 'zlexcount'; min: LexBound; max: LexBound }
  | { kind: 'zremrangebyrank'; start: number; stop: number }
  | { kind: 'zremrangebyscore'; min: ScoreBound; max: ScoreBound }
  | { kind: 'zremrangebylex'; min: LexBound; max: LexBound }
  | { kind: 'zpop'; max: boolean; count: number };

/**
 * Commands of one kind: `score` ranges, `lex` ranges over equal scores, or `mixed`: lex ranges
 * over different scores, where the members are not in byte order and the answer is how Redis
 * walks the set (compared on listpacks only: a skiplist's walk depends on its random levels).
 */
type Mode = 'score' | 'lex' | 'mixed';

const LEX_KINDS = new Set(['zrangebylex', 'zlexcount', 'zremrangebylex']);

function commandArbitrary(mode: Mode): fc.Arbitrary<Command> {
  const lex = mode !== 'score';
  const index = fc.integer({ min: -8, max: 8 });
  const score = mode === 'lex' ? fc.constant(0) : scoreArbitrary;
  const flags =
    mode === 'lex' ? fc.constantFrom<AddOptions>({}, { nx: true }, { xx: true }) : flagsArbitrary;
  const common: fc.Arbitrary<Command>[] = [
    fc.record({ kind: fc.constant('zadd' as const), flags, score, member: memberArbitrary }),
    fc.record({ kind: fc.constant('zadd' as const), flags, score, member: memberArbitrary }),
    fc.record({ kind: fc.constant('zadd' as const), flags, score, member: memberArbitrary }),
    fc.record({
      kind: fc.constantFrom(
        'zrem' as const,
        'zscore' as const,
        'zrank' as const,
        'zrevrank' as const,
      ),
      member: memberArbitrary,
    }),
    fc.record({
      kind: fc.constant('zrange' as const),
      start: index,
      stop: index,
      reverse: fc.boolean(),
    }),
    fc.record({ kind: fc.constant('zremrangebyrank' as const), start: index, stop: index }),
    fc.record({
      kind: fc.constant('zpop' as const),
      max: fc.boolean(),
      count: fc.integer({ min: 0, max: 3 }),
    }),
  ];
  const scoreCommands: fc.Arbitrary<Command>[] = [
    fc.record({
      kind: fc.constant('zrangebyscore' as const),
      min: scoreBoundArbitrary,
      max: scoreBoundArbitrary,
      reverse: fc.boolean(),
      limit: limitArbitrary,
    }),
    fc.record({
      kind: fc.constant('zcount' as const),
      min: scoreBoundArbitrary,
      max: scoreBoundArbitrary,
    }),
    fc.record({
      kind: fc.constant('zremrangebyscore' as const),
      min: scoreBoundArbitrary,
      max: scoreBoundArbitrary,
    }),
  ];
  const lexCommands: fc.Arbitrary<Command>[] = [
    fc.record({
      kind: fc.constant('zrangebylex' as const),
      min: lexBoundArbitrary,
      max: lexBoundArbitrary,
      reverse: fc.boolean(),
      limit: limitArbitrary,
    }),
    fc.record({
      kind: fc.constant('zlexcount' as const),
      min: lexBoundArbitrary,
      max: lexBoundArbitrary,
    }),
    fc.record({
      kind: fc.constant('zremrangebylex' as const),
      min: lexBoundArbitrary,
      max: lexBoundArbitrary,
    }),
  ];
  return fc.oneof(...common, ...(lex ? lexCommands : scoreCommands));
}

/** Runs one command on our side, shaped like the reply redis sends (scores parsed). */
function ours(state: { set: SortedSet | undefined }, command: Command): Reply | ScoredMember[] {
  // the server deletes a key whose set became empty, and creates one with ZADD's hints
  const set =
    state.set ??
    new SortedSet({ maxListpackEntries: LISTPACK_ENTRIES, maxListpackValue: LISTPACK_VALUE });
  try {
    switch (command.kind) {
      case 'zadd': {
        if (state.set === undefined) {
          if (command.flags.xx) return command.flags.incr ? null : 0;
          state.set = new SortedSet({
            maxListpackEntries: LISTPACK_ENTRIES,
            maxListpackValue: LISTPACK_VALUE,
            sizeHint: 1,
            memberLengthHint: command.member.length,
          });
          return ours(state, command);
        }
        if (command.flags.incr) {
          const score = set.increment(command.member, command.score, command.flags);
          return Number.isNaN(score)
            ? new Error('ERR resulting score is not a number (NaN)')
            : score;
        }
        const outcome = set.add(command.member, command.score, command.flags);
        return (
          Number(outcome === AddOutcome.ADDED) +
          Number(command.flags.ch === true && outcome === AddOutcome.UPDATED)
        );
      }
      case 'zrem':
        return Number(set.remove(command.member));
      case 'zscore':
        return set.score(command.member) ?? null;
      case 'zrank':
        return set.rank(command.member) ?? null;
      case 'zrevrank':
        return set.rank(command.member, true) ?? null;
      case 'zrange':
        return set.rangeByRank(command.start, command.stop, command.reverse);
      case 'zrangebyscore':
        return set.rangeByScore(command.min, command.max, {
          reverse: command.reverse,
          ...command.limit,
        });
      case 'zrangebylex':
        return set
          .rangeByLex(command.min, command.max, { reverse: command.reverse, ...command.limit })
          .map(([member]) => member);
      case 'zcount':
        return set.countByScore(command.min, command.max);
      case 'zlexcount':
        return set.countByLex(command.min, command.max);
      case 'zremrangebyrank':
        return set.removeRangeByRank(command.start, command.stop);
      case 'zremrangebyscore':
        return set.removeRangeByScore(command.min, command.max);
      case 'zremrangebylex':
        return set.removeRangeByLex(command.min, command.max);
      case 'zpop':
        return command.max ? set.popMax(command.count) : set.popMin(command.count);
    }
    throw new Error('unreachable');
  } finally {
    if (state.set !== undefined && state.set.size === 0) state.set = undefined;
  }
}

/** Sends one command to redis, reply shaped like ours(). */
async function theirs(client: RespClient, command: Command): Promise<Reply | ScoredMember[]> {
  switch (command.kind) {
    case 'zadd': {
      const { flags } = command;
      const words = ['ZADD', 'z'];
      if (flags.nx) words.push('NX');
      if (flags.xx) words.push('XX');
      if (flags.gt) words.push('GT');
      if (flags.lt) words.push('LT');
      if (flags.ch) words.push('CH');
      if (flags.incr) words.push('INCR');
      const reply = await client.send(...words, formatScore(command.score), command.member);
      return typeof reply === 'string' ? parseReplyScore(reply) : reply;
    }
    case 'zrem':
      return client.send('ZREM', 'z', command.member);
    case 'zscore': {
      const reply = await client.send('ZSCORE', 'z', command.member);
      return typeof reply === 'string' ? parseReplyScore(reply) : reply;
    }
    case 'zrank':
      return client.send('ZRANK', 'z', command.member);
    case 'zrevrank':
      return client.send('ZREVRANK', 'z', command.member);
    case 'zrange': {
      const words = ['ZRANGE', 'z', `${command.start}`, `${command.stop}`];
      if (command.reverse) words.push('REV');
      return pairs(await client.send(...words, 'WITHSCORES'));
    }
    case 'zrangebyscore': {
      const { min, max, reverse, limit } = command;
      const words = reverse
        ? ['ZREVRANGEBYSCORE', 'z', formatScoreBound(max), formatScoreBound(min), 'WITHSCORES']
        : ['ZRANGEBYSCORE', 'z', formatScoreBound(min), formatScoreBound(max), 'WITHSCORES'];
      if (limit) words.push('LIMIT', `${limit.offset}`, `${limit.count}`);
      return pairs(await client.send(...words));
    }
    case 'zrangebylex': {
      const { min, max, reverse, limit } = command;
      const words = reverse
        ? ['ZREVRANGEBYLEX', 'z', formatLexBound(max), formatLexBound(min)]
        : ['ZRANGEBYLEX', 'z', formatLexBound(min), formatLexBound(max)];
      if (limit) words.push('LIMIT', `${limit.offset}`, `${limit.count}`);
      return client.send(...words);
    }
    case 'zcount':
      return client.send(
        'ZCOUNT',
        'z',
        formatScoreBound(command.min),
        formatScoreBound(command.max),
      );
    case 'zlexcount':
      return client.send(
        'ZLEXCOUNT',
        'z',
        formatLexBound(command.min),
        formatLexBound(command.max),
      );
    case 'zremrangebyrank':
      return client.send('ZREMRANGEBYRANK', 'z', `${command.start}`, `${command.stop}`);
    case 'zremrangebyscore':
      return client.send(
        'ZREMRANGEBYSCORE',
        'z',
        formatScoreBound(command.min),
        formatScoreBound(command.max),
      );
    case 'zremrangebylex':
      return client.send(
        'ZREMRANGEBYLEX',
        'z',
        formatLexBound(command.min),
        formatLexBound(command.max),
      );
    case 'zpop':
      return pairs(await client.send(command.max ? 'ZPOPMAX' : 'ZPOPMIN', 'z', `${command.count}`));
  }
}

describe.skipIf(!available)('SortedSet against redis-server', () => {
  let server: ChildProcess | undefined;
  let client: RespClient | undefined;
  let directory = '';

  beforeAll(async () => {
    directory = mkdtempSync(join(tmpdir(), 'byor-sortedset-'));
    const socketPath = join(directory, 'redis.sock');
    server = spawn(
      redisServer,
      [
        '--port',
        '0',
        '--unixsocket',
        socketPath,
        '--save',
        '',
        '--appendonly',
        'no',
        '--dir',
        directory,
        '--zset-max-listpack-entries',
        `${LISTPACK_ENTRIES}`,
        '--zset-max-listpack-value',
        `${LISTPACK_VALUE}`,
      ],
      { stdio: 'ignore' },
    );
    for (let attempt = 0; ; attempt++) {
      try {
        const socket = await new Promise<Socket>((resolve, reject) => {
          const candidate = connect(socketPath, () => resolve(candidate));
          candidate.once('error', reject);
        });
        client = new RespClient(socket);
        break;
      } catch (error) {
        if (attempt > 250) throw error;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    }
  });

  afterAll(async () => {
    client?.close();
    if (server && server.exitCode === null) {
      const exited = new Promise((resolve) => server!.once('exit', resolve));
      server.kill('SIGTERM');
      await exited;
    }
    rmSync(directory, { recursive: true, force: true });
  });

  for (const mode of ['score', 'lex', 'mixed'] as const) {
    it(`answers random ${mode} command sequences exactly as redis does`, async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.array(commandArbitrary(mode), { minLength: 1, maxLength: 60, size: 'max' }),
          async (commands) => {
            const redis = client!;
            await redis.send('DEL', 'z');
            const state: { set: SortedSet | undefined } = { set: undefined };
            for (const command of commands) {
              if (
                mode === 'mixed' &&
                LEX_KINDS.has(command.kind) &&
                state.set?.encoding === SortedSetEncoding.SKIPLIST
              )
                continue;
              const expected = await theirs(redis, command);
              const actual = ours(state, command);
              expect(actual, JSON.stringify(command)).toEqual(expected);
              if (command.kind === 'zadd') {
                expect(state.set?.encoding ?? null).toBe(
                  await redis.send('OBJECT', 'ENCODING', 'z'),
                );
              }
            }
            expect(pairs(await redis.send('ZRANGE', 'z', '0', '-1', 'WITHSCORES'))).toEqual(
              state.set ? [...state.set] : [],
            );
          },
        ),
        { numRuns: 150 },
      );
    });
  }
});
