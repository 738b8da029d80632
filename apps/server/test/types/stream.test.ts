import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  ConsumerGroup,
  ENTRIES_READ_UNKNOWN,
  type Consumer,
} from '../../src/types/stream-group.js';
import {
  ID_END,
  ID_START,
  ID_STRICT,
  PartialId,
  StreamId,
  autoId,
  compareIds,
  nextId,
  parseStreamId,
  parseUint64,
  previousId,
} from '../../src/types/stream-id.js';
import { intElementBytes, stringElementBytes, StreamNode } from '../../src/types/stream-node.js';
import { PendingList } from '../../src/types/stream-pending.js';
import { raxNodeCount } from '../../src/types/stream-rax.js';
import { StreamValue, type StreamLimits, type TrimOptions } from '../../src/types/stream.js';

const U64 = '18446744073709551615';

describe('stream IDs', () => {
  it('parses arguments as streamGenericParseIDOrReply does', () => {
    const table: [string, typeof ID_START, string | undefined][] = [
      ['1-2', ID_START, '1-2'],
      ['5', ID_START, '5-0'],
      ['5', ID_END, `5-${U64}`],
      ['-', ID_START, '0-0'],
      ['+', ID_END, `${U64}-${U64}`],
      ['-', ID_STRICT, undefined],
      ['+', ID_STRICT, undefined],
      ['', ID_START, undefined],
      ['1-', ID_START, undefined],
      ['-1', ID_START, undefined],
      ['1-2-3', ID_START, undefined],
      ['01-007', ID_START, '1-7'],
      [' 3-\t4', ID_START, '3-4'],
      ['+3-+4', ID_START, '3-4'],
      ['-01-1', ID_START, undefined],
      ['1--01', ID_START, `1-${U64}`],
      ['1--9223372036854775809', ID_START, '1-9223372036854775807'],
      ['1--5', ID_START, undefined],
      [`${U64}-${U64}`, ID_STRICT, `${U64}-${U64}`],
      ['18446744073709551616-0', ID_START, undefined],
      ['9007199254740993-9007199254740993', ID_START, '9007199254740993-9007199254740993'],
      ['0x10', ID_START, undefined],
      ['1.5', ID_START, undefined],
      ['7\x00junk', ID_START, '7-0'],
      ['1'.repeat(127), ID_START, undefined],
      ['1'.repeat(128), ID_START, undefined],
      ['0'.repeat(126) + '1', ID_START, '1-0'],
      ['5-*', ID_START, undefined],
    ];
    for (const [text, syntax, expected] of table) {
      const id = parseStreamId(text, syntax);
      expect([text, id === undefined ? undefined : String(id)]).toEqual([text, expected]);
    }
    const partial = parseStreamId('5-*', ID_STRICT, true);
    expect(partial).toBeInstanceOf(PartialId);
    expect(String((partial as PartialId).ms)).toBe('5-0');
    expect(parseStreamId('*', ID_STRICT, true)).toBeUndefined();
  });

  it('reads uint64 as string2ull: strict int64 first, then strtoull', () => {
    expect(parseUint64('0')).toEqual([0, 0]);
    expect(parseUint64('4294967296')).toEqual([1, 0]);
    expect(parseUint64(U64)).toEqual([0xffffffff, 0xffffffff]);
    expect(parseUint64('-0')).toEqual([0, 0]);
    expect(parseUint64('-1')).toBeUndefined();
    expect(parseUint64('-')).toBeUndefined();
    expect(parseUint64(' ')).toBeUndefined();
    expect(parseUint64('1 ')).toBeUndefined();
  });

  it('increments, decrements, compares and generates IDs at the edges', () => {
    expect(String(nextId(StreamId.of(1, 4294967295)))).toBe('1-4294967296');
    expect(String(nextId(new StreamId(0, 7, 0xffffffff, 0xffffffff)))).toBe('8-0');
    expect(nextId(StreamId.MAX)).toBeUndefined();
    expect(String(previousId(StreamId.of(8, 0)))).toBe(`7-${U64}`);
    expect(previousId(StreamId.MIN)).toBeUndefined();
    expect(compareIds(StreamId.of(2, 0), StreamId.of(1, 9))).toBe(1);
    expect(compareIds(StreamId.of(1, 9), StreamId.of(1, 9))).toBe(0);
    expect(String(autoId(StreamId.of(5, 3), 10))).toBe('10-0');
    expect(String(autoId(StreamId.of(5, 3), 5))).toBe('5-4');
    expect(String(autoId(StreamId.of(5, 3), 1))).toBe('5-4');
    expect(StreamId.of(2 ** 53 - 1, 0).ms).toBe(2n ** 53n - 1n);
    expect(String(StreamId.fromBigInt(2n ** 64n - 1n, 5n))).toBe(`${U64}-5`);
  });

  it('round-trips any uint64 pair through text', () => {
    const u64 = fc.bigInt({ min: 0n, max: 2n ** 64n - 1n });
    fc.assert(
      fc.property(u64, u64, (ms, seq) => {
        const id = StreamId.fromBigInt(ms, seq);
        expect(id.toString()).toBe(`${ms}-${seq}`);
        expect(String(parseStreamId(id.toString(), ID_STRICT))).toBe(id.toString());
        expect([id.ms, id.seq]).toEqual([ms, seq]);
      }),
    );
  });
});

