import { getEventListeners } from 'node:events';
import { MessageChannel } from 'node:worker_threads';
import fc from 'fast-check';
import { beforeAll, describe, expect, expectTypeOf, it } from 'vitest';
import {
  CloneError,
  HandlerNotFoundError,
  PoolClosedError,
  QueueFullError,
  TaskAbortedError,
  TaskTimeoutError,
  ThreadPool,
  ThreadPoolErrorCode,
  WorkerExitedError,
  WorkerStartupError,
  type ThreadPoolOptions,
} from '../src/index.js';
import type * as Tasks from './fixtures/tasks.js';
import {
  cleanUpPools,
  fixture,
  Gate,
  ManualTimers,
  settledThreadCount,
  threadCount,
  track,
  until,
} from './helpers.js';

cleanUpPools();

const tasks = fixture('tasks.ts');

function pool(options: Partial<ThreadPoolOptions> = {}): ThreadPool<typeof Tasks> {
  return track<typeof Tasks>({ filename: tasks, size: 2, ...options });
}

/** Settles `promise` and returns what it rejected with (fails the test if it resolved). */
async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the promise to reject');
}

let baselineThreads = 0;

beforeAll(async () => {
  // The first worker starts libuv's thread pool and tsx's machinery: count threads after it.
  const warmUp = new ThreadPool<typeof Tasks>({ filename: tasks, size: 1 });
  await warmUp.run(1);
  await warmUp.close();
  baselineThreads = threadCount();
});

describe('running tasks', () => {
  it('resolves with the result of the default `task` export', async () => {
    const threads = pool();
    await expect(threads.run(21)).resolves.toBe(42);
    expect(threads.completed).toBe(1);
  });

  it('runs a named handler per task, sync or async', async () => {
    const threads = pool();
    await expect(threads.run(1, { handler: 'later' })).resolves.toBe(2);
    await expect(threads.run({ nested: [1, 'two'] }, { handler: 'echo' })).resolves.toEqual({
      nested: [1, 'two'],
    });
  });

  it("uses the pool's `handler` option as the default", async () => {
    const threads = track<typeof Tasks.later>({ filename: tasks, size: 1, handler: 'later' });
    await expect(threads.run(9)).resolves.toBe(10);
  });

  it('gives each concurrent task its own result (random batches, tasks per worker, waits)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.integer({ min: -1000, max: 1000 }), { maxLength: 60 }),
        fc.integer({ min: 1, max: 4 }),
        fc.constantFrom(0, 10),
        async (values, perWorker, atomicsWait) => {
          const threads = pool({ concurrentTasksPerWorker: perWorker, atomicsWait });
          try {
            const results = await Promise.all(
              values.map((value, index) =>
                index % 3 === 0 ? threads.run(value, { handler: 'later' }) : threads.run(value),
              ),
            );
            expect(results).toEqual(
              values.map((value, index) => (index % 3 === 0 ? value + 1 : value * 2)),
            );
            threads.checkInvariants();
          } finally {
            await threads.close();
          }
        },
      ),
      { numRuns: 8 },
    );
  });

  it('passes workerData and env to the workers', async () => {
    const threads = pool({ workerData: { config: [1, 2] }, env: { BYOR_TEST_VALUE: 'yes' } });
    await expect(threads.run(undefined, { handler: 'data' })).resolves.toEqual({ config: [1, 2] });
    await expect(threads.run('BYOR_TEST_VALUE', { handler: 'env' })).resolves.toBe('yes');
  });
});

