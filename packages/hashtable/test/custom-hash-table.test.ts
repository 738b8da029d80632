import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CustomHashTable, InvalidArgumentError } from '../src/index.js';

interface Point {
  x: number;
  y: number;
}

const pointOptions = {
  hash: (point: Point) => Math.imul(point.x, 31) + point.y,
  equals: (a: Point, b: Point) => a.x === b.x && a.y === b.y,
};

describe('CustomHashTable: edge cases', () => {
  it('finds structurally equal keys', () => {
    const table = new CustomHashTable<Point, string>(pointOptions);
    for (let x = 0; x < 30; x++) table.set({ x, y: -x }, `p${x}`);
    expect(table.get({ x: 7, y: -7 })).toBe('p7');
    expect(table.has({ x: 7, y: 7 })).toBe(false);
    expect(table.set({ x: 7, y: -7 }, 'again')).toBe(false);
    expect(table.size).toBe(30);
    table.checkInvariants();
  });

  it.each([
    ['NaN', Number.NaN, Number.NaN],
    ['-0 and +0', -0, 0],
  ])('uses SameValueZero by default: %s', (_name, stored, looked) => {
    const table = new CustomHashTable<number, string>({ hash: (key) => key });
    for (let i = 1; i <= 20; i++) table.set(i, String(i));
    table.set(stored, 'x');
    expect(table.get(looked)).toBe('x');
    expect(table.set(looked, 'y')).toBe(false);
    expect(table.size).toBe(21);
  });

  it('stays correct when every key hashes the same', () => {
    const table = new CustomHashTable<number, number>({ hash: () => 42 });
    for (let i = 0; i < 300; i++) table.set(i, i * 2);
    for (let i = 0; i < 300; i += 3) table.delete(i);
    for (let i = 0; i < 300; i++) expect(table.get(i)).toBe(i % 3 === 0 ? undefined : i * 2);
    table.checkInvariants();
  });

  it('coerces a hash that is not an int32', () => {
    const table = new CustomHashTable<number, number>({ hash: (key) => key / 3 });
    for (let i = 0; i < 100; i++) table.set(i, i);
    for (let i = 0; i < 100; i++) expect(table.get(i)).toBe(i);
    table.checkInvariants();
  });

  it('reports a hash that is not deterministic through checkInvariants', () => {
    let salt = 0;
    const table = new CustomHashTable<number, number>({ hash: (key) => key + salt });
    for (let i = 0; i < 100; i++) table.set(i, i);
    table.checkInvariants();
    salt = 1;
    expect(() => table.checkInvariants()).toThrow(/stored hash/);
  });

  const one = (): number => 1;
  it.each<[unknown, string]>([
    [undefined, 'CustomHashTable needs options with a hash function'],
    [{}, 'options.hash must be a function'],
    [{ hash: 5 }, 'options.hash must be a function'],
    [{ hash: one, equals: 'x' }, 'options.equals must be a function'],
    [{ hash: one, random: 1 }, 'options.random must be a function'],
    [{ hash: one, seed: -1 }, 'seed must be an integer in [0, 2^53), got -1'],
  ])('rejects options %j', (options, message) => {
    const create = () => new CustomHashTable(options as never);
    expect(create).toThrow(InvalidArgumentError);
    expect(create).toThrow(message);
  });
});

type Op =
  | { kind: 'set'; key: number; value: number }
  | { kind: 'delete'; key: number }
  | { kind: 'get'; key: number }
  | { kind: 'fill'; from: number; count: number }
  | { kind: 'drain'; keepEvery: number }
  | { kind: 'scan' };

const key = fc.oneof(fc.integer({ min: -50, max: 50 }), fc.constant(Number.NaN), fc.double());
const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ kind: fc.constant('set'), key, value: fc.integer() }) },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('delete'), key }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('get'), key }) },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('fill'),
      from: fc.integer({ min: 0, max: 1000 }),
      count: fc.integer({ min: 1, max: 400 }),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant('drain'), keepEvery: fc.integer({ min: 1, max: 9 }) }),
  },
  { weight: 1, arbitrary: fc.constant({ kind: 'scan' } as const) },
);

describe('CustomHashTable: model test against Map', () => {
  it('agrees with a Map (SameValueZero keys) under a weak hash', () => {
    fc.assert(
      fc.property(
        fc.array(op, { maxLength: 50 }),
        fc.constantFrom<(k: number) => number>(
          (k) => k,
          (k) => Math.floor(k) & 7,
          (k) => Math.trunc(k * 1000),
        ),
        fc.nat(),
        (ops, hash, seed) => {
          const table = new CustomHashTable<number, number>({ hash, seed });
          const model = new Map<number, number>();
          for (const step of ops) {
            switch (step.kind) {
              case 'set':
                expect(table.set(step.key, step.value)).toBe(!model.has(step.key));
                model.set(step.key, step.value);
                break;
              case 'delete':
                expect(table.delete(step.key)).toBe(model.delete(step.key));
                break;
              case 'get':
                expect(table.get(step.key)).toBe(model.get(step.key));
                break;
              case 'fill':
                for (let i = step.from; i < step.from + step.count; i++) {
                  expect(table.set(i, i)).toBe(!model.has(i));
                  model.set(i, i);
                }
                break;
              case 'drain': {
                let index = 0;
                for (const k of [...model.keys()]) {
                  if (index++ % step.keepEvery !== 0) {
                    expect(table.delete(k)).toBe(true);
                    model.delete(k);
                  }
                }
                break;
              }
              case 'scan': {
                const seen = new Map<number, number>();
                let cursor = 0;
                do {
                  cursor = table.scan(cursor, 16, (k, v) => seen.set(k, v));
                } while (cursor !== 0);
                expect(seen).toEqual(model);
                break;
              }
            }
            table.checkInvariants();
            expect(table.size).toBe(model.size);
          }
          expect(new Map(table)).toEqual(model);
        },
      ),
      { numRuns: 120 },
    );
  });
});
