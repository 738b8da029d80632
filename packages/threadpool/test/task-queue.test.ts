import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TaskQueue } from '../src/index.js';

interface Item {
  queueIndex: number;
  id: number;
}

function item(id: number): Item {
  return { queueIndex: -1, id };
}

function ids(queue: TaskQueue<Item>): number[] {
  return queue.toArray().map((entry) => entry.id);
}

type Operation =
  | { kind: 'push' }
  | { kind: 'unshift' }
  | { kind: 'shift' }
  | { kind: 'peek' }
  | { kind: 'remove'; pick: number }
  | { kind: 'removeAbsent' }
  | { kind: 'drain' };

const operation: fc.Arbitrary<Operation> = fc.oneof(
  { arbitrary: fc.constant({ kind: 'push' } as const), weight: 6 },
  { arbitrary: fc.constant({ kind: 'unshift' } as const), weight: 2 },
  { arbitrary: fc.constant({ kind: 'shift' } as const), weight: 3 },
  { arbitrary: fc.constant({ kind: 'peek' } as const), weight: 1 },
  { arbitrary: fc.record({ kind: fc.constant('remove' as const), pick: fc.nat() }), weight: 4 },
  { arbitrary: fc.constant({ kind: 'removeAbsent' } as const), weight: 1 },
  { arbitrary: fc.constant({ kind: 'drain' } as const), weight: 1 },
);

describe('TaskQueue', () => {
  it('behaves like an array under random operation sequences (model test)', () => {
    fc.assert(
      fc.property(fc.array(operation, { maxLength: 400 }), (operations) => {
        const queue = new TaskQueue<Item>();
        const model: Item[] = [];
        let next = 0;
        for (const op of operations) {
          switch (op.kind) {
            case 'push': {
              const entry = item(next++);
              queue.push(entry);
              model.push(entry);
              break;
            }
            case 'unshift': {
              const entry = item(next++);
              queue.unshift(entry);
              model.unshift(entry);
              break;
            }
            case 'shift': {
              const entry = queue.shift();
              expect(entry).toBe(model.shift());
              if (entry) expect(entry.queueIndex).toBe(-1);
              break;
            }
            case 'peek':
              expect(queue.peek()).toBe(model[0]);
              break;
            case 'remove': {
              if (model.length === 0) break;
              const index = op.pick % model.length;
              const entry = model[index]!;
              model.splice(index, 1);
              expect(queue.remove(entry)).toBe(true);
              expect(entry.queueIndex).toBe(-1);
              expect(queue.remove(entry)).toBe(false);
              break;
            }
            case 'removeAbsent':
              expect(queue.remove(item(-1))).toBe(false);
              break;
            case 'drain':
              expect(queue.drain()).toEqual(model.splice(0));
              break;
          }
          queue.checkInvariants();
          expect(queue.size).toBe(model.length);
          expect(ids(queue)).toEqual(model.map((entry) => entry.id));
        }
      }),
      { numRuns: 300 },
    );
  });

  it.each([
    {
      name: 'empty queue',
      run: (queue: TaskQueue<Item>) => [queue.shift(), queue.peek(), queue.size],
      expected: [undefined, undefined, 0],
    },
    {
      name: 'push then shift keeps FIFO order across a wrap',
      run: (queue: TaskQueue<Item>) => {
        for (let id = 0; id < 12; id++) queue.push(item(id));
        for (let i = 0; i < 10; i++) queue.shift();
        for (let id = 12; id < 24; id++) queue.push(item(id)); // wraps around 16 slots
        return ids(queue);
      },
      expected: [10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23],
    },
    {
      name: 'unshift goes before everything',
      run: (queue: TaskQueue<Item>) => {
        queue.push(item(1));
        queue.unshift(item(0));
        queue.push(item(2));
        return ids(queue);
      },
      expected: [0, 1, 2],
    },
    {
      name: 'removing the middle leaves a tombstone that shift skips',
      run: (queue: TaskQueue<Item>) => {
        const entries = [0, 1, 2].map(item);
        for (const entry of entries) queue.push(entry);
        queue.remove(entries[1]!);
        return [queue.shift()?.id, queue.shift()?.id, queue.shift()?.id, queue.size];
      },
      expected: [0, 2, undefined, 0],
    },
    {
      name: 'removing both ends trims them',
      run: (queue: TaskQueue<Item>) => {
        const entries = [0, 1, 2].map(item);
        for (const entry of entries) queue.push(entry);
        queue.remove(entries[0]!);
        queue.remove(entries[2]!);
        return [queue.peek()?.id, queue.size];
      },
      expected: [1, 1],
    },
    {
      name: 'grows past its initial 16 slots, compacting tombstones',
      run: (queue: TaskQueue<Item>) => {
        const entries = Array.from({ length: 40 }, (_, id) => item(id));
        for (const entry of entries) queue.push(entry);
        for (const entry of entries) if (entry.id % 2 === 1) queue.remove(entry);
        for (let id = 40; id < 60; id++) queue.push(item(id));
        return [queue.size, ids(queue).slice(0, 3), ids(queue).slice(-2)];
      },
      expected: [40, [0, 2, 4], [58, 59]],
    },
  ])('$name', ({ run, expected }) => {
    const queue = new TaskQueue<Item>();
    expect(run(queue)).toEqual(expected);
    queue.checkInvariants();
  });

  it('does not remove an item that belongs to another queue', () => {
    const first = new TaskQueue<Item>();
    const second = new TaskQueue<Item>();
    const entry = item(1);
    first.push(entry);
    second.push(item(2));
    expect(second.remove(entry)).toBe(false);
    expect([first.size, second.size]).toEqual([1, 1]);
  });

  it('reports a broken invariant', () => {
    const queue = new TaskQueue<Item>();
    const entry = item(1);
    queue.push(entry);
    entry.queueIndex = 5;
    expect(() => queue.checkInvariants()).toThrow(
      'TaskQueue invariant broken: item in slot 0 has queueIndex 5',
    );
  });
});
