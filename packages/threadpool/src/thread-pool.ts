/**
 * The pool: a FIFO of tasks, a set of workers, and the bookkeeping that moves one to the other.
 *
 * Life of a task:
 *
 *   run() --(a worker has room)--> RUNNING on a worker --(reply)--> settled
 *     |                                ^     |
 *     +--(else)--> QUEUED -------------+     +--(abort, timeout: worker terminated)--> settled
 *                    |                       +--(worker crashed: started? failed : re-queued)
 *                    +--(abort)--> settled
 *
 * Hot path (one task): `run()` allocates one PendingTask and its promise, posts one small array
 * on the worker's own MessageChannel (reused for every task) and bumps the worker's wake-up
 * word; the worker's reply settles the task and hands the worker the next queued task in the
 * same callback. No closure, timer or listener is created per task unless the task asks for
 * one (`timeout`, `signal`, `onMessage`).
 */
import { receiveMessageOnPort, MessageChannel, Worker } from 'node:worker_threads';
import {
  CloneError,
  HandlerNotFoundError,
  InvalidOptionError,
  PoolClosedError,
  QueueFullError,
  TaskAbortedError,
  TaskTimeoutError,
  WorkerExitedError,
  WorkerStartupError,
} from './errors.js';
import {
  checkTimeout,
  resolveOptions,
  type ResolvedOptions,
  type RunOptions,
  type ThreadPoolOptions,
} from './options.js';
import {
  Reply,
  SHARED_BYTES,
  type ReplyMessage,
  type TaskMessage,
  type WorkerInit,
} from './protocol.js';
import { decodeThrown, type EncodedThrown } from './remote-error.js';
import { workerRuntime } from './runtime.js';
import type {
  DefaultTask,
  HandlerName,
  HandlerTask,
  TaskFunction,
  TaskPayload,
  TaskResult,
} from './task.js';
import { PendingTask, TaskState } from './pending-task.js';
import { TaskQueue } from './task-queue.js';
import { WorkerSlot, WorkerState } from './worker-slot.js';

/**
 * Snapshot of a pool's counters, as returned by {@link ThreadPool.stats}.
 *
 * @example
 * ```ts
 * const { queued, running, utilisation } = pool.stats();
 * ```
 */
export interface ThreadPoolStats {
  /** tasks waiting for a worker */
  readonly queued: number;
  /** tasks handed to a worker and not settled */
  readonly running: number;
  /** tasks that resolved */
  readonly completed: number;
  /** tasks that rejected after being accepted (errors, crashes, aborts, timeouts, destroy) */
  readonly failed: number;
  /** live workers, starting ones included */
  readonly workers: number;
  /** share of the pool's worker-time spent with at least one task, from 0 to 1 */
  readonly utilisation: number;
}

/**
 * A pool of `worker_threads` running the functions of one task module (book chapter 14: slow
 * work off the event loop).
 *
 * `Module` types `run()`: pass the task module's type (`import type * as Tasks from
 * './tasks.js'`, then `ThreadPool<typeof Tasks>`: its `task` export is the default handler,
 * the other exported functions are handlers for `run(payload, { handler })`) or the type of
 * one task function.
 *
 * @example
 * ```ts
 * // hash.ts
 * import { createHash } from 'node:crypto';
 * export function task(bytes: Uint8Array): string {
 *   return createHash('sha256').update(bytes).digest('hex');
 * }
 * // main.ts
 * import type * as Hash from './hash.js';
 * const pool = new ThreadPool<typeof Hash>({
 *   filename: new URL('./hash.js', import.meta.url),
 *   size: 2,
 * });
 * const digest: string = await pool.run(bytes, { transferList: [bytes.buffer] });
 * await pool.close();
 * ```
 */
