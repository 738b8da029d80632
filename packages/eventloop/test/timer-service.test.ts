import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import {
  ClosedError,
  InvalidOptionError,
  TimerService,
  systemClock,
  type TimerHandle,
} from '../src/index.js';
import { ManualClock } from './helpers.js';

const services: TimerService[] = [];
function service(options: ConstructorParameters<typeof TimerService>[0] = {}): TimerService {
  const timers = new TimerService(options);
  services.push(timers);
  return timers;
}
afterEach(() => {
  for (const timers of services.splice(0)) timers.close();
});

type Operation =
  | { kind: 'schedule'; delay: number }
  | { kind: 'cancel'; pick: number }
  | { kind: 'reschedule'; pick: number; delay: number }
  | { kind: 'advance'; by: number };

const delay = fc.integer({ min: -5, max: 50 });
const operationArbitrary: fc.Arbitrary<Operation> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ kind: fc.constant('schedule' as const), delay }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('cancel' as const), pick: fc.nat() }) },
  {
    weight: 2,
    arbitrary: fc.record({ kind: fc.constant('reschedule' as const), pick: fc.nat(), delay }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('advance' as const),
      by: fc.integer({ min: 0, max: 30 }),
    }),
  },
);

describe('TimerService model test', () => {
  it('fires exactly the due timers, in (deadline, scheduling order), like a sorted list', () => {
    fc.assert(
      fc.property(fc.array(operationArbitrary, { maxLength: 200 }), (operations) => {
        const clock = new ManualClock();
        const timers = service({ clock });
        // The reference: pending timers with their deadline and a global order counter.
        const pending: { id: number; handle: TimerHandle; at: number; order: number }[] = [];
        const fired: number[] = [];
        let nextId = 0;
        let order = 0;
        for (const operation of operations) {
          switch (operation.kind) {
            case 'schedule': {
              const id = nextId++;
              const at = clock.time + operation.delay;
              const handle = timers.schedule(at, () => fired.push(id));
              pending.push({ id, handle, at, order: order++ });
              break;
            }
            case 'cancel': {
              if (pending.length === 0) break;
              const [entry] = pending.splice(operation.pick % pending.length, 1);
              expect(timers.cancel(entry!.handle)).toBe(true);
              expect(timers.cancel(entry!.handle)).toBe(false);
              break;
            }
            case 'reschedule': {
              if (pending.length === 0) break;
              const entry = pending[operation.pick % pending.length]!;
              entry.at = clock.time + operation.delay;
              entry.order = order++;
              expect(timers.reschedule(entry.handle, entry.at)).toBe(true);
              break;
            }
            case 'advance': {
              clock.time += operation.by;
              const due = pending
                .filter((entry) => entry.at <= clock.time)
                .sort((a, b) => a.at - b.at || a.order - b.order);
              fired.length = 0;
              expect(timers.runDue()).toBe(due.length);
              expect(fired).toEqual(due.map((entry) => entry.id));
              for (const entry of due) {
                pending.splice(pending.indexOf(entry), 1);
                expect(timers.cancel(entry.handle)).toBe(false);
                expect(timers.reschedule(entry.handle, 0)).toBe(false);
              }
              break;
            }
          }
          timers.checkInvariants();
          expect(timers.size).toBe(pending.length);
          const earliest = pending.length
            ? Math.min(...pending.map((entry) => entry.at))
            : undefined;
          expect(timers.nextDeadline()).toBe(earliest);
          for (const entry of pending) expect(timers.deadline(entry.handle)).toBe(entry.at);
        }
        timers.close();
      }),
      { numRuns: 200 },
    );
  });
});