describe('task modules', () => {
  it.each([
    ['an ES module default export (piscina style)', 'default-export.mjs', 'default:7'],
    ['a CommonJS module.exports function', 'commonjs.cjs', 'cjs:7'],
    ['a CommonJS exports.task', 'commonjs-named.cjs', 'cjs-task:7'],
  ])('runs %s', async (_, file, expected) => {
    const threads = track({ filename: fixture(file), size: 1 });
    await expect(threads.run(7)).resolves.toBe(expected);
  });

  it('takes a plain absolute path as well as a URL', async () => {
    const threads = track({ filename: fixture('commonjs-named.cjs').pathname, size: 1 });
    await expect(threads.run('x', { handler: 'shout' })).resolves.toBe('X');
  });

  it('rejects a task whose handler does not exist, and keeps the worker', async () => {
    const threads = pool({ size: 1 });
    const before = await threads.run(undefined, { handler: 'whoami' });
    const error = await rejection(threads.run(1, { handler: 'missing' as 'echo' }));
    expect(HandlerNotFoundError.isInstance(error)).toBe(true);
    expect((error as HandlerNotFoundError).handler).toBe('missing');
    expect((error as Error).message).toBe("the task module exports no function named 'missing'");
    await expect(threads.run(undefined, { handler: 'whoami' })).resolves.toBe(before);
  });

  it('rejects default-handler tasks of a module with no `task` or default export', async () => {
    const threads = track({ filename: fixture('no-task.mjs'), size: 1 });
    const error = await rejection(threads.run(1));
    expect(HandlerNotFoundError.isInstance(error)).toBe(true);
    expect((error as Error).message).toBe(
      "the task module exports neither a function named 'task' nor a default function",
    );
    await expect(threads.run(1, { handler: 'notAFunction' })).rejects.toThrow(
      "the task module exports no function named 'notAFunction'",
    );
    await expect(threads.run(1, { handler: 'other' })).resolves.toBe('other:1');
  });

  it.each([
    ['throws at the top level', 'top-level-throw.mjs', {}, 'broken module'],
    ['calls process.exit() while loading', 'exit-on-load.mjs', {}, 'exited with code 5'],
    ['does not exist', 'missing.mjs', {}, 'Cannot find module'],
    ['lacks the pool handler', 'no-task.mjs', { handler: 'absent' }, "no function named 'absent'"],
  ])(
    'rejects waiting tasks with WorkerStartupError when the module %s',
    async (_, file, extra, cause) => {
      const threads = track({ filename: fixture(file), size: 2, ...extra });
      const results = await Promise.allSettled([threads.run(1), threads.run(2), threads.run(3)]);
      for (const result of results) {
        expect(result.status).toBe('rejected');
        const error = (result as PromiseRejectedResult).reason as WorkerStartupError;
        expect(WorkerStartupError.isInstance(error)).toBe(true);
        expect(error.code).toBe(ThreadPoolErrorCode.WORKER_STARTUP);
        expect(String((error.cause as Error).message)).toContain(cause);
      }
      expect(threads.failed).toBe(3);
      // The next run() tries again (the file may have been fixed meanwhile).
      await expect(threads.run(4)).rejects.toBeInstanceOf(WorkerStartupError);
      threads.checkInvariants();
    },
  );
});

