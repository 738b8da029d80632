/**
 * Model test of the pool's scheduling: random sequences of run / finish / abort-while-queued /
 * abort-while-running against a dumb reference (an array of running ids and a FIFO array of
 * queued ids), with real workers. Each task is held in its worker by a gate until the test
 * finishes it, so which task runs where is deterministic. After every step: the pool's
 * invariants, its counters, and the exact set of tasks that ever started (only the head of the
 * queue may start, so this checks FIFO order and that aborted tasks never run).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TaskAbortedError, type ThreadPool } from '../src/index.js';
import type * as Tasks from './fixtures/tasks.js';
import { cleanUpPools, fixture, Gate, track, until } from './helpers.js';

cleanUpPools();

type Step =
  | { kind: 'run' }
  | { kind: 'finish'; pick: number }
  | { kind: 'abortQueued'; pick: number }
  | { kind: 'abortRunning'; pick: number };

const step: fc.Arbitrary<Step> = fc.oneof(
  { arbitrary: fc.constant({ kind: 'run' } as const), weight: 5 },
  { arbitrary: fc.record({ kind: fc.constant('finish' as const), pick: fc.nat() }), weight: 3 },
  {
    arbitrary: fc.record({ kind: fc.constant('abortQueued' as const), pick: fc.nat() }),
    weight: 2,
  },
  {
    arbitrary: fc.record({ kind: fc.constant('abortRunning' as const), pick: fc.nat() }),
    weight: 1,
  },
);

interface Model {
  running: number[];
  queued: number[];
  everStarted: Set<number>;
  completed: number;
  failed: number;
}

async function startAll(gate: Gate, ids: number[]): Promise<void> {
  for (const id of ids) await gate.started(id);
}

describe('ThreadPool scheduling (model test)', () => {
  it('matches a FIFO reference under random run / finish / abort sequences', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 2 }),
        fc.array(step, { minLength: 1, maxLength: 14 }),
        async (size, steps) => {
          const gate = new Gate(64);
          const pool: ThreadPool<typeof Tasks> = track<typeof Tasks>({
            filename: fixture('tasks.ts'),
            size,
            minSize: size,
          });
          // Warm up: one gated task per worker proves every worker is ready.
          const warmUp = Array.from({ length: size }, (_, id) =>
            pool.run(gate.payload(id), { handler: 'gated' }),
          );
          await startAll(
            gate,
            warmUp.map((_, id) => id),
          );
          for (let id = 0; id < size; id++) gate.release(id);
          await Promise.all(warmUp);

          const model: Model = {
            running: [],
            queued: [],
            everStarted: new Set(Array.from({ length: size }, (_, id) => id)),
            completed: size,
            failed: 0,
          };
          const promises = new Map<number, Promise<number>>();
          const controllers = new Map<number, AbortController>();
          let next = size;

          const promote = async (): Promise<void> => {
            while (model.running.length < size && model.queued.length > 0) {
              const id = model.queued.shift()!;
              model.running.push(id);
              model.everStarted.add(id);
              await gate.started(id);
            }
          };

          for (const current of steps) {
            switch (current.kind) {
              case 'run': {
                const id = next++;
                const controller = new AbortController();
                controllers.set(id, controller);
                const promise = pool.run(gate.payload(id), {
                  handler: 'gated',
                  signal: controller.signal,
                });
                promise.catch(() => {}); // awaited later; keep it from counting as unhandled
                promises.set(id, promise);
                model.queued.push(id);
                await promote();
                break;
              }
              case 'finish': {
                if (model.running.length === 0) break;
                const id = model.running.splice(current.pick % model.running.length, 1)[0]!;
                gate.release(id);
                await expect(promises.get(id)).resolves.toBe(id);
                model.completed++;
                await promote();
                break;
              }
              case 'abortQueued': {
                if (model.queued.length === 0) break;
                const id = model.queued.splice(current.pick % model.queued.length, 1)[0]!;
                controllers.get(id)!.abort();
                await expect(promises.get(id)).rejects.toBeInstanceOf(TaskAbortedError);
                model.failed++;
                break;
              }
              case 'abortRunning': {
                if (model.running.length === 0) break;
                const id = model.running.splice(current.pick % model.running.length, 1)[0]!;
                controllers.get(id)!.abort();
                await expect(promises.get(id)).rejects.toBeInstanceOf(TaskAbortedError);
                model.failed++;
                // The replacement worker starts asynchronously, then takes the queue's head.
                await until(
                  () => pool.running === Math.min(size, model.running.length + model.queued.length),
                  'the replacement worker took the next task',
                );
                await promote();
                break;
              }
            }
            pool.checkInvariants();
            expect([pool.running, pool.queued]).toEqual([
              model.running.length,
              model.queued.length,
            ]);
            expect([pool.completed, pool.failed]).toEqual([model.completed, model.failed]);
            expect(gate.startedIds()).toEqual([...model.everStarted].sort((a, b) => a - b));
          }

          gate.releaseAll();
          await pool.close();
          expect(pool.workers).toBe(0);
          expect(pool.completed + pool.failed).toBe(next);
        },
      ),
      { numRuns: 12 },
    );
  }, 120_000);
});
