import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Heap, HeapInvariantError, StaleHandleError, type HeapHandle } from '../src/index.js';

interface Job {
  readonly id: number;
  priority: number;
}

const byPriority = (a: Job, b: Job): number => a.priority - b.priority;

type Operation =
  | { kind: 'push'; priority: number }
  | { kind: 'pushMany'; priorities: number[] }
  | { kind: 'pop' }
  | { kind: 'replace'; pick: number; priority: number }
  | { kind: 'mutate'; pick: number; priority: number }
  | { kind: 'remove'; pick: number }
  | { kind: 'clear' };

const priority = fc.integer({ min: -15, max: 15 });
const operationArbitrary: fc.Arbitrary<Operation> = fc.oneof(
  { weight: 10, arbitrary: fc.record({ kind: fc.constant('push' as const), priority }) },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('pushMany' as const),
      priorities: fc.array(priority, { maxLength: 40 }),
    }),
  },
  { weight: 5, arbitrary: fc.record({ kind: fc.constant('pop' as const) }) },
  {
    weight: 3,
    arbitrary: fc.record({ kind: fc.constant('replace' as const), pick: fc.nat(), priority }),
  },
  {
    weight: 3,
    arbitrary: fc.record({ kind: fc.constant('mutate' as const), pick: fc.nat(), priority }),
  },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('remove' as const), pick: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('clear' as const) }) },
);

describe('Heap model test', () => {
  it('behaves like a sorted array under random operation sequences', () => {
    fc.assert(
      fc.property(fc.array(operationArbitrary, { maxLength: 300 }), (operations) => {
        const heap = new Heap<Job>(byPriority, { initialCapacity: 4 });
        // The reference: live (handle, job) pairs, sorted by priority on demand.
        let model: { handle: HeapHandle; job: Job }[] = [];
        const stale: HeapHandle[] = [];
        let nextId = 0;
        const minimum = (): number | undefined =>
          model.length === 0 ? undefined : Math.min(...model.map((entry) => entry.job.priority));
        for (const operation of operations) {
          switch (operation.kind) {
            case 'push': {
              const job = { id: nextId++, priority: operation.priority };
              model.push({ handle: heap.push(job), job });
              break;
            }
            case 'pushMany': {
              for (const value of operation.priorities) {
                const job = { id: nextId++, priority: value };
                model.push({ handle: heap.push(job), job });
              }
              break;
            }
            case 'pop': {
              const expected = minimum();
              const handle = heap.peekHandle();
              const job = heap.pop();
              if (expected === undefined) {
                expect(job).toBeUndefined();
                break;
              }
              expect(job!.priority).toBe(expected);
              const index = model.findIndex((entry) => entry.job === job);
              expect(model[index]!.handle).toBe(handle);
              stale.push(model.splice(index, 1)[0]!.handle);
              break;
            }
            case 'replace': {
              if (model.length === 0) break;
              const entry = model[operation.pick % model.length]!;
              entry.job = { id: entry.job.id, priority: operation.priority };
              heap.update(entry.handle, entry.job);
              break;
            }
            case 'mutate': {
              if (model.length === 0) break;
              const entry = model[operation.pick % model.length]!;
              entry.job.priority = operation.priority;
              heap.update(entry.handle);
              break;
            }
            case 'remove': {
              if (model.length === 0) break;
              const [entry] = model.splice(operation.pick % model.length, 1);
              expect(heap.remove(entry!.handle)).toBe(true);
              stale.push(entry!.handle);
              break;
            }
            case 'clear': {
              heap.clear();
              for (const entry of model) stale.push(entry.handle);
              model = [];
              break;
            }
          }
          heap.checkInvariants();
          expect(heap.size).toBe(model.length);
          expect(heap.peek()?.priority).toBe(minimum());
          for (const entry of model) expect(heap.get(entry.handle)).toBe(entry.job);
          for (const handle of stale) {
            expect(heap.has(handle)).toBe(false);
            expect(() => heap.update(handle)).toThrow(StaleHandleError);
          }
        }
        const drained: number[] = [];
        while (heap.size > 0) drained.push(heap.pop()!.priority);
        expect(drained).toEqual(model.map((entry) => entry.job.priority).sort((a, b) => a - b));
      }),
      { numRuns: 500 },
    );
  });
});

