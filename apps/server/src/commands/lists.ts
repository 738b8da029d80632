import type { Client } from '../client.js';
import { ReplyError, wrongArity } from '../errors.js';
import type { Database } from '../keyspace.js';
import type { Server } from '../server.js';
import { ListValue } from '../types/list.js';
import type { QuicklistOptions } from '../types/quicklist-nodes.js';
import { parseInt64, type Int64 } from '../util/numbers.js';
import type { Value } from '../values.js';
import { blockingTimeoutArg, is } from './args.js';
import type { HandlerTable } from './types.js';

/**
 * List commands (t_list.c of redis-server 7.0), blocking ones included (blocked.c): argument
 * checks in redis-server's order, its replies and error texts, keyspace events where it notifies
 * them, and a list key deleted as soon as it is empty.
 */

/**
 * Error texts of the list commands, as redis-server 7.0 writes them (shared ones such as
 * WRONGTYPE come from ReplyError).
 *
 * @example
 * ```ts
 * client.server.errorReply(client, ListError.INDEX_OUT_OF_RANGE); // LSET past the end
 * ```
 */
export const ListError = {
  NOT_POSITIVE: 'ERR value is out of range, must be positive',
  INDEX_OUT_OF_RANGE: 'ERR index out of range',
  RANK_ZERO:
    "ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use negative to start from the end of the list",
  COUNT_NEGATIVE: "ERR COUNT can't be negative",
  MAXLEN_NEGATIVE: "ERR MAXLEN can't be negative",
  NUMKEYS: 'ERR numkeys should be greater than 0',
  COUNT_NOT_POSITIVE: 'ERR count should be greater than 0',
} as const;

/** Which end of a list: LIST_HEAD / LIST_TAIL. */
const End = { LEFT: 0, RIGHT: 1 } as const;
type End = (typeof End)[keyof typeof End];

const INT64_MIN = -(2n ** 63n);

function isList(value: Value | undefined): value is ListValue {
  return value instanceof ListValue;
}

/** checkType: writes WRONGTYPE and returns true when `value` exists and is not a list. */
function wrongType(client: Client, value: Value | undefined): boolean {
  if (value !== undefined && !(value instanceof ListValue)) {
    client.server.errorReply(client, ReplyError.WRONGTYPE);
    return true;
  }
  return false;
}

/** Clamps an int64 into the safe-integer range: every use compares it with a list length. */
function clamp(value: Int64): number {
  if (typeof value === 'number') return value;
  return value > 0n ? Number.MAX_SAFE_INTEGER : Number.MIN_SAFE_INTEGER;
}

/** getLongFromObjectOrReply: an int64 (clamped), else `error`. */
function longArg(
  client: Client,
  text: string,
  error: string = ReplyError.NOT_INTEGER,
): number | undefined {
  const value = parseInt64(text);
  if (value === undefined) {
    client.server.errorReply(client, error);
    return undefined;
  }
  return clamp(value);
}

/**
 * getRangeLongFromObjectOrReply with a message: an int64 of at least `min`; both a non-integer
 * and a value out of range answer with `error` (as redis-server does when it is given one).
 */
function minLongArg(client: Client, text: string, min: number, error: string): number | undefined {
  const value = parseInt64(text);
  if (value === undefined || value < min) {
    client.server.errorReply(client, error);
    return undefined;
  }
  return clamp(value);
}

/** getListPositionFromObjectOrReply: LEFT or RIGHT (any case), else a syntax error. */
function endArg(client: Client, text: string): End | undefined {
  if (is(text, 'LEFT')) return End.LEFT;
  if (is(text, 'RIGHT')) return End.RIGHT;
  client.server.errorReply(client, ReplyError.SYNTAX);
  return undefined;
}

/** Adds to the dirty counter what redis-server adds beyond the one change keyModified counts. */
function addDirty(client: Client, changes: number): void {
  client.server.stats.dirty += changes - 1;
}