describe('errors cross threads', () => {
  it('keeps class name, message, stack, own properties and cause', async () => {
    const threads = pool({ size: 1 });
    const error = (await rejection(threads.run('bad input', { handler: 'fail' }))) as Error & {
      code: string;
      field: string;
    };
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('ValidationError');
    expect(error.message).toBe('bad input');
    expect(error.code).toBe('E_VALIDATION');
    expect(error.field).toBe('name');
    expect(error.stack).toContain('bad input');
    expect(error.stack).toContain('tasks.ts');
    expect(error.cause).toBeInstanceOf(RangeError);
    expect((error.cause as Error).message).toBe('inner cause');
    expect(threads.failed).toBe(1);
  });

  it.each([
    ['failNamed', Error, 'CustomName', 'named'],
    ['failType', TypeError, 'TypeError', 'not a number'],
    ['failAsync', Error, 'Error', 'async failure'],
    ['failAggregate', AggregateError, 'AggregateError', 'several'],
    ['failDomException', DOMException, 'AbortError', 'stopped'],
  ] as const)('%s rejects with an instance of its class', async (handler, type, name, message) => {
    const threads = pool({ size: 1 });
    const error = (await rejection(threads.run(undefined, { handler }))) as Error;
    expect(error).toBeInstanceOf(type);
    expect(error.name).toBe(name);
    expect(error.message).toBe(message);
    if (error instanceof AggregateError) {
      expect(error.errors.map((item: Error) => [item.constructor, item.message])).toEqual([
        [Error, 'first'],
        [TypeError, 'second'],
      ]);
    }
  });

  it('passes thrown non-errors through as thrown', async () => {
    const threads = pool({ size: 1 });
    await expect(threads.run(undefined, { handler: 'throwString' })).rejects.toBe('a plain string');
    await expect(threads.run(undefined, { handler: 'throwObject' })).rejects.toEqual({
      reason: 'an object',
      list: [1, 2],
    });
  });

  it('rejects with CloneError when the payload or the result cannot be copied', async () => {
    const threads = pool({ size: 1 });
    const payloadError = await rejection(threads.run(() => 1, { handler: 'echo' }));
    expect(CloneError.isInstance(payloadError)).toBe(true);
    expect((payloadError as Error).message).toBe(
      'the payload could not be copied to the other thread',
    );
    expect((payloadError as Error).cause).toBeInstanceOf(DOMException);
    const resultError = await rejection(threads.run(undefined, { handler: 'unclonable' }));
    expect((resultError as Error).message).toBe(
      'the result could not be copied to the other thread',
    );
    await expect(threads.run(2)).resolves.toBe(4);
    expect([threads.completed, threads.failed]).toEqual([1, 2]);
  });
});

describe('ordering and fairness', () => {
  it('starts queued tasks in submission order (FIFO)', async () => {
    const gate = new Gate();
    const threads = pool({ size: 1 });
    const results = Array.from({ length: 6 }, (_, id) =>
      threads.run(gate.payload(id), { handler: 'gated' }),
    );
    for (let id = 0; id < 6; id++) {
      await gate.started(id);
      expect(gate.startedIds()).toEqual(Array.from({ length: id + 1 }, (_, i) => i));
      expect([threads.running, threads.queued]).toEqual([1, 5 - id]);
      threads.checkInvariants();
      gate.release(id);
      await expect(results[id]).resolves.toBe(id);
    }
  });

  it('hands a freed worker the oldest waiting task, and spreads tasks over idle workers', async () => {
    const gate = new Gate();
    const threads = pool({ size: 2, minSize: 2 });
    await Promise.all([threads.run(0), threads.run(0)]); // both workers ready
    const runs = [0, 1, 2, 3].map((id) => threads.run(gate.payload(id), { handler: 'gated' }));
    await gate.started(0);
    await gate.started(1);
    expect([threads.running, threads.queued, threads.workers]).toEqual([2, 2, 2]);
    gate.release(1);
    await runs[1];
    await gate.started(2);
    expect(gate.hasStarted(3)).toBe(false);
    gate.release(0);
    await gate.started(3);
    gate.releaseAll();
    await expect(Promise.all(runs)).resolves.toEqual([0, 1, 2, 3]);
    threads.checkInvariants();
  });

  it('sends tasks ahead up to concurrentTasksPerWorker, then queues', async () => {
    const threads = pool({ size: 1, minSize: 1, concurrentTasksPerWorker: 3 });
    await threads.run(0);
    const runs = [1, 2, 3, 4, 5].map((value) => threads.run(value, { handler: 'later' }));
    expect([threads.running, threads.queued]).toEqual([3, 2]);
    threads.checkInvariants();
    await expect(Promise.all(runs)).resolves.toEqual([2, 3, 4, 5, 6]);
  });
});

