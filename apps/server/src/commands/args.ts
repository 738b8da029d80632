import type { Client } from '../client.js';
import { ReplyError } from '../errors.js';
import type { Value } from '../values.js';
import { parseDouble, parseInt64, type Int64 } from '../util/numbers.js';
import { parseLongDouble } from '../util/longdouble.js';

/**
 * Argument parsing shared by the command groups, each replying with redis-server's exact error
 * when the argument is invalid and returning undefined so the handler can just `return`.
 */

/** An int64 argument ("ERR value is not an integer or out of range"). */
export function intArg(
  client: Client,
  text: string,
  error: string = ReplyError.NOT_INTEGER,
): Int64 | undefined {
  const value = parseInt64(text);
  if (value === undefined) client.server.errorReply(client, error);
  return value;
}

/** An int64 argument that must also fit a JS number exactly (offsets, counts, indexes). */
export function safeIntArg(
  client: Client,
  text: string,
  error: string = ReplyError.NOT_INTEGER,
): number | undefined {
  const value = parseInt64(text);
  if (value === undefined) {
    client.server.errorReply(client, error);
    return undefined;
  }
  // Beyond 2^53 the value is clamped: every caller compares it against a length or a range.
  return typeof value === 'number'
    ? value
    : value > 0n
      ? Number.MAX_SAFE_INTEGER
      : Number.MIN_SAFE_INTEGER;
}

/** A non-negative int within [min, max] ("ERR value is out of range, must be positive" etc.). */
export function rangedIntArg(
  client: Client,
  text: string,
  min: number,
  max: number,
  error: string,
): number | undefined {
  const value = parseInt64(text);
  if (value === undefined) {
    client.server.errorReply(client, ReplyError.NOT_INTEGER);
    return undefined;
  }
  if (typeof value !== 'number' || value < min || value > max) {
    client.server.errorReply(client, error);
    return undefined;
  }
  return value;
}

/** A double argument ("ERR value is not a valid float"). */
export function floatArg(
  client: Client,
  text: string,
  error: string = ReplyError.NOT_FLOAT,
): number | undefined {
  const value = parseDouble(text);
  if (value === undefined) client.server.errorReply(client, error);
  return value;
}

/** Writes WRONGTYPE and returns true when `value` exists and is not a string. */
export function notString(
  client: Client,
  value: Value | undefined,
): value is Exclude<Value, string> {
  if (value !== undefined && typeof value !== 'string') {
    client.server.errorReply(client, ReplyError.WRONGTYPE);
    return true;
  }
  return false;
}

/** Case-insensitive comparison of an option argument against an upper-case word. */
export function is(arg: string | undefined, word: string): boolean {
  return arg !== undefined && arg.length === word.length && arg.toUpperCase() === word;
}

/** The largest string byor can hold: proto-max-bulk-len, capped by V8's string length limit. */
export const V8_MAX_STRING_LENGTH = 0x1fffffe8;

/** redis-server's checkStringLength: the result of APPEND/SETRANGE must fit proto-max-bulk-len. */
export function checkStringLength(client: Client, size: number, append: number): boolean {
  const total = size + append;
  if (total > client.server.config.number('proto-max-bulk-len') || total > V8_MAX_STRING_LENGTH) {
    client.server.errorReply(client, ReplyError.STRING_TOO_LONG);
    return false;
  }
  return true;
}

/**
 * getTimeoutFromObjectOrReply(UNIT_SECONDS) as redis-server 7.0 computes it: the seconds are
 * parsed as a long double, multiplied by 1000 in long double, rounded up to whole milliseconds
 * and converted to a long long (anything out of its range, infinities included, becomes
 * LLONG_MIN: "timeout is negative"). Returns the absolute deadline in ms from the clock's time
 * now (redis-server 7.0 adds mstime(), not the command's cached time: a command late in a long
 * pipelined batch still waits its whole timeout) (0 = no timeout), or
 * undefined after replying with the error. A deadline past LLONG_MAX wraps in redis-server's
 * unsigned timeout table and never fires: it is no timeout here too. O(digits).
 *
 * @example
 * ```ts
 * const deadline = blockingTimeoutArg(client, '0.5'); // now + 500; '0' gives 0; '-1' replies
 * if (deadline === undefined) return; // "ERR timeout is negative" was written
 * ```
 */
export function blockingTimeoutArg(client: Client, text: string): number | undefined {
  const seconds = parseLongDouble(text);
  if (seconds === undefined) {
    client.server.errorReply(client, ReplyError.TIMEOUT_NOT_FLOAT);
    return undefined;
  }
  const ms = secondsToMilliseconds(seconds);
  if (ms < 0n) {
    client.server.errorReply(client, ReplyError.TIMEOUT_NEGATIVE);
    return undefined;
  }
  if (ms === 0n) return 0;
  const deadline = ms + BigInt(Math.floor(client.server.clock.now()));
  return deadline > INT64_MAX ? 0 : Number(deadline);
}

type LongDouble = NonNullable<ReturnType<typeof parseLongDouble>>;
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/** (long long) ceill(seconds * 1000.0L) on x86-64. */
function secondsToMilliseconds(seconds: LongDouble): bigint {
  if (seconds.infinite) return INT64_MIN;
  let significand = seconds.significand * 1000n;
  if (significand === 0n) return 0n;
  let exponent = seconds.exponent;
  // the product is rounded to the 64-bit significand of an x87 long double, ties to even
  const excess = significand.toString(2).length - 64;
  if (excess > 0) {
    const shift = BigInt(excess);
    let rounded = significand >> shift;
    const remainder = significand & ((1n << shift) - 1n);
    const half = 1n << (shift - 1n);
    if (remainder > half || (remainder === half && (rounded & 1n) === 1n)) rounded += 1n;
    significand = rounded;
    exponent += excess;
  }
  if (exponent > 64) return INT64_MIN;
  let result: bigint;
  if (exponent >= 0) {
    result = significand << BigInt(exponent);
    if (seconds.negative) result = -result;
  } else {
    const shift = BigInt(-exponent);
    const whole = significand >> shift;
    const fraction = (significand & ((1n << shift) - 1n)) !== 0n;
    // ceil: up for a positive fraction, toward zero for a negative one
    result = seconds.negative ? -whole : whole + (fraction ? 1n : 0n);
  }
  return result > INT64_MAX || result < INT64_MIN ? INT64_MIN : result;
}