/** The server's list-max-listpack-size and list-compress-depth, which a new list keeps. */
function listOptions(client: Client): QuicklistOptions {
  const config = client.server.config;
  return {
    fill: config.number('list-max-listpack-size'),
    compress: config.number('list-compress-depth'),
  };
}

function popEnd(list: ListValue, where: End): string {
  return (where === End.LEFT ? list.popLeft() : list.popRight()) as string;
}

function pushEnd(list: ListValue, where: End, value: string): void {
  if (where === End.LEFT) list.pushLeft(value);
  else list.pushRight(value);
}

// ---------------------------------------------------------------------------------------------
// pushes

/** LPUSH / RPUSH / LPUSHX / RPUSHX (pushGenericCommand). */
function pushGeneric(client: Client, argv: string[], where: End, existingOnly: boolean): void {
  const key = argv[1] ?? '';
  const db = client.db;
  const existing = db.lookup(key);
  if (wrongType(client, existing)) return;
  if (existing === undefined && existingOnly) {
    client.w.integer(0);
    return;
  }
  let list: ListValue;
  if (existing === undefined) {
    const values = argv.slice(2);
    list =
      where === End.LEFT
        ? ListValue.from(values.reverse(), listOptions(client), true)
        : ListValue.from(values, listOptions(client));
    db.add(key, list);
  } else {
    list = existing as ListValue;
    if (where === End.LEFT) for (let i = 2; i < argv.length; i++) list.pushLeft(argv[i] ?? '');
    else for (let i = 2; i < argv.length; i++) list.pushRight(argv[i] ?? '');
    db.signalModified(key);
  }
  addDirty(client, argv.length - 2);
  client.w.integer(list.length);
  client.server.notify('l', where === End.LEFT ? 'lpush' : 'rpush', key, db);
  client.server.signalKeyAsReady(db, key);
}

function linsert(client: Client, argv: string[]): void {
  const position = argv[2] ?? '';
  let after: boolean;
  if (is(position, 'AFTER')) after = true;
  else if (is(position, 'BEFORE')) after = false;
  else {
    client.server.errorReply(client, ReplyError.SYNTAX);
    return;
  }
  const key = argv[1] ?? '';
  const db = client.db;
  const list = db.lookup(key);
  if (list === undefined) {
    client.w.integer(0);
    return;
  }
  if (wrongType(client, list)) return;
  const pivot = (list as ListValue).indexOf(argv[3] ?? '');
  if (pivot < 0) {
    client.w.integer(-1);
    return;
  }
  (list as ListValue).insertAt(pivot, after, argv[4] ?? '');
  db.signalModified(key);
  client.server.notify('l', 'linsert', key, db);
  client.w.integer((list as ListValue).length);
}

// ---------------------------------------------------------------------------------------------
// reads

function llen(client: Client, argv: string[]): void {
  const list = client.db.lookupRead(argv[1] ?? '');
  if (list === undefined) client.w.integer(0);
  else if (!wrongType(client, list)) client.w.integer((list as ListValue).length);
}

function lindex(client: Client, argv: string[]): void {
  const list = client.db.lookupRead(argv[1] ?? '');
  if (list === undefined) {
    client.w.nil();
    return;
  }
  if (wrongType(client, list)) return;
  const index = longArg(client, argv[2] ?? '');
  if (index === undefined) return;
  const value = (list as ListValue).at(index);
  if (value === undefined) client.w.nil();
  else client.w.bulk(value);
}

/**
 * addListRangeReply: elements `start..end` (inclusive, negative from the tail, clamped), head to
 * tail or, with `reverse`, tail to head.
 */
function replyRange(
  client: Client,
  list: ListValue,
  start: number,
  end: number,
  reverse: boolean,
): void {
  const length = list.length;
  if (start < 0) start += length;
  if (end < 0) end += length;
  if (start < 0) start = 0;
  if (start > end || start >= length) {
    client.w.arrayHeader(0);
    return;
  }
  if (end >= length) end = length - 1;
  list.writeRange(client.w, start, end + 1, reverse);
}