export class ThreadPool<Module = TaskFunction<unknown, unknown>> {
  readonly #options: ResolvedOptions;
  readonly #queue = new TaskQueue<PendingTask>();
  /**
   * starting and ready workers (not the ones being terminated), in start order: `#pick()`
   * prefers the first ones, so the last ones are those that go idle and retire first
   */
  readonly #workers: WorkerSlot[] = [];
  /** workers terminated or exiting, until their 'exit' event */
  readonly #exiting = new Set<WorkerSlot>();
  /** the message posted for every task, refilled each time (the clone copies it) */
  readonly #message: TaskMessage = [0, undefined, null];
  readonly #abortTask = (task: PendingTask): void => this.#onAbort(task);
  #starting = 0;
  #ready = 0;
  #running = 0;
  #completed = 0;
  #failed = 0;
  #busyTime = 0;
  readonly #createdAt: number;
  #closed = false;
  #destroyed = false;
  #closing: Promise<void> | null = null;
  #resolveClosing: () => void = () => {};
  /** no worker is started after a failed start, until the next run() or a successful start */
  #spawnBlocked = false;
  #idleTimer: unknown = undefined;

  /**
   * Creates the pool and starts `minSize` workers; more start on demand up to `size`.
   * Throws {@link InvalidOptionError} for a bad option. O(minSize).
   *
   * @example
   * ```ts
   * const pool = new ThreadPool({ filename: '/srv/tasks/compress.js', size: 4, idleTimeout: 30_000 });
   * ```
   */
  constructor(options: ThreadPoolOptions) {
    this.#options = resolveOptions(options);
    this.#createdAt = this.#options.timers.now();
    for (let i = 0; i < this.#options.minSize; i++) this.#spawn();
  }

  /**
   * Runs the task module's function on `payload` in a worker. Resolves with its result (a
   * {@link transfer} wrapper unwrapped), rejects with what it threw (class name, message,
   * stack and own properties preserved) or with a {@link ThreadPoolError}: `QueueFullError` at
   * once when `maxQueue` tasks wait, `TaskAbortedError`, `TaskTimeoutError`,
   * `WorkerExitedError`, `PoolClosedError`... O(1) here, plus the copy of the payload.
   *
   * @example
   * ```ts
   * const sum = await pool.run(bytes, { handler: 'crc64', signal, onMessage: console.log });
   * ```
   */
  run<Name extends HandlerName<Module>>(
    payload: TaskPayload<HandlerTask<Module, Name>>,
    options: RunOptions<Name> & { handler: Name },
  ): Promise<TaskResult<HandlerTask<Module, Name>>>;
  run(
    payload: TaskPayload<DefaultTask<Module>>,
    options?: RunOptions<HandlerName<Module>>,
  ): Promise<TaskResult<DefaultTask<Module>>>;
  run(payload: unknown, options?: RunOptions): Promise<unknown> {
    let transferList: RunOptions['transferList'];
    let handler: string | null = null;
    let signal: AbortSignal | null = null;
    let timeout = this.#options.timeout;
    let onMessage: ((message: unknown) => void) | null = null;
    if (options !== undefined) {
      transferList = options.transferList;
      if (options.handler !== undefined) {
        if (typeof options.handler !== 'string' || options.handler === '') {
          throw new InvalidOptionError('handler', 'a non-empty string', options.handler);
        }
        handler = options.handler;
      }
      signal = options.signal ?? null;
      if (options.timeout !== undefined) timeout = checkTimeout('timeout', options.timeout);
      onMessage = options.onMessage ?? null;
    }
    if (this.#closed) return Promise.reject(new PoolClosedError());
    if (signal !== null && signal.aborted) {
      return Promise.reject(new TaskAbortedError(signal.reason));
    }
    // A task may wait while workers that will take it are starting or can still be started.
    // (A task that a ready worker takes at once does not wait: `#pick()` is only consulted
    // when the queue looks full, off the hot path.)
    const notReady = (this.#options.size - this.#ready) * this.#options.concurrentTasksPerWorker;
    if (
      this.#queue.size >= this.#options.maxQueue + notReady &&
      (this.#queue.size > 0 || this.#pick() === null)
    ) {
      return Promise.reject(new QueueFullError(this.#options.maxQueue));
    }
    const task = new PendingTask(
      payload,
      transferList,
      handler,
      signal,
      timeout,
      onMessage,
      this.#abortTask,
    );
    if (signal !== null) signal.addEventListener('abort', task, { once: true });
    this.#spawnBlocked = false;
    this.#queue.push(task);
    this.#pump();
    return task.promise;
  }

  /**
   * Stops accepting tasks (`run()` rejects with `PoolClosedError`), lets queued and running
   * tasks finish, then stops every worker. Resolves once all of them have exited. Calling it
   * again returns the same promise. O(workers).
   *
   * @example
   * ```ts
   * process.once('SIGTERM', () => void pool.close());
   * ```
   */
  close(): Promise<void> {
    if (this.#closing === null) {
      this.#closed = true;
      this.#closing = new Promise<void>((resolve) => {
        this.#resolveClosing = resolve;
      });
      this.#clearIdleTimer();
      this.#finishClosing();
    }
    return this.#closing;
  }

  /**
   * Stops now: rejects every queued and running task with `PoolClosedError` and terminates
   * every worker. Resolves once all of them have exited (and settles a pending `close()`).
   * O(workers + queued tasks).
   *
   * @example
   * ```ts
   * await pool.destroy();
   * ```
   */
  destroy(): Promise<void> {
    const closing = this.close();
    if (this.#destroyed) return closing;
    this.#destroyed = true;
    const error = (): PoolClosedError =>
      new PoolClosedError('the thread pool was destroyed before the task finished');
    for (const task of this.#queue.drain()) this.#settle(task, false, error());
    for (const slot of [...this.#workers, ...this.#exiting]) {
      if (slot.inFlight.length === 0) continue;
      const tasks = slot.inFlight.splice(0);
      this.#running -= tasks.length;
      this.#markIdle(slot);
      for (const task of tasks) this.#settle(task, false, error());
    }
    this.#finishClosing();
    return closing;
  }

  /** Tasks waiting for a worker. O(1). @example `pool.queued` */
  get queued(): number {
    return this.#queue.size;
  }

  /** Tasks handed to a worker and not settled yet. O(1). @example `pool.running` */
  get running(): number {
    return this.#running;
  }

  /** Tasks that resolved. O(1). @example `pool.completed` */
  get completed(): number {
    return this.#completed;
  }

  /**
   * Tasks accepted by `run()` that rejected: errors thrown by the task, crashes, aborts,
   * timeouts, `destroy()`. (A `run()` refused at once, queue full or pool closed, is not
   * counted.) O(1). @example `pool.failed`
   */
  get failed(): number {
    return this.#failed;
  }

  /** Live workers, starting ones included, terminated ones not. O(1). @example `pool.workers` */
  get workers(): number {
    return this.#workers.length;
  }

  /**
   * Share of the pool's capacity (`size` workers since the pool was created) spent with at
   * least one task in a worker, from 0 to 1. O(workers).
   *
   * @example
   * ```ts
   * if (pool.utilisation > 0.9) console.warn('the pool is saturated');
   * ```
   */
  get utilisation(): number {
    const now = this.#options.timers.now();
    const elapsed = (now - this.#createdAt) * this.#options.size;
    if (elapsed <= 0) return 0;
    let busy = this.#busyTime;
    for (const slot of this.#workers) if (slot.inFlight.length > 0) busy += now - slot.busySince;
    for (const slot of this.#exiting) if (slot.inFlight.length > 0) busy += now - slot.busySince;
    return Math.min(1, busy / elapsed);
  }

  /** All counters at once. O(workers). @example `console.table(pool.stats())` */
  stats(): ThreadPoolStats {
    return {
      queued: this.queued,
      running: this.running,
      completed: this.completed,
      failed: this.failed,
      workers: this.workers,
      utilisation: this.utilisation,
    };
  }

  /**
   * Throws when the pool's bookkeeping is inconsistent: the queue's own invariants, every
   * queued task QUEUED, every in-flight task RUNNING on the worker that holds it in seq order,
   * `running` the number of in-flight tasks, no worker above `concurrentTasksPerWorker`, no
   * more than `size` live workers, no idle ready worker while tasks wait, nothing left after
   * `destroy()`. O(workers + queued tasks); for tests.
   *
   * @example
   * ```ts
   * pool.checkInvariants();
   * ```
   */
  checkInvariants(): void {
    const fail = (what: string): never => {
      throw new Error(`ThreadPool invariant broken: ${what}`);
    };
    this.#queue.checkInvariants();
    for (const task of this.#queue.toArray()) {
      if (task.state !== TaskState.QUEUED || task.slot !== null)
        fail('a queued task is not QUEUED');
    }
    let inFlight = 0;
    let starting = 0;
    let ready = 0;
    const check = (slot: WorkerSlot, live: boolean): void => {
      if (live && slot.state !== WorkerState.STARTING && slot.state !== WorkerState.READY) {
        fail('a live worker is retiring');
      }
      if (!live && (slot.state === WorkerState.STARTING || slot.state === WorkerState.READY)) {
        fail('an exiting worker is live');
      }
      if (slot.state === WorkerState.STARTING) starting++;
      if (slot.state === WorkerState.READY) ready++;
      if (live && slot.inFlight.length > this.#options.concurrentTasksPerWorker) {
        fail('a worker holds more tasks than concurrentTasksPerWorker');
      }
      if (slot.state === WorkerState.STARTING && slot.inFlight.length > 0) {
        fail('a starting worker holds tasks');
      }
      let previous = 0;
      for (const task of slot.inFlight) {
        if (task.state !== TaskState.RUNNING || task.slot !== slot) fail('in-flight task state');
        if (task.seq <= previous || task.seq > slot.sent) fail('in-flight seq order');
        previous = task.seq;
      }
      inFlight += slot.inFlight.length;
    };
    for (const slot of this.#workers) check(slot, true);
    for (const slot of this.#exiting) check(slot, false);
    if (inFlight !== this.#running) fail(`running ${this.#running} but ${inFlight} in flight`);
    if (starting !== this.#starting || ready !== this.#ready) fail('starting/ready counts');
    if (this.#workers.length > this.#options.size) fail('more live workers than size');
    if (this.#queue.size > 0 && this.#pick() !== null)
      fail('a ready worker has room while tasks wait');
    if (this.#destroyed && (this.#queue.size > 0 || this.#running > 0))
      fail('work left after destroy');
  }

  // ---- scheduling -------------------------------------------------------------------------

  /** Hands queued tasks to ready workers with room; starts workers for the rest. */
  #pump(): void {
    const queue = this.#queue;
    while (queue.size > 0) {
      const slot = this.#pick();
      if (slot === null) break;
      this.#dispatch(queue.shift()!, slot);
    }
    if (this.#spawnBlocked) return;
    const perWorker = this.#options.concurrentTasksPerWorker;
    if (queue.size > this.#starting * perWorker) {
      const wanted = Math.ceil((queue.size - this.#starting * perWorker) / perWorker);
      const count = Math.min(wanted, this.#options.size - this.#workers.length);
      for (let i = 0; i < count && !this.#spawnBlocked; i++) this.#spawn();
    }
    if (!this.#closed) {
      while (this.#workers.length < this.#options.minSize && !this.#spawnBlocked) this.#spawn();
    }
  }

  /** The ready worker with the fewest tasks, earliest in the list on ties; null when all are full. */
  #pick(): WorkerSlot | null {
    const workers = this.#workers;
    let best: WorkerSlot | null = null;
    let least = this.#options.concurrentTasksPerWorker;
    for (let i = 0; i < workers.length; i++) {
      const slot = workers[i]!;
      if (slot.state !== WorkerState.READY || slot.inFlight.length >= least) continue;
      best = slot;
      least = slot.inFlight.length;
      if (least === 0) break;
    }
    return best;
  }

  #dispatch(task: PendingTask, slot: WorkerSlot): void {
    task.state = TaskState.RUNNING;
    task.slot = slot;
    task.seq = ++slot.sent;
    if (slot.inFlight.length === 0) this.#markBusy(slot);
    slot.inFlight.push(task);
    this.#running++;
    const message = this.#message;
    message[0] = task.seq;
    message[1] = task.payload;
    message[2] = task.handler;
    try {
      slot.port.postMessage(message, task.transferList);
    } catch (error) {
      slot.inFlight.pop();
      slot.sent--;
      this.#running--;
      if (slot.inFlight.length === 0) this.#markIdle(slot);
      this.#settle(task, false, new CloneError('payload', { cause: error }));
      return;
    } finally {
      message[1] = undefined;
    }
    if (this.#options.atomicsWait > 0) {
      Atomics.add(slot.wake, 0, 1);
      Atomics.notify(slot.wake, 0, 1);
    }
    if (task.timeout !== Infinity) {
      task.timer = this.#options.timers.setTimeout(() => this.#onTimeout(task), task.timeout);
    }
  }

  #settle(task: PendingTask, fulfilled: boolean, value: unknown): void {
    task.state = TaskState.SETTLED;
    task.slot = null;
    task.payload = undefined;
    task.transferList = undefined;
    if (task.timer !== undefined) {
      this.#options.timers.clearTimeout(task.timer);
      task.timer = undefined;
    }
    if (task.signal !== null) {
      task.signal.removeEventListener('abort', task);
      task.signal = null;
    }
    task.onMessage = null;
    if (fulfilled) {
      this.#completed++;
      task.resolve(value);
    } else {
      this.#failed++;
      task.reject(value);
    }
    if (this.#closed) this.#finishClosing();
  }

  #markBusy(slot: WorkerSlot): void {
    slot.busySince = this.#options.timers.now();
    if (!slot.referenced) {
      slot.referenced = true;
      slot.worker.ref();
      slot.port.ref();
    }
  }

  /** The slot just ran out of tasks: account its busy time, let the process exit without it. */
  #markIdle(slot: WorkerSlot): void {
    const now = this.#options.timers.now();
    this.#busyTime += now - slot.busySince;
    this.#idle(slot, now);
  }

  #idle(slot: WorkerSlot, now: number): void {
    slot.idleSince = now;
    if (slot.referenced) {
      slot.referenced = false;
      slot.worker.unref();
      slot.port.unref();
    }
    if (slot.state === WorkerState.READY) this.#armIdleTimer();
  }

  // ---- worker life ------------------------------------------------------------------------

  #spawn(): void {
    const options = this.#options;
    let worker: Worker;
    try {
      worker = new Worker(workerRuntime.script, {
        eval: workerRuntime.eval,
        ...(options.execArgv !== undefined && { execArgv: options.execArgv }),
        ...(options.env !== undefined && { env: options.env }),
        ...(options.resourceLimits !== undefined && { resourceLimits: options.resourceLimits }),
        workerData: options.workerData,
      });
    } catch (error) {
      // Bad execArgv, too many threads...: the same outcome as a worker that fails to start.
      this.#onStartupFailure(error);
      return;
    }
    const { port1, port2 } = new MessageChannel();
    const shared = new SharedArrayBuffer(SHARED_BYTES);
    const slot = new WorkerSlot(worker, port1, shared);
    const init: WorkerInit = {
      filename: options.filename,
      handler: options.handler,
      port: port2,
      shared,
      atomicsWait: options.atomicsWait,
    };
    worker.postMessage(init, [port2]);
    // One set of listeners per worker, none per task.
    port1.on('message', (message: ReplyMessage) => this.#onReply(slot, message));
    worker.on('error', (error: unknown) => {
      slot.error = error;
    });
    worker.on('exit', (code: number) => this.#onExit(slot, code));
    this.#workers.push(slot);
    this.#starting++;
  }

  #onReply(slot: WorkerSlot, message: ReplyMessage): void {
    const kind = message[0];
    if (kind === Reply.READY) return this.#onReady(slot);
    if (kind === Reply.STARTUP) {
      const error = decodeThrown(message[2] as EncodedThrown);
      if (slot.state !== WorkerState.STARTING) {
        // Read from the port after the worker exited: still the best explanation.
        if (slot.state === WorkerState.EXITED) slot.error ??= error;
        return;
      }
      this.#spawnBlocked = true;
      this.#retire(slot, 'its task module failed to load');
      this.#onStartupFailure(error);
      return;
    }
    const inFlight = slot.inFlight;
    const seq = message[1];
    let index = 0;
    while (index < inFlight.length && inFlight[index]!.seq !== seq) index++;
    const task = inFlight[index];
    if (task === undefined) return; // settled meanwhile (aborted, timed out, destroyed)
    if (kind === Reply.MESSAGE) {
      if (task.onMessage !== null) task.onMessage(message[2]);
      return;
    }
    if (index === 0) inFlight.shift();
    else inFlight.splice(index, 1);
    this.#running--;
    // Hand the worker its next task before settling this one: the worker starts sooner.
    // (A loop only because a task whose payload cannot be cloned leaves the room free.)
    while (
      slot.state === WorkerState.READY &&
      this.#queue.size > 0 &&
      inFlight.length < this.#options.concurrentTasksPerWorker
    ) {
      this.#dispatch(this.#queue.shift()!, slot);
    }
    if (inFlight.length === 0) this.#markIdle(slot);
    switch (kind) {
      case Reply.RESULT:
        this.#settle(task, true, message[2]);
        break;
      case Reply.ERROR:
        this.#settle(task, false, decodeThrown(message[2] as EncodedThrown));
        break;
      case Reply.NO_HANDLER:
        this.#settle(task, false, this.#noHandler(message[2]));
        break;
      case Reply.NO_CLONE:
      case Reply.BAD_PAYLOAD:
        this.#settle(
          task,
          false,
          new CloneError(kind === Reply.NO_CLONE ? 'result' : 'payload', {
            cause: decodeThrown(message[2] as EncodedThrown),
          }),
        );
        break;
      default:
        break;
    }
  }

  #noHandler(name: unknown): HandlerNotFoundError {
    if (typeof name === 'string') return new HandlerNotFoundError(name);
    return new HandlerNotFoundError(
      'task',
      "the task module exports neither a function named 'task' nor a default function",
    );
  }

  #onReady(slot: WorkerSlot): void {
    if (slot.state !== WorkerState.STARTING) return;
    slot.state = WorkerState.READY;
    this.#starting--;
    this.#ready++;
    this.#spawnBlocked = false;
    this.#pump();
    if (slot.inFlight.length === 0) this.#idle(slot, this.#options.timers.now());
    if (this.#closed) this.#finishClosing();
  }

  /** Terminates a worker; the tasks it still holds are dealt with when it has exited. */
  #retire(slot: WorkerSlot, reason: string): void {
    if (slot.state === WorkerState.RETIRING || slot.state === WorkerState.EXITED) return;
    if (slot.state === WorkerState.STARTING) this.#starting--;
    else this.#ready--;
    slot.state = WorkerState.RETIRING;
    slot.retireReason = reason;
    const index = this.#workers.indexOf(slot);
    if (index >= 0) this.#workers.splice(index, 1);
    this.#exiting.add(slot);
    void slot.worker.terminate();
    this.#pump();
  }

  #onExit(slot: WorkerSlot, exitCode: number): void {
    const wasStarting = slot.state === WorkerState.STARTING;
    const wasLive = wasStarting || slot.state === WorkerState.READY;
    if (wasLive) {
      if (wasStarting) this.#starting--;
      else this.#ready--;
      const index = this.#workers.indexOf(slot);
      if (index >= 0) this.#workers.splice(index, 1);
    }
    slot.state = WorkerState.EXITED;
    // Replies the worker posted before it exited may still sit in the port: take them now,
    // so that a task that did finish is not failed. (EXITED: no new task goes to this worker.)
    for (
      let entry = receiveMessageOnPort(slot.port);
      entry !== undefined;
      entry = receiveMessageOnPort(slot.port)
    ) {
      this.#onReply(slot, entry.message as ReplyMessage);
    }
    slot.port.close();
    this.#exiting.delete(slot);
    if (slot.inFlight.length > 0) {
      const lastStarted = slot.started[0]!;
      const cause = slot.error;
      const reason =
        slot.retireReason !== ''
          ? `the worker was terminated because ${slot.retireReason}`
          : cause !== undefined
            ? 'the worker crashed'
            : `the worker exited with code ${exitCode}`;
      const tasks = slot.inFlight.splice(0);
      this.#running -= tasks.length;
      this.#markIdle(slot);
      const options = cause === undefined ? undefined : { cause };
      // Never started: back to the front of the queue, in their order, unless their payload
      // was transferred (it went with the worker).
      for (let i = tasks.length - 1; i >= 0; i--) {
        const task = tasks[i]!;
        if (task.seq > lastStarted && !(task.transferList && task.transferList.length > 0)) {
          if (task.timer !== undefined) {
            this.#options.timers.clearTimeout(task.timer);
            task.timer = undefined;
          }
          task.state = TaskState.QUEUED;
          task.slot = null;
          this.#queue.unshift(task);
          tasks[i] = undefined as never;
        }
      }
      for (const task of tasks) {
        if (task === undefined) continue;
        const message =
          task.seq <= lastStarted
            ? `${reason} while running the task`
            : `${reason} before the task started, with the payload it had been transferred`;
        this.#settle(task, false, new WorkerExitedError(exitCode, message, options));
      }
    }
    if (wasStarting) {
      this.#onStartupFailure(
        slot.error ??
          new Error(`the worker exited with code ${exitCode} before loading the task module`),
      );
    }
    if (!this.#destroyed) this.#pump();
    if (this.#closed) this.#finishClosing();
  }

  /**
   * A worker could not start. No new worker is tried before the next run() (or before another
   * worker starts), so a broken task module does not make the pool spawn workers in a loop.
   */
  #onStartupFailure(cause: unknown): void {
    this.#spawnBlocked = true;
    if (this.#ready > 0 || this.#starting > 0) return;
    // No worker can run anything: fail the waiting tasks rather than retry forever.
    for (const task of this.#queue.drain()) {
      this.#settle(task, false, new WorkerStartupError(this.#options.filename, { cause }));
    }
  }

  #onAbort(task: PendingTask): void {
    const reason: unknown = task.signal?.reason;
    if (task.state === TaskState.QUEUED) {
      this.#queue.remove(task);
      this.#settle(task, false, new TaskAbortedError(reason));
    } else if (task.state === TaskState.RUNNING) {
      this.#stopRunning(
        task,
        new TaskAbortedError(reason),
        'another task it was running was aborted',
      );
    }
  }

  #onTimeout(task: PendingTask): void {
    task.timer = undefined;
    if (task.state !== TaskState.RUNNING) return;
    this.#stopRunning(
      task,
      new TaskTimeoutError(task.timeout),
      'another task it was running timed out',
    );
  }

  /** Fails a running task now and terminates its worker (JavaScript cannot be interrupted otherwise). */
  #stopRunning(task: PendingTask, error: Error, reason: string): void {
    const slot = task.slot!;
    const index = slot.inFlight.indexOf(task);
    slot.inFlight.splice(index, 1);
    this.#running--;
    if (slot.inFlight.length === 0) this.#markIdle(slot);
    this.#settle(task, false, error);
    this.#retire(slot, reason);
  }

  // ---- idle workers and closing -----------------------------------------------------------

  #armIdleTimer(): void {
    const { idleTimeout, timers } = this.#options;
    if (this.#idleTimer !== undefined || idleTimeout === Infinity || this.#closed) return;
    if (this.#workers.length <= this.#options.minSize) return;
    let earliest = Infinity;
    for (const slot of this.#workers) {
      if (slot.state === WorkerState.READY && slot.inFlight.length === 0) {
        earliest = Math.min(earliest, slot.idleSince);
      }
    }
    if (earliest === Infinity) return;
    const delay = Math.max(0, earliest + idleTimeout - timers.now());
    this.#idleTimer = timers.setTimeout(() => this.#onIdleTimer(), delay);
  }

  #onIdleTimer(): void {
    this.#idleTimer = undefined;
    const now = this.#options.timers.now();
    // Longest idle first: the list is most-recently-used first, so walk it backwards.
    for (let i = this.#workers.length - 1; i >= 0; i--) {
      if (this.#workers.length <= this.#options.minSize) break;
      const slot = this.#workers[i]!;
      if (
        slot.state === WorkerState.READY &&
        slot.inFlight.length === 0 &&
        now - slot.idleSince >= this.#options.idleTimeout
      ) {
        this.#retire(slot, 'it was idle');
      }
    }
    this.#armIdleTimer();
  }

  #clearIdleTimer(): void {
    if (this.#idleTimer !== undefined) {
      this.#options.timers.clearTimeout(this.#idleTimer);
      this.#idleTimer = undefined;
    }
  }

  /** Once closed and out of work: terminate the workers; resolve close() once all have exited. */
  #finishClosing(): void {
    if (!this.#closed || this.#queue.size > 0 || this.#running > 0) return;
    for (const slot of [...this.#workers]) this.#retire(slot, 'the pool was closed');
    if (this.#workers.length === 0 && this.#exiting.size === 0) this.#resolveClosing();
  }
}
