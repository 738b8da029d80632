import type { Client } from '../client.js';
import type { Config } from '../config/config.js';
import { ReplyError, wrongArity } from '../errors.js';
import { HashValue } from '../types/hash.js';
import { globMatch } from '../util/glob.js';
import { addLongDouble, formatLongDouble, parseLongDouble } from '../util/longdouble.js';
import { addInt64, int64ToString, INT64_MIN, parseInt64 } from '../util/numbers.js';
import type { Value } from '../values.js';
import { intArg, is } from './args.js';
import { parseCursor, parseScanOptions } from './keys.js';
import type { HandlerTable } from './types.js';

/**
 * Hash commands (t_hash.c of redis-server 7.0): HSET HSETNX HMSET HGET HMGET HDEL HLEN HSTRLEN
 * HEXISTS HKEYS HVALS HGETALL HINCRBY HINCRBYFLOAT HRANDFIELD HSCAN. Values are {@link HashValue}s.
 */

const HASH_NOT_INTEGER = 'ERR hash value is not an integer';
const HASH_NOT_FLOAT = 'ERR hash value is not a float';
const INCR_NAN_OR_INFINITY = 'ERR value is NaN or Infinity';
const OUT_OF_RANGE = 'ERR value is out of range';
/** getRangeLongFromObjectOrReply(-LONG_MAX, LONG_MAX) without a custom message */
export const COUNT_RANGE =
  'ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807';
/** LONG_MAX / 2: HRANDFIELD WITHVALUES refuses counts beyond it (the reply would overflow) */
const HALF_LONG_MAX = 4611686018427387903n;
/** HRANDFIELD_RANDOM_SAMPLE_LIMIT: random pairs drawn per batch for a negative count */
const SAMPLE_BATCH = 1000;
const EMPTY_SCAN_CURSOR = '0';
/** Reply size past which a random-pick reply stops, when no output-buffer hard limit is set. */
const RANDOM_REPLY_CEILING = 512 * 1024 * 1024;

/**
 * For the commands whose reply a negative count makes unbounded (HRANDFIELD, SRANDMEMBER,
 * ZRANDMEMBER): a function telling, between batches, whether to stop. Like redis-server's
 * CLIENT_CLOSE_ASAP check in those loops, it stops once the reply passes the normal clients'
 * output-buffer hard limit (or 512 MB without one), instead of building it until memory runs
 * out, and the client is closed without it (a script's client only stops).
 */
export function replyBudget(client: Client): () => boolean {
  const hard = client.server.config.bufferLimit('normal').hard;
  const ceiling = hard > 0 ? hard : RANDOM_REPLY_CEILING;
  const start = client.w.length;
  return () => {
    if (client.w.length - start <= ceiling) return false;
    // a script's client is never closed (redis-server: "unsafe to free fake clients")
    if (client.conn !== undefined) {
      client.closing = true;
      client.dropOutput = true;
    }
    return true;
  };
}

/**
 * The array header of a reply with repeats (a negative count of HRANDFIELD, SRANDMEMBER or
 * ZRANDMEMBER), whose count may pass 2^53: redis-server writes the count it was asked for, then
 * elements until {@link replyBudget} closes the client.
 */
export function repeatsHeader(client: Client, count: bigint): void {
  if (count <= MAX_SAFE_COUNT) client.w.arrayHeader(Number(count));
  else client.w.raw(Buffer.from(`*${count}\r\n`, 'latin1'));
}
const MAX_SAFE_COUNT = BigInt(Number.MAX_SAFE_INTEGER);

/** hash-max-listpack-entries / -value, followed through CONFIG SET (read on every write). */
interface HashLimits {
  entries: number;
  value: number;
}

const limitsByConfig = new WeakMap<Config, HashLimits>();

function limitsOf(client: Client): HashLimits {
  const config = client.server.config;
  let limits = limitsByConfig.get(config);
  if (limits === undefined) {
    const created: HashLimits = {
      entries: config.number('hash-max-listpack-entries'),
      value: config.number('hash-max-listpack-value'),
    };
    config.onChange('hash-max-listpack-entries', (text) => (created.entries = Number(text)));
    config.onChange('hash-max-listpack-value', (text) => (created.value = Number(text)));
    limitsByConfig.set(config, created);
    limits = created;
  }
  return limits;
}

/** Writes WRONGTYPE and returns true when `value` exists and is not a hash. */
function notHash(client: Client, value: Value | undefined): boolean {
  if (value !== undefined && !(value instanceof HashValue)) {
    client.server.errorReply(client, ReplyError.WRONGTYPE);
    return true;
  }
  return false;
}