describe('listpack element sizes', () => {
  it('counts bytes as listpack.c encodes them', () => {
    const strings: [string, number][] = [
      ['', 2],
      ['a', 3],
      ['x'.repeat(63), 65],
      ['x'.repeat(64), 67],
      ['x'.repeat(125), 128],
      ['x'.repeat(126), 130],
      ['x'.repeat(4095), 4099],
      ['x'.repeat(4096), 4103],
      ['x'.repeat(16377), 16384],
      ['x'.repeat(16378), 16386],
      ['0', 2],
      ['127', 2],
      ['128', 3],
      ['-1', 3],
      ['-4096', 3],
      ['4096', 4],
      ['32768', 5],
      ['8388608', 6],
      ['2147483648', 10],
      ['9223372036854775807', 10],
      ['-9223372036854775808', 10],
      ['9223372036854775808', 21],
      ['-0', 4],
      ['01', 4],
      ['1.0', 5],
    ];
    for (const [text, bytes] of strings)
      expect([text.slice(0, 12), stringElementBytes(text)]).toEqual([text.slice(0, 12), bytes]);
    expect(intElementBytes(0)).toBe(2);
    expect(intElementBytes(-3)).toBe(3);
    expect(intElementBytes(2 ** 40)).toBe(10);
  });

  it('tracks a node listpack size: master entry, same-field and other entries, tombstones', () => {
    const node = new StreamNode(['f']);
    // header 6 + end 1, master: count 1, deleted 1, num-fields 1, "f", terminator 0: 2 bytes each but "f" 3
    expect(node.listpackBytes).toBe(7 + 2 + 2 + 2 + 3 + 2);
    node.append(StreamId.of(5, 0), ['f', 'v'], 0, 1);
    // flags, ms delta 0, seq delta 0, "v", lp-count 4
    expect(node.listpackBytes).toBe(18 + 2 + 2 + 2 + 3 + 2);
    node.append(StreamId.of(5, 200), ['g', 'w', 'h', '1'], 0, 2);
    // flags, 0, 200 (2 bytes + 1), num-fields 2, g w h 1, lp-count 8
    expect(node.listpackBytes).toBe(29 + 2 + 2 + 3 + 2 + 3 + 3 + 3 + 2 + 2);
    node.markDeleted(0);
    expect(node.listpackBytes).toBe(51);
    expect([node.live, node.deleted, node.size]).toEqual([1, 1, 2]);
  });
});

// ---------------------------------------------------------------------------------------------

interface ModelEntry {
  id: string;
  pairs: string[];
}

type StreamOp =
  | { kind: 'append'; msStep: number; pairs: string[] }
  | { kind: 'delete'; pick: number }
  | {
      kind: 'trim';
      strategy: 'maxlen' | 'minid';
      value: number;
      approximate: boolean;
      limit: number;
    }
  | { kind: 'range'; from: number; to: number; reverse: boolean };

const pairsArbitrary = fc
  .array(
    fc.tuple(
      fc.constantFrom('a', 'b', 'n', '1', 'x'.repeat(70)),
      fc.oneof(fc.string({ maxLength: 8 }), fc.integer().map(String), fc.constant('y'.repeat(300))),
    ),
    { minLength: 1, maxLength: 3 },
  )
  .map((pairs) => pairs.flat());

