import fc from 'fast-check';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../src/index.js';
import { BitmapBuffer, BitmapCache } from '../src/types/bitmap-buffer.js';
import type { Database } from '../src/keyspace.js';
import { redisAvailable, startPair, type Pair } from './differential/harness.js';

/**
 * Bitmaps: the BitmapBuffer (bytes + rope of chunk strings) against a Uint8Array model, its cache,
 * and the commands over TCP against a Uint8Array model of the bitmap (random SETBIT / BITFIELD /
 * SETRANGE / SET sequences, checked with GETBIT, GET, BITCOUNT, BITPOS after each step).
 */

const latin1 = (bytes: Uint8Array): string => Buffer.from(bytes).toString('latin1');

describe('BitmapBuffer', () => {
  type Op =
    | { kind: 'grow'; length: number }
    | { kind: 'set'; index: number; byte: number }
    | { kind: 'commit' };
  const op: fc.Arbitrary<Op> = fc.oneof(
    fc.record({ kind: fc.constant('grow' as const), length: fc.integer({ min: 0, max: 40_000 }) }),
    fc.record({
      kind: fc.constant('set' as const),
      index: fc.integer({ min: 0, max: 40_000 }),
      byte: fc.integer({ min: 0, max: 255 }),
    }),
    fc.record({ kind: fc.constant('commit' as const) }),
  );

  it('matches a byte-array model through random grows, writes and commits', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'binary-ascii', maxLength: 9000 }),
        fc.array(op, { maxLength: 60 }),
        (initial, ops) => {
          const buffer = new BitmapBuffer(initial);
          let model: Uint8Array = Uint8Array.from(Buffer.from(initial, 'latin1'));
          buffer.checkInvariants();
          expect(buffer.value).toBe(initial);
          for (const step of ops) {
            if (step.kind === 'grow') {
              const grew = buffer.grow(step.length);
              expect(grew).toBe(step.length > model.length);
              if (grew) {
                const next = new Uint8Array(step.length);
                next.set(model);
                model = next;
              }
            } else if (step.kind === 'set') {
              if (step.index >= model.length) continue;
              buffer.setByte(step.index, step.byte);
              model[step.index] = step.byte;
            } else {
              expect(buffer.commit()).toBe(latin1(model));
              buffer.checkInvariants();
            }
            expect(buffer.length).toBe(model.length);
            for (const index of [0, model.length - 1, model.length, model.length >> 1])
              expect(buffer.byteAt(index)).toBe(
                index >= 0 && index < model.length ? model[index] : 0,
              );
          }
          expect(buffer.commit()).toBe(latin1(model));
          buffer.checkInvariants();
        },
      ),
      { numRuns: 60 },
    );
  });

  it('edits one chunk of a large value without touching the others', () => {
    const buffer = new BitmapBuffer('\0'.repeat(1 << 20));
    const before = buffer.value;
    buffer.setByte(5000, 0xff);
    const after = buffer.commit();
    expect(after.length).toBe(1 << 20);
    expect(after.charCodeAt(5000)).toBe(0xff);
    expect(after.charCodeAt(4999)).toBe(0);
    expect(before.charCodeAt(5000)).toBe(0);
    buffer.checkInvariants();
  });

  it('grows past its tree (re-rooting) and keeps zero padding', () => {
    const buffer = new BitmapBuffer('ab');
    expect(buffer.grow(1)).toBe(false);
    expect(buffer.grow(10_000)).toBe(true);
    buffer.setByte(9_999, 0x41);
    const value = buffer.commit();
    expect(value.length).toBe(10_000);
    expect(value.slice(0, 3)).toBe('ab\0');
    expect(value.charCodeAt(9_999)).toBe(0x41);
    buffer.checkInvariants();
  });
});

describe('BitmapCache', () => {
  const db = {} as Database;
  const other = {} as Database;

  it('returns the cached buffer only for the exact value it produced', () => {
    const cache = new BitmapCache(1 << 20, 8);
    const buffer = cache.acquire(db, 'k', 'abcdefghij');
    buffer.setByte(0, 0x41);
    const value = buffer.commit();
    cache.done(db, 'k', buffer);
    expect(cache.size).toBe(1);
    expect(cache.peek(db, 'k', value)).toBe(buffer);
    expect(cache.acquire(db, 'k', value)).toBe(buffer);
    expect(cache.peek(db, 'k', 'abcdefghij')).toBeUndefined();
    expect(cache.peek(other, 'k', value)).toBeUndefined();
    expect(cache.peek(db, 'other', value)).toBeUndefined();
    // a stale entry is dropped and rebuilt from the string
    const fresh = cache.acquire(db, 'k', 'zzzzzzzzzz');
    expect(fresh).not.toBe(buffer);
    expect(fresh.value).toBe('zzzzzzzzzz');
    expect(cache.size).toBe(0);
    expect(cache.bytes).toBe(0);
  });

  it('keeps small strings out and evicts the least recently used past its budget', () => {
    const cache = new BitmapCache(100, 8);
    const small = cache.acquire(db, 's', 'abc');
    cache.done(db, 's', small);
    expect(cache.size).toBe(0);
    const names = ['a', 'b', 'c', 'd'];
    for (const name of names) {
      const buffer = cache.acquire(db, name, 'x'.repeat(30));
      cache.done(db, name, buffer);
      expect(cache.bytes).toBeLessThanOrEqual(100);
    }
    expect(cache.size).toBe(3);
    expect(cache.peek(db, 'a', 'x'.repeat(30))).toBeUndefined();
    expect(cache.peek(db, 'd', 'x'.repeat(30))).toBeDefined();
  });
});

