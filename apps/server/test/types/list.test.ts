import fc from 'fast-check';
import { RespWriter } from '@byor/protocol';
import { describe, expect, it } from 'vitest';
import { LIST_CHUNK, LIST_FLAT_MAX, ListValue } from '../../src/types/list.js';

/**
 * Model test: random operation sequences against a plain array, with checkInvariants() after
 * every step. Bulk pushes and removals of up to a few chunks move lists back and forth between
 * the flat and the chunked layout and across chunk boundaries at both ends.
 */

type Op =
  | { kind: 'pushLeft' | 'pushRight'; values: string[] }
  | { kind: 'popLeft' | 'popRight'; times: number }
  | { kind: 'popReply'; left: boolean; times: number }
  | { kind: 'at'; index: number }
  | { kind: 'set'; index: number; value: string }
  | { kind: 'slice'; start: number; end: number }
  | { kind: 'insert'; index: number; value: string }
  | { kind: 'removeMatching'; value: string; count: number }
  | { kind: 'removeFirst' | 'removeLast'; count: number }
  | { kind: 'trim'; start: number; end: number }
  | { kind: 'find'; value: string; from: number }
  | { kind: 'clone' }
  | { kind: 'from'; values: string[] }
  | { kind: 'clear' };

// short values live in the chunked layout's arena, '' and the 128-byte one stay strings
const value = fc.constantFrom(
  'a',
  'b',
  'c',
  '',
  'x\x00y',
  '\xff',
  '12',
  'a'.repeat(127),
  'b'.repeat(128),
);
const size = fc.integer({ min: 0, max: 2 * LIST_CHUNK + 40 });
const position = fc.integer({ min: -LIST_CHUNK * 3, max: LIST_CHUNK * 3 });

const op: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constantFrom('pushLeft' as const, 'pushRight' as const),
      values: fc.oneof(
        fc.array(value, { maxLength: 4 }),
        size.map((n) => Array.from({ length: n }, (_, i) => String(i % 7))),
      ),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constantFrom('popLeft' as const, 'popRight' as const),
      times: fc.oneof(fc.integer({ min: 1, max: 3 }), size),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('popReply' as const),
      left: fc.boolean(),
      times: fc.oneof(fc.integer({ min: 1, max: 3 }), size),
    }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('at' as const), index: position }) },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant('set' as const), index: position, value }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant('slice' as const), start: size, end: size }),
  },
  {
    weight: 2,
    arbitrary: fc.record({ kind: fc.constant('insert' as const), index: size, value }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('removeMatching' as const),
      value: fc.oneof(value, fc.constantFrom('0', '3', '6')),
      count: fc.integer({ min: -300, max: 300 }),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constantFrom('removeFirst' as const, 'removeLast' as const),
      count: fc.integer({ min: -2, max: 2 * LIST_CHUNK + 40 }),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant('trim' as const), start: size, end: size }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('find' as const),
      value: fc.oneof(value, fc.constantFrom('0', '5')),
      from: size,
    }),
  },
  { weight: 1, arbitrary: fc.constant({ kind: 'clone' as const }) },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('from' as const),
      values: fc.oneof(
        fc.array(value, { maxLength: 6 }),
        size.map((n) => Array.from({ length: n }, (_, i) => String(i % 5))),
      ),
    }),
  },
  { weight: 1, arbitrary: fc.constant({ kind: 'clear' as const }) },
);

/** LREM on the model: first `count` matches from the head, last `-count` from the tail, or all. */
function removeMatching(model: string[], target: string, count: number): number {
  const indexes: number[] = [];
  if (count >= 0) {
    for (let i = 0; i < model.length && (count === 0 || indexes.length < count); i++)
      if (model[i] === target) indexes.push(i);
  } else {
    for (let i = model.length - 1; i >= 0 && indexes.length < -count; i--)
      if (model[i] === target) indexes.push(i);
  }
  const drop = new Set(indexes);
  const kept = model.filter((_, i) => !drop.has(i));
  model.length = 0;
  model.push(...kept);
  return indexes.length;
}

