import type { Client } from '../client.js';
import { ReplyError } from '../errors.js';
import { SHARED_INTEGERS_MAX, type Database } from '../keyspace.js';
import { globMatch } from '../util/glob.js';
import { parseInt64 } from '../util/numbers.js';
import { typeOf, type Value } from '../values.js';
import { is } from './args.js';
import type { HandlerTable } from './types.js';

/** Generic key commands (db.c): DEL, EXISTS, TYPE, RENAME, KEYS, SCAN, COPY, MOVE, SELECT ... */

const INT_MIN = -2147483648;
const INT_MAX = 2147483647;

/** getIntFromObjectOrReply: an int32, else the given error. */
export function int32Arg(
  client: Client,
  text: string,
  error: string = ReplyError.NOT_INTEGER,
): number | undefined {
  const value = parseInt64(text);
  if (typeof value !== 'number' || value < INT_MIN || value > INT_MAX) {
    client.server.errorReply(client, error);
    return undefined;
  }
  return value;
}

/** The database with this index, or undefined (and "DB index is out of range") when there is none. */
function targetDb(client: Client, index: number): Database | undefined {
  if (index < 0 || index >= client.server.databases.length) {
    client.server.errorReply(client, ReplyError.DB_INDEX);
    return undefined;
  }
  return client.server.db(index);
}

function copyValue(value: Value): Value {
  return typeof value === 'string' ? value : value.clone();
}

function del(client: Client, argv: string[]): void {
  delGeneric(client, argv, 'user-del');
}

function unlink(client: Client, argv: string[]): void {
  delGeneric(client, argv, 'unlink');
}

function delGeneric(client: Client, argv: string[], cause: 'user-del' | 'unlink'): void {
  const db = client.db;
  if (argv.length > 2) db.prefetch(argv, 1, 1);
  let deleted = 0;
  for (let i = 1; i < argv.length; i++) {
    const key = argv[i] ?? '';
    if (db.lookup(key) !== undefined && db.delete(key, cause)) {
      client.server.notify('g', 'del', key, db);
      deleted++;
    }
  }
  client.w.integer(deleted);
}

function exists(client: Client, argv: string[]): void {
  let count = 0;
  if (argv.length > 2) client.db.prefetch(argv, 1, 1);
  // LOOKUP_NOTOUCH: EXISTS is not an access (redis-server 7.0)
  for (let i = 1; i < argv.length; i++)
    if (client.db.lookupRead(argv[i] ?? '', false) !== undefined) count++;
  client.w.integer(count);
}

function type(client: Client, argv: string[]): void {
  const value = client.db.lookupRead(argv[1] ?? '', false);
  client.w.simple(value === undefined ? 'none' : typeOf(value));
}

/** TOUCH: an access (lookupKeyRead) of each key that exists; counts them. */
function touch(client: Client, argv: string[]): void {
  let count = 0;
  for (let i = 1; i < argv.length; i++)
    if (client.db.lookupRead(argv[i] ?? '') !== undefined) count++;
  client.w.integer(count);
}

function rename(client: Client, argv: string[], nx: boolean): void {
  const from = argv[1] ?? '';
  const to = argv[2] ?? '';
  const db = client.db;
  const value = db.lookup(from);
  if (value === undefined) {
    client.server.errorReply(client, ReplyError.NO_SUCH_KEY);
    return;
  }
  if (from === to) {
    if (nx) client.w.integer(0);
    else client.w.ok();
    return;
  }
  const expire = db.getExpire(from);
  const stamp = db.stampOf(from) ?? 0;
  const form = db.stringForm(from);
  // a RENAME is one change (server.dirty++), however many keys it writes
  let writes = 2;
  if (db.lookup(to) !== undefined) {
    if (nx) {
      client.w.integer(0);
      return;
    }
    db.delete(to);
    writes++;
  }
  // the old key goes first: a collection is charged to one key of one database at a time (the
  // account takes back what the collection says it was charged, which adding it changes)
  db.delete(from, 'move');
  db.add(to, value);
  db.setStamp(to, stamp);
  db.setStringForm(to, form);
  if (expire !== undefined) db.setExpire(to, expire);
  client.server.changes(1 - writes);
  client.server.notify('g', 'rename_from', from, db);
  client.server.notify('g', 'rename_to', to, db);
  if (nx) client.w.integer(1);
  else client.w.ok();
}