describe('crash recovery', () => {
  it('rejects only the task whose worker exited, and replaces the worker', async () => {
    const gate = new Gate();
    const threads = pool({ size: 2 });
    const other = threads.run(gate.payload(0), { handler: 'gated' });
    await gate.started(0);
    const first = await threads.run(undefined, { handler: 'whoami' });
    const error = (await rejection(threads.run(3, { handler: 'exit' }))) as WorkerExitedError;
    expect(WorkerExitedError.isInstance(error)).toBe(true);
    expect(error.exitCode).toBe(3);
    expect(error.message).toBe('the worker exited with code 3 while running the task');
    gate.release(0);
    await expect(other).resolves.toBe(0);
    const second = await threads.run(undefined, { handler: 'whoami' });
    expect(second).not.toBe(first);
    expect([threads.completed, threads.failed]).toEqual([3, 1]);
    threads.checkInvariants();
  });

  it('rejects with the uncaught error as cause when a worker crashes', async () => {
    const threads = pool({ size: 1 });
    const error = (await rejection(
      threads.run(undefined, { handler: 'crash' }),
    )) as WorkerExitedError;
    expect(error.message).toBe('the worker crashed while running the task');
    expect(error.exitCode).toBe(1);
    expect((error.cause as Error).message).toBe('uncaught in worker');
    await expect(threads.run(5)).resolves.toBe(10);
  });

  it('survives a worker that runs out of memory', async () => {
    const threads = pool({ size: 1, resourceLimits: { maxOldGenerationSizeMb: 16 } });
    const error = (await rejection(
      threads.run(undefined, { handler: 'hog' }),
    )) as WorkerExitedError;
    expect(WorkerExitedError.isInstance(error)).toBe(true);
    expect((error.cause as { code?: string }).code).toBe('ERR_WORKER_OUT_OF_MEMORY');
    await expect(threads.run(5)).resolves.toBe(10);
  });

  it('runs again, on a new worker, the tasks sent ahead that the dead worker never started', async () => {
    const threads = pool({ size: 1, minSize: 1, concurrentTasksPerWorker: 4 });
    await threads.run(0);
    const exit = threads.run(7, { handler: 'exit' });
    const after = [1, 2, 3].map((value) => threads.run(value));
    expect(threads.running).toBe(4);
    expect(WorkerExitedError.isInstance(await rejection(exit))).toBe(true);
    await expect(Promise.all(after)).resolves.toEqual([2, 4, 6]);
    expect([threads.completed, threads.failed]).toEqual([4, 1]);
  });

  it('does not replace a worker whose task merely threw', async () => {
    const threads = pool({ size: 1 });
    const before = await threads.run(undefined, { handler: 'whoami' });
    await rejection(threads.run('x', { handler: 'fail' }));
    await expect(threads.run(undefined, { handler: 'whoami' })).resolves.toBe(before);
  });
});