/** Stores a hash written by a command: adds it when it is new, else signals the change. */
function written(client: Client, key: string, hash: HashValue, existed: boolean): void {
  if (existed) client.db.signalModified(key);
  else client.db.add(key, hash);
}

function hsetGeneric(client: Client, argv: string[], name: 'hset' | 'hmset'): void {
  if (argv.length % 2 === 1) {
    client.server.errorReply(client, wrongArity(name));
    return;
  }
  const key = argv[1] ?? '';
  const existing = client.db.lookup(key);
  if (notHash(client, existing)) return;
  const hash = (existing as HashValue | undefined) ?? new HashValue();
  const limits = limitsOf(client);
  let created = 0;
  for (let i = 2; i < argv.length; i += 2) {
    if (hash.set(argv[i] ?? '', argv[i + 1] ?? '', limits.entries, limits.value)) created++;
  }
  written(client, key, hash, existing !== undefined);
  // server.dirty += fields set (one is the key's)
  client.server.changes((argv.length - 2) / 2 - 1);
  client.server.notify('h', 'hset', key, client.db);
  if (name === 'hset') client.w.integer(created);
  else client.w.ok();
}

function hsetnx(client: Client, argv: string[]): void {
  const key = argv[1] ?? '';
  const field = argv[2] ?? '';
  const existing = client.db.lookup(key);
  if (notHash(client, existing)) return;
  const hash = existing as HashValue | undefined;
  if (hash?.has(field)) {
    client.w.integer(0);
    return;
  }
  const target = hash ?? new HashValue();
  const limits = limitsOf(client);
  target.set(field, argv[3] ?? '', limits.entries, limits.value);
  written(client, key, target, hash !== undefined);
  client.server.notify('h', 'hset', key, client.db);
  client.w.integer(1);
}

function hget(client: Client, argv: string[]): void {
  const value = client.db.lookupRead(argv[1] ?? '');
  if (value === undefined) {
    client.w.nil();
    return;
  }
  if (notHash(client, value)) return;
  const found = (value as HashValue).get(argv[2] ?? '');
  if (found === undefined) client.w.nil();
  else client.w.bulk(found);
}

function hmget(client: Client, argv: string[]): void {
  const value = client.db.lookupRead(argv[1] ?? '');
  if (notHash(client, value)) return;
  const hash = value as HashValue | undefined;
  client.w.arrayHeader(argv.length - 2);
  for (let i = 2; i < argv.length; i++) {
    const found = hash?.get(argv[i] ?? '');
    if (found === undefined) client.w.nil();
    else client.w.bulk(found);
  }
}

function hdel(client: Client, argv: string[]): void {
  const key = argv[1] ?? '';
  const db = client.db;
  const value = db.lookup(key);
  if (value === undefined) {
    client.w.integer(0);
    return;
  }
  if (notHash(client, value)) return;
  const hash = value as HashValue;
  let deleted = 0;
  let removed = false;
  for (let i = 2; i < argv.length; i++) {
    if (hash.delete(argv[i] ?? '')) {
      deleted++;
      if (hash.size === 0) {
        db.delete(key);
        removed = true;
        break;
      }
    }
  }
  if (deleted) {
    if (!removed) db.signalModified(key);
    client.server.changes(deleted - 1);
    client.server.notify('h', 'hdel', key, db);
    if (removed) client.server.notify('g', 'del', key, db);
  }
  client.w.integer(deleted);
}

/** Reads a hash for a command that answers `:0` when the key is missing; undefined after replying. */
function readOrZero(client: Client, key: string): HashValue | undefined {
  const value = client.db.lookupRead(key);
  if (value === undefined) {
    client.w.integer(0);
    return undefined;
  }
  if (notHash(client, value)) return undefined;
  return value as HashValue;
}

function hlen(client: Client, argv: string[]): void {
  const hash = readOrZero(client, argv[1] ?? '');
  if (hash) client.w.integer(hash.size);
}

function hstrlen(client: Client, argv: string[]): void {
  const hash = readOrZero(client, argv[1] ?? '');
  if (hash) client.w.integer(hash.get(argv[2] ?? '')?.length ?? 0);
}

function hexists(client: Client, argv: string[]): void {
  const hash = readOrZero(client, argv[1] ?? '');
  if (hash) client.w.integer(hash.has(argv[2] ?? '') ? 1 : 0);
}