/** Reference semantics, bit by bit. */
function bitOf(model: Uint8Array, bit: number): number {
  const byte = bit >> 3;
  return byte < model.length ? ((model[byte] ?? 0) >> (7 - (bit & 7))) & 1 : 0;
}

/** The inclusive bit range BITCOUNT/BITPOS look at, or undefined for an empty one. */
function bitRange(
  length: number,
  start: number,
  end: number,
  isBit: boolean,
): [number, number] | undefined {
  const total = isBit ? length * 8 : length;
  if (start < 0) start = Math.max(0, total + start);
  if (end < 0) end = Math.max(0, total + end);
  if (end >= total) end = total - 1;
  if (start > end) return undefined;
  return isBit ? [start, end] : [start * 8, end * 8 + 7];
}

function modelBitcount(model: Uint8Array, range?: [number, number, boolean]): number {
  if (range && range[0] < 0 && range[1] < 0 && range[0] > range[1]) return 0;
  const bits = range ? bitRange(model.length, ...range) : bitRange(model.length, 0, -1, false);
  if (!bits) return 0;
  let count = 0;
  for (let i = bits[0]; i <= bits[1]; i++) count += bitOf(model, i);
  return count;
}

function modelBitpos(
  model: Uint8Array,
  bit: number,
  start?: number,
  end?: number,
  isBit = false,
): number {
  const bits = bitRange(
    model.length,
    start ?? 0,
    end ?? (isBit ? model.length * 8 + 7 : -1),
    isBit,
  );
  if (!bits) return -1;
  for (let i = bits[0]; i <= bits[1]; i++) if (bitOf(model, i) === bit) return i;
  // with no explicit end, the string continues with zeros
  if (bit === 0 && end === undefined) return (Math.floor(bits[1] / 8) + 1) * 8;
  return -1;
}

interface FieldType {
  readonly signed: boolean;
  readonly bits: number;
}

function readModelField(model: Uint8Array, offset: number, type: FieldType): bigint {
  let value = 0n;
  for (let i = 0; i < type.bits; i++) value = (value << 1n) | BigInt(bitOf(model, offset + i));
  return type.signed ? BigInt.asIntN(type.bits, value) : value;
}

function writeModelField(model: Uint8Array, offset: number, type: FieldType, value: bigint): void {
  const raw = BigInt.asUintN(type.bits, value);
  for (let i = 0; i < type.bits; i++) {
    const bit = offset + i;
    const byte = bit >> 3;
    const mask = 1 << (7 - (bit & 7));
    const on = (raw >> BigInt(type.bits - 1 - i)) & 1n;
    model[byte] = on ? (model[byte] ?? 0) | mask : (model[byte] ?? 0) & ~mask;
  }
}

/** BITFIELD's result for one value in unbounded arithmetic: in range, wrapped, clamped, or null. */
function fit(value: bigint, type: FieldType, overflow: string): bigint | null {
  const min = type.signed ? -(1n << BigInt(type.bits - 1)) : 0n;
  const max = type.signed ? (1n << BigInt(type.bits - 1)) - 1n : (1n << BigInt(type.bits)) - 1n;
  if (value >= min && value <= max) return value;
  if (overflow === 'FAIL') return null;
  if (overflow === 'SAT') return value > max ? max : min;
  return type.signed ? BigInt.asIntN(type.bits, value) : BigInt.asUintN(type.bits, value);
}

const grown = (model: Uint8Array, length: number): Uint8Array => {
  if (length <= model.length) return model;
  const next = new Uint8Array(length);
  next.set(model);
  return next;
};

type Command =
  | { kind: 'setbit'; offset: number; value: number }
  | {
      kind: 'bitfield';
      op: 'SET' | 'INCRBY';
      type: FieldType;
      offset: number;
      value: bigint;
      overflow: string;
    }
  | { kind: 'setrange'; offset: number; text: string }
  | { kind: 'set'; text: string };

