/**
 * The software prefetch of a pipelined batch (what redis-server 8 does before it runs one).
 *
 * A read that brings several commands is scanned, before any of them is parsed, for each
 * command's first argument: the key of nearly every command that has one (GET, SET, INCR, LPUSH,
 * SADD, HSET, ZADD...). The database then loads what finding those keys reads, one level at a
 * time across all of them (@byor/hashtable's `touchBytes`), so that the lookups that follow find
 * their lines in the CPU cache instead of each waiting for its own misses: with 100k keys a
 * lookup is a chain of three or four misses, about a quarter of a pipelined command's CPU.
 *
 * The scan only reads: a read that starts inside a frame, an inline command or anything
 * malformed ends it, and the parser that runs the commands sees the same bytes. A wrong guess
 * (a command whose first argument is not a key) costs a few loads and changes nothing.
 */
import { RequestParser } from '@byor/protocol';
import type { Client } from './client.js';

/** Commands scanned per read at most (the table's touch takes 64 keys). */
const MAX_KEYS = 64;
const starts = new Int32Array(MAX_KEYS);
const ends = new Int32Array(MAX_KEYS);

const STAR = 0x2a;
const DOLLAR = 0x24;
const CR = 0x0d;
const ZERO = 0x30;
const NINE = 0x39;

/**
 * Finds the first argument of each complete RESP command in `bytes` (from its start), up to
 * {@link MAX_KEYS}; their places go to `starts`/`ends`. Returns how many were found. O(bytes).
 */
export function scanFirstArguments(
  bytes: Uint8Array,
  starts: Int32Array,
  ends: Int32Array,
): number {
  const end = bytes.length;
  let at = 0;
  let count = 0;
  while (count < starts.length && at < end && bytes[at] === STAR) {
    // *<n>\r\n
    let n = 0;
    let i = at + 1;
    for (; i < end && i < at + 12; i++) {
      const c = bytes[i]!;
      if (c < ZERO || c > NINE) break;
      n = n * 10 + (c - ZERO);
    }
    if (i === at + 1 || bytes[i] !== CR || n === 0) return count;
    i += 2;
    // n bulk strings: $<len>\r\n<bytes>\r\n
    let first = -1;
    let firstEnd = -1;
    for (let arg = 0; arg < n; arg++) {
      if (i >= end || bytes[i] !== DOLLAR) return count;
      let length = 0;
      const digits = i + 1;
      for (i = digits; i < end && i < digits + 11; i++) {
        const c = bytes[i]!;
        if (c < ZERO || c > NINE) break;
        length = length * 10 + (c - ZERO);
      }
      if (i === digits || bytes[i] !== CR) return count;
      i += 2;
      if (arg === 1) {
        first = i;
        firstEnd = i + length;
      }
      i += length + 2;
      if (i > end) return count; // the frame goes on in the next read
    }
    if (first >= 0) {
      starts[count] = first;
      ends[count] = firstEnd;
      count++;
    }
    at = i;
  }
  return count;
}

/**
 * The RESP parser of a client connection, which prefetches the keys of each read of several
 * commands into the client's current database before they are parsed.
 */
export class PrefetchingParser extends RequestParser {
  /** the connection's client, set once it is made (after its parser) */
  client: Client | undefined = undefined;

  override push(chunk: Uint8Array): void {
    super.push(chunk);
    const client = this.client;
    // one command: its lookup comes next anyway, nothing to overlap
    if (client === undefined || chunk.length < 64) return;
    const count = scanFirstArguments(chunk, starts, ends);
    if (count > 1) client.db.prefetchBytes(chunk, starts, ends, count);
  }
}