function keys(client: Client, argv: string[]): void {
  const pattern = argv[1] ?? '';
  const all = pattern === '*';
  const out: string[] = [];
  for (const key of client.db.keys()) if (all || globMatch(pattern, key)) out.push(key);
  client.w.arrayHeader(out.length);
  for (const key of out) client.w.bulk(key);
}

/** strtoul as parseScanCursorOrReply uses it: decimal, optional sign, no leading space. */
export function parseCursor(client: Client, text: string): number | undefined {
  if (!/^[+-]?\d+$/.test(text)) {
    client.server.errorReply(client, 'ERR invalid cursor');
    return undefined;
  }
  const big = BigInt(text);
  const magnitude = big < 0n ? -big : big;
  if (magnitude > 18446744073709551615n) {
    client.server.errorReply(client, 'ERR invalid cursor');
    return undefined;
  }
  const wrapped = big < 0n ? 18446744073709551616n + big : big;
  // Table cursors never exceed 2^32; larger ones keep their low bits, as masking does in Redis.
  return Number(wrapped & 0xffffffffn);
}

export interface ScanOptions {
  count: number;
  pattern: string | undefined;
  type: string | undefined;
}

/** SCAN-family options; undefined after replying with an error. */
export function parseScanOptions(
  client: Client,
  argv: string[],
  from: number,
  allowType: boolean,
): ScanOptions | undefined {
  const options: ScanOptions = { count: 10, pattern: undefined, type: undefined };
  for (let i = from; i < argv.length;) {
    const remaining = argv.length - i;
    const arg = argv[i];
    if (is(arg, 'COUNT') && remaining >= 2) {
      const count = parseInt64(argv[i + 1] ?? '');
      if (count === undefined) {
        client.server.errorReply(client, ReplyError.NOT_INTEGER);
        return undefined;
      }
      if (count < 1) {
        client.server.errorReply(client, ReplyError.SYNTAX);
        return undefined;
      }
      options.count = Number(count);
      i += 2;
    } else if (is(arg, 'MATCH') && remaining >= 2) {
      const pattern = argv[i + 1] ?? '';
      options.pattern = pattern === '*' ? undefined : pattern;
      i += 2;
    } else if (is(arg, 'TYPE') && allowType && remaining >= 2) {
      options.type = (argv[i + 1] ?? '').toLowerCase();
      i += 2;
    } else {
      client.server.errorReply(client, ReplyError.SYNTAX);
      return undefined;
    }
  }
  return options;
}

function scan(client: Client, argv: string[]): void {
  const cursor = parseCursor(client, argv[1] ?? '');
  if (cursor === undefined) return;
  const options = parseScanOptions(client, argv, 2, true);
  if (!options) return;
  // the table collects about `count` keys (before filtering), as redis-server's scan loop does
  const found: string[] = [];
  const expired: string[] = [];
  const db = client.db;
  const matches = (key: string) => options.pattern === undefined || globMatch(options.pattern, key);
  const next = db.scan(
    cursor,
    options.count,
    (key, value) => {
      if (!matches(key)) return;
      if (options.type !== undefined) {
        // the TYPE filter reads the key (lookupKeyReadWithFlags: a keyspace hit)
        client.server.stats.keyspaceHits++;
        if (typeOf(value) !== options.type) return;
      }
      found.push(key);
    },
    (key) => {
      if (matches(key)) expired.push(key);
    },
  );
  // an expired key the step met is reclaimed, as scanGenericCommand's expireIfNeeded does (a
  // miss when the TYPE filter read it)
  for (const key of expired) {
    if (options.type !== undefined) db.lookupRead(key, false);
    else db.lookup(key);
  }
  client.w.arrayHeader(2);
  client.w.bulk(String(next));
  client.w.arrayHeader(found.length);
  for (const key of found) client.w.bulk(key);
}

