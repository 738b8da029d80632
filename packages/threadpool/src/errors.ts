/**
 * Every error the pool itself creates, in one place (piscina's `src/errors.ts`), each with a
 * class (node-redis), a stable `code` (undici) and a `Symbol.for` brand checked by a static
 * `isInstance()` (vercel/ai), so checks still work when two copies of the package are loaded
 * (for example the ESM build in the main thread and the CJS build inside a task module).
 *
 * Errors thrown by a task are not wrapped: they reach the caller as the task threw them
 * (see `remote-error.ts`).
 */

/**
 * The stable `code` of each error class, as an `as const` object.
 *
 * @example
 * ```ts
 * if (error.code === ThreadPoolErrorCode.QUEUE_FULL) retryLater();
 * ```
 */
export const ThreadPoolErrorCode = {
  /** `run()` found the queue at `maxQueue`. */
  QUEUE_FULL: 'BYOR_THREADPOOL_QUEUE_FULL',
  /** `run()` after `close()`/`destroy()`, or a task still pending when `destroy()` ran. */
  POOL_CLOSED: 'BYOR_THREADPOOL_POOL_CLOSED',
  /** The task's `AbortSignal` fired before the task finished. */
  TASK_ABORTED: 'BYOR_THREADPOOL_TASK_ABORTED',
  /** The task ran longer than its `timeout`. */
  TASK_TIMEOUT: 'BYOR_THREADPOOL_TASK_TIMEOUT',
  /** The worker running the task exited or crashed before the task finished. */
  WORKER_EXITED: 'BYOR_THREADPOOL_WORKER_EXITED',
  /** A worker could not load the task module. */
  WORKER_STARTUP: 'BYOR_THREADPOOL_WORKER_STARTUP',
  /** The task module has no function under the requested handler name. */
  HANDLER_NOT_FOUND: 'BYOR_THREADPOOL_HANDLER_NOT_FOUND',
  /** A payload, result or message could not be copied to the other thread. */
  CLONE_FAILED: 'BYOR_THREADPOOL_CLONE_FAILED',
  /** An option passed to the constructor or to `run()` is out of range or of the wrong type. */
  INVALID_OPTION: 'BYOR_THREADPOOL_INVALID_OPTION',
} as const;

/** One of the values of {@link ThreadPoolErrorCode}. */
export type ThreadPoolErrorCode = (typeof ThreadPoolErrorCode)[keyof typeof ThreadPoolErrorCode];

/** The brand every error of this package carries, shared across copies of the package. */
const BRAND: unique symbol = Symbol.for('@byor/threadpool/error') as never;

function hasBrand(value: unknown, code?: ThreadPoolErrorCode): value is ThreadPoolError {
  if (typeof value !== 'object' || value === null) return false;
  const branded = value as { [BRAND]?: unknown; code?: unknown };
  return branded[BRAND] === true && (code === undefined || branded.code === code);
}

/**
 * Options common to every error of this package (ES2022 `cause`).
 *
 * @example
 * ```ts
 * new WorkerStartupError(filename, { cause: error });
 * ```
 */
export interface ThreadPoolErrorOptions {
  /** The underlying error or reason, kept as `error.cause`. */
  cause?: unknown;
}

/**
 * The base class of every error this package creates.
 *
 * @example
 * ```ts
 * try { await pool.run(job); } catch (error) {
 *   if (ThreadPoolError.isInstance(error)) console.error(error.code);
 * }
 * ```
 */
export class ThreadPoolError extends Error {
  /** A stable, documented code: see {@link ThreadPoolErrorCode}. */
  readonly code: ThreadPoolErrorCode;
  declare readonly [BRAND]: true;

  constructor(code: ThreadPoolErrorCode, message: string, options?: ThreadPoolErrorOptions) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
    Object.defineProperty(this, BRAND, { value: true });
  }

  /**
   * Whether `value` is an error of this package (any class), also when it comes from another
   * copy of the package. O(1).
   *
   * @example
   * ```ts
   * ThreadPoolError.isInstance(new QueueFullError(8)); // true
   * ```
   */
  static isInstance(value: unknown): value is ThreadPoolError {
    return hasBrand(value);
  }
}

