/**
 * The per-key access clock of redis-server 7.0 (evict.c), as one 24-bit number per key:
 *
 *     LRU   [ 24-bit clock: unix seconds mod 2^24 ]                     (LRU_CLOCK_RESOLUTION 1000 ms)
 *     LFU   [ 16-bit unix minutes mod 2^16 | 8-bit logarithmic counter ] (LFU_INIT_VAL 5)
 *
 * Which of the two a key's stamp holds depends on the maxmemory-policy when it was last written:
 * switching between LRU and LFU policies at run time leaves old stamps to be read the other way
 * for a while, exactly as redis-server does (and says in the OBJECT IDLETIME/FREQ errors).
 *
 * @packageDocumentation
 */

/** redis-server's LRU_CLOCK_MAX: the LRU clock is 24 bits of seconds. */
export const LRU_CLOCK_MAX = (1 << 24) - 1;
/** redis-server's LRU_CLOCK_RESOLUTION in ms. */
export const LRU_CLOCK_RESOLUTION = 1000;
/** The counter a new key starts with under an LFU policy, so that it is not evicted at once. */
export const LFU_INIT_VAL = 5;

/**
 * LRU_CLOCK(): the 24-bit clock at `now` (ms). O(1).
 *
 * @example
 * ```ts
 * lruClock(Date.now()); // e.g. 12_034_556
 * ```
 */
export function lruClock(now: number): number {
  // ToInt32 truncation keeps the low bits of floor(now / 1000) for any positive time
  return (now / LRU_CLOCK_RESOLUTION) & LRU_CLOCK_MAX;
}

/**
 * estimateObjectIdleTime(): ms since the stamp `lru` (a clock that wrapped counts as such). O(1).
 *
 * @example
 * ```ts
 * idleMilliseconds(lruClock(t), t + 5000); // 5000
 * ```
 */
export function idleMilliseconds(lru: number, now: number): number {
  const clock = lruClock(now);
  return clock >= lru
    ? (clock - lru) * LRU_CLOCK_RESOLUTION
    : (clock + (LRU_CLOCK_MAX - lru)) * LRU_CLOCK_RESOLUTION;
}

/**
 * LFUGetTimeInMinutes(): unix minutes mod 2^16. O(1).
 *
 * @example
 * ```ts
 * lfuMinutes(Date.now()); // 0..65535
 * ```
 */
export function lfuMinutes(now: number): number {
  return Math.floor(now / 60_000) & 0xffff;
}

/**
 * A fresh LFU stamp: the current minute and LFU_INIT_VAL (createObject under an LFU policy). O(1).
 *
 * @example
 * ```ts
 * lfuInitial(Date.now()) & 0xff; // 5
 * ```
 */
export function lfuInitial(now: number): number {
  return (lfuMinutes(now) << 8) | LFU_INIT_VAL;
}

/**
 * LFUDecrAndReturn(): the counter of an LFU stamp after decay (one point per `decayTime`
 * minutes since the stamp's minute; 0 disables decay). O(1).
 *
 * @example
 * ```ts
 * lfuCounter(lfuInitial(t), t + 120_000, 1); // 3: two minutes later
 * ```
 */
export function lfuCounter(stamp: number, now: number, decayTime: number): number {
  const counter = stamp & 0xff;
  if (decayTime <= 0) return counter;
  const then = stamp >>> 8;
  const minutes = lfuMinutes(now);
  const elapsed = minutes >= then ? minutes - then : 65535 - then + minutes;
  const periods = Math.floor(elapsed / decayTime);
  return periods === 0 ? counter : periods > counter ? 0 : counter - periods;
}

/**
 * LFULogIncr(): a counter incremented with probability 1 / ((counter - LFU_INIT_VAL) *
 * logFactor + 1), saturating at 255. O(1).
 *
 * @param random - a float in [0, 1) (redis-server: rand() / RAND_MAX)
 * @example
 * ```ts
 * lfuLogIncrement(5, 10, Math.random()); // 6: below LFU_INIT_VAL + 1 it always grows
 * ```
 */
export function lfuLogIncrement(counter: number, logFactor: number, random: number): number {
  if (counter === 255) return 255;
  const base = counter - LFU_INIT_VAL;
  const p = 1 / ((base < 0 ? 0 : base) * logFactor + 1);
  return random < p ? counter + 1 : counter;
}

/**
 * updateLFU(): decays the counter, increments it logarithmically, and stamps the current minute.
 * O(1).
 *
 * @example
 * ```ts
 * let stamp = lfuInitial(t);
 * stamp = lfuTouch(stamp, t, 10, 1, Math.random());
 * ```
 */
export function lfuTouch(
  stamp: number,
  now: number,
  logFactor: number,
  decayTime: number,
  random: number,
): number {
  const counter = lfuLogIncrement(lfuCounter(stamp, now, decayTime), logFactor, random);
  return (lfuMinutes(now) << 8) | counter;
}