function randomkey(client: Client): void {
  const key = client.db.randomKey();
  if (key === undefined) client.w.nil();
  else client.w.bulk(key);
}

function copy(client: Client, argv: string[]): void {
  const source = argv[1] ?? '';
  const destination = argv[2] ?? '';
  let dst = client.db;
  let replace = false;
  for (let j = 3; j < argv.length; j++) {
    const additional = argv.length - j - 1;
    if (is(argv[j], 'REPLACE')) {
      replace = true;
    } else if (is(argv[j], 'DB') && additional >= 1) {
      const index = int32Arg(client, argv[j + 1] ?? '');
      if (index === undefined) return;
      const db = targetDb(client, index);
      if (!db) return;
      dst = db;
      j++;
    } else {
      client.server.errorReply(client, ReplyError.SYNTAX);
      return;
    }
  }
  const src = client.db;
  if (src === dst && source === destination) {
    client.server.errorReply(client, ReplyError.SAME_OBJECT);
    return;
  }
  const value = src.lookupRead(source);
  if (value === undefined) {
    client.w.integer(0);
    return;
  }
  const expire = src.getExpire(source);
  if (dst.lookup(destination) !== undefined) {
    if (!replace) {
      client.w.integer(0);
      return;
    }
    dst.delete(destination);
    // one change (server.dirty++) for the replaced key and the copy
    client.server.changes(-1);
  }
  dst.add(destination, copyValue(value));
  // dupStringObject keeps the encoding; an int-encoded copy is an object of its own
  const form = src.stringForm(source);
  const int = typeof value === 'string' && src.stringEncoding(source, value) === 'int';
  dst.setStringForm(destination, int ? 'own-int' : form);
  if (expire !== undefined) dst.setExpire(destination, expire);
  client.server.notify('g', 'copy_to', destination, dst);
  client.w.integer(1);
}

function move(client: Client, argv: string[]): void {
  const key = argv[1] ?? '';
  const index = int32Arg(client, argv[2] ?? '');
  if (index === undefined) return;
  const dst = targetDb(client, index);
  if (!dst) return;
  const src = client.db;
  if (src === dst) {
    client.server.errorReply(client, ReplyError.SAME_OBJECT);
    return;
  }
  const value = src.lookup(key);
  if (value === undefined) {
    client.w.integer(0);
    return;
  }
  const expire = src.getExpire(key);
  if (dst.lookup(key) !== undefined) {
    client.w.integer(0);
    return;
  }
  const stamp = src.stampOf(key) ?? 0;
  const form = src.stringForm(key);
  // out of the source first, as RENAME does
  src.delete(key, 'move');
  dst.add(key, value);
  dst.setStamp(key, stamp);
  dst.setStringForm(key, form);
  if (expire !== undefined) dst.setExpire(key, expire);
  // one change (server.dirty++) for its two writes
  client.server.changes(-1);
  client.server.notify('g', 'move_from', key, src);
  client.server.notify('g', 'move_to', key, dst);
  client.w.integer(1);
}

function dbsize(client: Client): void {
  client.w.integer(client.db.size);
}

function select(client: Client, argv: string[]): void {
  const index = int32Arg(client, argv[1] ?? '');
  if (index === undefined) return;
  const db = targetDb(client, index);
  if (!db) return;
  client.db = db;
  client.w.ok();
}

function swapdb(client: Client, argv: string[]): void {
  const a = int32Arg(client, argv[1] ?? '', 'ERR invalid first DB index');
  if (a === undefined) return;
  const b = int32Arg(client, argv[2] ?? '', 'ERR invalid second DB index');
  if (b === undefined) return;
  const count = client.server.databases.length;
  if (a < 0 || a >= count || b < 0 || b >= count) {
    client.server.errorReply(client, ReplyError.DB_INDEX);
    return;
  }
  if (a !== b) {
    const server = client.server;
    server.touchWatchedReplaced(server.db(a), server.db(b));
    server.touchWatchedReplaced(server.db(b), server.db(a));
    server.db(a).swapWith(server.db(b));
    server.afterSwapDb(a, b);
  }
  client.server.stats.dirty++;
  client.w.ok();
}