/**
 * `run()` was called while `maxQueue` tasks were already waiting: the pool applies
 * backpressure instead of buffering without bound. Retry after some pending task settles.
 *
 * @example
 * ```ts
 * try { await pool.run(job); } catch (error) {
 *   if (QueueFullError.isInstance(error)) await somePendingTask;
 * }
 * ```
 */
export class QueueFullError extends ThreadPoolError {
  /** The `maxQueue` the pool was created with. */
  readonly maxQueue: number;

  constructor(maxQueue: number) {
    super(
      ThreadPoolErrorCode.QUEUE_FULL,
      `the task queue is full (maxQueue: ${maxQueue}); retry once a pending task settles`,
    );
    this.maxQueue = maxQueue;
  }

  /** Whether `value` is a {@link QueueFullError}, from any copy of the package. O(1). @example `QueueFullError.isInstance(error)` */
  static override isInstance(value: unknown): value is QueueFullError {
    return hasBrand(value, ThreadPoolErrorCode.QUEUE_FULL);
  }
}

/**
 * The pool no longer accepts or runs work: `run()` after `close()` or `destroy()`, or a task
 * that was still queued or running when `destroy()` was called.
 *
 * @example
 * ```ts
 * await pool.close();
 * await pool.run(job).catch((error) => PoolClosedError.isInstance(error)); // true
 * ```
 */
export class PoolClosedError extends ThreadPoolError {
  constructor(message = 'the thread pool is closed') {
    super(ThreadPoolErrorCode.POOL_CLOSED, message);
  }

  /** Whether `value` is a {@link PoolClosedError}, from any copy of the package. O(1). @example `PoolClosedError.isInstance(error)` */
  static override isInstance(value: unknown): value is PoolClosedError {
    return hasBrand(value, ThreadPoolErrorCode.POOL_CLOSED);
  }
}

/**
 * The task's `AbortSignal` fired. A queued task is simply dropped; a running task's worker is
 * terminated and replaced. `cause` is the signal's `reason`.
 *
 * @example
 * ```ts
 * const controller = new AbortController();
 * const result = pool.run(job, { signal: controller.signal });
 * controller.abort();
 * await result.catch((error) => TaskAbortedError.isInstance(error)); // true
 * ```
 */
export class TaskAbortedError extends ThreadPoolError {
  constructor(reason: unknown) {
    super(ThreadPoolErrorCode.TASK_ABORTED, 'the task was aborted', { cause: reason });
  }

  /** Whether `value` is a {@link TaskAbortedError}, from any copy of the package. O(1). @example `TaskAbortedError.isInstance(error)` */
  static override isInstance(value: unknown): value is TaskAbortedError {
    return hasBrand(value, ThreadPoolErrorCode.TASK_ABORTED);
  }
}

/**
 * The task ran on a worker for longer than its `timeout`; the worker was terminated and
 * replaced.
 *
 * @example
 * ```ts
 * await pool.run(job, { timeout: 1000 }).catch((error) => TaskTimeoutError.isInstance(error));
 * ```
 */
export class TaskTimeoutError extends ThreadPoolError {
  /** The timeout that expired, in milliseconds. */
  readonly timeout: number;

  constructor(timeout: number) {
    super(ThreadPoolErrorCode.TASK_TIMEOUT, `the task did not finish within ${timeout} ms`);
    this.timeout = timeout;
  }

  /** Whether `value` is a {@link TaskTimeoutError}, from any copy of the package. O(1). @example `TaskTimeoutError.isInstance(error)` */
  static override isInstance(value: unknown): value is TaskTimeoutError {
    return hasBrand(value, ThreadPoolErrorCode.TASK_TIMEOUT);
  }
}

/**
 * The worker running the task exited (`process.exit()`), crashed (an uncaught exception
 * outside the task's own promise, running out of memory) or was terminated because another
 * task it was running concurrently was aborted. Only the tasks that worker had started are
 * rejected; the worker is replaced. `cause` is the uncaught error when there was one.
 *
 * @example
 * ```ts
 * await pool.run(job).catch((error) => {
 *   if (WorkerExitedError.isInstance(error)) console.error(error.exitCode, error.cause);
 * });
 * ```
 */
export class WorkerExitedError extends ThreadPoolError {
  /** The worker's exit code (1 after an uncaught exception). */
  readonly exitCode: number;