const fieldType: fc.Arbitrary<FieldType> = fc.oneof(
  fc.record({ signed: fc.constant(true), bits: fc.integer({ min: 1, max: 64 }) }),
  fc.record({ signed: fc.constant(false), bits: fc.integer({ min: 1, max: 63 }) }),
);
// offsets reach past 16 KiB, where the server keeps the bitmap in its edit cache
const bitOffset = fc.oneof(fc.integer({ min: 0, max: 300 }), fc.integer({ min: 0, max: 200_000 }));
const command: fc.Arbitrary<Command> = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.record({
      kind: fc.constant('setbit' as const),
      offset: bitOffset,
      value: fc.integer({ min: 0, max: 1 }),
    }),
  },
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('bitfield' as const),
      op: fc.constantFrom('SET' as const, 'INCRBY' as const),
      type: fieldType,
      offset: bitOffset,
      value: fc.oneof(
        fc.bigInt({ min: -300n, max: 300n }),
        fc.bigInt({ min: -(1n << 63n), max: (1n << 63n) - 1n }),
        fc.bigInt({ min: -(1n << 63n), max: -(1n << 63n) + 100n }),
      ),
      overflow: fc.constantFrom('WRAP', 'SAT', 'FAIL'),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('setrange' as const),
      offset: fc.integer({ min: 0, max: 30_000 }),
      text: fc.string({ unit: 'binary-ascii', minLength: 1, maxLength: 8 }),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('set' as const),
      text: fc.string({ unit: 'binary-ascii', maxLength: 20 }),
    }),
  },
);
const probe = fc.record({
  bit: fc.integer({ min: 0, max: 1 }),
  start: fc.integer({ min: -30_000, max: 30_000 }),
  end: fc.integer({ min: -30_000, max: 30_000 }),
  isBit: fc.boolean(),
  offset: bitOffset,
});

describe('bitmap commands against a byte-array model', () => {
  let server: RunningServer;
  let client: Redis;
  /** integers as strings: BITFIELD's i64/u63 values pass 2^53 */
  let exact: Redis;
  beforeAll(async () => {
    server = await startServer({ port: 0 });
    client = new Redis({ port: server.port, host: '127.0.0.1' });
    exact = new Redis({ port: server.port, host: '127.0.0.1', stringNumbers: true });
  });
  afterAll(async () => {
    client.disconnect();
    exact.disconnect();
    await server.close();
  });

  it('random SETBIT / BITFIELD / SETRANGE / SET sequences', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(command, probe), { minLength: 1, maxLength: 25 }),
        async (steps) => {
          await client.del('bm');
          let model: Uint8Array = new Uint8Array(0);
          for (const [step, check] of steps) {
            if (step.kind === 'setbit') {
              model = grown(model, (step.offset >> 3) + 1);
              const previous = bitOf(model, step.offset);
              writeModelField(model, step.offset, { signed: false, bits: 1 }, BigInt(step.value));
              expect(await client.setbit('bm', step.offset, step.value)).toBe(previous);
            } else if (step.kind === 'bitfield') {
              model = grown(model, ((step.offset + step.type.bits - 1) >> 3) + 1);
              const name = `${step.type.signed ? 'i' : 'u'}${step.type.bits}`;
              const old = readModelField(model, step.offset, step.type);
              const wanted =
                step.op === 'INCRBY'
                  ? old + step.value
                  : step.type.signed
                    ? step.value
                    : BigInt.asUintN(64, step.value);
              let next = fit(wanted, step.type, step.overflow);
              // redis-server's int64 wraparound: SET of a signed field to a value at or below
              // max - 2^63 counts as an overflow upward (SAT stores the maximum, not the minimum)
              const max = (1n << BigInt(step.type.bits - 1)) - 1n;
              if (
                step.op === 'SET' &&
                step.type.signed &&
                step.type.bits < 64 &&
                step.overflow === 'SAT' &&
                wanted <= max - (1n << 63n)
              )
                next = max;
              if (next !== null) writeModelField(model, step.offset, step.type, next);
              const expected = next === null ? null : String(step.op === 'INCRBY' ? next : old);
              const reply = (await exact.call(
                'BITFIELD',
                'bm',
                'OVERFLOW',
                step.overflow,
                step.op,
                name,
                String(step.offset),
                String(step.value),
              )) as (number | string | null)[];
              expect(reply.map((v) => (v === null ? null : String(v)))).toEqual([expected]);
            } else if (step.kind === 'setrange') {
              model = grown(model, step.offset + step.text.length);
              model.set(Buffer.from(step.text, 'latin1'), step.offset);
              expect(await client.setrange('bm', step.offset, step.text)).toBe(model.length);
            } else {
              model = Uint8Array.from(Buffer.from(step.text, 'latin1'));
              await client.set('bm', step.text);
            }
            const value = await client.getBuffer('bm');
            expect(value && Buffer.compare(value, Buffer.from(model))).toBe(0);
            expect(await client.getbit('bm', check.offset)).toBe(bitOf(model, check.offset));
            expect(await client.bitcount('bm')).toBe(modelBitcount(model));
            const unit = check.isBit ? 'BIT' : 'BYTE';
            expect(await client.call('BITCOUNT', 'bm', check.start, check.end, unit)).toBe(
              modelBitcount(model, [check.start, check.end, check.isBit]),
            );
            expect(await client.bitpos('bm', check.bit)).toBe(modelBitpos(model, check.bit));
            expect(await client.call('BITPOS', 'bm', check.bit, check.start)).toBe(
              modelBitpos(model, check.bit, check.start),
            );
            expect(await client.call('BITPOS', 'bm', check.bit, check.start, check.end, unit)).toBe(
              modelBitpos(model, check.bit, check.start, check.end, check.isBit),
            );
          }
        },
      ),
      { numRuns: 80 },
    );
  });

  it('sets every third bit of a 32 KiB bitmap one by one (through the edit cache)', async () => {
    await client.del('seq');
    const bits = 32 * 1024 * 8;
    const pipeline = client.pipeline();
    for (let bit = 0; bit < bits; bit += 3) pipeline.setbit('seq', bit, 1);
    const replies = await pipeline.exec();
    expect(replies?.every(([error, reply]) => error === null && reply === 0)).toBe(true);
    expect(await client.strlen('seq')).toBe(Math.floor((bits - 3) / 8) + 1);
    expect(await client.bitcount('seq')).toBe(Math.ceil(bits / 3));
    expect(await client.getbit('seq', 3 * 1000)).toBe(1);
    expect(await client.getbit('seq', 3 * 1000 + 1)).toBe(0);
    await client.append('seq', 'x');
    expect(await client.setbit('seq', 1, 1)).toBe(0);
    expect((await client.getBuffer('seq'))?.subarray(-1).toString('latin1')).toBe('x');
  });
});

