/**
 * Time, injected: every deadline in the loop (idle timeouts, output-buffer soft-limit seconds,
 * timers) reads `clock.now()`, so tests and a server's testing mode can move time by hand.
 */

/**
 * A source of the current time in milliseconds.
 *
 * @example
 * ```ts
 * let now = 0;
 * const clock: Clock = { now: () => now };
 * const loop = new EventLoop({ clock });
 * now += 60_000;
 * loop.timers.runDue(); // fires what became due, expires idle clients
 * ```
 */
export interface Clock {
  /** Milliseconds; only differences matter, so any epoch works. Must not go backwards. */
  now(): number;
  /**
   * Optional: called as the loop starts handling a read (before its first `now()`), paired with
   * `release()` once the read's frames and batch hook ran (its output is written at the end of
   * the loop's turn). A clock that caches one reading per unit of work (a server's command
   * time) can drop its cache at `release` instead of scheduling that itself.
   */
  hold?(): void;
  /** Optional: the end of what `hold()` began (called even when the handling threw). */
  release?(): void;
}

/**
 * The default clock: `Date.now()`.
 *
 * @example
 * ```ts
 * systemClock.now(); // 1732530000000
 * ```
 */
export const systemClock: Clock = { now: () => Date.now() };
