/**
 * The options of a pool and of one task, their defaults and their validation.
 */
import { availableParallelism } from 'node:os';
import { isAbsolute } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { ResourceLimits, SHARE_ENV, TransferListItem } from 'node:worker_threads';
import { InvalidOptionError } from './errors.js';
import { systemTimers, type PoolTimers } from './timers.js';

/**
 * Options of `new ThreadPool()`. Only `filename` is required.
 *
 * @example
 * ```ts
 * new ThreadPool({ filename: new URL('./compress.js', import.meta.url), size: 2, maxQueue: 64 });
 * ```
 */
export interface ThreadPoolOptions {
  /** The task module: an absolute path or a `file:` URL, of an ESM or CommonJS file. */
  filename: string | URL;
  /**
   * The export to run when `run()` names no handler. Default: `task`, else the default export.
   * When given, a worker that cannot find it fails to start.
   */
  handler?: string;
  /** The most workers alive at once. Default: `os.availableParallelism()`. */
  size?: number;
  /** Workers started with the pool and kept alive when idle. Default: 0 (started on demand). */
  minSize?: number;
  /**
   * The most tasks waiting for a worker; `run()` rejects at once with `QueueFullError` beyond
   * it. Tasks already handed to a worker do not count. Default: `1024 * size`.
   */
  maxQueue?: number;
  /**
   * Milliseconds a worker above `minSize` may stay idle before it exits (it is started again
   * when work arrives). Default: `Infinity` (workers stay until `close()`).
   */
  idleTimeout?: number;
  /** Default `timeout` of every task, in milliseconds; see {@link RunOptions.timeout}. Default: `Infinity`. */
  timeout?: number;
  /**
   * Tasks one worker holds at once. Above 1, asynchronous tasks run concurrently in a worker,
   * and small tasks are sent ahead so that a worker never waits for the next one (higher
   * throughput; a slow task may then delay the tasks sent behind it). Default: 1.
   */
  concurrentTasksPerWorker?: number;
  /**
   * Milliseconds a worker that has run out of tasks waits for the next one blocked in
   * `Atomics.wait()` before it goes back to its event loop. The pool wakes it with
   * `Atomics.notify()`, sooner than a message wakes an idle event loop: it shortens the round
   * trip of small tasks (see the README's benchmarks). Meanwhile the worker's own timers, I/O
   * callbacks and microtasks left behind by a finished task wait, for at most this long
   * (never while a task's promise is pending). 0 turns it off. Default: 10.
   */
  atomicsWait?: number;
  /** Node flags of the workers. Default: the main thread's `process.execArgv`. */
  execArgv?: readonly string[];
  /** Environment of the workers. Default: a copy of `process.env`. */
  env?: NodeJS.Dict<string> | typeof SHARE_ENV;
  /** V8 heap limits of each worker (`worker_threads` `resourceLimits`). Default: Node's. */
  resourceLimits?: ResourceLimits;
  /** Passed through to each worker as `require('node:worker_threads').workerData`. Default: undefined. */
  workerData?: unknown;
  /** Clock and timers (for tests). Default: {@link systemTimers}. */
  timers?: PoolTimers;
}

/**
 * Options of one `run()`.
 *
 * @example
 * ```ts
 * await pool.run(bytes, { transferList: [bytes.buffer], signal: AbortSignal.timeout(5000) });
 * ```
 */
export interface RunOptions<Name extends string = string> {
  /**
   * Objects of the payload to move to the worker instead of copying (`ArrayBuffer`,
   * `MessagePort`...); they are detached in this thread. Default: none.
   */
  transferList?: readonly TransferListItem[];
  /**
   * Cancels the task: a queued task is removed at once, a running task's worker is terminated
   * and replaced. Either way `run()` rejects with `TaskAbortedError`. Default: none.
   */
  signal?: AbortSignal | null;
  /**
   * Milliseconds the task may run once handed to a worker (time in the queue does not count:
   * use `signal: AbortSignal.timeout(ms)` for that). On expiry the worker is terminated and
   * replaced and `run()` rejects with `TaskTimeoutError`. Default: the pool's `timeout`.
   */
  timeout?: number;
  /** The export of the task module to run. Default: the pool's `handler`. */
  handler?: Name;
  /**
   * Receives the messages the task posts with `context.postMessage()`, in order, before the
   * task settles. Default: messages are dropped.
   */
  onMessage?: (message: unknown) => void;
}

