import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  HeapInvariantError,
  InvalidKeyError,
  NumericHeap,
  StaleHandleError,
  type HeapHandle,
} from '../src/index.js';

/** The dumb reference: an array of live entries kept sorted by key. */
interface Entry {
  handle: HeapHandle;
  key: number;
  value: number;
}

function sortedInsert(model: Entry[], entry: Entry): void {
  let index = 0;
  while (index < model.length && model[index]!.key <= entry.key) index++;
  model.splice(index, 0, entry);
}

type Operation =
  | { kind: 'push'; key: number }
  | { kind: 'pushMany'; keys: number[] }
  | { kind: 'pop' }
  | { kind: 'update'; pick: number; key: number }
  | { kind: 'remove'; pick: number }
  | { kind: 'stale'; pick: number }
  | { kind: 'clear' };

// Small key range so that equal keys are common; some fractional and infinite keys.
const keyArbitrary = fc.oneof(
  { weight: 8, arbitrary: fc.integer({ min: -20, max: 20 }) },
  { weight: 1, arbitrary: fc.double({ noNaN: true }) },
  { weight: 1, arbitrary: fc.constantFrom(Infinity, -Infinity) },
);

const operationArbitrary: fc.Arbitrary<Operation> = fc.oneof(
  { weight: 10, arbitrary: fc.record({ kind: fc.constant('push' as const), key: keyArbitrary }) },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('pushMany' as const),
      keys: fc.array(keyArbitrary, { maxLength: 40 }),
    }),
  },
  { weight: 5, arbitrary: fc.record({ kind: fc.constant('pop' as const) }) },
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('update' as const),
      pick: fc.nat(),
      key: keyArbitrary,
    }),
  },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('remove' as const), pick: fc.nat() }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('stale' as const), pick: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('clear' as const) }) },
);

describe('NumericHeap model test', () => {
  it('behaves like a sorted array under random operation sequences', () => {
    fc.assert(
      fc.property(
        fc.array(operationArbitrary, { maxLength: 300 }),
        fc.integer({ min: 1, max: 40 }),
        (operations, initialCapacity) => {
          const heap = new NumericHeap<number>({ initialCapacity });
          const model: Entry[] = [];
          const stale: HeapHandle[] = [];
          let nextValue = 0;
          const expectSame = (): void => {
            heap.checkInvariants();
            expect(heap.size).toBe(model.length);
            expect(heap.peekKey()).toBe(model[0]?.key);
            for (const entry of model) {
              expect(heap.has(entry.handle)).toBe(true);
              expect(heap.get(entry.handle)).toBe(entry.value);
              expect(heap.keyOf(entry.handle)).toBe(entry.key);
            }
            for (const handle of stale) {
              expect(heap.has(handle)).toBe(false);
              expect(heap.get(handle)).toBeUndefined();
              expect(heap.keyOf(handle)).toBeUndefined();
            }
          };
          const retire = (entry: Entry): void => {
            stale.push(entry.handle);
            if (stale.length > 50) stale.shift();
          };
          for (const operation of operations) {
            switch (operation.kind) {
              case 'push': {
                const value = nextValue++;
                const handle = heap.push(operation.key, value);
                expect(model.some((entry) => entry.handle === handle)).toBe(false);
                sortedInsert(model, { handle, key: operation.key, value });
                break;
              }
              case 'pushMany': {
                for (const key of operation.keys) {
                  const value = nextValue++;
                  sortedInsert(model, { handle: heap.push(key, value), key, value });
                }
                break;
              }
              case 'pop': {
                const minimum = model[0]?.key;
                const handle = heap.peekHandle();
                const peeked = heap.peek();
                const value = heap.pop();
                if (minimum === undefined) {
                  expect(value).toBeUndefined();
                  expect(handle).toBeUndefined();
                  break;
                }
                expect(peeked).toBe(value);
                // Among equal keys any may come out first: it must be one of them.
                const index = model.findIndex((entry) => entry.value === value);
                expect(index).toBeGreaterThanOrEqual(0);
                expect(model[index]!.key).toBe(minimum);
                expect(model[index]!.handle).toBe(handle);
                retire(model.splice(index, 1)[0]!);
                break;
              }
              case 'update': {
                if (model.length === 0) break;
                const [entry] = model.splice(operation.pick % model.length, 1);
                heap.update(entry!.handle, operation.key);
                entry!.key = operation.key;
                sortedInsert(model, entry!);
                break;
              }
              case 'remove': {
                if (model.length === 0) break;
                const [entry] = model.splice(operation.pick % model.length, 1);
                expect(heap.remove(entry!.handle)).toBe(true);
                expect(heap.remove(entry!.handle)).toBe(false);
                retire(entry!);
                break;
              }
              case 'stale': {
                if (stale.length === 0) break;
                const handle = stale[operation.pick % stale.length]!;
                expect(heap.remove(handle)).toBe(false);
                expect(() => heap.update(handle, 0)).toThrow(StaleHandleError);
                break;
              }
              case 'clear': {
                heap.clear();
                for (const entry of model.splice(0)) retire(entry);
                break;
              }
            }
            expectSame();
          }
          // Draining yields the model's keys in order.
          const keys: number[] = [];
          while (heap.size > 0) {
            keys.push(heap.peekKey()!);
            heap.pop();
          }
          expect(keys).toEqual(model.map((entry) => entry.key));
          heap.checkInvariants();
        },
      ),
      { numRuns: 500 },
    );
  });
});

