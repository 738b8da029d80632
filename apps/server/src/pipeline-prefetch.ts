/**
 * The software prefetch of a pipelined batch (what redis-server 8 does before it runs one).
 *
 * A read that brings several commands is parsed whole before any of them runs. The database then
 * loads what finding their keys reads (the first argument of nearly every command that has one:
 * GET, SET, INCR, LPUSH, SADD, HSET, ZADD...), one level at a time across all of them
 * (@byor/hashtable's `touch`), so that the lookups that follow find their lines in the CPU cache
 * instead of each waiting for its own misses: with 100k keys a lookup is a chain of three or four
 * misses, about a quarter of a pipelined command's CPU. The hashes the touch computes are kept
 * for the lookups, which come in the same order, so each key is hashed once.
 *
 * Where the command names an element of its key's collection (HSET's field, SADD's or ZADD's
 * member...), the collection found at the head of the key's chain then prefetches that too.
 *
 * Parsing ahead changes nothing a client can see: the commands run in order, one after another,
 * as they would have; a protocol error met ahead is thrown when the commands before it have run;
 * the bytes parsed ahead still count in the query buffer; and the parsing stops after a command
 * that may change how the ones after it are parsed (AUTH, HELLO and RESET set the limits of an
 * unauthenticated client), as it does not start for a client that is not authenticated.
 */
import { RequestParser } from '@byor/protocol';
import type { Client } from './client.js';

/** Commands parsed ahead per read at most (the table's touch takes 64 keys). */
const MAX_AHEAD = 64;

/** Which argument names the element a command looks up in its key's collection, by name. */
const ELEMENT_ARGUMENT = new Map<string, number>();
for (const [argument, names] of [
  [
    2,
    'hset hsetnx hget hmget hexists hdel hincrby hincrbyfloat hstrlen sadd srem sismember ' +
      'smismember zscore zmscore zrem zrank zrevrank',
  ],
  [3, 'zadd zincrby'],
] as const) {
  for (const name of names.split(' ')) {
    ELEMENT_ARGUMENT.set(name, argument);
    ELEMENT_ARGUMENT.set(name.toUpperCase(), argument);
  }
}

/** Commands after which the parser's limits may change (an unauthenticated client's). */
function changesLimits(name: string): boolean {
  const length = name.length;
  if (length < 4 || length > 5) return false;
  const lower = name.toLowerCase();
  return lower === 'auth' || lower === 'hello' || lower === 'reset';
}

/**
 * The first argument (the key) of each of `frames[0, count)` that has one, and the element each
 * names (HSET's field, ZADD's member; undefined when none) at the same index; a key that
 * repeats the one before is left out, unless the command also names an element. Returns how
 * many keys it found. O(count).
 */
export function keysOf(
  frames: readonly (readonly string[] | undefined)[],
  count: number,
  keys: string[],
  elements: (string | undefined)[],
): number {
  let found = 0;
  let name = '';
  let at = -1;
  for (let i = 0; i < count; i++) {
    const frame = frames[i]!;
    if (frame.length < 2) continue;
    // a pipeline repeats one command: its name is the parser's same string
    if (frame[0] !== name) {
      name = frame[0]!;
      at = ELEMENT_ARGUMENT.get(name) ?? ELEMENT_ARGUMENT.get(name.toLowerCase()) ?? -1;
    }
    const key = frame[1]!;
    const element = at > 0 && at < frame.length ? frame[at] : undefined;
    if (element === undefined && found > 0 && keys[found - 1] === key) continue;
    keys[found] = key;
    elements[found] = element;
    found++;
  }
  return found;
}

/** Scratch room: the keys and elements of one read (copied out before they are kept). */
const scratchKeys = new Array<string>(MAX_AHEAD).fill('');
const scratchElements = new Array<string | undefined>(MAX_AHEAD).fill(undefined);

/**
 * The RESP parser of a client connection: it parses each read of several commands ahead and
 * prefetches their keys into the client's current database before they run.
 */
export class PrefetchingParser extends RequestParser {
  /** the connection's client, set once it is made (after its parser) */
  client: Client | undefined = undefined;
  /** reads left unparsed ahead: a read that named one key at most makes the next few skip it */
  #idle = 0;
  /** commands parsed ahead and not handed out yet: `#ahead[#head, #tail)`, with their bytes */
  readonly #ahead: (string[] | undefined)[] = new Array<string[] | undefined>(MAX_AHEAD).fill(
    undefined,
  );
  readonly #aheadBytes = new Int32Array(MAX_AHEAD);
  #head = 0;
  #tail = 0;
  #queuedBytes = 0;
  /** bytes of the command after the queued ones that the parser has read already */
  #tailBytes = 0;

  override get bufferedBytes(): number {
    return super.bufferedBytes + this.#queuedBytes + this.#tailBytes;
  }

  override push(chunk: Uint8Array): void {
    super.push(chunk);
    const client = this.client;
    // one command: its lookup comes next anyway, nothing to overlap; commands still waiting
    // (a paused client) go first, parsed in order later
    if (client === undefined || chunk.length < 64 || this.#head !== this.#tail) return;
    if (this.authRequired) return;
    if (this.#idle > 0) {
      this.#idle--;
      return;
    }
    const count = this.#parseAhead();
    const found = keysOf(this.#ahead, count, scratchKeys, scratchElements);
    // kept by the key table until its next touch: a copy that no later read overwrites
    if (found > 1) client.db.prefetchKeys(scratchKeys.slice(0, found), scratchElements);
    // a client that sends one key over and over (LPUSH mylist ..., sixteen times a read) has
    // nothing to prefetch: its next reads are not parsed ahead, and every eighth is again
    else this.#idle = IDLE_READS;
    scratchElements.fill(undefined, 0, found);
  }

  override next(): string[] | undefined {
    const head = this.#head;
    if (head === this.#tail) {
      this.#tailBytes = 0;
      return super.next();
    }
    const frame = this.#ahead[head];
    this.#ahead[head] = undefined;
    this.#queuedBytes -= this.#aheadBytes[head]!;
    if (head + 1 === this.#tail) this.#head = this.#tail = 0;
    else this.#head = head + 1;
    return frame;
  }

  override reset(): void {
    this.#ahead.fill(undefined);
    this.#head = this.#tail = this.#queuedBytes = this.#tailBytes = 0;
    super.reset();
  }

  /** Parses the complete commands buffered (at most MAX_AHEAD) into the queue; returns how many. */
  #parseAhead(): number {
    const ahead = this.#ahead;
    let count = 0;
    let before = super.bufferedBytes;
    // a pipeline repeats one command: its name is the parser's same string, checked once
    let name = '';
    try {
      while (count < MAX_AHEAD) {
        const frame = super.next();
        if (frame === undefined) break;
        const after = super.bufferedBytes;
        ahead[count] = frame;
        this.#aheadBytes[count] = before - after;
        this.#queuedBytes += before - after;
        before = after;
        count++;
        if (frame[0] !== name) {
          name = frame[0]!;
          if (changesLimits(name)) break;
        }
      }
    } catch {
      // a protocol error: the parser throws it again once the commands before it have run
    }
    // the bytes the parser read of a command not complete yet (or malformed) count as buffered
    // until it is asked for that command (next() after the queue), as without parsing ahead
    this.#tailBytes = before - super.bufferedBytes;
    this.#head = 0;
    this.#tail = count;
    return count;
  }
}

/** Reads a client's parser skips after a read that named one key at most. */
const IDLE_READS = 7;