function lrange(client: Client, argv: string[]): void {
  const start = longArg(client, argv[2] ?? '');
  if (start === undefined) return;
  const end = longArg(client, argv[3] ?? '');
  if (end === undefined) return;
  const list = client.db.lookupRead(argv[1] ?? '');
  if (list === undefined) {
    client.w.arrayHeader(0);
    return;
  }
  if (wrongType(client, list)) return;
  replyRange(client, list as ListValue, start, end, false);
}

function lpos(client: Client, argv: string[]): void {
  const element = argv[2] ?? '';
  let rank = 1;
  let count = -1;
  let maxlen = 0;
  let fromTail = false;
  /** RANK -9223372036854775808: -rank overflows in redis-server, which then counts every match */
  let rankOverflow = false;
  for (let j = 3; j < argv.length; j++) {
    const option = argv[j];
    const more = argv.length - 1 - j;
    if (is(option, 'RANK') && more > 0) {
      const value = parseInt64(argv[++j] ?? '');
      if (value === undefined) {
        client.server.errorReply(client, ReplyError.NOT_INTEGER);
        return;
      }
      if (value === 0) {
        client.server.errorReply(client, ListError.RANK_ZERO);
        return;
      }
      rankOverflow = value === INT64_MIN;
      rank = clamp(value);
    } else if (is(option, 'COUNT') && more > 0) {
      const value = minLongArg(client, argv[++j] ?? '', 0, ListError.COUNT_NEGATIVE);
      if (value === undefined) return;
      count = value;
    } else if (is(option, 'MAXLEN') && more > 0) {
      const value = minLongArg(client, argv[++j] ?? '', 0, ListError.MAXLEN_NEGATIVE);
      if (value === undefined) return;
      maxlen = value;
    } else {
      client.server.errorReply(client, ReplyError.SYNTAX);
      return;
    }
  }
  if (rank < 0) {
    rank = -rank;
    fromTail = true;
  }
  if (rankOverflow) rank = 1;
  const list = client.db.lookupRead(argv[1] ?? '');
  if (list === undefined) {
    if (count !== -1) client.w.arrayHeader(0);
    else client.w.nil();
    return;
  }
  if (wrongType(client, list)) return;
  const items = list as ListValue;
  const length = items.length;
  const limit = maxlen === 0 ? length : Math.min(maxlen, length);
  const found: number[] = [];
  let matches = 0;
  for (let scanned = 0; scanned < limit; scanned++) {
    const index = fromTail ? length - 1 - scanned : scanned;
    if (items.at(index) !== element) continue;
    matches++;
    if (matches < rank) continue;
    found.push(index);
    if (count === -1) break;
    if (count !== 0 && !rankOverflow && matches - rank + 1 >= count) break;
  }
  if (count !== -1) {
    client.w.arrayHeader(found.length);
    for (const index of found) client.w.integer(index);
  } else if (found.length !== 0) {
    client.w.integer(found[0] as number);
  } else {
    client.w.nil();
  }
}

// ---------------------------------------------------------------------------------------------
// updates

function lset(client: Client, argv: string[]): void {
  const key = argv[1] ?? '';
  const db = client.db;
  const list = db.lookup(key);
  if (list === undefined) {
    client.server.errorReply(client, ReplyError.NO_SUCH_KEY);
    return;
  }
  if (wrongType(client, list)) return;
  const index = longArg(client, argv[2] ?? '');
  if (index === undefined) return;
  if (!(list as ListValue).set(index, argv[3] ?? '')) {
    client.server.errorReply(client, ListError.INDEX_OUT_OF_RANGE);
    return;
  }
  client.w.ok();
  db.signalModified(key);
  client.server.notify('l', 'lset', key, db);
}

/**
 * listElementsRemoved: the pop event, then the key deleted ("del") when the list is empty, else
 * the change signalled.
 */
function elementsRemoved(
  client: Client,
  db: Database,
  key: string,
  where: End,
  list: ListValue,
  count: number,
): void {
  client.server.notify('l', where === End.LEFT ? 'lpop' : 'rpop', key, db);
  if (list.length === 0) {
    db.delete(key);
    client.server.notify('g', 'del', key, db);
  } else {
    db.signalModified(key);
  }
  addDirty(client, count);
}