describe('cancellation', () => {
  it('removes a queued task at once when its signal aborts; it never runs', async () => {
    const gate = new Gate();
    const threads = pool({ size: 1 });
    const blocker = threads.run(gate.payload(0), { handler: 'gated' });
    await gate.started(0);
    const controller = new AbortController();
    const queued = threads.run(gate.payload(1), { handler: 'gated', signal: controller.signal });
    const after = threads.run(gate.payload(2), { handler: 'gated' });
    expect(threads.queued).toBe(2);
    controller.abort('changed my mind');
    const error = (await rejection(queued)) as TaskAbortedError;
    expect(TaskAbortedError.isInstance(error)).toBe(true);
    expect(error.cause).toBe('changed my mind');
    expect(threads.queued).toBe(1);
    threads.checkInvariants();
    gate.release(0);
    gate.release(2);
    await expect(Promise.all([blocker, after])).resolves.toEqual([0, 2]);
    expect(gate.hasStarted(1)).toBe(false);
  });

  it('terminates and replaces the worker of a running task when its signal aborts', async () => {
    const gate = new Gate();
    const threads = pool({ size: 1 });
    const first = await threads.run(undefined, { handler: 'whoami' });
    const controller = new AbortController();
    const running = threads.run(gate.payload(0), { handler: 'gated', signal: controller.signal });
    const queued = threads.run(undefined, { handler: 'whoami' });
    await gate.started(0);
    const reason = new Error('stop');
    controller.abort(reason);
    const error = (await rejection(running)) as TaskAbortedError;
    expect(error.code).toBe(ThreadPoolErrorCode.TASK_ABORTED);
    expect(error.cause).toBe(reason);
    const second = await queued;
    expect(second).not.toBe(first);
    expect(threads.failed).toBe(1);
    threads.checkInvariants();
  });

  it('rejects at once for a signal already aborted, queueing nothing', async () => {
    const threads = pool();
    const error = await rejection(threads.run(1, { signal: AbortSignal.abort('early') }));
    expect(TaskAbortedError.isInstance(error)).toBe(true);
    expect([threads.queued, threads.running, threads.workers, threads.failed]).toEqual([
      0, 0, 0, 0,
    ]);
  });

  it('fails the other started task of a terminated worker, and re-runs the unstarted one', async () => {
    const gate = new Gate();
    const threads = pool({ size: 1, minSize: 1, concurrentTasksPerWorker: 3 });
    await threads.run(0);
    const controller = new AbortController();
    const pending = threads.run(undefined, { handler: 'pending' }); // started, never settles
    const victim = threads.run(gate.payload(1), { handler: 'gated', signal: controller.signal });
    const behind = threads.run(4); // sent ahead, not started: the worker is blocked in `gated`
    const outcomes = Promise.all([rejection(pending), rejection(victim)]);
    await gate.started(1);
    controller.abort();
    const [collateral, aborted] = await outcomes;
    expect(TaskAbortedError.isInstance(aborted)).toBe(true);
    expect(WorkerExitedError.isInstance(collateral)).toBe(true);
    expect((collateral as Error).message).toBe(
      'the worker was terminated because another task it was running was aborted while running the task',
    );
    await expect(behind).resolves.toBe(8);
    expect([threads.completed, threads.failed]).toEqual([2, 2]);
  });

  it('removes its abort listener once the task settles', async () => {
    const threads = pool({ size: 1 });
    const controller = new AbortController();
    await threads.run(1, { signal: controller.signal });
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
    controller.abort();
    expect(threads.failed).toBe(0);
  });
});

describe('timeouts', () => {
  it('terminates a task that runs past its timeout, and replaces its worker', async () => {
    const gate = new Gate();
    const timers = new ManualTimers();
    const threads = pool({ size: 1, timers });
    const first = await threads.run(undefined, { handler: 'whoami' });
    const slow = threads.run(gate.payload(0), { handler: 'gated', timeout: 500 });
    await gate.started(0);
    timers.advance(499);
    expect(threads.running).toBe(1);
    timers.advance(1);
    const error = (await rejection(slow)) as TaskTimeoutError;
    expect(TaskTimeoutError.isInstance(error)).toBe(true);
    expect(error.timeout).toBe(500);
    expect(error.message).toBe('the task did not finish within 500 ms');
    await expect(threads.run(undefined, { handler: 'whoami' })).resolves.not.toBe(first);
  });

  it("applies the pool's timeout, counts only time on a worker, and clears finished timers", async () => {
    const gate = new Gate();
    const timers = new ManualTimers();
    const threads = pool({ size: 1, timers, timeout: 100 });
    const blocker = threads.run(gate.payload(0), { handler: 'gated', timeout: Infinity });
    const waiting = threads.run(2);
    await gate.started(0);
    timers.advance(1000); // `waiting` sits in the queue: its timeout has not started
    expect(timers.pending).toBe(0);
    gate.release(0);
    await expect(Promise.all([blocker, waiting])).resolves.toEqual([0, 4]);
    expect(timers.pending).toBe(0);
  });
});