const KEYS = 1;
const VALUES = 2;

/** genericHgetallCommand: HKEYS, HVALS (arrays) and HGETALL (a map). */
function hgetallGeneric(client: Client, argv: string[], what: number): void {
  const value = client.db.lookupRead(argv[1] ?? '');
  const w = client.w;
  const both = what === (KEYS | VALUES);
  if (value === undefined) {
    if (both) w.mapHeader(0);
    else w.arrayHeader(0);
    return;
  }
  if (notHash(client, value)) return;
  const pairs = (value as HashValue).pairs();
  const size = pairs.length >>> 1;
  if (both) {
    w.mapHeader(size);
    for (let i = 0; i < pairs.length; i++) w.bulk(pairs[i] as string);
    return;
  }
  w.arrayHeader(size);
  for (let i = what === KEYS ? 0 : 1; i < pairs.length; i += 2) w.bulk(pairs[i] as string);
}

function hincrby(client: Client, argv: string[]): void {
  const increment = intArg(client, argv[3] ?? '');
  if (increment === undefined) return;
  const key = argv[1] ?? '';
  const field = argv[2] ?? '';
  const existing = client.db.lookup(key);
  if (notHash(client, existing)) return;
  const hash = existing as HashValue | undefined;
  const current = hash?.get(field);
  const value = current === undefined ? 0 : parseInt64(current);
  if (value === undefined) {
    client.server.errorReply(client, HASH_NOT_INTEGER);
    return;
  }
  const sum = addInt64(value, increment);
  if (sum === undefined) {
    client.server.errorReply(client, ReplyError.OVERFLOW);
    return;
  }
  const target = hash ?? new HashValue();
  const limits = limitsOf(client);
  target.set(field, int64ToString(sum), limits.entries, limits.value);
  written(client, key, target, hash !== undefined);
  client.server.notify('h', 'hincrby', key, client.db);
  client.w.integer(sum);
}

function hincrbyfloat(client: Client, argv: string[]): void {
  const increment = parseLongDouble(argv[3] ?? '');
  if (increment === undefined) {
    client.server.errorReply(client, ReplyError.NOT_FLOAT);
    return;
  }
  if (increment.infinite) {
    client.server.errorReply(client, INCR_NAN_OR_INFINITY);
    return;
  }
  const key = argv[1] ?? '';
  const field = argv[2] ?? '';
  const existing = client.db.lookup(key);
  if (notHash(client, existing)) return;
  const hash = existing as HashValue | undefined;
  const current = parseLongDouble(hash?.get(field) ?? '0');
  if (current === undefined) {
    client.server.errorReply(client, HASH_NOT_FLOAT);
    return;
  }
  const sum = addLongDouble(current, increment);
  if (sum === undefined) {
    client.server.errorReply(client, ReplyError.INCR_NAN_OR_INF);
    return;
  }
  const result = formatLongDouble(sum);
  const target = hash ?? new HashValue();
  const limits = limitsOf(client);
  target.set(field, result, limits.entries, limits.value);
  written(client, key, target, hash !== undefined);
  client.server.notify('h', 'hincrbyfloat', key, client.db);
  client.server.propagateAs(client.db, ['HSET', key, field, result]);
  client.w.bulk(result);
}

/**
 * Parses a count that must lie in [-LONG_MAX, LONG_MAX] (getRangeLongFromObjectOrReply, as
 * HRANDFIELD and SRANDMEMBER do); replies with the error and returns undefined otherwise. O(1).
 *
 * @example
 * ```ts
 * const count = signedCountArg(client, argv[2] ?? ''); // -5n, or undefined after an error reply
 * ```
 */
export function signedCountArg(client: Client, text: string): bigint | undefined {
  const value = parseInt64(text);
  if (value === undefined) {
    client.server.errorReply(client, ReplyError.NOT_INTEGER);
    return undefined;
  }
  const big = BigInt(value);
  if (big === INT64_MIN) {
    client.server.errorReply(client, COUNT_RANGE);
    return undefined;
  }
  return big;
}