/** Pops up to `count` elements from one end and replies with them as an array. */
function popRangeReply(client: Client, list: ListValue, where: End, count: number): number {
  const length = list.length;
  const taken = Math.min(count, length);
  if (where === End.LEFT) {
    replyRange(client, list, 0, taken - 1, false);
    list.removeFirst(taken);
  } else {
    replyRange(client, list, -taken, -1, true);
    list.removeLast(taken);
  }
  return taken;
}

/** LPOP / RPOP with an optional count (popGenericCommand). */
function popGeneric(client: Client, argv: string[], where: End): void {
  if (argv.length > 3) {
    client.server.errorReply(client, wrongArity(where === End.LEFT ? 'lpop' : 'rpop'));
    return;
  }
  const hasCount = argv.length === 3;
  let count = 0;
  if (hasCount) {
    const value = minLongArg(client, argv[2] ?? '', 0, ListError.NOT_POSITIVE);
    if (value === undefined) return;
    count = value;
  }
  const key = argv[1] ?? '';
  const db = client.db;
  const list = db.lookup(key);
  if (list === undefined) {
    if (hasCount) client.w.nullArray();
    else client.w.nil();
    return;
  }
  if (wrongType(client, list)) return;
  const items = list as ListValue;
  if (hasCount && count === 0) {
    client.w.arrayHeader(0);
    return;
  }
  if (!hasCount) {
    items.popReply(client.w, where === End.LEFT);
    elementsRemoved(client, db, key, where, items, 1);
  } else {
    const taken = popRangeReply(client, items, where, count);
    elementsRemoved(client, db, key, where, items, taken);
  }
}

/** listPopRangeAndReplyWithKey: `[key, [elements]]`, for LMPOP and BLMPOP. */
function popRangeWithKey(
  client: Client,
  key: string,
  list: ListValue,
  where: End,
  count: number,
): number {
  client.w.arrayHeader(2);
  client.w.bulk(key);
  const taken = popRangeReply(client, list, where, count);
  elementsRemoved(client, client.db, key, where, list, taken);
  return taken;
}

function ltrim(client: Client, argv: string[]): void {
  let start = longArg(client, argv[2] ?? '');
  if (start === undefined) return;
  let end = longArg(client, argv[3] ?? '');
  if (end === undefined) return;
  const key = argv[1] ?? '';
  const db = client.db;
  const list = db.lookup(key);
  if (list === undefined) {
    client.w.ok();
    return;
  }
  if (wrongType(client, list)) return;
  const items = list as ListValue;
  const length = items.length;
  if (start < 0) start += length;
  if (end < 0) end += length;
  if (start < 0) start = 0;
  let fromHead: number;
  let fromTail: number;
  if (start > end || start >= length) {
    fromHead = length;
    fromTail = 0;
  } else {
    if (end >= length) end = length - 1;
    fromHead = start;
    fromTail = length - end - 1;
  }
  items.removeFirst(fromHead);
  items.removeLast(fromTail);
  client.server.notify('l', 'ltrim', key, db);
  if (items.length === 0) {
    db.delete(key);
    client.server.notify('g', 'del', key, db);
  } else {
    db.signalModified(key);
  }
  addDirty(client, fromHead + fromTail);
  client.w.ok();
}

function lrem(client: Client, argv: string[]): void {
  const count = longArg(client, argv[2] ?? '');
  if (count === undefined) return;
  const key = argv[1] ?? '';
  const db = client.db;
  const list = db.lookup(key);
  if (list === undefined) {
    client.w.integer(0);
    return;
  }
  if (wrongType(client, list)) return;
  const items = list as ListValue;
  const removed = items.removeMatching(argv[3] ?? '', count);
  if (removed !== 0) {
    if (items.length === 0) db.delete(key);
    else db.signalModified(key);
    client.server.notify('l', 'lrem', key, db);
    if (items.length === 0) client.server.notify('g', 'del', key, db);
    addDirty(client, removed);
  }
  client.w.integer(removed);
}