describe.skipIf(!redisAvailable)('bitmap keyspace notifications match redis-server', () => {
  let pair: Pair;
  beforeAll(async () => {
    pair = await startPair({ 'notify-keyspace-events': 'KEA' });
  });
  afterAll(async () => {
    await pair.stop();
  });

  const events = async (port: number): Promise<string[]> => {
    const subscriber = new Redis({ port, host: '127.0.0.1' });
    const client = new Redis({ port, host: '127.0.0.1' });
    const seen: string[] = [];
    try {
      subscriber.on('pmessage', (_pattern: string, channel: string, message: string) => {
        seen.push(`${channel}:${message}`);
      });
      await subscriber.psubscribe('__key*__:*');
      await client.flushall();
      seen.length = 0;
      await client.setbit('b', 7, 1);
      await client.setbit('b', 7, 1); // unchanged: no event
      await client.setbit('b', 7, 0);
      await client.setbit('b', 100, 0); // grows: an event
      await client.call('BITFIELD', 'b', 'SET', 'u8', '0', '0'); // unchanged
      await client.call('BITFIELD', 'b', 'INCRBY', 'u8', '0', '1');
      await client.call('BITFIELD', 'b', 'OVERFLOW', 'FAIL', 'INCRBY', 'u2', '0', '100');
      await client.call('BITFIELD', 'n', 'OVERFLOW', 'FAIL', 'INCRBY', 'u2', '0', '100');
      await client.call('BITFIELD', 'b', 'GET', 'u8', '0');
      await client.call('BITOP', 'NOT', 'd', 'b');
      await client.call('BITOP', 'AND', 'd', 'missing');
      await client.call('BITOP', 'AND', 'd', 'missing');
      await client.rpush('l', '2', '1');
      await client.call('SORT', 'l', 'STORE', 's');
      await client.call('SORT', 'missing', 'STORE', 's');
      await client.call('SORT', 'missing', 'STORE', 's');
      await client.ping();
      await new Promise((resolve) => setTimeout(resolve, 50));
      return seen;
    } finally {
      subscriber.disconnect();
      client.disconnect();
    }
  };

  it('setbit, bitfield, bitop, sortstore and del events', async () => {
    const byor = await events(pair.byor.port);
    const redis = await events(pair.redis.port);
    expect(byor).toEqual(redis);
    expect(byor).toContain('__keyspace@0__:b:setbit');
    expect(byor).toContain('__keyevent@0__:sortstore:s');
  });
});
