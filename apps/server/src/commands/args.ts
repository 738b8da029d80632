import type { Client } from '../client.js';
import { ReplyError } from '../errors.js';
import type { Value } from '../values.js';
import { parseDouble, parseInt64, type Int64 } from '../util/numbers.js';

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
