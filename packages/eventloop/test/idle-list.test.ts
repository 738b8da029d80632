import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InvariantError } from '../src/index.js';
import { IdleEntry, IdleList } from '../src/idle-list.js';

type Operation =
  | { kind: 'touch'; pick: number; advance: number }
  | { kind: 'remove'; pick: number }
  | { kind: 'expire'; olderThan: number };

const operationArbitrary: fc.Arbitrary<Operation> = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.record({
      kind: fc.constant('touch' as const),
      pick: fc.nat(),
      advance: fc.integer({ min: 0, max: 5 }),
    }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('remove' as const), pick: fc.nat() }) },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('expire' as const),
      olderThan: fc.integer({ min: 0, max: 20 }),
    }),
  },
);

describe('IdleList model test', () => {
  it('keeps entries in touch order like an array with move-to-end', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 12 }),
        fc.array(operationArbitrary, { maxLength: 200 }),
        (population, operations) => {
          const entries = Array.from({ length: population }, (_, id) => new IdleEntry(id));
          const list = new IdleList<number>();
          let model: number[] = []; // owners, least recently touched first
          let now = 0;
          for (const operation of operations) {
            switch (operation.kind) {
              case 'touch': {
                now += operation.advance;
                const entry = entries[operation.pick % population]!;
                list.touch(entry, now);
                model = model.filter((owner) => owner !== entry.owner);
                model.push(entry.owner);
                break;
              }
              case 'remove': {
                const entry = entries[operation.pick % population]!;
                list.remove(entry);
                model = model.filter((owner) => owner !== entry.owner);
                break;
              }
              case 'expire': {
                // The walk the loop does: from the head while older than the cut-off.
                const cutoff = now - operation.olderThan;
                const expired: number[] = [];
                for (let head = list.head; head !== null && head.since < cutoff; head = list.head) {
                  expired.push(head.owner);
                  list.remove(head);
                }
                const expected = model.filter((owner) => entries[owner]!.since < cutoff);
                expect(expired).toEqual(expected);
                model = model.filter((owner) => !expected.includes(owner));
                break;
              }
            }
            list.checkInvariants();
            expect(list.size).toBe(model.length);
            expect(list.head?.owner).toBe(model[0]);
            const walked: number[] = [];
            for (let entry = list.head; entry !== null; entry = entry.next)
              walked.push(entry.owner);
            expect(walked).toEqual(model);
            for (const entry of entries) expect(entry.linked).toBe(model.includes(entry.owner));
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('checkInvariants detects broken links and order', () => {
    const list = new IdleList<string>();
    const a = new IdleEntry('a');
    const b = new IdleEntry('b');
    list.touch(a, 1);
    list.touch(b, 2);
    list.checkInvariants();
    a.since = 5; // touched "later" without moving: out of order
    expect(() => list.checkInvariants()).toThrow(InvariantError);
    a.since = 1;
    b.prev = null;
    expect(() => list.checkInvariants()).toThrow(InvariantError);
  });

  it('touching the tail only updates its time; removing twice is harmless', () => {
    const list = new IdleList<string>();
    const a = new IdleEntry('a');
    list.touch(a, 1);
    list.touch(a, 9);
    expect(list.size).toBe(1);
    expect(a.since).toBe(9);
    list.remove(a);
    list.remove(a);
    expect(list.size).toBe(0);
    expect(list.head).toBeNull();
    list.checkInvariants();
  });
});