describe('Heap lazy handle index', () => {
  it('finds every live handle after a run of push / pop with no lookup', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.integer({ min: -50, max: 50 }), fc.constant('pop' as const)), {
          maxLength: 300,
        }),
        (steps) => {
          const heap = new Heap<Job>(byPriority, { initialCapacity: 4 });
          const live = new Map<Job, HeapHandle>();
          let nextId = 0;
          for (const step of steps) {
            if (step === 'pop') {
              const job = heap.pop();
              if (job !== undefined) live.delete(job);
            } else {
              const job = { id: nextId++, priority: step };
              live.set(job, heap.push(job));
            }
          }
          heap.checkInvariants();
          for (const [job, handle] of live) expect(heap.get(handle)).toBe(job);
          for (const [job, handle] of live) {
            if (job.id % 2 === 0) {
              job.priority = -job.priority;
              heap.update(handle);
            } else {
              expect(heap.remove(handle)).toBe(true);
            }
            heap.checkInvariants();
          }
          let previous = -Infinity;
          while (heap.size > 0) {
            const job = heap.pop()!;
            expect(job.priority).toBeGreaterThanOrEqual(previous);
            expect(job.id % 2).toBe(0);
            previous = job.priority;
          }
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('Heap edge cases', () => {
  it('answers undefined on an empty heap', () => {
    const heap = new Heap<number>((a, b) => a - b);
    expect(heap.pop()).toBeUndefined();
    expect(heap.peek()).toBeUndefined();
    expect(heap.peekHandle()).toBeUndefined();
    expect(heap.size).toBe(0);
  });

  it('sorts strings with a comparator', () => {
    const heap = new Heap<string>((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    for (const word of ['pear', 'apple', 'fig', 'banana', 'cherry']) heap.push(word);
    const out: string[] = [];
    while (heap.size > 0) out.push(heap.pop()!);
    expect(out).toEqual(['apple', 'banana', 'cherry', 'fig', 'pear']);
  });

  it('holds items that are undefined-like values such as 0 and empty strings', () => {
    const heap = new Heap<number>((a, b) => a - b);
    heap.push(0);
    heap.push(-1);
    expect(heap.pop()).toBe(-1);
    expect(heap.pop()).toBe(0);
  });

  it('releases popped and removed items (no leaked references past the end)', () => {
    const heap = new Heap<Job>(byPriority);
    const handles = [3, 1, 2].map((p, id) => heap.push({ id, priority: p }));
    heap.pop();
    heap.remove(handles[0]!);
    heap.checkInvariants(); // checks that slots past the end hold no item
    expect(heap.size).toBe(1);
  });

  it('checkInvariants detects an item mutated without update()', () => {
    const heap = new Heap<Job>(byPriority);
    const jobs = Array.from({ length: 10 }, (_, id) => ({ id, priority: id }));
    for (const job of jobs) heap.push(job);
    heap.checkInvariants();
    jobs[9]!.priority = -1;
    expect(() => heap.checkInvariants()).toThrow(HeapInvariantError);
  });

  it('remove sifts the moved last item up when it is smaller than the new parent', () => {
    // Binary layout: position 1 holds 100 with children 101, 102 (positions 3, 4); position 2
    // holds 1 with children 2, 2 (positions 5, 6). Removing 101 moves the last 2 under 100.
    const heap = new Heap<number>((a, b) => a - b);
    const keys = [0, 100, 1, 101, 102, 2, 2];
    const handles = keys.map((key) => heap.push(key));
    expect(heap.remove(handles[3]!)).toBe(true);
    heap.checkInvariants();
    const drained: number[] = [];
    while (heap.size > 0) drained.push(heap.pop()!);
    expect(drained).toEqual([0, 1, 2, 2, 100, 102]);
  });

  it('update with a new item keeps the handle', () => {
    const heap = new Heap<Job>(byPriority);
    const handle = heap.push({ id: 1, priority: 5 });
    heap.push({ id: 2, priority: 3 });
    const replacement = { id: 1, priority: 1 };
    heap.update(handle, replacement);
    expect(heap.get(handle)).toBe(replacement);
    expect(heap.peekHandle()).toBe(handle);
  });
});
