/**
 * TimerService: many deadlines on one Node timer (book chapter 13: a heap of deadlines).
 *
 * Deadlines live in an indexed heap from @byor/heap ordered by (deadline, scheduling order), so
 * timers due at the same millisecond fire in the order they were scheduled, and cancel /
 * reschedule reach a timer through its handle in O(log n). One `setTimeout` is armed for the
 * earliest deadline only; it is moved when an earlier timer arrives and simply re-armed when it
 * fires early (after a cancel). The clock is injected: with a test clock, `runDue()` runs what
 * became due after the test moved time.
 */
import { Heap, type HeapHandle } from '@byor/heap';
import { type Clock, systemClock } from './clock.js';
import { ClosedError, InvalidOptionError } from './errors.js';

declare const timerHandleBrand: unique symbol;

/**
 * An opaque reference to a scheduled timer or cron task; a plain number at run time.
 *
 * @example
 * ```ts
 * const handle: TimerHandle = timers.schedule(clock.now() + 1000, onTimeout);
 * timers.cancel(handle);
 * ```
 */
export type TimerHandle = number & { readonly [timerHandleBrand]: true };

/**
 * A cron task: called every interval with a work budget, the most units of work (keys to
 * expire, clients to check...) it should do in this tick (the book's `k_max_works`).
 *
 * @example
 * ```ts
 * const expireSome: CronTask = (budget) => { for (let i = 0; i < budget && expireOne(); i++); };
 * ```
 */
export type CronTask = (budget: number) => void;

/** Options of {@link TimerService}. */
export interface TimerServiceOptions {
  /** The time source for deadlines. Default {@link systemClock} (`Date.now()`). */
  readonly clock?: Clock;
  /**
   * Called with what a timer callback threw; the other due timers still run. Without it the
   * throw propagates out of `runDue()` (from a Node timer: an uncaught exception) after the
   * service has re-armed itself.
   */
  readonly onError?: (error: unknown) => void;
  /** Keep the process alive while timers are pending. Default false (`unref`'d). */
  readonly ref?: boolean;
}

/** Options of {@link TimerService.every}. */
export interface CronOptions {
  /** The budget passed to the task on every tick. Default 2000 (the book's k_max_works). */
  readonly budget?: number;
  /** When the first tick is due. Default now + interval. */
  readonly firstAt?: number;
}

/** The most a single Node timer can wait (larger delays fire at once in Node). */
const MAX_DELAY = 2147483647;

/** One scheduled timer. Monomorphic: every field set in the constructor. */
class Timer {
  at: number;
  order: number;
  handle: HeapHandle;
  readonly callback: (() => void) | undefined;
  readonly task: CronTask | undefined;
  readonly interval: number;
  readonly budget: number;

  constructor(
    at: number,
    order: number,
    callback: (() => void) | undefined,
    task: CronTask | undefined,
    interval: number,
    budget: number,
  ) {
    this.at = at;
    this.order = order;
    this.handle = -1 as HeapHandle;
    this.callback = callback;
    this.task = task;
    this.interval = interval;
    this.budget = budget;
  }
}

function byDeadline(a: Timer, b: Timer): number {
  return a.at < b.at ? -1 : a.at > b.at ? 1 : a.order - b.order;
}

/**
 * Deadlines for thousands of timers behind a single `setTimeout`: `schedule`, `cancel`,
 * `reschedule` in O(log n), a periodic `every` with a work budget, and `runDue()` to fire what
 * is due now (after a test clock moved).
 *
 * @example
 * ```ts
 * const timers = new TimerService();
 * const handle = timers.schedule(Date.now() + 5000, () => console.log('timeout'));
 * timers.reschedule(handle, Date.now() + 10_000);
 * timers.every(100, (budget) => expireKeys(budget));
 * timers.close();
 * ```
 */