const streamOp: fc.Arbitrary<StreamOp> = fc.oneof(
  {
    weight: 8,
    arbitrary: fc.record({
      kind: fc.constant('append' as const),
      msStep: fc.constantFrom(0, 0, 1, 7),
      pairs: pairsArbitrary,
    }),
  },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('delete' as const), pick: fc.nat() }) },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('trim' as const),
      strategy: fc.constantFrom('maxlen' as const, 'minid' as const),
      value: fc.nat({ max: 60 }),
      approximate: fc.boolean(),
      limit: fc.constantFrom(0, 0, 3, 10),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('range' as const),
      from: fc.nat(),
      to: fc.nat(),
      reverse: fc.boolean(),
    }),
  },
);

describe('StreamValue', () => {
  it('matches a sorted-array model; nodes, lengths and metadata stay consistent', () => {
    fc.assert(
      fc.property(
        fc.array(streamOp, { maxLength: 120 }),
        fc.constantFrom<StreamLimits>(
          { nodeMaxBytes: 4096, nodeMaxEntries: 100 },
          { nodeMaxBytes: 4096, nodeMaxEntries: 4 },
          { nodeMaxBytes: 200, nodeMaxEntries: 0 },
          { nodeMaxBytes: 0, nodeMaxEntries: 1 },
        ),
        (ops, limits) => {
          const stream = new StreamValue();
          const model: ModelEntry[] = [];
          const everAdded: string[] = [];
          let ms = 1;
          let seq = 0;
          for (const step of ops) {
            switch (step.kind) {
              case 'append': {
                if (step.msStep === 0) seq++;
                else {
                  ms += step.msStep;
                  seq = 0;
                }
                const id = StreamId.of(ms, seq);
                stream.append(id, step.pairs, 0, step.pairs.length / 2, limits);
                model.push({ id: id.toString(), pairs: step.pairs });
                everAdded.push(id.toString());
                expect(stream.lastId.toString()).toBe(id.toString());
                break;
              }
              case 'delete': {
                const target = everAdded[step.pick % Math.max(1, everAdded.length)];
                if (target === undefined) break;
                const at = model.findIndex((entry) => entry.id === target);
                const id = parseStreamId(target, ID_STRICT) as StreamId;
                expect(stream.deleteEntries([id])).toBe(at >= 0 ? 1 : 0);
                if (at >= 0) model.splice(at, 1);
                break;
              }
              case 'trim': {
                const options: TrimOptions = {
                  strategy: step.strategy,
                  maxLength: step.value,
                  minId: StreamId.of(step.value, 0),
                  approximate: step.approximate,
                  limit: step.approximate ? step.limit : 0,
                };
                const exact = model.filter((entry, i) =>
                  step.strategy === 'maxlen'
                    ? i < model.length - step.value
                    : compareIds(parseStreamId(entry.id, ID_STRICT) as StreamId, options.minId) < 0,
                ).length;
                const removed = stream.trim(options);
                if (step.approximate) expect(removed).toBeLessThanOrEqual(exact);
                else expect(removed).toBe(exact);
                if (step.strategy === 'maxlen' && options.limit === 0) {
                  // no whole first node could have gone, and an exact trim leaves no empty node
                  const first = stream.nodes[0];
                  if (first && stream.length > step.value)
                    expect(stream.length - first.live).toBeLessThan(step.value);
                  if (!step.approximate)
                    for (const node of stream.nodes) expect(node.live).toBeGreaterThan(0);
                }
                model.splice(0, removed);
                break;
              }
              case 'range': {
                const a = everAdded[step.from % Math.max(1, everAdded.length)] ?? '0-0';
                const b = everAdded[step.to % Math.max(1, everAdded.length)] ?? '0-0';
                const start = parseStreamId(a, ID_STRICT) as StreamId;
                const end = parseStreamId(b, ID_STRICT) as StreamId;
                const it = stream.iterator(start, end, step.reverse);
                const got: ModelEntry[] = [];
                while (it.next()) got.push({ id: it.id().toString(), pairs: it.pairs() });
                const want = model.filter((entry) => {
                  const id = parseStreamId(entry.id, ID_STRICT) as StreamId;
                  return compareIds(id, start) >= 0 && compareIds(id, end) <= 0;
                });
                expect(got).toEqual(step.reverse ? want.reverse() : want);
                break;
              }
            }
            stream.checkInvariants();
            expect(stream.length).toBe(model.length);
            expect(stream.entriesAdded).toBe(everAdded.length);
            expect(stream.firstId.toString()).toBe(model[0]?.id ?? '0-0');
            expect(stream.lastValidId()?.toString()).toBe(model.at(-1)?.id);
            for (const node of stream.nodes) {
              if (limits.nodeMaxEntries)
                expect(node.size).toBeLessThanOrEqual(limits.nodeMaxEntries);
            }
          }
          const copy = stream.clone();
          copy.checkInvariants();
          const all: string[] = [];
          const it = copy.iterator(StreamId.MIN, StreamId.MAX, false);
          while (it.next()) all.push(it.id().toString());
          expect(all).toEqual(model.map((entry) => entry.id));
        },
      ),
    );
  });

  it('keeps the largest deleted ID and the read counter estimates of XINFO', () => {
    const stream = new StreamValue();
    const limits = { nodeMaxBytes: 4096, nodeMaxEntries: 100 };
    for (let i = 1; i <= 5; i++) stream.append(StreamId.of(1, i), ['f', 'v'], 0, 1, limits);
    expect(stream.estimateEntriesRead(StreamId.of(1, 5))).toBe(5);
    expect(stream.estimateEntriesRead(StreamId.of(1, 1))).toBe(1);
    expect(stream.estimateEntriesRead(StreamId.of(0, 9))).toBe(0);
    expect(stream.estimateEntriesRead(StreamId.of(1, 3))).toBe(ENTRIES_READ_UNKNOWN);
    expect(stream.estimateEntriesRead(StreamId.of(2, 0))).toBe(ENTRIES_READ_UNKNOWN);
    expect(stream.deleteEntries([StreamId.of(1, 3), StreamId.of(1, 1), StreamId.of(9, 9)])).toBe(2);
    expect(stream.maxDeletedId.toString()).toBe('1-3');
    expect(stream.firstId.toString()).toBe('1-2');
    expect(stream.rangeHasTombstones(StreamId.of(1, 2), StreamId.MAX)).toBe(true);
    expect(stream.rangeHasTombstones(StreamId.of(1, 4), StreamId.MAX)).toBe(false);
    const group = stream.createGroup('g', StreamId.of(1, 2), 2);
    expect(stream.createGroup('g', StreamId.MIN, 0)).toBeUndefined();
    expect(stream.lag(group as ConsumerGroup)).toBeUndefined();
    (group as ConsumerGroup).lastId = StreamId.of(1, 5);
    expect(stream.lag(group as ConsumerGroup)).toBe(3);
    expect(stream.radixTreeNodes()).toBe(2);
  });
});

