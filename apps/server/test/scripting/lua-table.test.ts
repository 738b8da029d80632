import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LuaTable, type LuaValue } from '../../src/scripting/lua/value.js';

/**
 * LuaTable (array part + hash part) against a Map: random sets (including nil, which deletes),
 * then gets, next() traversals and the length border, with checkInvariants() after each step.
 */

const key = fc.oneof(
  fc.integer({ min: -2, max: 24 }),
  fc.constantFrom(1.5, -0, 2 ** 53, 'a', 'b', '1', true, false),
);
const value = fc.oneof(fc.constant(undefined), fc.integer(), fc.constantFrom('x', 'y', false));
type Op = readonly ['set', LuaValue, LuaValue] | readonly ['next'];
const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 8, arbitrary: fc.tuple(fc.constant('set' as const), key, value) },
  { weight: 1, arbitrary: fc.constant(['next'] as const) },
);

/** Map keys as Lua normalises them: -0 is 0. */
const norm = (k: LuaValue): LuaValue => (Object.is(k, -0) ? 0 : k);

function traverse(table: LuaTable): Map<LuaValue, LuaValue> {
  const seen = new Map<LuaValue, LuaValue>();
  let entry = table.next(undefined);
  while (entry) {
    if (seen.has(entry[0]))
      throw new Error(
        `next() returned ${typeof entry[0] === 'string' || typeof entry[0] === 'number' ? entry[0] : 'a key'} twice`,
      );
    seen.set(entry[0], entry[1]);
    entry = table.next(entry[0]);
  }
  return seen;
}

describe('LuaTable', () => {
  it('behaves as a map, with a valid border and a complete traversal', () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 120 }), (ops) => {
        const table = new LuaTable();
        const model = new Map<LuaValue, LuaValue>();
        for (const step of ops) {
          if (step[0] === 'set') {
            const [, k, v] = step;
            table.set(k, v);
            if (v === undefined) model.delete(norm(k));
            else model.set(norm(k), v);
          } else {
            expect(traverse(table)).toEqual(model);
          }
          table.checkInvariants();
          for (const [k, v] of model) expect(table.get(k)).toBe(v);
          const n = table.length();
          // a border: t[n] is not nil (or n is 0) and t[n + 1] is nil
          if (n > 0) expect(model.get(n)).not.toBeUndefined();
          expect(model.get(n + 1)).toBeUndefined();
        }
        expect(traverse(table)).toEqual(model);
      }),
      { numRuns: 300 },
    );
  });

  it('reports the border Lua 5.1 reports for constructors with holes', () => {
    const cases: [LuaValue[], number][] = [
      [[], 0],
      [[1, 2, 3], 3],
      [[1, undefined, 3], 3],
      [[undefined, undefined, 3], 3],
      [[1, 2, undefined, undefined], 2],
    ];
    for (const [items, border] of cases) {
      const copy = [...items];
      while (copy.length && copy[copy.length - 1] === undefined) copy.pop();
      expect(new LuaTable(copy).length()).toBe(border);
    }
  });

  it('refuses a broken layout in checkInvariants', () => {
    const table = new LuaTable([1, undefined]);
    expect(() => table.checkInvariants()).toThrow(/ends with nil/);
    const misplaced = new LuaTable([1], new Map<LuaValue, LuaValue>([[2, 'x']]));
    expect(() => misplaced.checkInvariants()).toThrow(/hash part/);
  });

  it('continues a traversal while existing fields are assigned or cleared', () => {
    const table = new LuaTable([1, 2, 3]);
    for (const k of ['a', 'b', 'c', 'd']) table.set(k, k);
    const visited: LuaValue[] = [];
    let entry = table.next(undefined);
    while (entry) {
      visited.push(entry[0]);
      table.set(entry[0], entry[0] === 'b' ? undefined : 'changed');
      entry = table.next(entry[0]);
    }
    expect(visited).toEqual([1, 2, 3, 'a', 'b', 'c', 'd']);
    expect(table.get('b')).toBeUndefined();
    expect(table.get('c')).toBe('changed');
  });
});