  constructor(exitCode: number, message: string, options?: ThreadPoolErrorOptions) {
    super(ThreadPoolErrorCode.WORKER_EXITED, message, options);
    this.exitCode = exitCode;
  }

  /** Whether `value` is a {@link WorkerExitedError}, from any copy of the package. O(1). @example `WorkerExitedError.isInstance(error)` */
  static override isInstance(value: unknown): value is WorkerExitedError {
    return hasBrand(value, ThreadPoolErrorCode.WORKER_EXITED);
  }
}

/**
 * A worker could not load the task module (missing file, syntax error, an exception at the
 * module's top level, or no function under the pool's `handler` name). The tasks waiting for a
 * worker are rejected with it; `cause` is the error the worker saw.
 *
 * @example
 * ```ts
 * await pool.run(job).catch((error) => WorkerStartupError.isInstance(error));
 * ```
 */
export class WorkerStartupError extends ThreadPoolError {
  constructor(filename: string, options?: ThreadPoolErrorOptions) {
    super(ThreadPoolErrorCode.WORKER_STARTUP, `a worker could not load ${filename}`, options);
  }

  /** Whether `value` is a {@link WorkerStartupError}, from any copy of the package. O(1). @example `WorkerStartupError.isInstance(error)` */
  static override isInstance(value: unknown): value is WorkerStartupError {
    return hasBrand(value, ThreadPoolErrorCode.WORKER_STARTUP);
  }
}

/**
 * The task module exports no function under the handler name a task asked for.
 *
 * @example
 * ```ts
 * await pool.run(job, { handler: 'missing' }).catch((error) => HandlerNotFoundError.isInstance(error));
 * ```
 */
export class HandlerNotFoundError extends ThreadPoolError {
  /** The handler name that was looked up. */
  readonly handler: string;

  constructor(handler: string, message?: string) {
    super(
      ThreadPoolErrorCode.HANDLER_NOT_FOUND,
      message ?? `the task module exports no function named '${handler}'`,
    );
    this.handler = handler;
  }

  /** Whether `value` is a {@link HandlerNotFoundError}, from any copy of the package. O(1). @example `HandlerNotFoundError.isInstance(error)` */
  static override isInstance(value: unknown): value is HandlerNotFoundError {
    return hasBrand(value, ThreadPoolErrorCode.HANDLER_NOT_FOUND);
  }
}

/**
 * A payload, a result or a progress message could not be copied to the other thread with the
 * structured clone algorithm (a function, a class instance with private state, a transfer list
 * that misses a `MessagePort`...). `cause` is the `DataCloneError`.
 *
 * @example
 * ```ts
 * await pool.run({ callback() {} }).catch((error) => CloneError.isInstance(error)); // true
 * ```
 */
export class CloneError extends ThreadPoolError {
  constructor(what: string, options?: ThreadPoolErrorOptions) {
    super(
      ThreadPoolErrorCode.CLONE_FAILED,
      `the ${what} could not be copied to the other thread`,
      options,
    );
  }

  /** Whether `value` is a {@link CloneError}, from any copy of the package. O(1). @example `CloneError.isInstance(error)` */
  static override isInstance(value: unknown): value is CloneError {
    return hasBrand(value, ThreadPoolErrorCode.CLONE_FAILED);
  }
}

/**
 * An option passed to `new ThreadPool()` or `run()` is of the wrong type or out of range. This
 * is a programming error: it is thrown, not returned as a rejected promise.
 *
 * @example
 * ```ts
 * new ThreadPool({ filename, size: 0 }); // throws InvalidOptionError
 * ```
 */
export class InvalidOptionError extends ThreadPoolError {
  /** The name of the offending option. */
  readonly option: string;

  constructor(option: string, expected: string, actual: unknown) {
    super(
      ThreadPoolErrorCode.INVALID_OPTION,
      `option '${option}' must be ${expected}, got ${describe(actual)}`,
    );
    this.option = option;
  }

  /** Whether `value` is an {@link InvalidOptionError}, from any copy of the package. O(1). @example `InvalidOptionError.isInstance(error)` */
  static override isInstance(value: unknown): value is InvalidOptionError {
    return hasBrand(value, ThreadPoolErrorCode.INVALID_OPTION);
  }
}

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean' || value == null)
    return String(value);
  return typeof value;
}
