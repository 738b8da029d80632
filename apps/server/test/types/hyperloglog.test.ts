import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { HllCache, HLL_CACHE_ENTRIES } from '../../src/types/hyperloglog-cache.js';
import {
  hashBytes,
  lastHash,
  murmurHash64A,
  hllPattern,
} from '../../src/types/hyperloglog-hash.js';
import {
  EMPTY_HLL,
  HLL_DENSE_SIZE,
  HLL_REGISTERS,
  HyperLogLog,
  cachedCardinality,
  cardinalityReply,
  countRegisters,
  isHllString,
} from '../../src/types/hyperloglog.js';

/**
 * Model tests: random operation sequences on a HyperLogLog against a plain array of 16384
 * register values, with the structure checked after every step. The bytes themselves are
 * compared with redis-server's by the differential suite.
 */

const scratch = new Uint8Array(HLL_REGISTERS);
/** The first register where the HLL and the model differ, as "index: hll vs model", or "". */
const registerDifference = (hll: HyperLogLog, model: Uint8Array): string => {
  scratch.fill(0);
  if (!hll.mergeInto(scratch)) return 'corrupted';
  for (let i = 0; i < HLL_REGISTERS; i++)
    if (scratch[i] !== model[i]) return `${i}: ${scratch[i]} vs ${model[i]}`;
  return '';
};

/** The (register, count) an element hashes to. */
const pattern = (element: string): [number, number] => {
  murmurHash64A(element);
  const pattern = hllPattern();
  return [pattern >> 6, pattern & 63];
};

type Op =
  | { kind: 'add'; element: string }
  | { kind: 'set'; index: number; value: number }
  | { kind: 'dense' }
  | { kind: 'count' }
  | { kind: 'roundTrip' };

const index = fc.oneof(
  fc.integer({ min: 0, max: HLL_REGISTERS - 1 }),
  fc.constantFrom(0, 1, 63, 64, 65, 8191, 8192, 16382, 16383),
  fc.integer({ min: 100, max: 120 }), // neighbours: VAL opcodes split and merge
);
const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ kind: fc.constant('add' as const), element: fc.string() }) },
  {
    weight: 6,
    arbitrary: fc.record({
      kind: fc.constant('set' as const),
      index,
      value: fc.oneof(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 51 })),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('dense' as const) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('count' as const) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('roundTrip' as const) }) },
);