describe('transfers', () => {
  it('moves a payload ArrayBuffer to the worker without copying', async () => {
    const threads = pool({ size: 1 });
    const bytes = new Uint8Array(1 << 20).fill(9);
    const result = threads.run(bytes as never, {
      handler: 'measure',
      transferList: [bytes.buffer],
    });
    await expect(result).resolves.toEqual([1 << 20, 9]);
    expect(bytes.byteLength).toBe(0); // detached here: moved, not copied
  });

  it('moves a result wrapped with transfer() back without copying', async () => {
    const threads = pool({ size: 1 });
    const bytes = await threads.run(1 << 16, { handler: 'fill' });
    expectTypeOf(bytes).toEqualTypeOf<Uint8Array<ArrayBuffer>>();
    expect(bytes).toBeInstanceOf(Uint8Array);
    expect([bytes.byteLength, bytes[0], bytes[65535]]).toEqual([65536, 7, 7]);
    await expect(threads.run(undefined, { handler: 'lastTransferredLength' })).resolves.toBe(0);
  });

  it('hands a MessagePort to a task', async () => {
    const threads = pool({ size: 1 });
    const { port1, port2 } = new MessageChannel();
    const received = new Promise((resolve) => port1.once('message', resolve));
    await expect(
      threads.run(port2 as never, { handler: 'talk', transferList: [port2] }),
    ).resolves.toBe('sent');
    await expect(received).resolves.toBe('hello through a port');
    port1.close();
  });
});

describe('progress messages', () => {
  it('delivers context.postMessage() to onMessage, in order, before the result', async () => {
    const threads = pool({ size: 1 });
    const seen: unknown[] = [];
    const result = await threads.run(4, {
      handler: 'progress',
      onMessage: (message) => seen.push(message),
    });
    expect(result).toBe('done');
    expect(seen).toEqual([{ step: 0 }, { step: 1 }, { step: 2 }, { step: 3 }]);
  });

  it('drops messages posted after the task settled, and messages without onMessage', async () => {
    const threads = pool({ size: 1 });
    const seen: unknown[] = [];
    await expect(
      threads.run(0, { handler: 'lateMessage', onMessage: (m) => seen.push(m) }),
    ).resolves.toBe('early');
    await expect(threads.run(3, { handler: 'progress' })).resolves.toBe('done');
    await expect(threads.run(1, { handler: 'later' })).resolves.toBe(2);
    expect(seen).toEqual([]);
  });
});

describe('backpressure', () => {
  it('rejects at once beyond maxQueue waiting tasks, and accepts again once there is room', async () => {
    const gate = new Gate();
    const threads = pool({ size: 1, minSize: 1, maxQueue: 2 });
    await threads.run(0);
    const accepted = [0, 1, 2].map((id) => threads.run(gate.payload(id), { handler: 'gated' }));
    expect([threads.running, threads.queued]).toEqual([1, 2]);
    const error = (await rejection(threads.run(1))) as QueueFullError;
    expect(QueueFullError.isInstance(error)).toBe(true);
    expect(error.maxQueue).toBe(2);
    expect(error.message).toBe(
      'the task queue is full (maxQueue: 2); retry once a pending task settles',
    );
    expect(threads.queued).toBe(2);
    gate.release(0);
    await accepted[0];
    const more = threads.run(gate.payload(3), { handler: 'gated' });
    gate.releaseAll();
    await expect(Promise.all([...accepted, more])).resolves.toEqual([0, 1, 2, 3]);
    expect(threads.failed).toBe(0);
  });

  it('with maxQueue 0, accepts only what workers (started or startable) can take', async () => {
    const gate = new Gate();
    const threads = pool({ size: 1, maxQueue: 0 });
    const first = threads.run(gate.payload(0), { handler: 'gated' }); // waits for the worker it starts
    expect(QueueFullError.isInstance(await rejection(threads.run(1)))).toBe(true);
    await gate.started(0);
    expect(QueueFullError.isInstance(await rejection(threads.run(1)))).toBe(true);
    gate.release(0);
    await first;
    await expect(threads.run(1)).resolves.toBe(2);
  });
});

