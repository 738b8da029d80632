import fc from 'fast-check';
import { RespWriter } from '@byor/protocol';
import { describe, expect, it } from 'vitest';
import { latin1 } from './helpers/arbitraries.js';
import { ARENA_MAX_LENGTH, PAGE_SLOTS, StringArena, handleLength } from '../src/string-arena.js';
import { parseInt64 } from '../src/util/numbers.js';

describe('StringArena', () => {
  it('matches a map of handles to strings through stores, frees and reads', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            fc.record({ op: fc.constant('store' as const), value: latin1(ARENA_MAX_LENGTH + 8) }),
            fc.record({ op: fc.constant('free' as const), pick: fc.nat() }),
          ),
          { maxLength: 300 },
        ),
        (ops) => {
          const arena = new StringArena();
          const model = new Map<number, string>();
          for (const step of ops) {
            if (step.op === 'store') {
              const handle = arena.store(step.value);
              if (step.value.length === 0 || step.value.length > ARENA_MAX_LENGTH) {
                expect(handle).toBe(-1);
                continue;
              }
              expect(Number.isInteger(handle) && handle >= 0 && handle < 2 ** 30).toBe(true);
              expect(model.has(handle)).toBe(false); // a live handle is never handed out twice
              expect(handleLength(handle)).toBe(step.value.length);
              model.set(handle, step.value);
            } else if (model.size > 0) {
              const handles = [...model.keys()];
              const handle = handles[step.pick % handles.length]!;
              arena.free(handle);
              model.delete(handle);
            }
            expect(arena.count).toBe(model.size);
          }
          // touch (a prefetch) over handles and other values changes nothing
          const values: unknown[] = [...model.keys(), 'text', undefined, {}];
          arena.touch(values, values.length);
          expect(arena.count).toBe(model.size);
          // a clone holds the same strings under the same handles, and goes its own way
          const copy = arena.clone();
          expect(copy.count).toBe(model.size);
          for (const [handle, value] of model) expect(copy.read(handle)).toBe(value);
          for (const handle of model.keys()) copy.free(handle);
          if (copy.store('only in the copy') >= 0) expect(arena.count).toBe(model.size);
          // every live string reads back, compares equal only to itself, and replies with exactly
          // its bytes
          for (const [handle, value] of model) {
            expect(arena.read(handle)).toBe(value);
            expect(arena.equals(handle, value)).toBe(true);
            expect(arena.equals(handle, `${value}.`)).toBe(false);
            expect(
              arena.equals(handle, `${value.slice(0, -1)}${value.at(-1) === 'a' ? 'b' : 'a'}`),
            ).toBe(false);
            const writer = new RespWriter(16);
            arena.reply(writer, handle);
            expect(writer.view().toString('latin1')).toBe(`$${value.length}\r\n${value}\r\n`);
          }
        },
      ),
      { numRuns: 200 },
    );
  });

  it('integer() reads what parseInt64 reads from the string, up to 15 digits', () => {
    const digits = fc
      .array(fc.constantFrom('0', '1', '5', '9', '-', '+', ' ', 'a'), {
        minLength: 1,
        maxLength: 18,
      })
      .map((chars) => chars.join(''));
    const decimal = fc.oneof(
      fc.integer({ min: -(10 ** 15), max: 10 ** 15 }).map(String),
      fc.bigInt({ min: -(2n ** 64n), max: 2n ** 64n }).map(String),
    );
    fc.assert(
      fc.property(fc.oneof(digits, decimal), (text) => {
        const arena = new StringArena();
        const read = arena.integer(arena.store(text));
        const parsed = parseInt64(text);
        const digitCount = text.replace(/^-/, '').length;
        if (typeof parsed === 'number' && digitCount <= 15) expect(read).toBe(parsed);
        else expect(read).toBeNaN();
      }),
      { numRuns: 2000 },
    );
  });

  it('spreads a class over pages and reuses freed slots before growing', () => {
    const arena = new StringArena();
    const handles: number[] = [];
    for (let i = 0; i < PAGE_SLOTS * 2 + 10; i++)
      handles.push(arena.store(`value:${i}`.padEnd(16, '.')));
    const reserved = arena.reservedBytes;
    expect(reserved).toBe(3 * PAGE_SLOTS * 16);
    // a class used a little reserves little
    const small = new StringArena();
    small.store('a');
    small.store('b'.repeat(100));
    expect(small.reservedBytes).toBe(16 * 8 + 16 * 104);
    expect([arena.slots, small.slots, small.clone().slots]).toEqual([3 * PAGE_SLOTS, 32, 32]);
    handles.forEach((handle, i) => expect(arena.read(handle)).toBe(`value:${i}`.padEnd(16, '.')));
    for (const handle of handles.slice(0, 100)) arena.free(handle);
    for (let i = 0; i < 100; i++) arena.store('x'.repeat(9 + (i % 8)));
    expect(arena.reservedBytes).toBe(reserved);
    expect(arena.count).toBe(handles.length);
  });
});