describe('HyperLogLog against an array of registers', () => {
  it('random operation sequences keep registers, counts and structure', () => {
    fc.assert(
      fc.property(
        fc.array(op, { maxLength: 250 }),
        fc.constantFrom(30, 60, 200, 3000),
        (ops, maxBytes) => {
          let hll = HyperLogLog.create();
          const model = new Uint8Array(HLL_REGISTERS);
          for (const step of ops) {
            const wasSparse = hll.sparse;
            const lengthBefore = hll.length;
            switch (step.kind) {
              case 'add':
              case 'set': {
                const [at, count] =
                  step.kind === 'add' ? pattern(step.element) : [step.index, step.value];
                const expected = count > model[at]! ? 1 : 0;
                const result =
                  step.kind === 'add'
                    ? hll.add(step.element, maxBytes)
                    : hll.setRegister(at, count, maxBytes);
                expect(result).toBe(expected);
                if (expected) model[at] = count;
                if (wasSparse && !hll.sparse) {
                  // promoted: a value the sparse form cannot hold, or no room for a split
                  expect(count > 32 || lengthBefore + 3 > maxBytes).toBe(true);
                }
                break;
              }
              case 'dense':
                expect(hll.toDense()).toBe(true);
                expect(hll.sparse).toBe(false);
                break;
              case 'count':
                expect(hll.count()).toBe(countRegisters(model));
                break;
              case 'roundTrip': {
                const text = hll.toString();
                expect(isHllString(text)).toBe(true);
                hll = HyperLogLog.fromString(text);
                expect(hll.toString()).toBe(text);
                break;
              }
            }
            hll.checkInvariants();
            if (hll.sparse) expect(hll.length).toBeLessThanOrEqual(Math.max(maxBytes, 18));
            else expect(hll.length).toBe(HLL_DENSE_SIZE);
            expect(registerDifference(hll, model)).toBe('');
          }
          // the sparse and dense forms of the same registers count the same
          const count = hll.count();
          expect(hll.toDense()).toBe(true);
          expect(hll.count()).toBe(count);
          for (let i = 0; i < HLL_REGISTERS; i += 97) expect(hll.denseRegister(i)).toBe(model[i]);
        },
      ),
      { numRuns: 100 },
    );
  });

  it('a new HLL is the 18 bytes redis-server creates, counting 0', () => {
    const hll = HyperLogLog.create();
    expect(hll.toString()).toBe(EMPTY_HLL);
    expect(hll.decode()).toBe('Z:16384');
    expect(hll.count()).toBe(0);
    expect(cachedCardinality(EMPTY_HLL)).toBe(0);
    hll.checkInvariants();
  });

  it('sparse opcode splits, as redis-server writes them', () => {
    const cases: [number, number, string][] = [
      [0, 1, 'v:1,1 Z:16383'],
      [16383, 2, 'Z:16383 v:2,1'],
      [64, 3, 'z:64 v:3,1 Z:16319'],
      [65, 3, 'Z:65 v:3,1 Z:16318'],
      [63, 3, 'z:63 v:3,1 Z:16320'],
      [1, 32, 'z:1 v:32,1 Z:16382'],
    ];
    for (const [at, value, decoded] of cases) {
      const hll = HyperLogLog.create();
      expect(hll.setRegister(at, value, 3000)).toBe(1);
      expect(hll.decode()).toBe(decoded);
      hll.checkInvariants();
    }
    // equal neighbours merge into one VAL of up to 4 registers
    const hll = HyperLogLog.create();
    for (const at of [10, 12, 11, 13, 14]) hll.setRegister(at, 5, 3000);
    expect(hll.decode()).toBe('z:10 v:5,4 v:5,1 Z:16369');
    // a value above 32 makes it dense
    expect(hll.setRegister(20, 33, 3000)).toBe(1);
    expect(hll.sparse).toBe(false);
    expect(hll.denseRegister(20)).toBe(33);
  });

  it('corrupted sparse data is reported, not read past', () => {
    const header = 'HYLL\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x80';
    const short = HyperLogLog.fromString(header + '\x7e\x7f'); // XZERO:16000
    expect(short.count()).toBe(-1);
    expect(short.mergeInto(new Uint8Array(HLL_REGISTERS))).toBe(false);
    expect(short.toDense()).toBe(false);
    expect(short.sparse).toBe(true);
    expect(HyperLogLog.fromString(header).add('a', 3000)).toBe(-1);
    const overflow = HyperLogLog.fromString(header + '\x7f\xfe\x8b'); // XZERO:16383 VAL:3,4
    expect(overflow.count()).toBe(-1);
    expect(overflow.toDense()).toBe(false);
  });

  it('cached cardinalities: valid, invalid, past 2^53, and the overflow value', () => {
    const withCard = (card: string) => `HYLL\x01\x00\x00\x00${card}\x7f\xff`;
    expect(cachedCardinality(withCard('\x05\x00\x00\x00\x00\x00\x00\x00'))).toBe(5);
    expect(cachedCardinality(withCard('\x05\x00\x00\x00\x00\x00\x00\x80'))).toBe(-1);
    expect(cachedCardinality(withCard('\xff\xff\xff\xff\xff\xff\x1f\x00'))).toBe(2 ** 53 - 1);
    expect(cachedCardinality(withCard('\x01\x00\x00\x00\x00\x00\x20\x00'))).toBe(2n ** 53n + 1n);
    expect(cachedCardinality(withCard('\xff\xff\xff\xff\xff\xff\xff\x7f'))).toBe(2n ** 63n - 1n);
    expect(cardinalityReply(2 ** 63)).toBe(-(2n ** 63n));
    expect(cardinalityReply(12)).toBe(12);
    const hll = HyperLogLog.create();
    hll.setCachedCardinality(2 ** 63);
    expect(cachedCardinality(hll.toString())).toBe(-1);
    hll.setCachedCardinality(1234567);
    expect(cachedCardinality(hll.toString())).toBe(1234567);
  });

  it('isHllString: what isHLLObjectOrReply accepts', () => {
    const table: [string, boolean][] = [
      [EMPTY_HLL, true],
      ['HYLL\x01' + '\x00'.repeat(11), true], // a bare header passes; its body is checked on use
      ['HYLL\x01' + '\x00'.repeat(10), false],
      ['HYLX\x01' + '\x00'.repeat(11), false],
      ['HYLL\x02' + '\x00'.repeat(11), false],
      ['HYLL\x00' + '\x00'.repeat(11), false],
      ['HYLL\x00' + '\x00'.repeat(HLL_DENSE_SIZE - 5), true],
      ['HYLL\x00' + '\x00'.repeat(HLL_DENSE_SIZE - 4), false],
      ['', false],
    ];
    for (const [value, expected] of table) expect(isHllString(value)).toBe(expected);
  });
});