// ---------------------------------------------------------------------------------------------
// moves

/**
 * lmoveGenericCommand: pops from `source`, pushes to `destination`, replies with the element
 * (nil when the source does not exist). Returns true when an element moved.
 */
function lmoveGeneric(
  client: Client,
  source: string,
  destination: string,
  from: End,
  to: End,
): boolean {
  const db = client.db;
  const sourceList = db.lookup(source);
  if (sourceList === undefined) {
    client.w.nil();
    return false;
  }
  if (wrongType(client, sourceList)) return false;
  const destinationList = db.lookup(destination);
  if (wrongType(client, destinationList)) return false;
  const value = popEnd(sourceList as ListValue, from);
  // lmoveHandlePush: the destination first (it may be the source itself)
  if (destinationList === undefined) {
    const created = new ListValue(listOptions(client));
    pushEnd(created, to, value);
    db.add(destination, created);
  } else {
    pushEnd(destinationList as ListValue, to, value);
    db.signalModified(destination);
  }
  client.server.notify('l', to === End.LEFT ? 'lpush' : 'rpush', destination, db);
  client.server.signalKeyAsReady(db, destination);
  client.w.bulk(value);
  client.server.notify('l', from === End.LEFT ? 'lpop' : 'rpop', source, db);
  if ((sourceList as ListValue).length === 0) {
    db.delete(source);
    client.server.notify('g', 'del', source, db);
  } else {
    db.signalModified(source);
  }
  // two keys signalled, one change counted (server.dirty++ in lmoveGenericCommand)
  client.server.stats.dirty--;
  return true;
}

function lmove(client: Client, argv: string[]): void {
  const from = endArg(client, argv[3] ?? '');
  if (from === undefined) return;
  const to = endArg(client, argv[4] ?? '');
  if (to === undefined) return;
  lmoveGeneric(client, argv[1] ?? '', argv[2] ?? '', from, to);
}

function rpoplpush(client: Client, argv: string[]): void {
  lmoveGeneric(client, argv[1] ?? '', argv[2] ?? '', End.RIGHT, End.LEFT);
}

/** LMPOP / BLMPOP arguments (lmpopGenericCommand); undefined after replying with an error. */
function parseMpop(
  client: Client,
  argv: string[],
  numkeysIndex: number,
): { keys: string[]; where: End; count: number } | undefined {
  const numkeys = minLongArg(client, argv[numkeysIndex] ?? '', 1, ListError.NUMKEYS);
  if (numkeys === undefined) return undefined;
  const whereIndex = numkeysIndex + numkeys + 1;
  if (whereIndex >= argv.length) {
    client.server.errorReply(client, ReplyError.SYNTAX);
    return undefined;
  }
  const where = endArg(client, argv[whereIndex] ?? '');
  if (where === undefined) return undefined;
  let count = -1;
  for (let j = whereIndex + 1; j < argv.length; j++) {
    const more = argv.length - 1 - j;
    if (count === -1 && is(argv[j], 'COUNT') && more > 0) {
      const value = minLongArg(client, argv[++j] ?? '', 1, ListError.COUNT_NOT_POSITIVE);
      if (value === undefined) return undefined;
      count = value;
    } else {
      client.server.errorReply(client, ReplyError.SYNTAX);
      return undefined;
    }
  }
  return { keys: argv.slice(numkeysIndex + 1, whereIndex), where, count: Math.max(count, 1) };
}

function lmpop(client: Client, argv: string[]): void {
  const parsed = parseMpop(client, argv, 1);
  if (!parsed) return;
  const db = client.db;
  for (const key of parsed.keys) {
    const list = db.lookup(key);
    if (list === undefined) continue;
    if (wrongType(client, list)) return;
    const taken = popRangeWithKey(client, key, list as ListValue, parsed.where, parsed.count);
    client.server.propagateAs(client.db, [
      parsed.where === End.LEFT ? 'LPOP' : 'RPOP',
      key,
      String(taken),
    ]);
    return;
  }
  client.w.nullArray();
}