// ---------------------------------------------------------------------------------------------

describe('PendingList', () => {
  it('matches a sorted array: insert, delete, get, first, last, walks from any ID', () => {
    const op = fc.oneof(
      fc.record({ kind: fc.constant('insert' as const), key: fc.nat({ max: 400 }) }),
      fc.record({ kind: fc.constant('delete' as const), key: fc.nat({ max: 400 }) }),
      fc.record({ kind: fc.constant('walk' as const), key: fc.nat({ max: 400 }) }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 600 }), (ops) => {
        const list = new PendingList<{ id: StreamId; tag: number }>();
        const model: number[] = [];
        for (const step of ops) {
          const id = StreamId.of(Math.floor(step.key / 7), step.key % 7);
          switch (step.kind) {
            case 'insert': {
              const fresh = !model.includes(step.key);
              expect(list.insert({ id, tag: step.key })).toBe(fresh);
              if (fresh) {
                model.push(step.key);
                model.sort((a, b) => a - b);
              }
              break;
            }
            case 'delete': {
              const at = model.indexOf(step.key);
              expect(list.delete(id)?.tag).toBe(at >= 0 ? step.key : undefined);
              if (at >= 0) model.splice(at, 1);
              break;
            }
            case 'walk': {
              const seen: number[] = [];
              list.forEachFrom(id, (item) => {
                seen.push(item.tag);
                return seen.length < 5;
              });
              expect(seen).toEqual(model.filter((key) => key >= step.key).slice(0, 5));
              expect(list.firstAfter(id)?.tag).toBe(model.find((key) => key > step.key));
              expect(list.get(id)?.tag).toBe(model.includes(step.key) ? step.key : undefined);
              break;
            }
          }
          list.checkInvariants();
          expect(list.size).toBe(model.length);
          expect(list.first()?.tag).toBe(model[0]);
          expect(list.last()?.tag).toBe(model.at(-1));
        }
        expect([...list].map((item) => item.tag)).toEqual(model);
      }),
    );
  });
});