describe('MurmurHash64A', () => {
  it('hashes strings and bytes alike, at every tail length', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 40 }), (bytes) => {
        hashBytes(bytes, bytes.length);
        const fromBytes = [lastHash[0]!, lastHash[1]!];
        murmurHash64A(Buffer.from(bytes).toString('latin1'));
        expect([lastHash[0]!, lastHash[1]!]).toEqual(fromBytes);
      }),
    );
  });

  it('matches a BigInt reference implementation', () => {
    const M = 0xc6a4a7935bd1e995n;
    const MASK = (1n << 64n) - 1n;
    const reference = (bytes: Uint8Array): bigint => {
      let h = (0xadc83b19n ^ (BigInt(bytes.length) * M)) & MASK;
      const blocks = bytes.length - (bytes.length & 7);
      for (let i = 0; i < blocks; i += 8) {
        let k = 0n;
        for (let b = 7; b >= 0; b--) k = (k << 8n) | BigInt(bytes[i + b]!);
        k = (k * M) & MASK;
        k ^= k >> 47n;
        k = (k * M) & MASK;
        h ^= k;
        h = (h * M) & MASK;
      }
      const rest = bytes.length & 7;
      if (rest) {
        for (let b = rest - 1; b >= 0; b--) h ^= BigInt(bytes[blocks + b]!) << BigInt(8 * b);
        h = (h * M) & MASK;
      }
      h ^= h >> 47n;
      h = (h * M) & MASK;
      h ^= h >> 47n;
      return h;
    };
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        hashBytes(bytes, bytes.length);
        const hash = (BigInt(lastHash[0]!) << 32n) | BigInt(lastHash[1]!);
        expect(hash).toBe(reference(bytes));
        // hllPatLen: the low 14 bits index the register, then the position of the first 1
        const pattern = hllPattern();
        const count = pattern & 63;
        expect(pattern >> 6).toBe(Number(hash & 0x3fffn));
        let rest = (hash >> 14n) | (1n << 50n);
        let expected = 1;
        while ((rest & 1n) === 0n) {
          rest >>= 1n;
          expected++;
        }
        expect(count).toBe(expected);
      }),
      { numRuns: 300 },
    );
  });
});

describe('HllCache', () => {
  it('reuses a buffer only for the exact string it holds, least recently used evicted', () => {
    const cache = new HllCache();
    const first = cache.acquire('k', EMPTY_HLL);
    expect(cache.acquire('k', EMPTY_HLL)).toBe(first);
    first.add('a', 3000);
    const changed = first.toString();
    // the key changed under the cache (a SET): the old buffer is not used
    const other = cache.acquire('k', changed);
    expect(other).not.toBe(first);
    expect(other.toString()).toBe(changed);
    cache.store('k', changed, other);
    expect(cache.acquire('k', changed)).toBe(other);
    for (let i = 0; i < HLL_CACHE_ENTRIES + 5; i++) cache.acquire(`key${i}`, EMPTY_HLL);
    expect(cache.size).toBe(HLL_CACHE_ENTRIES);
    expect(cache.acquire('k', changed)).not.toBe(other);
    cache.drop('k');
    expect(cache.size).toBe(HLL_CACHE_ENTRIES - 1);
  });
});