describe('ListValue', () => {
  it('matches an array model through random operation sequences', () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 60 }), (ops) => {
        let list = new ListValue();
        let model: string[] = [];
        for (const step of ops) {
          switch (step.kind) {
            case 'pushLeft':
              for (const item of step.values) {
                list.pushLeft(item);
                model.unshift(item);
              }
              break;
            case 'pushRight':
              for (const item of step.values) {
                list.pushRight(item);
                model.push(item);
              }
              break;
            case 'popLeft':
              for (let i = 0; i < step.times; i++) expect(list.popLeft()).toBe(model.shift());
              break;
            case 'popRight':
              for (let i = 0; i < step.times; i++) expect(list.popRight()).toBe(model.pop());
              break;
            case 'popReply':
              // LPOP's and RPOP's reply, written from the list against the model's element
              for (let i = 0; i < step.times && model.length > 0; i++) {
                const writer = new RespWriter();
                list.popReply(writer, step.left);
                const element = step.left ? model.shift()! : model.pop()!;
                expect(writer.take().toString('latin1')).toBe(
                  `$${element.length}\r\n${element}\r\n`,
                );
              }
              break;
            case 'at':
              expect(list.at(step.index)).toBe(model.at(step.index));
              break;
            case 'set': {
              const inRange = step.index >= -model.length && step.index < model.length;
              expect(list.set(step.index, step.value)).toBe(inRange);
              if (inRange)
                model[step.index < 0 ? model.length + step.index : step.index] = step.value;
              break;
            }
            case 'slice': {
              const start = Math.min(step.start, model.length);
              const end = Math.min(Math.max(step.end, start), model.length);
              expect(list.slice(start, end)).toEqual(model.slice(start, end));
              // LRANGE's reply, both ways, against the writer's own encoding of the model's slice
              for (const reverse of [false, true]) {
                const expected = model.slice(start, end);
                if (reverse) expected.reverse();
                const reference = new RespWriter();
                reference.bulkArray(expected);
                const writer = new RespWriter();
                list.writeRange(writer, start, end, reverse);
                expect(writer.take().toString('latin1')).toBe(reference.take().toString('latin1'));
              }
              break;
            }
            case 'insert': {
              if (model.length === 0) break;
              const pivot = Math.min(step.index, model.length - 1);
              const after = (step.index & 1) === 1;
              list.insertAt(pivot, after, step.value);
              model.splice(after ? pivot + 1 : pivot, 0, step.value);
              break;
            }
            case 'removeMatching':
              expect(list.removeMatching(step.value, step.count)).toBe(
                removeMatching(model, step.value, step.count),
              );
              break;
            case 'removeFirst':
              list.removeFirst(step.count);
              model.splice(0, Math.max(step.count, 0));
              break;
            case 'removeLast':
              list.removeLast(step.count);
              if (step.count > 0) model.length = Math.max(model.length - step.count, 0);
              break;
            case 'trim': {
              if (model.length === 0) break;
              const start = Math.min(step.start, model.length - 1);
              const end = Math.min(Math.max(step.end, start), model.length - 1);
              list.trim(start, end);
              model = model.slice(start, end + 1);
              break;
            }
            case 'find':
              expect(list.indexOf(step.value, step.from)).toBe(
                model.indexOf(step.value, step.from),
              );
              expect(list.lastIndexOf(step.value, step.from)).toBe(
                model.lastIndexOf(step.value, step.from),
              );
              expect(list.indexOf(step.value)).toBe(model.indexOf(step.value));
              expect(list.lastIndexOf(step.value)).toBe(model.lastIndexOf(step.value));
              break;
            case 'clone': {
              const copy = list.clone();
              copy.checkInvariants();
              expect(copy.toArray()).toEqual(model);
              // the copy is independent of the original
              copy.pushRight('only-in-copy');
              if (copy.length > 1) copy.set(0, 'changed');
              expect(list.toArray()).toEqual(model);
              list = copy;
              model = [...model, 'only-in-copy'];
              if (model.length > 1) model[0] = 'changed';
              break;
            }
            case 'from':
              list = ListValue.from(step.values);
              model = [...step.values];
              break;
            case 'clear':
              list.clear();
              model = [];
              break;
          }
          list.checkInvariants();
          expect(list.length).toBe(model.length);
          expect(list.toArray()).toEqual(model);
        }
        expect([...list]).toEqual(model);
      }),
      { numRuns: 300 },
    );
  });

  it('an empty slice at the end of a chunked list, on a chunk boundary', () => {
    // 257 elements after an insert into 256: position 257 is the first slot of a chunk not taken
    const model = Array.from({ length: 256 }, (_, i) => String(i % 5));
    const list = ListValue.from(model);
    list.insertAt(127, false, 'a');
    model.splice(127, 0, 'a');
    for (let at = 0; at <= list.length; at++) expect(list.slice(at, at)).toEqual([]);
    expect(list.slice(250, 257)).toEqual(model.slice(250, 257));
  });

  it('edge cases with exact results', () => {
    const list = new ListValue();
    expect(list.popLeft()).toBeUndefined();
    expect(list.popRight()).toBeUndefined();
    expect(list.at(0)).toBeUndefined();
    expect(list.at(-1)).toBeUndefined();
    expect(list.set(0, 'x')).toBe(false);
    expect(list.slice(0, 0)).toEqual([]);
    expect(list.indexOf('x')).toBe(-1);
    expect(list.lastIndexOf('x')).toBe(-1);
    expect(list.removeMatching('x', 0)).toBe(0);
    expect(list.type).toBe('list');
    expect(list.encoding()).toBe('quicklist');
    expect(() => list.insertAt(0, false, 'x')).toThrow(RangeError);
    list.pushRight('x');
    list.insertAt(0, true, 'y');
    list.insertAt(0, false, 'w');
    expect(list.toArray()).toEqual(['w', 'x', 'y']);
    list.popLeft();
    list.popRight();
    expect(ListValue.from(['a', 'b', 'c']).at(-3)).toBe('a');
    const source = ['a', 'b'];
    const copied = ListValue.from(source);
    source.push('c');
    expect(copied.toArray()).toEqual(['a', 'b']);
    expect(ListValue.from(new Set(['x', 'y'])).toArray()).toEqual(['x', 'y']);
    expect(ListValue.from(['a', 'b', 'c']).at(-4)).toBeUndefined();
  });

  it('moves between the flat and chunked layouts at the documented sizes', () => {
    const list = ListValue.from(Array.from({ length: LIST_FLAT_MAX }, (_, i) => String(i)));
    const flatBytes = list.memoryUsage();
    list.pushRight('past');
    list.checkInvariants();
    expect(list.memoryUsage()).toBeGreaterThan(flatBytes);
    // shrinking to a quarter of the flat maximum returns to the flat layout
    list.removeFirst(list.length - (LIST_FLAT_MAX >>> 2));
    list.checkInvariants();
    expect(list.memoryUsage()).toBeLessThan(flatBytes);
    expect(list.at(-1)).toBe('past');
  });

  it('gives back its arena pages once it is trimmed to a small part of what it was', () => {
    const list = new ListValue();
    const model: string[] = [];
    for (let i = 0; i < 20_000; i++) {
      const item =
        i % 97 === 0 ? 'L'.repeat(130 + (i % 7)) : `element:${i}`.padEnd(16 + (i % 9), '.');
      list.pushRight(item);
      model.push(item);
    }
    const full = list.memoryUsage();
    // LTRIM to 200 elements: the arena's pages for 20,000 go
    list.trim(9_900, 10_099);
    const kept = model.slice(9_900, 10_100);
    list.checkInvariants();
    expect(list.toArray()).toEqual(kept);
    expect(list.memoryUsage()).toBeLessThan(full / 20);
    // and it goes on working: pushes, pops, LREM, LSET, LINSERT on the moved elements
    list.pushLeft('first');
    kept.unshift('first');
    expect(list.popRight()).toBe(kept.pop());
    expect(list.removeMatching(kept[5]!, 1)).toBe(1);
    kept.splice(5, 1);
    list.set(3, 'third');
    kept[3] = 'third';
    list.insertAt(9, true, 'inserted');
    kept.splice(10, 0, 'inserted');
    list.checkInvariants();
    expect(list.toArray()).toEqual(kept);
    // a queue drained from 20,000 to 40 elements the same way, one pop at a time
    const queue = ListValue.from(model);
    for (let i = 0; i < model.length - 40; i++) expect(queue.popLeft()).toBe(model[i]);
    queue.checkInvariants();
    expect(queue.toArray()).toEqual(model.slice(-40));
    // (an arena of up to 4,096 slots is kept however few of them are used)
    expect(queue.memoryUsage()).toBeLessThan(full / 10);
  });

  it('keeps its invariants as a long-running queue drifts through the map', () => {
    const list = new ListValue();
    const model: number[] = [];
    let next = 0;
    let first = 0;
    for (let i = 0; i < 3 * LIST_CHUNK; i++) {
      list.pushRight(String(next));
      model.push(next++);
    }
    // a FIFO of steady length: every chunk is eventually released at the head and taken at the tail
    for (let step = 0; step < 40 * LIST_CHUNK; step++) {
      list.pushRight(String(next++));
      expect(list.popLeft()).toBe(String(first++));
      if (step % LIST_CHUNK === 0) list.checkInvariants();
    }
    // then the other way round
    for (let step = 0; step < 40 * LIST_CHUNK; step++) {
      list.pushLeft(String(--first));
      expect(list.popRight()).toBe(String(--next));
      if (step % LIST_CHUNK === 0) list.checkInvariants();
    }
    list.checkInvariants();
    expect(list.length).toBe(3 * LIST_CHUNK);
    expect(list.at(0)).toBe(String(first));
    expect(list.at(-1)).toBe(String(next - 1));
  });

  it('grows to large sizes from either end', () => {
    const list = new ListValue();
    const n = 50_000;
    for (let i = 0; i < n; i++) {
      list.pushLeft(`l${i}`);
      list.pushRight(`r${i}`);
    }
    list.checkInvariants();
    expect(list.length).toBe(2 * n);
    expect(list.at(0)).toBe(`l${n - 1}`);
    expect(list.at(n - 1)).toBe('l0');
    expect(list.at(n)).toBe('r0');
    expect(list.at(-1)).toBe(`r${n - 1}`);
    expect(list.slice(n - 2, n + 2)).toEqual(['l1', 'l0', 'r0', 'r1']);
    list.trim(n - 1, n);
    list.checkInvariants();
    expect(list.toArray()).toEqual(['l0', 'r0']);
  });
});