// ---------------------------------------------------------------------------------------------
// blocking

/**
 * BLPOP / BRPOP / BLMPOP (blockingPopGenericCommand): serves the first non-empty key at once,
 * else blocks on all of them. `count` is -1 for BLPOP/BRPOP (reply `[key, element]`), else the
 * BLMPOP count (reply `[key, [elements]]`).
 */
function blockingPop(
  client: Client,
  keys: string[],
  where: End,
  timeoutText: string,
  count: number,
): void {
  const deadline = blockingTimeoutArg(client, timeoutText);
  if (deadline === undefined) return;
  const db = client.db;
  for (const key of keys) {
    const list = db.lookup(key);
    if (list === undefined) continue;
    if (wrongType(client, list)) return;
    servePop(client, key, list as ListValue, where, count);
    return;
  }
  if (client.denyBlocking) {
    client.w.nullArray();
    return;
  }
  // redis-server serves the key that became ready (serveClientsBlockedOnListKey); a key that
  // now holds another type leaves the client blocked
  const retry = (readyKey: string): boolean => {
    const list = client.db.lookup(readyKey);
    if (!isList(list)) return false;
    if (count === -1) uncounted(client, () => servePop(client, readyKey, list, where, count));
    else servePop(client, readyKey, list, where, count);
    return true;
  };
  block(client, keys, deadline, retry);
}

/**
 * Pops for BLPOP/BRPOP (`count` -1: `[key, element]`) or BLMPOP (`[key, [elements]]`), and
 * propagates the pop as redis-server rewrites it: `LPOP key` or `LPOP key count`.
 */
function servePop(client: Client, key: string, list: ListValue, where: End, count: number): void {
  const name = where === End.LEFT ? 'LPOP' : 'RPOP';
  if (count !== -1) {
    const taken = popRangeWithKey(client, key, list, where, count);
    client.server.propagateAs(client.db, [name, key, String(taken)]);
    return;
  }
  client.server.propagateAs(client.db, [name, key]);
  const value = popEnd(list, where);
  client.w.arrayHeader(2);
  client.w.bulk(key);
  client.w.bulk(value);
  elementsRemoved(client, client.db, key, where, list, 1);
}

/**
 * Runs `serve` for a blocked BLPOP / BRPOP / BLMOVE / BRPOPLPUSH, without the changes to save it
 * makes: redis-server 7.0's serveClientBlockedOnList does not count them in server.dirty (a
 * served BLMPOP counts its elements).
 */
function uncounted<T>(client: Client, serve: () => T): T {
  const stats = client.server.stats;
  const dirty = stats.dirty;
  const result = serve();
  stats.dirty = dirty;
  return result;
}

/** Servers whose clientClosed hook already forgets blocked clients. */
const forgetting = new WeakSet<Server>();

/**
 * Makes sure a client that disconnects while blocked leaves the server's wait queues, so that
 * the next push is not handed to a closed connection. (Server.removeClient does not do it yet;
 * once it does, the hook finds no blocked client and does nothing.)
 */
function forgetOnClose(server: Server): void {
  if (forgetting.has(server)) return;
  forgetting.add(server);
  server.hooks.clientClosed.push((client) => {
    if (client.blocked) server.unblockClient(client, undefined);
  });
}

/** Blocks the client on `keys` (deduplicated, as blockForKeys does). */
function block(
  client: Client,
  keys: string[],
  deadline: number,
  retry: (readyKey: string) => boolean,
): void {
  forgetOnClose(client.server);
  // on timeout redis-server 7.0 answers every list-blocked client with a null array
  client.server.blockClient(client, unique(keys), deadline, retry, () => client.w.nullArray());
}

function unique(keys: string[]): string[] {
  return keys.length === 1 ? keys : [...new Set(keys)];
}

function blpop(client: Client, argv: string[]): void {
  blockingPop(client, argv.slice(1, -1), End.LEFT, argv[argv.length - 1] ?? '', -1);
}