describe('shutdown', () => {
  it('close() finishes running and queued work, then stops every worker', async () => {
    const gate = new Gate();
    const threads = pool({ size: 2 });
    const runs = [0, 1, 2, 3, 4].map((id) => threads.run(gate.payload(id), { handler: 'gated' }));
    await gate.started(0);
    await gate.started(1);
    const closed = threads.close();
    expect(threads.close()).toBe(closed);
    expect(PoolClosedError.isInstance(await rejection(threads.run(1)))).toBe(true);
    gate.releaseAll();
    await closed;
    await expect(Promise.all(runs)).resolves.toEqual([0, 1, 2, 3, 4]);
    expect([threads.workers, threads.running, threads.queued, threads.completed]).toEqual([
      0, 0, 0, 5,
    ]);
    expect(await settledThreadCount(baselineThreads)).toBe(baselineThreads);
  });

  it('destroy() rejects running and queued work and stops every worker now', async () => {
    const gate = new Gate();
    const threads = pool({ size: 2 });
    const runs = [0, 1, 2, 3].map((id) => threads.run(gate.payload(id), { handler: 'gated' }));
    await gate.started(0);
    await gate.started(1);
    const settled = Promise.allSettled(runs);
    await threads.destroy();
    const results = await settled;
    for (const result of results) {
      expect(result.status).toBe('rejected');
      const error = (result as PromiseRejectedResult).reason as PoolClosedError;
      expect(PoolClosedError.isInstance(error)).toBe(true);
      expect(error.message).toBe('the thread pool was destroyed before the task finished');
    }
    expect([threads.workers, threads.failed]).toEqual([0, 4]);
    expect(await settledThreadCount(baselineThreads)).toBe(baselineThreads);
    threads.checkInvariants();
  });

  it('destroy() during close() rejects what is left and settles both', async () => {
    const gate = new Gate();
    const threads = pool({ size: 1 });
    const running = threads.run(gate.payload(0), { handler: 'gated' });
    const queued = threads.run(1);
    await gate.started(0);
    const outcomes = Promise.all([rejection(running), rejection(queued)]);
    const closed = threads.close();
    await threads.destroy();
    await closed;
    for (const error of await outcomes) expect(PoolClosedError.isInstance(error)).toBe(true);
    expect(await settledThreadCount(baselineThreads)).toBe(baselineThreads);
  });

  it('close() of an unused pool resolves, also while minSize workers are starting', async () => {
    await pool().close();
    const starting = pool({ size: 3, minSize: 3 });
    expect(starting.workers).toBe(3);
    await starting.close();
    expect(starting.workers).toBe(0);
    expect(await settledThreadCount(baselineThreads)).toBe(baselineThreads);
  });

  it('leaves no worker behind after close(), whatever happened to the tasks', async () => {
    const threads = pool({ size: 2, concurrentTasksPerWorker: 2 });
    const controller = new AbortController();
    const outcomes = Promise.allSettled([
      threads.run(1),
      threads.run(2, { handler: 'exit' }),
      threads.run(undefined, { handler: 'crash' }),
      threads.run('x', { handler: 'fail' }),
      threads.run(3, { handler: 'later', signal: controller.signal }),
      threads.run(4),
    ]);
    controller.abort();
    await outcomes;
    await threads.close();
    expect(threads.workers).toBe(0);
    expect(await settledThreadCount(baselineThreads)).toBe(baselineThreads);
  });
});

describe('counters', () => {
  it('counts queued, running, completed, failed and workers as tasks move', async () => {
    const gate = new Gate();
    const threads = pool({ size: 1 });
    expect(threads.stats()).toEqual({
      queued: 0,
      running: 0,
      completed: 0,
      failed: 0,
      workers: 0,
      utilisation: 0,
    });
    const a = threads.run(gate.payload(0), { handler: 'gated' });
    const b = threads.run('no', { handler: 'fail' });
    expect([threads.queued, threads.running, threads.workers]).toEqual([2, 0, 1]);
    await gate.started(0);
    expect([threads.queued, threads.running]).toEqual([1, 1]);
    gate.release(0);
    await a;
    await rejection(b);
    expect([threads.queued, threads.running, threads.completed, threads.failed]).toEqual([
      0, 0, 1, 1,
    ]);
  });

  it('measures utilisation as busy worker-time over size x elapsed time', async () => {
    const gate = new Gate();
    const timers = new ManualTimers();
    const threads = pool({ size: 2, minSize: 1, timers });
    expect(threads.utilisation).toBe(0);
    const busy = threads.run(gate.payload(0), { handler: 'gated' });
    await gate.started(0);
    timers.advance(30);
    expect(threads.utilisation).toBe(0.5); // 30 ms busy of 2 workers x 30 ms
    gate.release(0);
    await busy;
    timers.advance(30);
    expect(threads.utilisation).toBe(0.25); // 30 of 2 x 60
  });
});