describe('TimerService', () => {
  it('fires thousands of real timers in deadline order, then scheduling order', async () => {
    const timers = service();
    const start = systemClock.now();
    const expected: number[] = [];
    const fired: number[] = [];
    const deadlines = Array.from({ length: 3000 }, (_, index) => start + 5 + ((index * 7919) % 40));
    deadlines.forEach((at, index) => timers.schedule(at, () => fired.push(index)));
    deadlines
      .map((at, index) => ({ at, index }))
      .sort((a, b) => a.at - b.at || a.index - b.index)
      .forEach(({ index }) => expected.push(index));
    await new Promise<void>((resolve) => {
      timers.schedule(start + 60, resolve);
    });
    expect(fired).toEqual(expected);
    expect(timers.size).toBe(0);
  });

  it('runs a cron task with its budget, every interval, until cancelled', () => {
    const clock = new ManualClock();
    const timers = service({ clock });
    const ticks: [number, number][] = [];
    const cron = timers.every(100, (budget) => ticks.push([clock.time, budget]), { budget: 25 });
    clock.time += 99;
    expect(timers.runDue()).toBe(0);
    clock.time += 1;
    expect(timers.runDue()).toBe(1);
    clock.time += 250; // late: one tick, next one an interval after it
    expect(timers.runDue()).toBe(1);
    clock.time += 100;
    timers.runDue();
    expect(ticks).toEqual([
      [1_000_100, 25],
      [1_000_350, 25],
      [1_000_450, 25],
    ]);
    expect(timers.cancel(cron)).toBe(true);
    clock.time += 1000;
    expect(timers.runDue()).toBe(0);
  });

  it('uses the default budget of 2000 and honours firstAt', () => {
    const clock = new ManualClock();
    const timers = service({ clock });
    const budgets: number[] = [];
    timers.every(10, (budget) => budgets.push(budget), { firstAt: clock.time });
    timers.runDue();
    expect(budgets).toEqual([2000]);
  });

  it('defers timers scheduled by a callback to a later turn, even when already due', async () => {
    const clock = new ManualClock();
    const timers = service({ clock });
    const order: string[] = [];
    timers.schedule(clock.time, () => {
      order.push('first');
      timers.schedule(clock.time - 10, () => order.push('nested'));
    });
    timers.schedule(clock.time, () => order.push('second'));
    expect(timers.runDue()).toBe(2);
    expect(order).toEqual(['first', 'second']);
    // The nested timer is due: the service re-armed itself for the next turn.
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(order).toEqual(['first', 'second', 'nested']);
  });

  it('a callback can cancel a later due timer of the same run', () => {
    const clock = new ManualClock();
    const timers = service({ clock });
    const order: string[] = [];
    const victim: { handle?: TimerHandle } = {};
    timers.schedule(clock.time, () => {
      order.push('a');
      timers.cancel(victim.handle!);
    });
    victim.handle = timers.schedule(clock.time, () => order.push('b'));
    expect(timers.runDue()).toBe(1);
    expect(order).toEqual(['a']);
  });

  it('gives callback errors to onError and keeps firing', () => {
    const clock = new ManualClock();
    const errors: unknown[] = [];
    const timers = service({ clock, onError: (error) => errors.push(error) });
    const fired: string[] = [];
    timers.schedule(clock.time, () => {
      throw new Error('boom');
    });
    timers.schedule(clock.time, () => fired.push('after'));
    expect(timers.runDue()).toBe(2);
    expect(fired).toEqual(['after']);
    expect((errors[0] as Error).message).toBe('boom');
  });

  it('without onError, a throwing callback propagates and the rest fire on the next run', () => {
    const clock = new ManualClock();
    const timers = service({ clock });
    const fired: string[] = [];
    timers.schedule(clock.time, () => {
      throw new Error('boom');
    });
    timers.schedule(clock.time, () => fired.push('after'));
    expect(() => timers.runDue()).toThrow('boom');
    expect(fired).toEqual([]);
    expect(timers.runDue()).toBe(1);
    expect(fired).toEqual(['after']);
  });

  it('rejects bad arguments and use after close', () => {
    const timers = service();
    expect(() => timers.schedule(Number.NaN, () => undefined)).toThrow(InvalidOptionError);
    expect(() => timers.every(0, () => undefined)).toThrow(InvalidOptionError);
    expect(() => timers.every(Infinity, () => undefined)).toThrow(InvalidOptionError);
    expect(() => timers.every(10, () => undefined, { budget: -1 })).toThrow(InvalidOptionError);
    const handle = timers.schedule(systemClock.now() + 1000, () => undefined);
    expect(() => timers.reschedule(handle, Number.NaN)).toThrow(InvalidOptionError);
    timers.close();
    expect(timers.size).toBe(0);
    expect(timers.cancel(handle)).toBe(false);
    expect(() => timers.schedule(0, () => undefined)).toThrow(ClosedError);
    expect(() => timers.every(10, () => undefined)).toThrow(ClosedError);
  });

  it('fires a rescheduled real timer at its new time only', async () => {
    const timers = service();
    const fired: string[] = [];
    const now = systemClock.now();
    const handle = timers.schedule(now + 10_000, () => fired.push('moved'));
    timers.schedule(now + 1, () => fired.push('early'));
    expect(timers.reschedule(handle, now + 3)).toBe(true);
    await new Promise<void>((resolve) => timers.schedule(now + 20, resolve));
    expect(fired).toEqual(['early', 'moved']);
  });
});
