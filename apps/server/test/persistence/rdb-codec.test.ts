import { closeSync, mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { ListValue } from '../../src/types/list.js';
import { describe, expect, it } from 'vitest';
import { crc64 } from '../../src/persistence/crc64.js';
import { RdbChecksumError, RdbFormatError } from '../../src/persistence/errors.js';
import {
  DEFAULT_VALUE_LIMITS,
  RdbDecoder,
  type RdbRefill,
  type ValueLimits,
} from '../../src/persistence/rdb-decoder.js';
import { RdbEncoder } from '../../src/persistence/rdb-encoder.js';
import { RdbType } from '../../src/persistence/rdb-format.js';
import { fileRefill, readRdb } from '../../src/persistence/rdb-reader.js';
import { RdbSnapshotFormat } from '../../src/persistence/snapshot-formats.js';
import type { Value } from '../../src/values.js';
import { withFileChecksum } from './helpers.js';
import { build, canonical, plainOf, plainValue, type Limits, DEFAULT_LIMITS } from './values.js';

function limitsFor(limits: Limits): ValueLimits {
  return {
    hashMaxListpackEntries: limits.hashEntries,
    hashMaxListpackValue: limits.hashValue,
    setMaxIntsetEntries: limits.intsetEntries,
    zset: limits.zset,
  };
}

function decodeDump(
  payload: string,
  limits: ValueLimits = limitsFor(DEFAULT_LIMITS),
): Value | undefined {
  const bytes = Buffer.from(payload, 'latin1');
  const decoder = new RdbDecoder(bytes, limits, 0, bytes.length - 10);
  return decoder.value(decoder.byte());
}

function encodingOf(value: Value): string {
  return typeof value === 'string' ? 'string' : value.encoding();
}

describe('RDB value encoding', () => {
  it('round-trips every type and encoding through a DUMP payload, keeping the encoding', () => {
    for (const compression of [true, false]) {
      const encoder = new RdbEncoder({ compression });
      fc.assert(
        fc.property(plainValue, (plain) => {
          const value = build(plain);
          const payload = encoder.dump(value);
          const bytes = Buffer.from(payload, 'latin1');
          // trailer: RDB version 10 then the CRC-64 of everything before it
          expect(bytes.readUInt16LE(bytes.length - 10)).toBe(10);
          expect(bytes.readBigUInt64LE(bytes.length - 8)).toBe(crc64(bytes, 0, bytes.length - 8));
          const decoded = decodeDump(payload) as Value;
          expect(plainOf(decoded)).toEqual(canonical(plain));
          expect(encodingOf(decoded)).toBe(encodingOf(value));
        }),
        { numRuns: 150 },
      );
    }
  });

  it('converts on load as redis-server does when the limits are smaller', () => {
    const encoder = new RdbEncoder({ compression: true });
    const small: Limits = {
      hashEntries: 2,
      hashValue: 3,
      intsetEntries: 2,
      zset: { maxListpackEntries: 2, maxListpackValue: 3 },
    };
    const cases: [Value, string][] = [
      [
        build({
          type: 'hash',
          pairs: [
            ['a', '1'],
            ['b', '2'],
            ['c', '3'],
          ],
        }),
        'hashtable',
      ],
      [build({ type: 'hash', pairs: [['a', 'long value']] }), 'hashtable'],
      [build({ type: 'set', members: ['1', '2', '3'] }), 'hashtable'],
      [
        build({
          type: 'zset',
          entries: [
            ['a', 1],
            ['b', 2],
            ['c', 3],
          ],
        }),
        'skiplist',
      ],
      // a listpack sorted set keeps its encoding whatever its member lengths (rdb.c checks entries only)
      [build({ type: 'zset', entries: [['long member', 1]] }), 'listpack'],
      [build({ type: 'set', members: ['1', '2'] }), 'intset'],
    ];
    for (const [value, expected] of cases) {
      const decoded = decodeDump(encoder.dump(value), limitsFor(small)) as Value;
      expect(encodingOf(decoded)).toBe(expected);
      expect(plainOf(decoded)).toEqual(plainOf(value));
    }
    // and a hashtable that fits comes back compact
    const wide = build({ type: 'hash', pairs: [['f', 'x'.repeat(100)]] });
    expect(encodingOf(wide)).toBe('hashtable');
    expect(encodingOf(decodeDump(encoder.dump(wide)) as Value)).toBe('hashtable');
    const narrowed = build({ type: 'hash', pairs: [['f', 'v']] });
    expect(encodingOf(decodeDump(encoder.dump(narrowed)) as Value)).toBe('listpack');
  });

  it.each([
    ['string int8', 'a', '7', '00c007'],
    ['string int16', 'a', '-300', '00c1d4fe'],
    ['string int32', 'a', '100000', '00c2a0860100'],
    ['string past int32', 'a', '4294967296', '000a34323934393637323936'],
    ['string not canonical', 'a', '007', '0003303037'],
    ['short string', 'a', 'hello', '000568656c6c6f'],
  ])('%s', (_name, _key, value, hex) => {
    const encoder = new RdbEncoder({ compression: true });
    const payload = Buffer.from(encoder.dump(value), 'latin1');
    expect(payload.subarray(0, payload.length - 10).toString('hex')).toBe(hex);
  });

  it('writes 14-bit and 32-bit lengths', () => {
    const encoder = new RdbEncoder({ compression: false });
    for (const [length, header] of [
      [63, '3f'],
      [64, '4040'],
      [16383, '7fff'],
      [16384, '8000004000'],
    ] as const) {
      const payload = Buffer.from(encoder.dump('y'.repeat(length)), 'latin1');
      expect(payload.subarray(1, 1 + header.length / 2).toString('hex')).toBe(header);
    }
  });

  it('splits a long list into quicklist nodes of at most 8 KB', () => {
    const encoder = new RdbEncoder({ compression: false });
    const list = build({
      type: 'list',
      items: Array.from({ length: 1000 }, (_, i) => `element-${i}`),
    });
    const bytes = Buffer.from(encoder.dump(list), 'latin1');
    expect(bytes[0]).toBe(RdbType.LIST_QUICKLIST_2);
    const decoder = new RdbDecoder(bytes, DEFAULT_VALUE_LIMITS, 1, bytes.length - 10);
    const nodes = decoder.len();
    expect(nodes).toBeGreaterThan(1);
    for (let n = 0; n < nodes; n++) {
      expect(decoder.len()).toBe(2); // PACKED
      expect(decoder.blob().length).toBeLessThanOrEqual(8192);
    }
    // a list made under list-max-listpack-size 5: five elements per node
    const five = Buffer.from(
      encoder.dump(ListValue.from(['a', 'b', 'c', 'd', 'e', 'f'], { fill: 5, compress: 0 })),
      'latin1',
    );
    expect(five[1]).toBe(2); // two nodes
  });
});

describe('RDB files', () => {
  function rdbFile(keys: [number, string, Value, number | undefined][]): Buffer {
    const format = new RdbSnapshotFormat(
      { compression: true },
      {
        redisVersion: '7.0.15',
        createdAt: 1700000000,
        usedMemory: 1000,
        aofBase: false,
        functions: [],
      },
    );
    format.begin();
    let db = -1;
    for (const [index, key, value, expireAt] of keys) {
      if (index !== db) {
        format.selectDb(index, 1, 0);
        db = index;
      }
      format.key(key, value, expireAt);
    }
    format.end();
    return withFileChecksum(format.out.view());
  }

  function read(bytes: Buffer, checksum = true, refill?: RdbRefill) {
    const keys: [number, string, Value, number | undefined][] = [];
    const aux: Record<string, string> = {};
    const result = readRdb(
      refill ? Buffer.alloc(0) : bytes,
      {
        aux: (name, value) => {
          aux[name] = value;
        },
        key: (db, key, value, expireAt) => keys.push([db, key, value, expireAt]),
      },
      { limits: DEFAULT_VALUE_LIMITS, checksum, ...(refill && { refill }) },
    );
    return { keys, aux, result };
  }

  /** A refill that hands `bytes` out in windows of the given sizes (cycled; more when asked). */
  function inWindows(bytes: Buffer, sizes: readonly number[]): RdbRefill {
    let offset = 0;
    let turn = 0;
    return (window, pos, end, count) => {
      const size = Math.max(count - (end - pos), sizes[turn++ % sizes.length] ?? 1);
      const next = Buffer.concat([
        window.subarray(pos, end),
        bytes.subarray(offset, offset + size),
      ]);
      offset = Math.min(bytes.length, offset + size);
      return next;
    };
  }

  /** What a read gives, in a form to compare: the keys, AUX fields and result, or the error. */
  function outcome(bytes: Buffer, refill?: RdbRefill) {
    try {
      const { keys, aux, result } = read(bytes, true, refill);
      return {
        keys: keys.map(([db, key, value, at]) => [db, key, plainOf(value), at]),
        aux,
        result,
      };
    } catch (error) {
      return { error: `${(error as Error).name}: ${(error as Error).message}` };
    }
  }

  it('reads a file in windows of any size as it reads it whole, errors included', () => {
    const entry = fc.tuple(
      fc.constantFrom(0, 0, 2),
      fc.string({ maxLength: 12 }),
      plainValue,
      fc.option(fc.integer({ min: 1_700_000_000_000, max: 1_800_000_000_000 }), {
        nil: undefined,
      }),
    );
    fc.assert(
      fc.property(
        fc.uniqueArray(entry, { maxLength: 8, selector: ([db, key]) => `${db}:${key}` }),
        fc.array(fc.integer({ min: 1, max: 300 }), { minLength: 1, maxLength: 6 }),
        fc.option(fc.tuple(fc.nat(), fc.integer({ min: 1, max: 255 })), { nil: undefined }),
        (entries, sizes, flip) => {
          const sorted = [...entries].sort(([a], [b]) => a - b);
          const bytes = rdbFile(sorted.map(([db, key, plain, at]) => [db, key, build(plain), at]));
          if (flip)
            bytes.writeUInt8(bytes[flip[0] % bytes.length]! ^ flip[1], flip[0] % bytes.length);
          const whole = outcome(bytes);
          expect(outcome(bytes, inWindows(bytes, sizes))).toEqual(whole);
          if (!flip) expect(whole).toHaveProperty('keys');
        },
      ),
      { numRuns: 300 },
    );
  });

  it('reads a file through fileRefill without holding it, and fails on a length past its end', () => {
    const dir = mkdtempSync(join(tmpdir(), 'byor-rdb-'));
    try {
      const big = 'v'.repeat(3 << 20);
      const bytes = rdbFile([
        [0, 'a', 'x', undefined],
        [0, 'big', big, undefined],
        [0, 'c', build({ type: 'list', items: ['1', '2'] }), undefined],
      ]);
      const path = join(dir, 'dump.rdb');
      writeFileSync(path, bytes);
      const fd = openSync(path, 'r');
      try {
        expect(outcome(bytes, fileRefill(fd))).toEqual(outcome(bytes));
      } finally {
        closeSync(fd);
      }
      // a string announcing 2^32 - 1 bytes: the reader fails without allocating them
      const lying = Buffer.concat([
        Buffer.from('REDIS0010'),
        Buffer.from([0xfe, 0, 0x00, 1, 0x6b, 0x80, 0xff, 0xff, 0xff, 0xff]),
      ]);
      writeFileSync(path, lying);
      const lyingFd = openSync(path, 'r');
      try {
        expect(outcome(lying, fileRefill(lyingFd))).toEqual({
          error: 'RdbFormatError: unexpected end of RDB data',
        });
      } finally {
        closeSync(lyingFd);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('writes the header and AUX fields redis-server 7.0 writes', () => {
    const bytes = rdbFile([]);
    expect(bytes.subarray(0, 9).toString()).toBe('REDIS0010');
    const { aux, result } = read(bytes);
    expect(aux).toEqual({
      'redis-ver': '7.0.15',
      'redis-bits': '64',
      ctime: '1700000000',
      'used-mem': '1000',
      'aof-base': '0',
    });
    expect(result.end).toBe(bytes.length);
  });

  it('reads back keys of several databases with their expiry', () => {
    const bytes = rdbFile([
      [0, 'a', 'x', undefined],
      [0, 'b', build({ type: 'list', items: ['1', '2'] }), 1700000000123],
      [3, 'c', build({ type: 'set', members: ['m'] }), undefined],
    ]);
    const { keys } = read(bytes);
    expect(keys.map(([db, key, value, at]) => [db, key, plainOf(value), at])).toEqual([
      [0, 'a', { type: 'string', value: 'x' }, undefined],
      [0, 'b', { type: 'list', items: ['1', '2'] }, 1700000000123],
      [3, 'c', { type: 'set', members: ['m'] }, undefined],
    ]);
  });

  it('checks the CRC-64 trailer unless it is zero or checking is off', () => {
    const bytes = rdbFile([[0, 'a', 'value', undefined]]);
    const corrupt = Buffer.from(bytes);
    corrupt[corrupt.length - 1] = (corrupt[corrupt.length - 1] ?? 0) ^ 0xff;
    expect(() => read(corrupt)).toThrow(RdbChecksumError);
    expect(read(corrupt, false).keys).toHaveLength(1);
    const zero = Buffer.from(bytes);
    zero.fill(0, zero.length - 8);
    expect(read(zero).keys).toHaveLength(1);
  });

  it.each([
    ['a wrong signature', (b: Buffer) => Buffer.concat([Buffer.from('RADIS'), b.subarray(5)])],
    [
      'a version from the future',
      (b: Buffer) => Buffer.concat([Buffer.from('REDIS0013'), b.subarray(9)]),
    ],
    ['a truncated body', (b: Buffer) => b.subarray(0, b.length - 12)],
    [
      'an unknown value type',
      (b: Buffer) => {
        const copy = Buffer.from(b);
        copy[copy.indexOf(Buffer.from([0x00, 0x01, 0x61]))] = 42;
        return copy;
      },
    ],
  ])('refuses %s', (_name, mutate) => {
    const bytes = mutate(rdbFile([[0, 'a', 'x', undefined]]));
    expect(() => read(bytes, false)).toThrow(RdbFormatError);
  });

  it('skips empty collections (as redis-server does)', () => {
    // type LIST (1), key "k", zero elements
    const body = Buffer.concat([
      Buffer.from('REDIS0009'),
      Buffer.from([0xfe, 0, 1, 1, 0x6b, 0, 0xff]),
    ]);
    const bytes = Buffer.concat([body, Buffer.alloc(8)]);
    const { keys, result } = read(bytes);
    expect(keys).toHaveLength(0);
    expect(result.emptySkipped).toBe(1);
  });
});