describe('NumericHeap lazy handle index', () => {
  it('finds every live handle after a run of push / pop with no lookup (index built late)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.integer({ min: -50, max: 50 }), fc.constant('pop' as const)), {
          maxLength: 300,
        }),
        (steps) => {
          const heap = new NumericHeap<number>({ initialCapacity: 4 });
          const live = new Map<number, { handle: HeapHandle; key: number }>();
          const dead: HeapHandle[] = [];
          let next = 0;
          for (const step of steps) {
            if (step === 'pop') {
              const value = heap.pop();
              if (value !== undefined) {
                dead.push(live.get(value)!.handle);
                live.delete(value);
              }
            } else {
              const value = next++;
              const handle = heap.push(step, value);
              live.set(value, { handle, key: step });
            }
          }
          heap.checkInvariants(); // not indexed yet: checks the order and slots
          for (const [value, { handle, key }] of live) {
            expect(heap.get(handle)).toBe(value);
            expect(heap.keyOf(handle)).toBe(key);
          }
          for (const handle of dead) expect(heap.has(handle)).toBe(false);
          // Indexed from now on: updates and removes keep it right.
          for (const [value, { handle }] of live) {
            if (value % 2 === 0) heap.update(handle, -value);
            else expect(heap.remove(handle)).toBe(true);
            heap.checkInvariants();
          }
          expect(heap.size).toBe([...live.keys()].filter((value) => value % 2 === 0).length);
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('NumericHeap edge cases', () => {
  it('answers undefined on an empty heap', () => {
    const heap = new NumericHeap<string>();
    expect(heap.size).toBe(0);
    expect(heap.pop()).toBeUndefined();
    expect(heap.peek()).toBeUndefined();
    expect(heap.peekKey()).toBeUndefined();
    expect(heap.peekHandle()).toBeUndefined();
  });

  it('pops in key order, including infinities and negative zero', () => {
    const heap = new NumericHeap<string>();
    const input: [number, string][] = [
      [3, 'c'],
      [Infinity, 'inf'],
      [-Infinity, '-inf'],
      [1.5, 'b'],
      [-0, 'zero'],
      [-7, 'a'],
    ];
    for (const [key, value] of input) heap.push(key, value);
    const output: string[] = [];
    while (heap.size > 0) output.push(heap.pop()!);
    expect(output).toEqual(['-inf', 'a', 'zero', 'b', 'c', 'inf']);
  });

  it('rejects NaN keys on push and update, leaving the heap unchanged', () => {
    const heap = new NumericHeap<string>();
    const handle = heap.push(1, 'a');
    expect(() => heap.push(Number.NaN, 'b')).toThrow(InvalidKeyError);
    expect(() => heap.update(handle, Number.NaN)).toThrow(InvalidKeyError);
    expect(heap.size).toBe(1);
    expect(heap.keyOf(handle)).toBe(1);
    heap.checkInvariants();
  });

  it('gives a reused slot a new handle and keeps the old one stale', () => {
    const heap = new NumericHeap<string>();
    const first = heap.push(1, 'a');
    expect(first).toBe(0);
    heap.pop();
    const second = heap.push(2, 'b');
    expect(second).toBe(2 ** 32); // slot 0, generation 1
    expect(heap.has(first)).toBe(false);
    expect(heap.has(second)).toBe(true);
    expect(heap.remove(first)).toBe(false);
    expect(heap.get(second)).toBe('b');
  });

  it('wraps the generation after 2^21 reuses of a slot', () => {
    const heap = new NumericHeap<number>();
    let handle = heap.push(0, 0);
    for (let round = 1; round < 2 ** 21; round++) {
      heap.pop();
      handle = heap.push(round, round);
    }
    expect(handle).toBe((2 ** 21 - 1) * 2 ** 32);
    heap.pop();
    expect(heap.push(1, 1)).toBe(0);
    heap.checkInvariants();
  });

  it.each([
    ['a negative number', -1],
    ['a fraction', 0.5],
    ['NaN', Number.NaN],
    ['a slot past 2^30 aliasing slot 0', 2 ** 31],
    ['a slot never used', 5],
    ['a future generation', 2 ** 32],
  ])('treats %s as a stale handle', (_name, forged) => {
    const heap = new NumericHeap<string>();
    heap.push(1, 'a');
    const handle = forged as HeapHandle;
    expect(heap.has(handle)).toBe(false);
    expect(heap.get(handle)).toBeUndefined();
    expect(heap.keyOf(handle)).toBeUndefined();
    expect(heap.remove(handle)).toBe(false);
    expect(() => heap.update(handle, 1)).toThrow(StaleHandleError);
    expect(heap.size).toBe(1);
  });

  it('remove sifts the moved last item up when it is smaller than the new parent', () => {
    // Positions 1..4 hold 100, 1, 1, 1; position 1's children (5..8) 101..104; position 2's
    // children (9..12) 2, 2, 2, 2. Removing 101 moves the last 2 under 100: it must rise.
    const heap = new NumericHeap<number>();
    const keys = [0, 100, 1, 1, 1, 101, 102, 103, 104, 2, 2, 2, 2];
    const handles = keys.map((key) => heap.push(key, key));
    expect(heap.remove(handles[5]!)).toBe(true);
    heap.checkInvariants();
    const drained: number[] = [];
    while (heap.size > 0) drained.push(heap.pop()!);
    expect(drained).toEqual([0, 1, 1, 1, 2, 2, 2, 2, 100, 102, 103, 104]);
  });

  it('types: the value may be left out only when V allows undefined', () => {
    const named = new NumericHeap<string>();
    // @ts-expect-error a NumericHeap<string> needs a value
    expect(() => named.push(1)).not.toThrow();
    const bare = new NumericHeap<undefined>();
    bare.push(1);
    expect(bare.size).toBe(1);
  });

  it('holds bare keys without values, and popKey returns them in order', () => {
    const heap = new NumericHeap<undefined>();
    for (const key of [5, 3, 9, 1]) heap.push(key);
    heap.checkInvariants();
    expect(heap.peek()).toBeUndefined();
    expect(heap.peekKey()).toBe(1);
    expect([heap.popKey(), heap.popKey(), heap.popKey(), heap.popKey()]).toEqual([1, 3, 5, 9]);
    expect(heap.popKey()).toBeUndefined();
  });

  it('starts storing values at the first defined one, earlier items reading undefined', () => {
    const heap = new NumericHeap<string | undefined>();
    const bare = heap.push(1);
    heap.push(4, undefined);
    const named = heap.push(2, 'two');
    heap.push(0, 'zero');
    heap.checkInvariants();
    expect(heap.get(bare)).toBeUndefined();
    expect(heap.get(named)).toBe('two');
    expect([heap.pop(), heap.pop(), heap.pop(), heap.pop()]).toEqual([
      'zero',
      undefined,
      'two',
      undefined,
    ]);
    heap.checkInvariants();
  });

  it('keeps no value of an item that left the heap (pop, remove)', () => {
    const heap = new NumericHeap<{ name: string }>({ initialCapacity: 1 });
    const handles = [3, 1, 4, 1, 5, 9, 2, 6].map((key) => heap.push(key, { name: `k${key}` }));
    expect(heap.pop()).toEqual({ name: 'k1' });
    expect(heap.remove(handles[5]!)).toBe(true);
    heap.checkInvariants(); // throws when the heap still holds a value that left it
    expect(heap.get(handles[5]!)).toBeUndefined();
    expect(heap.peek()).toEqual({ name: 'k1' });
    heap.push(0, { name: 'k0' }); // reuses a freed slot
    heap.checkInvariants();
    expect(heap.pop()).toEqual({ name: 'k0' });
  });

  it('update moves an item both ways', () => {
    const heap = new NumericHeap<string>();
    const a = heap.push(10, 'a');
    const b = heap.push(20, 'b');
    const c = heap.push(30, 'c');
    heap.update(c, 5);
    expect(heap.peek()).toBe('c');
    heap.update(c, 40);
    expect(heap.peek()).toBe('a');
    heap.update(a, 25);
    expect(heap.peek()).toBe('b');
    expect([heap.pop(), heap.pop(), heap.pop()]).toEqual(['b', 'a', 'c']);
    expect(heap.has(b)).toBe(false);
  });

  it('clear retires every handle and the heap is reusable', () => {
    const heap = new NumericHeap<number>({ initialCapacity: 1 });
    const handles = Array.from({ length: 100 }, (_, index) => heap.push(index, index));
    heap.clear();
    expect(heap.size).toBe(0);
    for (const handle of handles) expect(heap.has(handle)).toBe(false);
    heap.push(5, 5);
    expect(heap.pop()).toBe(5);
    heap.checkInvariants();
  });

  it('grows past its initial capacity', () => {
    const heap = new NumericHeap<number>({ initialCapacity: 16 });
    for (let index = 999; index >= 0; index--) heap.push(index, index);
    heap.checkInvariants();
    for (let index = 0; index < 1000; index++) expect(heap.pop()).toBe(index);
  });

  it.each([[2 ** 31], [Number.NaN], [Infinity]])('rejects initialCapacity %s', (capacity) => {
    expect(() => new NumericHeap({ initialCapacity: capacity })).toThrow(/initialCapacity/);
  });

  it('checkInvariants reports a broken heap', () => {
    // The only way to break a NumericHeap from outside is through its private state; use a
    // comparator heap instead (test/heap.test.ts) and here check the error class is exported.
    expect(new HeapInvariantError('x').code).toBe('BYOR_HEAP_INVARIANT');
  });
});