/** Validated options with defaults filled in. @internal */
export interface ResolvedOptions {
  filename: string;
  handler: string | null;
  size: number;
  minSize: number;
  maxQueue: number;
  idleTimeout: number;
  timeout: number;
  concurrentTasksPerWorker: number;
  atomicsWait: number;
  execArgv: string[] | undefined;
  env: NodeJS.Dict<string> | typeof SHARE_ENV | undefined;
  resourceLimits: ResourceLimits | undefined;
  workerData: unknown;
  timers: PoolTimers;
}

function isCount(value: unknown, minimum: number): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= minimum;
}

function isDuration(value: unknown): value is number {
  return typeof value === 'number' && value >= 0 && !Number.isNaN(value);
}

/** Turns a path or URL into the `file:` URL a worker imports. @internal */
export function taskModuleUrl(filename: unknown): string {
  if (filename instanceof URL) {
    if (filename.protocol === 'file:') return filename.href;
  } else if (typeof filename === 'string') {
    if (filename.startsWith('file:')) return new URL(filename).href;
    if (isAbsolute(filename)) return pathToFileURL(filename).href;
  }
  throw new InvalidOptionError('filename', 'an absolute path or a file: URL', filename);
}

/** Checks the task timeout given to `run()` or to the pool. @internal */
export function checkTimeout(option: string, value: unknown): number {
  if (!isDuration(value) || value === 0) {
    throw new InvalidOptionError(option, 'a number of milliseconds above 0', value);
  }
  return value;
}

/** Validates `options` and fills in the defaults. @internal */
export function resolveOptions(options: ThreadPoolOptions): ResolvedOptions {
  if (typeof options !== 'object' || options === null) {
    throw new InvalidOptionError('options', 'an object', options);
  }
  const filename = taskModuleUrl(options.filename);
  const handler = options.handler ?? null;
  if (handler !== null && (typeof handler !== 'string' || handler === '')) {
    throw new InvalidOptionError('handler', 'a non-empty string', handler);
  }
  const size = options.size ?? availableParallelism();
  if (!isCount(size, 1)) throw new InvalidOptionError('size', 'an integer >= 1', size);
  const minSize = options.minSize ?? 0;
  if (!isCount(minSize, 0) || minSize > size) {
    throw new InvalidOptionError('minSize', `an integer from 0 to size (${size})`, minSize);
  }
  const maxQueue = options.maxQueue ?? 1024 * size;
  if (!(isCount(maxQueue, 0) || maxQueue === Infinity)) {
    throw new InvalidOptionError('maxQueue', 'an integer >= 0 or Infinity', maxQueue);
  }
  const idleTimeout = options.idleTimeout ?? Infinity;
  if (!isDuration(idleTimeout)) {
    throw new InvalidOptionError('idleTimeout', 'a number of milliseconds >= 0', idleTimeout);
  }
  const timeout = checkTimeout('timeout', options.timeout ?? Infinity);
  const concurrentTasksPerWorker = options.concurrentTasksPerWorker ?? 1;
  if (!isCount(concurrentTasksPerWorker, 1)) {
    throw new InvalidOptionError(
      'concurrentTasksPerWorker',
      'an integer >= 1',
      concurrentTasksPerWorker,
    );
  }
  const atomicsWait = options.atomicsWait ?? 10;
  if (!isDuration(atomicsWait) || atomicsWait === Infinity) {
    throw new InvalidOptionError(
      'atomicsWait',
      'a finite number of milliseconds >= 0',
      atomicsWait,
    );
  }
  const execArgv = options.execArgv === undefined ? undefined : [...options.execArgv];
  return {
    filename,
    handler,
    size,
    minSize,
    maxQueue,
    idleTimeout,
    timeout,
    concurrentTasksPerWorker,
    atomicsWait,
    execArgv,
    env: options.env,
    resourceLimits: options.resourceLimits,
    workerData: options.workerData,
    timers: options.timers ?? systemTimers,
  };
}