function hrandfield(client: Client, argv: string[]): void {
  if (argv.length >= 3) {
    const count = signedCountArg(client, argv[2] ?? '');
    if (count === undefined) return;
    if (argv.length > 4 || (argv.length === 4 && !is(argv[3], 'WITHVALUES'))) {
      client.server.errorReply(client, ReplyError.SYNTAX);
      return;
    }
    const withValues = argv.length === 4;
    if (withValues && (count < -HALF_LONG_MAX || count > HALF_LONG_MAX)) {
      client.server.errorReply(client, OUT_OF_RANGE);
      return;
    }
    hrandfieldWithCount(client, argv[1] ?? '', count, withValues);
    return;
  }
  const value = client.db.lookupRead(argv[1] ?? '');
  if (value === undefined) {
    client.w.nil();
    return;
  }
  if (notHash(client, value)) return;
  const pair: string[] = [];
  (value as HashValue).randomPairs(1, pair);
  client.w.bulk(pair[0] ?? '');
}

function hrandfieldWithCount(client: Client, key: string, signed: bigint, withValues: boolean) {
  const value = client.db.lookupRead(key);
  const w = client.w;
  if (value === undefined) {
    w.arrayHeader(0);
    return;
  }
  if (notHash(client, value)) return;
  const hash = value as HashValue;
  const unique = signed >= 0n;
  // a count beyond 2^53 cannot be served anyway; Number() keeps the loops simple
  const count = Number(unique ? signed : -signed);
  if (count === 0) {
    w.arrayHeader(0);
    return;
  }
  const nested = withValues && client.resp === 3;
  const header = (n: number) => w.arrayHeader(withValues && client.resp === 2 ? n * 2 : n);
  const writePairs = (pairs: readonly string[]) => {
    for (let i = 0; i < pairs.length; i += 2) {
      if (nested) w.arrayHeader(2);
      w.bulk(pairs[i] as string);
      if (withValues) w.bulk(pairs[i + 1] as string);
    }
  };
  // CASE 1: a negative count (repeats allowed), or a single pick
  if (!unique || count === 1) {
    const elements = unique ? signed : -signed;
    repeatsHeader(client, withValues && client.resp === 2 ? elements * 2n : elements);
    const batch: string[] = [];
    const exceeded = replyBudget(client);
    for (let left = count; left > 0 && !exceeded(); left -= SAMPLE_BATCH) {
      batch.length = 0;
      hash.randomPairs(Math.min(left, SAMPLE_BATCH), batch);
      writePairs(batch);
    }
    return;
  }
  // CASE 2: the whole hash, in its order
  if (count >= hash.size) {
    header(hash.size);
    writePairs(hash.pairs());
    return;
  }
  // CASE 3 and 4: distinct random fields
  header(count);
  writePairs(hash.sampleDistinct(count));
}

function hscan(client: Client, argv: string[]): void {
  const cursor = parseCursor(client, argv[2] ?? '');
  if (cursor === undefined) return;
  const value = client.db.lookupRead(argv[1] ?? '');
  const w = client.w;
  if (value === undefined) {
    w.arrayHeader(2);
    w.bulk(EMPTY_SCAN_CURSOR);
    w.arrayHeader(0);
    return;
  }
  if (notHash(client, value)) return;
  const options = parseScanOptions(client, argv, 3, false);
  if (!options) return;
  const pattern = options.pattern;
  const items: string[] = [];
  // redis-server counts fields and values against COUNT: about count / 2 fields per call
  const next = (value as HashValue).scan(
    cursor,
    Math.max(1, Math.floor(options.count / 2)),
    (f, v) => {
      if (pattern === undefined || globMatch(pattern, f)) items.push(f, v);
    },
  );
  w.arrayHeader(2);
  w.bulk(String(next));
  w.arrayHeader(items.length);
  for (let i = 0; i < items.length; i++) w.bulk(items[i] as string);
}

/**
 * The hash command group, registered by lower-case name. Per command: O(1) for a hashtable, O(n)
 * for a listpack (at most hash-max-listpack-entries fields) except HGETALL/HKEYS/HVALS/HSCAN
 * (O(n)) and HRANDFIELD (O(count)).
 *
 * @example
 * ```ts
 * const server = new Server(config, logger, clock, [hashesCommands, setsCommands]);
 * ```
 */
export const hashesCommands: HandlerTable = {
  hset: (client, argv) => hsetGeneric(client, argv, 'hset'),
  hmset: (client, argv) => hsetGeneric(client, argv, 'hmset'),
  hsetnx,
  hget,
  hmget,
  hdel,
  hlen,
  hstrlen,
  hexists,
  hkeys: (client, argv) => hgetallGeneric(client, argv, KEYS),
  hvals: (client, argv) => hgetallGeneric(client, argv, VALUES),
  hgetall: (client, argv) => hgetallGeneric(client, argv, KEYS | VALUES),
  hincrby,
  hincrbyfloat,
  hrandfield,
  hscan,
};
