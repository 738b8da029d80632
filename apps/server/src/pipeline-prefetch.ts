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
 * Where the command names an element of its key's collection (HSET's field, SADD's or ZADD's
 * member...), the collection found at the head of the key's chain then prefetches that too.
 *
 * The scan only reads: a read that starts inside a frame, an inline command or anything
 * malformed ends it, and the parser that runs the commands sees the same bytes. A wrong guess
 * (a command whose first argument is not a key) costs a few loads and changes nothing.
 */
import { RequestParser } from '@byor/protocol';
import type { Client } from './client.js';
import type { Elements } from './keyspace.js';

/** Commands scanned per read at most (the table's touch takes 64 keys). */
const MAX_KEYS = 64;
const starts = new Int32Array(MAX_KEYS);
const ends = new Int32Array(MAX_KEYS);
const elements: Elements = {
  starts: new Int32Array(MAX_KEYS),
  ends: new Int32Array(MAX_KEYS),
  groupStarts: new Int32Array(MAX_KEYS),
  groupEnds: new Int32Array(MAX_KEYS),
};

/**
 * A command name's code: its length and its first two and last bytes, lower-cased. Two names
 * may share one (a wrong guess only prefetches for nothing).
 */
function nameCode(bytes: Uint8Array, start: number, end: number): number {
  const length = end - start;
  if (length < 2) return -1;
  return (
    length |
    ((bytes[start]! | 0x20) << 8) |
    ((bytes[start + 1]! | 0x20) << 16) |
    ((bytes[end - 1]! | 0x20) << 24)
  );
}

/** Which argument names the element a command looks up in its key's collection. */
const ELEMENT_ARGUMENT = new Map<number, number>();
for (const [argument, names] of [
  [
    2,
    'hset hsetnx hget hmget hexists hdel hincrby hincrbyfloat hstrlen sadd srem sismember ' +
      'smismember zscore zmscore zrem zrank zrevrank',
  ],
  [3, 'zadd zincrby'],
] as const) {
  for (const name of names.split(' ')) {
    const bytes = Buffer.from(name, 'latin1');
    ELEMENT_ARGUMENT.set(nameCode(bytes, 0, bytes.length), argument);
  }
}

const STAR = 0x2a;
const DOLLAR = 0x24;
const CR = 0x0d;
const ZERO = 0x30;
const NINE = 0x39;

/**
 * Finds the first argument of each complete RESP command in `bytes` (from its start), up to
 * {@link MAX_KEYS}; their places go to `starts`/`ends` (a key that repeats the one before is
 * left out), and with `elements`, the place of the hash field or set member the command names
 * (HSET's, SADD's, ZADD's...; -1 when none) to `elements.starts`/`ends` at the same index.
 * Returns how many were found. O(bytes).
 */
export function scanFirstArguments(
  bytes: Uint8Array,
  starts: Int32Array,
  ends: Int32Array,
  elements?: Elements,
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
    let element = -1; // the argument that names an element, once the name is read
    let elementStart = -1;
    let elementEnd = -1;
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
      if (arg === 0 && elements !== undefined) {
        element = ELEMENT_ARGUMENT.get(nameCode(bytes, i, Math.min(i + length, end))) ?? -1;
      } else if (arg === 1) {
        first = i;
        firstEnd = i + length;
      } else if (arg === element) {
        elementStart = i;
        elementEnd = i + length;
      }
      i += length + 2;
      if (i > end) return count; // the frame goes on in the next read
    }
    // a key repeated from the command before (LPUSH mylist ..., sixteen times) is found once,
    // unless the command also names an element, which is kept at the key's index
    const repeated =
      elementStart < 0 &&
      count > 0 &&
      sameBytes(bytes, starts[count - 1]!, ends[count - 1]!, first, firstEnd);
    if (first >= 0 && !repeated) {
      starts[count] = first;
      ends[count] = firstEnd;
      if (elements !== undefined) {
        elements.starts[count] = elementStart;
        elements.ends[count] = elementEnd;
      }
      count++;
    }
    at = i;
  }
  return count;
}

/** True when `bytes[a, aEnd)` and `bytes[b, bEnd)` hold the same bytes. */
function sameBytes(bytes: Uint8Array, a: number, aEnd: number, b: number, bEnd: number): boolean {
  if (aEnd - a !== bEnd - b) return false;
  for (let i = 0; a + i < aEnd; i++) if (bytes[a + i] !== bytes[b + i]) return false;
  return true;
}

/**
 * The RESP parser of a client connection, which prefetches the keys of each read of several
 * commands into the client's current database before they are parsed.
 */
export class PrefetchingParser extends RequestParser {
  /** the connection's client, set once it is made (after its parser) */
  client: Client | undefined = undefined;
  /** reads left unscanned: a scan that found one key at most makes the next few skip theirs */
  #idle = 0;

  override push(chunk: Uint8Array): void {
    super.push(chunk);
    const client = this.client;
    // one command: its lookup comes next anyway, nothing to overlap
    if (client === undefined || chunk.length < 64) return;
    if (this.#idle > 0) {
      this.#idle--;
      return;
    }
    const count = scanFirstArguments(chunk, starts, ends, elements);
    if (count > 1) client.db.prefetchBytes(chunk, starts, ends, count, elements);
    // a client that sends one key over and over (LPUSH mylist ..., sixteen times a read) has
    // nothing to prefetch: its next reads are left unscanned, and every eighth is checked again
    else this.#idle = IDLE_READS;
  }
}

/** Reads a client's parser skips after a scan that found nothing to prefetch. */
const IDLE_READS = 7;