/**
 * FLUSHDB / FLUSHALL option (getFlushCommandFlags): ASYNC, SYNC, or nothing for what
 * lazyfree-lazy-user-flush says; whether redis-server would empty in the background (both are
 * immediate here), or undefined when an error was replied.
 */
function flushFlags(client: Client, argv: string[]): boolean | undefined {
  if (argv.length > 2 || (argv.length === 2 && !is(argv[1], 'SYNC') && !is(argv[1], 'ASYNC'))) {
    client.server.errorReply(client, ReplyError.SYNTAX);
    return undefined;
  }
  if (argv.length === 2) return is(argv[1], 'ASYNC');
  return client.server.config.bool('lazyfree-lazy-user-flush');
}

// Both propagate even when there was nothing to flush (forceCommandPropagation): a replica or
// the AOF must flush what it may hold that the master does not.

function flushdb(client: Client, argv: string[]): void {
  const async = flushFlags(client, argv);
  if (async === undefined) return;
  client.server.flushDatabase(client.db.index, true, async);
  client.server.propagateAs(client.db, argv);
  client.w.ok();
}

function flushall(client: Client, argv: string[]): void {
  const async = flushFlags(client, argv);
  if (async === undefined) return;
  client.server.flushDatabase(undefined, true, async);
  client.server.propagateAs(client.db, argv);
  client.w.ok();
}

const LFU_IDLE_ERROR =
  'ERR An LFU maxmemory policy is selected, idle time not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.';
const NO_LFU_ERROR =
  'ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.';

/**
 * objectCommandLookup (OBJECT, DEBUG LISTPACK / QUICKLIST): LOOKUP_NOTOUCH | LOOKUP_NONOTIFY, not
 * an access, but a keyspace hit or miss.
 */
export function objectLookup(client: Client, key: string): Value | undefined {
  const value = client.db.peek(key);
  const stats = client.server.stats;
  if (value === undefined) stats.keyspaceMisses++;
  else stats.keyspaceHits++;
  return value;
}

function objectSub(client: Client, argv: string[]): void {
  const sub = (argv[1] ?? '').toLowerCase();
  const key = argv[2] ?? '';
  const value = objectLookup(client, key);
  if (value === undefined) {
    client.w.nil();
    return;
  }
  switch (sub) {
    case 'encoding':
      client.w.bulk(
        typeof value === 'string' ? client.db.stringEncoding(key, value) : value.encoding(),
      );
      return;
    case 'refcount':
      client.w.integer(objectRefcount(client, key, value));
      return;
    case 'idletime':
      if (client.server.eviction.lfu) client.server.errorReply(client, LFU_IDLE_ERROR);
      else client.w.integer(client.db.idleSeconds(key) ?? 0);
      return;
    case 'freq':
      if (!client.server.eviction.lfu) client.server.errorReply(client, NO_LFU_ERROR);
      else client.w.integer(client.db.frequency(key) ?? 0);
      return;
    default:
      client.w.nil();
  }
}

/**
 * OBJECT REFCOUNT (and DEBUG OBJECT's refcount): INT_MAX for a string redis-server keeps as one
 * of its shared integers (int-encoded, 0 to 9999, unless it was written while maxmemory was set
 * with an LRU or LFU policy, which needs each value's own LRU field, or is a COPY's own), else 1.
 */
export function objectRefcount(client: Client, key: string, value: Value): number {
  if (typeof value !== 'string' || client.db.stringEncoding(key, value) !== 'int') return 1;
  if (client.db.stringForm(key) === 'own-int') return 1;
  const integer = Number(value);
  return integer < 0 || integer > SHARED_INTEGERS_MAX ? 1 : INT_MAX;
}

export const keyCommands: HandlerTable = {
  del,
  unlink,
  exists,
  type,
  touch,
  rename: (client, argv) => rename(client, argv, false),
  renamenx: (client, argv) => rename(client, argv, true),
  keys,
  scan,
  randomkey,
  copy,
  move,
  dbsize,
  select,
  swapdb,
  flushdb,
  flushall,
  'object|encoding': objectSub,
  'object|refcount': objectSub,
  'object|idletime': objectSub,
  'object|freq': objectSub,
};
