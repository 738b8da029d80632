/**
 * The clock and timers the pool reads, injected (TanStack Query's `timeoutManager`) so that
 * tests of task timeouts, idle timeouts and utilisation run without waiting.
 */

/**
 * What the pool needs of a clock: one-shot timers and a monotonic `now()` in milliseconds.
 *
 * @example
 * ```ts
 * const timers: PoolTimers = {
 *   setTimeout: (callback, ms) => setTimeout(callback, ms).unref(),
 *   clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
 *   now: () => performance.now(),
 * };
 * ```
 */
export interface PoolTimers {
  /** Calls `callback` once after `ms` milliseconds; returns a handle for `clearTimeout`. */
  setTimeout(callback: () => void, ms: number): unknown;
  /** Cancels a timer made by `setTimeout`; ignores handles of timers that already fired. */
  clearTimeout(handle: unknown): void;
  /** Milliseconds from an arbitrary origin, never going backwards. */
  now(): number;
}

const MAX_DELAY = 2 ** 31 - 1;

/**
 * The default {@link PoolTimers}: Node's timers, unref'd (a pending timeout never keeps the
 * process alive by itself: a busy worker does), and `performance.now()`.
 *
 * @example
 * ```ts
 * new ThreadPool({ filename, timers: systemTimers });
 * ```
 */
export const systemTimers: PoolTimers = {
  // Node turns a delay above 2^31 - 1 ms into 1 ms: clamp instead (about 24.8 days).
  setTimeout: (callback, ms) => setTimeout(callback, Math.min(ms, MAX_DELAY)).unref(),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
  now: () => performance.now(),
};
