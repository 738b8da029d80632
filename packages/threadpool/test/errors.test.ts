import { describe, expect, it } from 'vitest';
import {
  CloneError,
  HandlerNotFoundError,
  InvalidOptionError,
  PoolClosedError,
  QueueFullError,
  TaskAbortedError,
  TaskTimeoutError,
  ThreadPoolError,
  ThreadPoolErrorCode,
  WorkerExitedError,
  WorkerStartupError,
} from '../src/index.js';

const cause = new Error('underlying');

const table = [
  {
    error: new QueueFullError(8),
    type: QueueFullError,
    code: 'BYOR_THREADPOOL_QUEUE_FULL',
    message: 'the task queue is full (maxQueue: 8); retry once a pending task settles',
  },
  {
    error: new PoolClosedError(),
    type: PoolClosedError,
    code: 'BYOR_THREADPOOL_POOL_CLOSED',
    message: 'the thread pool is closed',
  },
  {
    error: new TaskAbortedError('reason'),
    type: TaskAbortedError,
    code: 'BYOR_THREADPOOL_TASK_ABORTED',
    message: 'the task was aborted',
  },
  {
    error: new TaskTimeoutError(250),
    type: TaskTimeoutError,
    code: 'BYOR_THREADPOOL_TASK_TIMEOUT',
    message: 'the task did not finish within 250 ms',
  },
  {
    error: new WorkerExitedError(3, 'the worker exited with code 3 while running the task', {
      cause,
    }),
    type: WorkerExitedError,
    code: 'BYOR_THREADPOOL_WORKER_EXITED',
    message: 'the worker exited with code 3 while running the task',
  },
  {
    error: new WorkerStartupError('file:///tasks.js', { cause }),
    type: WorkerStartupError,
    code: 'BYOR_THREADPOOL_WORKER_STARTUP',
    message: 'a worker could not load file:///tasks.js',
  },
  {
    error: new HandlerNotFoundError('compress'),
    type: HandlerNotFoundError,
    code: 'BYOR_THREADPOOL_HANDLER_NOT_FOUND',
    message: "the task module exports no function named 'compress'",
  },
  {
    error: new CloneError('payload', { cause }),
    type: CloneError,
    code: 'BYOR_THREADPOOL_CLONE_FAILED',
    message: 'the payload could not be copied to the other thread',
  },
  {
    error: new InvalidOptionError('size', 'an integer >= 1', 0),
    type: InvalidOptionError,
    code: 'BYOR_THREADPOOL_INVALID_OPTION',
    message: "option 'size' must be an integer >= 1, got 0",
  },
] as const;

describe('errors', () => {
  it.each(table)('$type.name has code $code and its message', ({ error, type, code, message }) => {
    expect(error).toBeInstanceOf(type);
    expect(error).toBeInstanceOf(ThreadPoolError);
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe(type.name);
    expect(error.code).toBe(code);
    expect(error.message).toBe(message);
    expect(type.isInstance(error)).toBe(true);
    expect(ThreadPoolError.isInstance(error)).toBe(true);
  });

  it('isInstance() tells the classes apart', () => {
    for (const { error, type } of table) {
      for (const other of table) {
        expect(other.type.isInstance(error)).toBe(other.type === type);
      }
    }
  });

  it('isInstance() recognises an error from another copy of the package by its brand', () => {
    const foreign = Object.assign(new Error('from another copy'), {
      code: ThreadPoolErrorCode.QUEUE_FULL,
      [Symbol.for('@byor/threadpool/error')]: true,
    });
    expect(ThreadPoolError.isInstance(foreign)).toBe(true);
    expect(QueueFullError.isInstance(foreign)).toBe(true);
    expect(PoolClosedError.isInstance(foreign)).toBe(false);
  });

  it.each([
    null,
    undefined,
    'QueueFullError',
    42,
    {},
    new Error('plain'),
    { code: 'BYOR_THREADPOOL_QUEUE_FULL' },
  ])('isInstance(%s) is false', (value) => {
    expect(ThreadPoolError.isInstance(value)).toBe(false);
    expect(QueueFullError.isInstance(value)).toBe(false);
  });

  it('keeps cause and extra fields', () => {
    expect(new TaskAbortedError('why').cause).toBe('why');
    expect(new WorkerStartupError('x', { cause }).cause).toBe(cause);
    expect(new QueueFullError(3).maxQueue).toBe(3);
    expect(new TaskTimeoutError(9).timeout).toBe(9);
    expect(new WorkerExitedError(4, 'gone').exitCode).toBe(4);
    expect(new HandlerNotFoundError('lzf').handler).toBe('lzf');
    expect(new InvalidOptionError('maxQueue', 'x', -1).option).toBe('maxQueue');
  });

  it('describes the offending value in InvalidOptionError', () => {
    expect(new InvalidOptionError('a', 'b', 'text').message).toBe(
      `option 'a' must be b, got "text"`,
    );
    expect(new InvalidOptionError('a', 'b', null).message).toBe("option 'a' must be b, got null");
    expect(new InvalidOptionError('a', 'b', {}).message).toBe("option 'a' must be b, got object");
  });

  it('exposes the codes as an as-const object', () => {
    expect(Object.values(ThreadPoolErrorCode)).toEqual(table.map(({ code }) => code));
  });
});