function brpop(client: Client, argv: string[]): void {
  blockingPop(client, argv.slice(1, -1), End.RIGHT, argv[argv.length - 1] ?? '', -1);
}

function blmpop(client: Client, argv: string[]): void {
  const parsed = parseMpop(client, argv, 2);
  if (!parsed) return;
  blockingPop(client, parsed.keys, parsed.where, argv[1] ?? '', parsed.count);
}

/** BLMOVE / BRPOPLPUSH (blmoveGenericCommand): moves at once, or blocks on the source. */
function blmoveGeneric(
  client: Client,
  argv: string[],
  from: End,
  to: End,
  deadline: number,
  name: 'blmove' | 'brpoplpush',
): void {
  const source = argv[1] ?? '';
  const destination = argv[2] ?? '';
  const list = client.db.lookup(source);
  if (wrongType(client, list)) return;
  if (list !== undefined) {
    // propagated as the non-blocking command, with the client's own LEFT/RIGHT words
    if (lmoveGeneric(client, source, destination, from, to))
      client.server.propagateAs(
        client.db,
        name === 'brpoplpush'
          ? ['RPOPLPUSH', source, destination]
          : ['LMOVE', source, destination, argv[3] ?? '', argv[4] ?? ''],
      );
    return;
  }
  if (client.denyBlocking) {
    client.w.nil();
    return;
  }
  const retry = (): boolean => {
    if (!isList(client.db.lookup(source))) return false;
    // served later: redis-server propagates its shared "left"/"right" strings
    if (uncounted(client, () => lmoveGeneric(client, source, destination, from, to)))
      client.server.propagateAs(
        client.db,
        name === 'brpoplpush'
          ? ['RPOPLPUSH', source, destination]
          : ['LMOVE', source, destination, endName(from), endName(to)],
      );
    return true;
  };
  block(client, [source], deadline, retry);
}

function endName(where: End): string {
  return where === End.LEFT ? 'left' : 'right';
}

function blmove(client: Client, argv: string[]): void {
  const from = endArg(client, argv[3] ?? '');
  if (from === undefined) return;
  const to = endArg(client, argv[4] ?? '');
  if (to === undefined) return;
  const deadline = blockingTimeoutArg(client, argv[5] ?? '');
  if (deadline === undefined) return;
  blmoveGeneric(client, argv, from, to, deadline, 'blmove');
}

function brpoplpush(client: Client, argv: string[]): void {
  const deadline = blockingTimeoutArg(client, argv[3] ?? '');
  if (deadline === undefined) return;
  blmoveGeneric(client, argv, End.RIGHT, End.LEFT, deadline, 'brpoplpush');
}

/**
 * The list command group: LPUSH RPUSH LPUSHX RPUSHX LINSERT LLEN LINDEX LRANGE LPOS LSET LPOP
 * RPOP LTRIM LREM LMOVE RPOPLPUSH LMPOP and the blocking BLPOP BRPOP BLMPOP BLMOVE BRPOPLPUSH.
 * Each handler's cost is its command's (O(1) pushes, pops and LINDEX; O(range) LRANGE; O(n)
 * LREM, LPOS, LINSERT).
 *
 * @example
 * ```ts
 * const server = new Server(config, logger, clock, [listsCommands, ...otherGroups]);
 * ```
 */
export const listsCommands: HandlerTable = {
  lpush: (client, argv) => pushGeneric(client, argv, End.LEFT, false),
  rpush: (client, argv) => pushGeneric(client, argv, End.RIGHT, false),
  lpushx: (client, argv) => pushGeneric(client, argv, End.LEFT, true),
  rpushx: (client, argv) => pushGeneric(client, argv, End.RIGHT, true),
  linsert,
  llen,
  lindex,
  lrange,
  lpos,
  lset,
  lpop: (client, argv) => popGeneric(client, argv, End.LEFT),
  rpop: (client, argv) => popGeneric(client, argv, End.RIGHT),
  ltrim,
  lrem,
  lmove,
  rpoplpush,
  lmpop,
  blpop,
  brpop,
  blmpop,
  blmove,
  brpoplpush,
};