describe('idle workers', () => {
  it('stops workers above minSize after idleTimeout, and starts them again on demand', async () => {
    const gate = new Gate();
    const timers = new ManualTimers();
    const threads = pool({ size: 2, minSize: 1, idleTimeout: 1000, timers });
    const runs = [0, 1].map((id) => threads.run(gate.payload(id), { handler: 'gated' }));
    await gate.started(0);
    await gate.started(1);
    expect(threads.workers).toBe(2);
    gate.releaseAll();
    await Promise.all(runs);
    timers.advance(999);
    expect(threads.workers).toBe(2);
    timers.advance(1);
    expect(threads.workers).toBe(1);
    timers.advance(10_000);
    expect(threads.workers).toBe(1); // minSize stays
    await expect(Promise.all([threads.run(1), threads.run(2)])).resolves.toEqual([2, 4]);
    threads.checkInvariants();
  });

  it.each([0, 10])(
    "runs a worker's leftover timers when no task follows (atomicsWait %i)",
    async (atomicsWait) => {
      const threads = pool({ size: 1, atomicsWait });
      const flag = new SharedArrayBuffer(4);
      await expect(threads.run(flag as never, { handler: 'leaveTimer' })).resolves.toBe(
        'scheduled',
      );
      // The idle worker waits in Atomics.wait() for at most atomicsWait ms, then its event
      // loop runs the timer (an unbounded wait would hang here).
      await until(() => Atomics.load(new Int32Array(flag), 0) === 1, 'the timer ran');
    },
  );

  it('does not keep the process alive while idle (workers are unref-ed)', async () => {
    const threads = pool({ size: 1 });
    await threads.run(1);
    expect(process.getActiveResourcesInfo()).not.toContain('MessagePort');
  });
});

describe('types', () => {
  /** Runs nothing: the pool is closed, so every run() rejects at once (and is ignored). */
  function quiet<T>(promise: Promise<T>): Promise<T> {
    promise.catch(() => {});
    return promise;
  }

  it('types run() by the task module', async () => {
    const threads = pool();
    await threads.close();
    expectTypeOf(quiet(threads.run(1))).toEqualTypeOf<Promise<number>>();
    expectTypeOf(quiet(threads.run(1, { handler: 'later' }))).toEqualTypeOf<Promise<number>>();
    expectTypeOf(quiet(threads.run('x', { handler: 'fail' }))).toEqualTypeOf<Promise<never>>();
    expectTypeOf(quiet(threads.run(1, { handler: 'fill' }))).toEqualTypeOf<
      Promise<Uint8Array<ArrayBuffer>>
    >();
    expectTypeOf(quiet(threads.run(2, { handler: 'progress' }))).toEqualTypeOf<Promise<string>>();
    // @ts-expect-error the default handler takes a number
    void quiet(threads.run('not a number'));
    // @ts-expect-error no such handler
    void quiet(threads.run(1, { handler: 'nope' }));
    const untyped = track({ filename: tasks, size: 1 });
    await untyped.close();
    expectTypeOf(quiet(untyped.run('anything'))).toEqualTypeOf<Promise<unknown>>();
    const single = track<typeof Tasks.measure>({ filename: tasks, size: 1, handler: 'measure' });
    await single.close();
    expectTypeOf(quiet(single.run(new Uint8Array(1)))).toEqualTypeOf<Promise<[number, number]>>();
  });
});