export class TimerService {
  readonly #clock: Clock;
  readonly #onError: ((error: unknown) => void) | undefined;
  readonly #ref: boolean;
  readonly #heap = new Heap<Timer>(byDeadline);
  #order = 0;
  #timeout: NodeJS.Timeout | undefined = undefined;
  #armedAt = Infinity;
  #closed = false;
  /** The time of the run in progress, or -Infinity outside `runDue()`. */
  #runNow = -Infinity;
  readonly #fire = (): void => {
    this.#timeout = undefined;
    this.#armedAt = Infinity;
    this.runDue();
  };

  /**
   * Creates an empty service. O(1).
   *
   * @example
   * ```ts
   * const timers = new TimerService({ clock: { now: () => fakeNow } });
   * ```
   */
  constructor(options: TimerServiceOptions = {}) {
    this.#clock = options.clock ?? systemClock;
    this.#onError = options.onError;
    this.#ref = options.ref ?? false;
  }

  /**
   * The number of pending timers and cron tasks. O(1).
   *
   * @example
   * ```ts
   * timers.size; // 3
   * ```
   */
  get size(): number {
    return this.#heap.size;
  }

  /**
   * The earliest pending deadline, or undefined when none. O(1).
   *
   * @example
   * ```ts
   * const next = timers.nextDeadline();
   * ```
   */
  nextDeadline(): number | undefined {
    return this.#heap.peek()?.at;
  }

  /**
   * Calls `callback` once at time `at` (clock milliseconds); a deadline in the past fires on the
   * next turn. Timers due at the same time fire in scheduling order. O(log n).
   *
   * @throws {ClosedError} after `close()`
   * @example
   * ```ts
   * const handle = timers.schedule(clock.now() + 30_000, () => unblock(client));
   * ```
   */
  schedule(at: number, callback: () => void): TimerHandle {
    if (this.#closed) throw new ClosedError('the timer service');
    if (Number.isNaN(at)) throw new InvalidOptionError('at', at, 'a number');
    return this.#add(new Timer(this.#clamp(at), this.#order++, callback, undefined, 0, 0));
  }

  /**
   * Calls `task(budget)` every `intervalMs` milliseconds until cancelled: a cron with a per-tick
   * work budget. The next tick is due `intervalMs` after the current one ran. O(log n).
   *
   * @throws {InvalidOptionError} when `intervalMs` is not a positive number
   * @throws {ClosedError} after `close()`
   * @example
   * ```ts
   * const cron = timers.every(100, (budget) => expireSomeKeys(budget), { budget: 200 });
   * timers.cancel(cron);
   * ```
   */
  every(intervalMs: number, task: CronTask, options: CronOptions = {}): TimerHandle {
    if (this.#closed) throw new ClosedError('the timer service');
    if (!(intervalMs > 0) || intervalMs === Infinity) {
      throw new InvalidOptionError('intervalMs', intervalMs, 'a positive finite number');
    }
    const budget = options.budget ?? 2000;
    if (!(budget >= 0)) throw new InvalidOptionError('budget', budget, 'a number >= 0');
    const at = this.#clamp(options.firstAt ?? this.#clock.now() + intervalMs);
    return this.#add(new Timer(at, this.#order++, undefined, task, intervalMs, budget));
  }

  /**
   * Cancels a timer or cron task. Returns false when it already fired or was cancelled. O(log n).
   *
   * @example
   * ```ts
   * timers.cancel(handle);
   * ```
   */
  cancel(handle: TimerHandle): boolean {
    const removed = this.#heap.remove(handle as number as HeapHandle);
    if (removed && this.#heap.size === 0) this.#disarm();
    return removed;
  }

  /**
   * Moves a pending timer (or the next tick of a cron task) to time `at`; it then fires after
   * the timers already due at `at`. Returns false when the timer already fired or was
   * cancelled. O(log n).
   *
   * @example
   * ```ts
   * timers.reschedule(idleHandle, clock.now() + timeout);
   * ```
   */
  reschedule(handle: TimerHandle, at: number): boolean {
    if (Number.isNaN(at)) throw new InvalidOptionError('at', at, 'a number');
    const timer = this.#heap.get(handle as number as HeapHandle);
    if (timer === undefined) return false;
    timer.at = this.#clamp(at);
    timer.order = this.#order++;
    this.#heap.update(timer.handle);
    this.#arm();
    return true;
  }

  /**
   * The deadline of a pending timer, or undefined when it fired or was cancelled. O(1).
   *
   * @example
   * ```ts
   * const left = timers.deadline(handle)! - clock.now();
   * ```
   */
  deadline(handle: TimerHandle): number | undefined {
    return this.#heap.get(handle as number as HeapHandle)?.at;
  }

  /**
   * Fires every timer due at `clock.now()`, in deadline then scheduling order, and re-arms the
   * Node timer for the next deadline. Timers scheduled (or rescheduled) by these callbacks run
   * on a later turn, even when already due: their deadline is then at least this run's time.
   * Returns how many callbacks ran. O(k log n) for k due timers.
   *
   * @example
   * ```ts
   * now += 10_000;        // a test clock moved
   * timers.runDue();      // 2
   * ```
   */
  runDue(): number {
    const heap = this.#heap;
    const now = this.#clock.now();
    const firstNew = this.#order;
    let ran = 0;
    let deferred = false;
    const outer = this.#runNow;
    this.#runNow = now;
    try {
      for (;;) {
        const timer = heap.peek();
        if (timer === undefined || timer.at > now) break;
        if (timer.order >= firstNew) {
          // Scheduled by a callback of this run (clamped to `now`, so every older due timer
          // came first): it fires on the next turn.
          deferred = true;
          break;
        }
        ran++;
        if (timer.task !== undefined) {
          timer.at = now + timer.interval;
          timer.order = this.#order++;
          heap.update(timer.handle);
          this.#call(timer.task, timer.budget);
        } else {
          heap.pop();
          this.#call(timer.callback as CronTask, 0);
        }
      }
    } finally {
      this.#runNow = outer;
      if (deferred) this.#armAt(now);
      else this.#arm();
    }
    return ran;
  }

  /**
   * Cancels every timer and releases the Node timer; `schedule` and `every` throw afterwards.
   * O(n).
   *
   * @example
   * ```ts
   * timers.close();
   * ```
   */
  close(): void {
    this.#closed = true;
    this.#heap.clear();
    this.#disarm();
  }

  /**
   * Verifies the heap of deadlines, throwing at the first inconsistency. For tests. O(n).
   *
   * @example
   * ```ts
   * timers.checkInvariants();
   * ```
   */
  checkInvariants(): void {
    this.#heap.checkInvariants();
  }

  /**
   * Inside a run, a deadline before the run's time becomes the run's time: the new timer sorts
   * after every timer already due, and the run stops at it (it fires on the next turn).
   */
  #clamp(at: number): number {
    return at < this.#runNow ? this.#runNow : at;
  }

  #call(callback: CronTask, budget: number): void {
    if (this.#onError === undefined) {
      callback(budget);
      return;
    }
    try {
      callback(budget);
    } catch (error) {
      this.#onError(error);
    }
  }

  #add(timer: Timer): TimerHandle {
    timer.handle = this.#heap.push(timer);
    if (timer.at < this.#armedAt) this.#arm();
    return timer.handle as number as TimerHandle;
  }

  /** Arms the Node timer for the earliest deadline, unless it is already armed at or before it. */
  #arm(): void {
    const first = this.#heap.peek();
    if (first === undefined) {
      this.#disarm();
      return;
    }
    if (this.#timeout !== undefined && this.#armedAt <= first.at) return;
    this.#armAt(first.at);
  }

  #armAt(at: number): void {
    if (this.#closed) return;
    if (this.#timeout !== undefined) clearTimeout(this.#timeout);
    const delay = Math.min(Math.max(at - this.#clock.now(), 0), MAX_DELAY);
    this.#timeout = setTimeout(this.#fire, delay);
    if (!this.#ref) this.#timeout.unref();
    this.#armedAt = at;
  }

  #disarm(): void {
    if (this.#timeout !== undefined) clearTimeout(this.#timeout);
    this.#timeout = undefined;
    this.#armedAt = Infinity;
  }
}