describe('ConsumerGroup', () => {
  it('keeps the group PEL and the consumer PELs in step', () => {
    const op = fc.oneof(
      fc.record({
        kind: fc.constant('deliver' as const),
        id: fc.nat({ max: 30 }),
        consumer: fc.constantFrom('a', 'b', 'c'),
      }),
      fc.record({ kind: fc.constant('ack' as const), id: fc.nat({ max: 30 }) }),
      fc.record({
        kind: fc.constant('claim' as const),
        id: fc.nat({ max: 30 }),
        consumer: fc.constantFrom('a', 'b', 'c', 'd'),
      }),
      fc.record({
        kind: fc.constant('drop' as const),
        consumer: fc.constantFrom('a', 'b', 'c', 'd'),
      }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 150 }), (ops) => {
        const group = new ConsumerGroup('g', StreamId.MIN, 0);
        const owner = new Map<number, string>();
        const consumer = (name: string): Consumer => {
          const found = group.consumers.get(name) ?? group.createConsumer(name, 0);
          if (found === undefined) throw new Error('unreachable');
          return found;
        };
        for (const step of ops) {
          switch (step.kind) {
            case 'deliver': {
              const entry = group.deliver(StreamId.of(step.id, 0), consumer(step.consumer), 10);
              expect(entry.deliveryCount).toBe(1);
              owner.set(step.id, step.consumer);
              break;
            }
            case 'ack':
              expect(group.acknowledge(StreamId.of(step.id, 0))).toBe(owner.delete(step.id));
              break;
            case 'claim': {
              const entry = group.pending.get(StreamId.of(step.id, 0));
              expect(entry !== undefined).toBe(owner.has(step.id));
              if (entry) {
                group.transfer(entry, consumer(step.consumer));
                owner.set(step.id, step.consumer);
              }
              break;
            }
            case 'drop': {
              const target = group.consumers.get(step.consumer);
              if (target) {
                group.deleteConsumer(target);
                for (const [id, name] of owner) if (name === step.consumer) owner.delete(id);
              }
              break;
            }
          }
          group.checkInvariants();
          expect(group.pending.size).toBe(owner.size);
          for (const [id, name] of owner)
            expect(group.pending.get(StreamId.of(id, 0))?.consumer?.name).toBe(name);
        }
        const copy = group.clone();
        copy.checkInvariants();
        expect(copy.pending.size).toBe(group.pending.size);
      }),
    );
  });
});

describe('raxNodeCount', () => {
  /** Reference: the compressed-trie node count from the set of every prefix of every key. */
  function reference(keys: string[]): number {
    const children = new Map<string, Set<string>>();
    for (const key of keys)
      for (let depth = 0; depth < key.length; depth++) {
        const prefix = key.slice(0, depth);
        let set = children.get(prefix);
        if (!set) children.set(prefix, (set = new Set()));
        set.add(key[depth] ?? '');
      }
    let count = 1;
    const points = new Set<string>();
    for (const key of keys)
      for (let depth = 1; depth <= key.length; depth++) points.add(key.slice(0, depth));
    for (const point of points) {
      const branching = (children.get(point)?.size ?? 0) >= 2;
      const parentBranching = (children.get(point.slice(0, -1))?.size ?? 0) >= 2;
      if (point.length === 16 || branching || parentBranching) count++;
    }
    return count;
  }

  it('counts the nodes of the compressed trie of 16-byte big-endian keys', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.tuple(fc.nat({ max: 70000 }), fc.nat({ max: 300 })), { maxLength: 40 }),
        (pairs) => {
          const ids = pairs.map(([ms, seq]) => StreamId.of(ms, seq)).sort(compareIds);
          const nodes = ids.map((id) => {
            const node = new StreamNode(['f']);
            node.append(id, ['f', 'v'], 0, 1);
            return node;
          });
          const keys = ids.map((id) => {
            const bytes = Buffer.alloc(16);
            bytes.writeUInt32BE(id.msHi, 0);
            bytes.writeUInt32BE(id.msLo, 4);
            bytes.writeUInt32BE(id.seqHi, 8);
            bytes.writeUInt32BE(id.seqLo, 12);
            return bytes.toString('latin1');
          });
          expect(raxNodeCount(nodes)).toBe(reference(keys));
        },
      ),
    );
    expect(raxNodeCount([])).toBe(1);
  });
});
