import { RespWriter } from '@byor/protocol';
import type { Client } from '../client.js';
import { ReplyError, subcommandSyntaxError, wrongArity } from '../errors.js';
import type { Database } from '../keyspace.js';
import { registerRdbType } from '../persistence/rdb-plugins.js';
import type { Server } from '../server.js';
import { streamRdbPlugin } from '../types/stream-rdb.js';
import { StreamValue, increment, type StreamLimits, type TrimOptions } from '../types/stream.js';
import {
  ENTRIES_READ_UNKNOWN,
  PendingEntry,
  type Consumer,
  type ConsumerGroup,
} from '../types/stream-group.js';
import type { PartialId } from '../types/stream-id.js';
import {
  ID_END,
  ID_START,
  ID_STRICT,
  StreamId,
  autoId,
  compareIds,
  nextId,
  parseId,
  parseStreamId,
  previousId,
} from '../types/stream-id.js';
import type { StreamNode } from '../types/stream-node.js';
import { INT64_MAX, parseInt64, type Int64 } from '../util/numbers.js';
import { is } from './args.js';
import type { HandlerTable } from './types.js';

/**
 * Stream commands (t_stream.c of redis-server 7.0.15): XADD XRANGE XREVRANGE XLEN XDEL XTRIM
 * XSETID XREAD and the consumer groups (XGROUP, XREADGROUP, XACK, XPENDING, XCLAIM, XAUTOCLAIM,
 * XINFO). Arguments are checked in the order redis-server checks them, so the first error met is
 * the one Redis replies; writes propagate as Redis rewrites them (generated IDs, `~` trims made
 * exact, group reads as XCLAIM / XGROUP SETID / XGROUP CREATECONSUMER).
 */

/** Error replies of this group (texts from t_stream.c). */
export const StreamError = {
  INVALID_ID: 'ERR Invalid stream ID specified as stream command argument',
  XADD_TOO_SMALL:
    'ERR The ID specified in XADD is equal or smaller than the target stream top item',
  XADD_ZERO: 'ERR The ID specified in XADD must be greater than 0-0',
  EXHAUSTED: 'ERR The stream has exhausted the last possible ID, unable to add more items',
  MAXLEN_AND_MINID:
    'ERR syntax error, MAXLEN and MINID options at the same time are not compatible',
  MAXLEN_NEGATIVE: 'ERR The MAXLEN argument must be >= 0.',
  LIMIT_NEGATIVE: 'ERR The LIMIT argument must be >= 0.',
  LIMIT_WITHOUT_STRATEGY:
    'ERR syntax error, LIMIT cannot be used without specifying a trimming strategy',
  XTRIM_WITHOUT_STRATEGY: 'ERR syntax error, XTRIM must be called with a trimming strategy',
  LIMIT_WITHOUT_TILDE: 'ERR syntax error, LIMIT cannot be used without the special ~ option',
  INVALID_START: 'ERR invalid start ID for the interval',
  INVALID_END: 'ERR invalid end ID for the interval',
  TIMEOUT_NOT_INTEGER: 'ERR timeout is not an integer or out of range',
  UNBALANCED:
    "ERR Unbalanced XREAD list of streams: for each stream key an ID or '$' must be specified.",
  GROUP_IN_XREAD: 'ERR The GROUP option is only supported by XREADGROUP. You called XREAD instead.',
  NOACK_IN_XREAD: 'ERR The NOACK option is only supported by XREADGROUP. You called XREAD instead.',
  MISSING_GROUP: 'ERR Missing GROUP option for XREADGROUP',
  DOLLAR_IN_XREADGROUP:
    'ERR The $ ID is meaningless in the context of XREADGROUP: you want to read the history of this consumer by specifying a proper ID, or use the > ID to get new messages. The $ ID would just return an empty result set.',
  GREATER_IN_XREAD:
    'ERR The > ID can be specified only when calling XREADGROUP using the GROUP <group> <consumer> option.',
  GROUP_GONE: 'NOGROUP the consumer group this client was blocked on no longer exists',
  KEY_GONE: 'UNBLOCKED the stream key no longer exists',
  BUSYGROUP: 'BUSYGROUP Consumer Group name already exists',
  KEY_REQUIRED:
    'ERR The XGROUP subcommand requires the key to exist. Note that for CREATE you may want to use the MKSTREAM option to create an empty stream automatically.',
  ENTRIES_READ: 'ERR value for ENTRIESREAD must be positive or -1',
  ENTRIES_ADDED_NEGATIVE: 'ERR entries_added must be positive',
  XSETID_BELOW_GIVEN_MAX_DELETED:
    'ERR The ID specified in XSETID is smaller than the provided max_deleted_entry_id',
  XSETID_BELOW_TOP: 'ERR The ID specified in XSETID is smaller than the target stream top item',
  XSETID_ENTRIES_ADDED:
    'ERR The entries_added specified in XSETID is smaller than the target stream length',
  CLAIM_MIN_IDLE: 'ERR Invalid min-idle-time argument for XCLAIM',
  CLAIM_IDLE: 'ERR Invalid IDLE option argument for XCLAIM',
  CLAIM_TIME: 'ERR Invalid TIME option argument for XCLAIM',
  CLAIM_RETRYCOUNT: 'ERR Invalid RETRYCOUNT option argument for XCLAIM',
  AUTOCLAIM_MIN_IDLE: 'ERR Invalid min-idle-time argument for XAUTOCLAIM',
  COUNT_POSITIVE: 'ERR COUNT must be > 0',
  COUNT_TOO_HIGH: 'ERR Insufficient memory, failed allocating transient memory, COUNT too high.',
  TOO_LARGE: 'ERR Elements are too large to be stored',
} as const;

/** `NOGROUP No such key 'k' or consumer group 'g'` (XPENDING, XCLAIM, XAUTOCLAIM). */
function noKeyOrGroup(key: string, group: string): string {
  return `NOGROUP No such key '${key}' or consumer group '${group}'`;
}

/** `NOGROUP No such consumer group 'g' for key name 'k'` (XGROUP, XINFO CONSUMERS). */
function noGroupForKey(group: string, key: string): string {
  return `NOGROUP No such consumer group '${group}' for key name '${key}'`;
}

// RDB files, DUMP/RESTORE and AOF rewrites carry streams from here on
registerRdbType(streamRdbPlugin);

/** XREAD BLOCK's default COUNT (XREAD_BLOCKED_DEFAULT_COUNT). */
const BLOCKED_DEFAULT_COUNT = 1000;
/** XAUTOCLAIM visits at most COUNT times this many pending entries. */
const AUTOCLAIM_ATTEMPTS_FACTOR = 10;
/** LONG_MAX / max(sizeof(streamID), attempts factor): XAUTOCLAIM's largest COUNT. */
const AUTOCLAIM_MAX_COUNT = 576460752303423487n;

/**
 * redis-server allocates COUNT stream IDs (16 bytes each) up front for XAUTOCLAIM and answers
 * "COUNT too high" when that allocation fails. Where malloc fails depends on the machine; byor
 * draws the line at 2^31 IDs (32 GiB).
 */
const AUTOCLAIM_ALLOCATION_LIMIT = 2 ** 31;

/** The node limits in the config now (read at every XADD, as Redis does). */
function limitsOf(client: Client): StreamLimits {
  const config = client.server.config;
  return {
    nodeMaxBytes: config.number('stream-node-max-bytes'),
    nodeMaxEntries: config.number('stream-node-max-entries'),
  };
}

/**
 * The stream at `key`: the value, undefined when the key does not exist, or null after replying
 * WRONGTYPE. `read` counts a keyspace hit or miss (lookupKeyRead) where Redis does.
 */
function streamAt(client: Client, key: string, read: boolean): StreamValue | undefined | null {
  const value = read ? client.db.lookupRead(key) : client.db.lookup(key);
  if (value === undefined || value instanceof StreamValue) return value;
  client.server.errorReply(client, ReplyError.WRONGTYPE);
  return null;
}

/** An ID argument, replying "Invalid stream ID" when it is not one. */
/** Every argument from `from` on as a strict ID (XDEL, XACK); undefined after the error reply. */
function idsArg(client: Client, argv: readonly string[], from: number): StreamId[] | undefined {
  const ids: StreamId[] = [];
  for (let j = from; j < argv.length; j++) {
    const id = idArg(client, argv[j] ?? '');
    if (id === undefined) return undefined;
    ids.push(id);
  }
  return ids;
}

function idArg(client: Client, text: string, syntax = ID_STRICT): StreamId | undefined {
  const id = parseId(text, syntax);
  if (id === undefined) client.server.errorReply(client, StreamError.INVALID_ID);
  return id;
}

/**
 * streamParseIntervalIDOrReply for a range bound: `(` makes it exclusive (then parsed strictly),
 * an exclusive start moves one ID up and an exclusive end one down.
 */
function intervalArg(client: Client, text: string, end: boolean): StreamId | undefined {
  const exclusive = text.length > 1 && text.charCodeAt(0) === 40; /* ( */
  const id = exclusive
    ? parseId(text.slice(1), end ? { missingSeqMax: true, strict: true } : ID_STRICT)
    : parseId(text, end ? ID_END : ID_START);
  if (id === undefined) {
    client.server.errorReply(client, StreamError.INVALID_ID);
    return undefined;
  }
  if (!exclusive) return id;
  const moved = end ? previousId(id) : nextId(id);
  if (moved === undefined)
    client.server.errorReply(client, end ? StreamError.INVALID_END : StreamError.INVALID_START);
  return moved;
}

/** getLongLongFromObjectOrReply: an int64, or undefined after replying `error`. */
function int64Arg(
  client: Client,
  text: string,
  error: string = ReplyError.NOT_INTEGER,
): Int64 | undefined {
  const value = parseInt64(text);
  if (value === undefined) client.server.errorReply(client, error);
  return value;
}

/** An int64 as a JS number, huge values clamped (they only bound loops). */
function clamp(value: Int64): number {
  if (typeof value === 'number') return value;
  return value > 0n ? Number.MAX_SAFE_INTEGER : Number.MIN_SAFE_INTEGER;
}

// ---------------------------------------------------------------------------------------------
// Writing entries

/** Writes the entry at `node[index]` as `[id, [field, value, ...]]`. */
function writeEntryAt(w: RespWriter, node: StreamNode, index: number): void {
  w.arrayHeader(2);
  w.bulk(node.idTextAt(index));
  const from = node.itemsStart(index);
  const to = node.itemsEnd(index);
  w.arrayHeader(to - from);
  const items = node.items;
  for (let k = from; k < to; k++) w.bulk(items[k] ?? '');
}

/** Writes the live entry with this ID (RAWENTRIES); false when there is none. */
function writeEntry(w: RespWriter, stream: StreamValue, id: StreamId): boolean {
  const it = stream.iterator(id, id, false);
  if (!it.next()) return false;
  writeEntryAt(w, it.node as StreamNode, it.index);
  return true;
}

/** A group read in progress: where deliveries are recorded and what is propagated. */
interface GroupRead {
  readonly group: ConsumerGroup;
  readonly consumer: Consumer;
  readonly noack: boolean;
  readonly key: string;
  readonly groupName: string;
  /** commands to propagate, in order */
  readonly propagate: string[][];
}

/** XCLAIM <key> <group> <consumer> 0 <id> TIME <ms> RETRYCOUNT <n> FORCE JUSTID LASTID <id>. */
function claimCommand(
  key: string,
  groupName: string,
  group: ConsumerGroup,
  idText: string,
  entry: PendingEntry,
): string[] {
  return [
    'XCLAIM',
    key,
    groupName,
    entry.consumer?.name ?? '',
    '0',
    idText,
    'TIME',
    String(entry.deliveryTime),
    'RETRYCOUNT',
    String(entry.deliveryCount),
    'FORCE',
    'JUSTID',
    'LASTID',
    group.lastId.toString(),
  ];
}

/** XGROUP SETID <key> <group> <last id> ENTRIESREAD <n> (streamPropagateGroupID). */
function setIdCommand(key: string, groupName: string, group: ConsumerGroup): string[] {
  return [
    'XGROUP',
    'SETID',
    key,
    groupName,
    group.lastId.toString(),
    'ENTRIESREAD',
    String(group.entriesRead),
  ];
}

/**
 * streamReplyWithRange: writes the live entries in [start, end] (at most `count`, 0 for all) as an
 * array. With a group read, each entry moves the group's last ID and read counter and, unless
 * NOACK, becomes pending for the consumer (propagated as XCLAIM). Returns the number written.
 * Two passes (count, then write) give the array length up front: O(log n + entries).
 */
function replyRange(
  client: Client,
  w: RespWriter,
  stream: StreamValue,
  start: StreamId,
  end: StreamId,
  count: number,
  reverse: boolean,
  read: GroupRead | undefined,
): number {
  let total = 0;
  const it = stream.iterator(start, end, reverse);
  while ((count === 0 || total < count) && it.next()) total++;
  w.arrayHeader(total);
  if (total === 0) return 0;
  it.rewind();
  if (read === undefined) {
    for (let n = 0; n < total && it.next(); n++) writeEntryAt(w, it.node as StreamNode, it.index);
    return total;
  }
  const { group, consumer, noack } = read;
  const now = client.server.now();
  let movedLastId = false;
  for (let n = 0; n < total && it.next(); n++) {
    const node = it.node as StreamNode;
    const id = it.id();
    if (compareIds(id, group.lastId) > 0) {
      if (
        group.entriesRead !== ENTRIES_READ_UNKNOWN &&
        !stream.rangeHasTombstones(id, StreamId.MAX)
      )
        group.entriesRead = increment(group.entriesRead);
      else if (stream.entriesAdded !== 0) group.entriesRead = stream.estimateEntriesRead(id);
      group.lastId = id;
      movedLastId = true;
    }
    writeEntryAt(w, node, it.index);
    if (!noack) {
      const entry = group.deliver(id, consumer, now);
      read.propagate.push(claimCommand(read.key, read.groupName, group, id.toString(), entry));
    }
  }
  // without NOACK the XCLAIMs carry the last ID (LASTID); with it, Redis 7.0 sends SETID
  if (movedLastId && noack) read.propagate.push(setIdCommand(read.key, read.groupName, group));
  return total;
}

/**
 * streamReplyWithRangeFromConsumerPEL: a consumer's own pending entries from `start` (XREADGROUP
 * with an ID), each delivered again (count + 1); an entry deleted since is `[id, nil]`.
 */
function replyHistory(
  client: Client,
  w: RespWriter,
  stream: StreamValue,
  start: StreamId,
  count: number,
  consumer: Consumer,
): void {
  const entries: PendingEntry[] = [];
  consumer.pending.forEachFrom(start, (entry) => {
    entries.push(entry);
    return count === 0 || entries.length < count;
  });
  w.arrayHeader(entries.length);
  const now = client.server.now();
  for (const entry of entries) {
    if (writeEntry(w, stream, entry.id)) {
      entry.deliveryTime = now;
      entry.deliveryCount = increment(entry.deliveryCount);
    } else {
      w.arrayHeader(2);
      w.bulk(entry.id.toString());
      w.nullArray();
    }
  }
}

// ---------------------------------------------------------------------------------------------
// XADD, XTRIM

/** What streamParseAddOrTrimArgsOrReply found. */
interface AddTrimArgs {
  /** XADD: index of the ID argument (or `*`) */
  idIndex: number;
  id: StreamId | PartialId | undefined;
  noMakeStream: boolean;
  trim: TrimOptions | undefined;
  /** index of the MAXLEN count or MINID id argument */
  trimArgIndex: number;
}

/** streamParseAddOrTrimArgsOrReply: XADD's and XTRIM's options, in Redis's order of checks. */
function parseAddOrTrim(
  client: Client,
  argv: readonly string[],
  xadd: boolean,
): AddTrimArgs | undefined {
  const server = client.server;
  let strategy: 'maxlen' | 'minid' | undefined;
  let maxLength = 0;
  let minId = StreamId.MIN;
  let approximate = false;
  let limit = 0;
  let limitGiven = false;
  let trimArgIndex = 0;
  let id: StreamId | PartialId | undefined;
  let noMakeStream = false;
  let i = 2;
  for (; i < argv.length; i++) {
    const more = argv.length - 1 - i;
    const option = argv[i] ?? '';
    if (xadd && option === '*') break;
    const maxlen = is(option, 'MAXLEN');
    if ((maxlen || is(option, 'MINID')) && more > 0) {
      if (strategy !== undefined) {
        server.errorReply(client, StreamError.MAXLEN_AND_MINID);
        return undefined;
      }
      approximate = false;
      const next = argv[i + 1];
      if (more >= 2 && next === '~') {
        approximate = true;
        i++;
      } else if (more >= 2 && next === '=') {
        i++;
      }
      const text = argv[i + 1] ?? '';
      if (maxlen) {
        const value = int64Arg(client, text);
        if (value === undefined) return undefined;
        if (value < 0) {
          server.errorReply(client, StreamError.MAXLEN_NEGATIVE);
          return undefined;
        }
        maxLength = clamp(value);
        strategy = 'maxlen';
      } else {
        const parsed = idArg(client, text);
        if (parsed === undefined) return undefined;
        minId = parsed;
        strategy = 'minid';
      }
      i++;
      trimArgIndex = i;
    } else if (is(option, 'LIMIT') && more > 0) {
      const value = int64Arg(client, argv[i + 1] ?? '');
      if (value === undefined) return undefined;
      if (value < 0) {
        server.errorReply(client, StreamError.LIMIT_NEGATIVE);
        return undefined;
      }
      limit = clamp(value);
      limitGiven = true;
      i++;
    } else if (xadd && is(option, 'NOMKSTREAM')) {
      noMakeStream = true;
    } else if (xadd) {
      id = parseStreamId(option, ID_STRICT, true);
      if (id === undefined) {
        server.errorReply(client, StreamError.INVALID_ID);
        return undefined;
      }
      break;
    } else {
      server.errorReply(client, ReplyError.SYNTAX);
      return undefined;
    }
  }
  if (limit !== 0 && strategy === undefined) {
    server.errorReply(client, StreamError.LIMIT_WITHOUT_STRATEGY);
    return undefined;
  }
  if (!xadd && strategy === undefined) {
    server.errorReply(client, StreamError.XTRIM_WITHOUT_STRATEGY);
    return undefined;
  }
  if (limitGiven) {
    if (!approximate) {
      server.errorReply(client, StreamError.LIMIT_WITHOUT_TILDE);
      return undefined;
    }
  } else if (approximate) {
    // the default cap on an approximate trim's work: 100 nodes' worth, within [10000, 1000000]
    limit = 100 * server.config.number('stream-node-max-entries');
    if (limit <= 0) limit = 10000;
    if (limit > 1000000) limit = 1000000;
  } else {
    limit = 0;
  }
  const trim =
    strategy === undefined ? undefined : { strategy, maxLength, minId, approximate, limit };
  return { idIndex: i, id, noMakeStream, trim, trimArgIndex };
}

/**
 * Trims after XADD or for XTRIM; an approximate trim is propagated exact (`=` and the resulting
 * length or first ID), as streamRewriteApproxSpecifier / streamRewriteTrimArgument do.
 */
function applyTrim(stream: StreamValue, args: AddTrimArgs, rewritten: string[]): number {
  const trim = args.trim as TrimOptions;
  const removed = stream.trim(trim);
  if (trim.approximate) {
    rewritten[args.trimArgIndex - 1] = '=';
    rewritten[args.trimArgIndex] =
      trim.strategy === 'maxlen'
        ? String(stream.length)
        : (stream.edgeId(true, false) ?? StreamId.MAX).toString();
  }
  return removed;
}

function xadd(client: Client, argv: string[]): void {
  const server = client.server;
  const args = parseAddOrTrim(client, argv, true);
  if (args === undefined) return;
  const fieldsAt = args.idIndex + 1;
  const remaining = argv.length - fieldsAt;
  if (remaining < 2 || remaining % 2 === 1) {
    server.errorReply(client, wrongArity('xadd'));
    return;
  }
  const given = args.id;
  if (given instanceof StreamId && given.isZero()) {
    server.errorReply(client, StreamError.XADD_ZERO);
    return;
  }
  const db = client.db;
  const key = argv[1] ?? '';
  let stream = streamAt(client, key, false);
  if (stream === null) return;
  const created = stream === undefined;
  if (stream === undefined) {
    if (args.noMakeStream) {
      client.w.nil();
      return;
    }
    stream = new StreamValue();
  }
  const last = stream.lastId;
  if (compareIds(last, StreamId.MAX) === 0) {
    server.errorReply(client, StreamError.EXHAUSTED);
    return;
  }
  let id: StreamId | undefined;
  if (given === undefined) id = autoId(last, server.now());
  else if (given instanceof StreamId) id = given;
  else if (given.ms.msHi !== last.msHi || given.ms.msLo !== last.msLo) id = given.ms;
  else if (last.seqHi !== 0xffffffff || last.seqLo !== 0xffffffff) id = nextId(last);
  else {
    // `<ms>-*` with the sequence of <ms> used up: 7.0 fails without setting errno
    server.errorReply(client, StreamError.TOO_LARGE);
    return;
  }
  if (id === undefined || compareIds(id, last) <= 0) {
    server.errorReply(client, StreamError.XADD_TOO_SMALL);
    return;
  }
  stream.append(id, argv, fieldsAt, remaining / 2, limitsOf(client));
  const idText = id.toString();
  client.w.bulk(idText);
  if (created) db.add(key, stream);
  else db.signalModified(key);
  server.notify('t', 'xadd', key, db);
  // propagated with the generated ID and an approximate trim made exact; else as it came
  const rewrite = !(given instanceof StreamId) || args.trim?.approximate === true;
  const rewritten = rewrite ? argv.slice() : argv;
  if (args.trim !== undefined && applyTrim(stream, args, rewritten) > 0)
    server.notify('t', 'xtrim', key, db);
  if (rewrite) {
    if (!(given instanceof StreamId)) rewritten[args.idIndex] = idText;
    server.propagateAs(db, rewritten);
  }
  server.signalKeyAsReady(db, key);
}

function xtrim(client: Client, argv: string[]): void {
  const args = parseAddOrTrim(client, argv, false);
  if (args === undefined) return;
  const key = argv[1] ?? '';
  const stream = streamAt(client, key, false);
  if (stream === null) return;
  if (stream === undefined) {
    client.w.integer(0);
    return;
  }
  const rewritten = argv.slice();
  const removed = applyTrim(stream, args, rewritten);
  if (removed > 0) {
    const db = client.db;
    client.server.notify('t', 'xtrim', key, db);
    db.signalModified(key);
    client.server.changes(removed - 1);
    if (args.trim?.approximate === true) client.server.propagateAs(db, rewritten);
  }
  client.w.integer(removed);
}

// ---------------------------------------------------------------------------------------------
// XRANGE, XREVRANGE, XLEN, XDEL, XSETID

function xrangeGeneric(client: Client, argv: string[], reverse: boolean): void {
  const start = intervalArg(client, argv[reverse ? 3 : 2] ?? '', false);
  if (start === undefined) return;
  const end = intervalArg(client, argv[reverse ? 2 : 3] ?? '', true);
  if (end === undefined) return;
  let count = -1;
  for (let j = 4; j < argv.length; j++) {
    if (is(argv[j], 'COUNT') && j + 1 < argv.length) {
      const value = int64Arg(client, argv[j + 1] ?? '');
      if (value === undefined) return;
      count = Math.max(0, clamp(value));
      j++;
    } else {
      client.server.errorReply(client, ReplyError.SYNTAX);
      return;
    }
  }
  const stream = streamAt(client, argv[1] ?? '', true);
  if (stream === null) return;
  if (stream === undefined) {
    client.w.arrayHeader(0);
    return;
  }
  if (count === 0) {
    client.w.nullArray();
    return;
  }
  replyRange(client, client.w, stream, start, end, count === -1 ? 0 : count, reverse, undefined);
}

function xlen(client: Client, argv: string[]): void {
  const stream = streamAt(client, argv[1] ?? '', true);
  if (stream !== null) client.w.integer(stream?.length ?? 0);
}

function xdel(client: Client, argv: string[]): void {
  const key = argv[1] ?? '';
  const stream = streamAt(client, key, false);
  if (stream === null) return;
  if (stream === undefined) {
    client.w.integer(0);
    return;
  }
  const ids = idsArg(client, argv, 2);
  if (ids === undefined) return;
  const deleted = stream.deleteEntries(ids);
  if (deleted !== 0) {
    const db = client.db;
    db.signalModified(key);
    client.server.changes(deleted - 1);
    client.server.notify('t', 'xdel', key, db);
  }
  client.w.integer(deleted);
}

function xsetid(client: Client, argv: string[]): void {
  const server = client.server;
  const id = idArg(client, argv[2] ?? '');
  if (id === undefined) return;
  let entriesAdded: Int64 = -1;
  let maxDeleted = StreamId.MIN;
  for (let i = 3; i < argv.length; i += 2) {
    const more = argv.length - 1 - i;
    if (is(argv[i], 'ENTRIESADDED') && more > 0) {
      const value = int64Arg(client, argv[i + 1] ?? '');
      if (value === undefined) return;
      if (value < 0) {
        server.errorReply(client, StreamError.ENTRIES_ADDED_NEGATIVE);
        return;
      }
      entriesAdded = value;
    } else if (is(argv[i], 'MAXDELETEDID') && more > 0) {
      const value = idArg(client, argv[i + 1] ?? '');
      if (value === undefined) return;
      if (compareIds(id, value) < 0) {
        server.errorReply(client, StreamError.XSETID_BELOW_GIVEN_MAX_DELETED);
        return;
      }
      maxDeleted = value;
    } else {
      server.errorReply(client, ReplyError.SYNTAX);
      return;
    }
  }
  const key = argv[1] ?? '';
  const stream = streamAt(client, key, false);
  if (stream === null) return;
  if (stream === undefined) {
    server.errorReply(client, ReplyError.NO_SUCH_KEY);
    return;
  }
  if (stream.length > 0) {
    const top = stream.lastValidId() ?? StreamId.MIN;
    if (compareIds(id, top) < 0) {
      server.errorReply(client, StreamError.XSETID_BELOW_TOP);
      return;
    }
    if (entriesAdded !== -1 && stream.length > entriesAdded) {
      server.errorReply(client, StreamError.XSETID_ENTRIES_ADDED);
      return;
    }
  }
  stream.lastId = id;
  if (entriesAdded !== -1) stream.entriesAdded = entriesAdded;
  if (!maxDeleted.isZero()) stream.maxDeletedId = maxDeleted;
  client.w.ok();
  // redis-server 7.0's xsetidCommand counts a change (server.dirty: propagated, saved) but does
  // not signal the key: WATCH and client tracking do not see it
  server.stats.dirty++;
  server.notify('t', 'xsetid', key, client.db);
}

// ---------------------------------------------------------------------------------------------
// XREAD, XREADGROUP

/** Collects one command's nested reply when its array length is known only at the end. */
const scratch = new RespWriter(1024);

/** Looks up a group's consumer (refreshing its seen time) or creates it, notifying. */
function consumerFor(
  client: Client,
  db: Database,
  key: string,
  group: ConsumerGroup,
  name: string,
): { consumer: Consumer; created: boolean } {
  const now = client.server.now();
  const existing = group.consumers.get(name);
  if (existing !== undefined) {
    existing.seenTime = now;
    return { consumer: existing, created: false };
  }
  const consumer = group.createConsumer(name, now) as Consumer;
  client.server.stats.dirty++;
  client.server.notify('t', 'xgroup-createconsumer', key, db);
  return { consumer, created: true };
}

/** xreadCommand: XREAD and XREADGROUP (`groupCommand`). */
function xreadGeneric(client: Client, argv: string[], groupCommand: boolean): void {
  const server = client.server;
  let blocking = false;
  let deadline = 0;
  let count = 0;
  let streamsAt = 0;
  let streamCount = 0;
  let noack = false;
  let groupName: string | undefined;
  let consumerName = '';
  for (let i = 1; i < argv.length; i++) {
    const more = argv.length - i - 1;
    const option = argv[i];
    if (is(option, 'BLOCK') && more > 0) {
      // a script's client: no connection, never allowed to block (redis-server's CLIENT_LUA)
      if (client.conn === undefined && client.denyBlocking) {
        server.errorReply(
          client,
          `ERR ${argv[0] ?? ''} command is not allowed with BLOCK option from scripts`,
        );
        return;
      }
      i++;
      const ms = parseInt64(argv[i] ?? '');
      if (ms === undefined) {
        server.errorReply(client, StreamError.TIMEOUT_NOT_INTEGER);
        return;
      }
      if (ms < 0) {
        server.errorReply(client, ReplyError.TIMEOUT_NEGATIVE);
        return;
      }
      blocking = true;
      // a deadline past LLONG_MAX wraps in redis-server's timeout table and never fires
      const at = BigInt(ms) + BigInt(Math.floor(server.now()));
      deadline = ms === 0 || at > INT64_MAX ? 0 : Number(at);
    } else if (is(option, 'COUNT') && more > 0) {
      i++;
      const value = int64Arg(client, argv[i] ?? '');
      if (value === undefined) return;
      count = Math.max(0, clamp(value));
    } else if (is(option, 'STREAMS') && more > 0) {
      streamsAt = i + 1;
      streamCount = argv.length - streamsAt;
      if (streamCount % 2 !== 0) {
        server.errorReply(client, StreamError.UNBALANCED);
        return;
      }
      streamCount /= 2;
      break;
    } else if (is(option, 'GROUP') && more >= 2) {
      if (!groupCommand) {
        server.errorReply(client, StreamError.GROUP_IN_XREAD);
        return;
      }
      groupName = argv[i + 1] ?? '';
      consumerName = argv[i + 2] ?? '';
      i += 2;
    } else if (is(option, 'NOACK')) {
      if (!groupCommand) {
        server.errorReply(client, StreamError.NOACK_IN_XREAD);
        return;
      }
      noack = true;
    } else {
      server.errorReply(client, ReplyError.SYNTAX);
      return;
    }
  }
  if (streamsAt === 0) {
    server.errorReply(client, ReplyError.SYNTAX);
    return;
  }
  if (groupCommand && groupName === undefined) {
    server.errorReply(client, StreamError.MISSING_GROUP);
    return;
  }
  const db = client.db;
  const ids: StreamId[] = [];
  const groups: ConsumerGroup[] = [];
  for (let i = streamsAt + streamCount; i < argv.length; i++) {
    const key = argv[i - streamCount] ?? '';
    const stream = streamAt(client, key, true);
    if (stream === null) return;
    if (groupName !== undefined) {
      const group = stream?.group(groupName);
      if (group === undefined) {
        server.errorReply(
          client,
          `NOGROUP No such key '${key}' or consumer group '${groupName}' in XREADGROUP with GROUP option`,
        );
        return;
      }
      groups.push(group);
    }
    const text = argv[i] ?? '';
    if (text === '$') {
      if (groupCommand) {
        server.errorReply(client, StreamError.DOLLAR_IN_XREADGROUP);
        return;
      }
      ids.push(stream?.lastId ?? StreamId.MIN);
    } else if (text === '>') {
      if (!groupCommand) {
        server.errorReply(client, StreamError.GREATER_IN_XREAD);
        return;
      }
      ids.push(StreamId.MAX);
    } else {
      const id = idArg(client, text);
      if (id === undefined) return;
      ids.push(id);
    }
  }

  // serve at once what can be served
  const propagate: string[][] = [];
  let served = 0;
  scratch.reset();
  scratch.protocol = client.resp;
  for (let i = 0; i < streamCount; i++) {
    const key = argv[streamsAt + i] ?? '';
    const stream = db.lookupRead(key);
    if (!(stream instanceof StreamValue)) continue;
    let after = ids[i] as StreamId;
    let now = false;
    let history = false;
    const group = groups[i];
    if (group !== undefined) {
      if (compareIds(after, StreamId.MAX) !== 0) {
        now = true;
        history = true;
      } else if (stream.length !== 0) {
        const top = stream.lastValidId() ?? StreamId.MIN;
        if (compareIds(top, group.lastId) > 0) {
          now = true;
          after = group.lastId;
        }
      }
    } else if (stream.length !== 0) {
      const top = stream.lastValidId() ?? StreamId.MIN;
      now = compareIds(top, after) > 0;
    }
    if (!now) continue;
    served++;
    if (client.resp === 2) scratch.arrayHeader(2);
    scratch.bulk(key);
    const start = nextId(after) ?? StreamId.MIN;
    let read: GroupRead | undefined;
    if (group !== undefined) {
      // the consumer exists from its first served read on (redis-server creates it here)
      const found = consumerFor(client, db, key, group, consumerName);
      read = { group, consumer: found.consumer, noack, key, groupName: groupName ?? '', propagate };
      if (noack && found.created)
        propagate.push(['XGROUP', 'CREATECONSUMER', key, read.groupName, consumerName]);
    }
    if (read !== undefined && history)
      replyHistory(client, scratch, stream, start, count, read.consumer);
    else replyRange(client, scratch, stream, start, StreamId.MAX, count, false, read);
    if (read !== undefined) server.stats.dirty++;
  }
  if (groupCommand) server.propagateAs(db, ...propagate);
  if (served !== 0) {
    if (client.resp === 2) client.w.arrayHeader(served);
    else client.w.mapHeader(served);
    client.w.raw(scratch.view());
    scratch.reset();
    return;
  }
  scratch.reset();
  if (!blocking || client.denyBlocking) {
    client.w.nullArray();
    return;
  }
  blockRead(client, argv.slice(streamsAt, streamsAt + streamCount), ids, deadline, {
    count: count === 0 ? BLOCKED_DEFAULT_COUNT : count,
    groupName,
    consumerName,
    noack,
  });
}

/** What a blocked XREAD / XREADGROUP needs to be served later. */
interface BlockedRead {
  readonly count: number;
  readonly groupName: string | undefined;
  readonly consumerName: string;
  readonly noack: boolean;
}

/**
 * Blocks on the stream keys (blockForKeys with BLOCKED_STREAM). When one of them is signalled
 * (serveClientsBlockedOnStreamKey), a group read resolves its group again (gone: NOGROUP) and
 * waits for entries after the group's last ID; a plain read for entries after its ID (`$`: the
 * last ID when it blocked). Only the signalled key is served.
 */
function blockRead(
  client: Client,
  keys: string[],
  ids: readonly StreamId[],
  deadline: number,
  request: BlockedRead,
): void {
  const after = new Map<string, StreamId>();
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i] ?? '';
    if (!after.has(key)) after.set(key, ids[i] as StreamId);
  }
  const retry = (readyKey: string): boolean => {
    const server = client.server;
    const db = client.db;
    const stream = db.lookup(readyKey);
    let since = after.get(readyKey);
    if (since === undefined) return false;
    const groupName = request.groupName;
    if (!(stream instanceof StreamValue)) {
      // a group reader's key was deleted or replaced (unblockDeletedStreamReadgroupClients).
      // The server stops retrying a deleted key's waiters after the first one: the other group
      // readers are answered here, in the order they blocked.
      if (stream === undefined) answerGoneReaders(server, db, readyKey, client);
      if (groupName === undefined) return false;
      server.errorReply(client, StreamError.KEY_GONE);
      return true;
    }
    let group: ConsumerGroup | undefined;
    if (groupName !== undefined) {
      group = stream.group(groupName);
      if (group === undefined) {
        server.errorReply(client, StreamError.GROUP_GONE);
        return true;
      }
      since = group.lastId;
    }
    if (compareIds(stream.lastId, since) <= 0) return false;
    const w = client.w;
    let read: GroupRead | undefined;
    const propagate: string[][] = [];
    if (group !== undefined) {
      const { consumer, created } = consumerFor(client, db, readyKey, group, request.consumerName);
      read = {
        group,
        consumer,
        noack: request.noack,
        key: readyKey,
        groupName: groupName ?? '',
        propagate,
      };
      if (request.noack && created)
        propagate.push(['XGROUP', 'CREATECONSUMER', readyKey, read.groupName, consumer.name]);
    }
    if (client.resp === 2) {
      w.arrayHeader(1);
      w.arrayHeader(2);
    } else {
      w.mapHeader(1);
    }
    w.bulk(readyKey);
    const start = nextId(since) ?? StreamId.MIN;
    replyRange(client, w, stream, start, StreamId.MAX, request.count, false, read);
    if (read !== undefined) server.propagateAs(db, ...propagate);
    return true;
  };
  const unique = [...after.keys()];
  client.server.blockClient(client, unique, deadline, retry, () => client.w.nullArray());
  if (request.groupName !== undefined) watchDeletions(client, unique, retry);
}

/**
 * Group readers must hear when their key goes away (DEL, an overwrite, RENAME, expiry, FLUSHALL,
 * SWAPDB): redis-server signals a deleted stream key as ready and answers its XREADGROUP
 * readers "UNBLOCKED the stream key no longer exists". The server core signals keys only when
 * they are written, so this module watches the keys its group readers block on: per server,
 * "db\0key" -> the blocked clients and the retry each blocked with (a client whose current wait
 * has another retry has moved on and is dropped).
 */
const deletionWatch = new WeakMap<Server, Map<string, Map<Client, unknown>>>();

function watchDeletions(client: Client, keys: readonly string[], retry: unknown): void {
  const server = client.server;
  let watched = deletionWatch.get(server);
  if (watched === undefined) {
    const map = new Map<string, Map<Client, unknown>>();
    watched = map;
    deletionWatch.set(server, map);
    const signal = (id: string, waiters: Map<Client, unknown>) => {
      for (const [waiter, waitingWith] of waiters)
        if (waiter.blocked?.retry !== waitingWith) waiters.delete(waiter);
      if (waiters.size === 0) {
        map.delete(id);
        return;
      }
      const cut = id.indexOf('\0');
      server.signalKeyAsReady(server.db(Number(id.slice(0, cut))), id.slice(cut + 1));
    };
    server.hooks.keyModified.push((db, key) => {
      if (map.size === 0) return;
      const id = `${db.index}\0${key}`;
      const waiters = map.get(id);
      if (waiters !== undefined && !(db.lookup(key) instanceof StreamValue)) signal(id, waiters);
    });
    const signalAll = (index: number | undefined) => {
      for (const [id, waiters] of [...map]) {
        if (index !== undefined && !id.startsWith(`${index}\0`)) continue;
        const cut = id.indexOf('\0');
        if (!(server.db(Number(id.slice(0, cut))).lookup(id.slice(cut + 1)) instanceof StreamValue))
          signal(id, waiters);
      }
    };
    server.hooks.flushed.push((index) => {
      if (map.size !== 0) signalAll(index);
    });
    server.hooks.afterCommand.push((_client, command) => {
      if (map.size !== 0 && command.meta.name === 'swapdb') signalAll(undefined);
    });
    server.hooks.clientClosed.push((closed) => {
      if (map.size === 0) return;
      for (const [id, waiters] of map) {
        waiters.delete(closed);
        if (waiters.size === 0) map.delete(id);
      }
    });
  }
  for (const key of keys) {
    const id = `${client.db.index}\0${key}`;
    let waiters = watched.get(id);
    if (waiters === undefined) watched.set(id, (waiters = new Map<Client, unknown>()));
    waiters.delete(client); // to the end: the map keeps blocking order
    waiters.set(client, retry);
  }
}

/** Answers "UNBLOCKED" to every group reader still blocked on a deleted key but `except`. */
function answerGoneReaders(server: Server, db: Database, key: string, except: Client): void {
  const waiters = deletionWatch.get(server)?.get(`${db.index}\0${key}`);
  if (waiters === undefined) return;
  for (const [waiter, waitingWith] of [...waiters]) {
    if (waiter === except) continue;
    waiters.delete(waiter);
    if (waiter.blocked?.retry === waitingWith) server.unblockClient(waiter, StreamError.KEY_GONE);
  }
}

// ---------------------------------------------------------------------------------------------
// XGROUP

/** What the XGROUP subcommands share (xgroupCommand's preamble). */
interface GroupContext {
  readonly stream: StreamValue | undefined;
  readonly group: ConsumerGroup | undefined;
  readonly makeStream: boolean;
  readonly entriesRead: Int64;
}

/**
 * The preamble of xgroupCommand: CREATE/SETID options, the key (must exist unless MKSTREAM),
 * and the group (must exist for SETID, CREATECONSUMER, DELCONSUMER).
 */
function groupContext(client: Client, argv: string[], sub: string): GroupContext | undefined {
  const server = client.server;
  let makeStream = false;
  let entriesRead: Int64 = ENTRIES_READ_UNKNOWN;
  if (sub === 'create' || sub === 'setid') {
    for (let i = 5; i < argv.length;) {
      if (sub === 'create' && is(argv[i], 'MKSTREAM')) {
        makeStream = true;
        i++;
      } else if (is(argv[i], 'ENTRIESREAD') && i + 1 < argv.length) {
        const value = int64Arg(client, argv[i + 1] ?? '');
        if (value === undefined) return undefined;
        if (value < 0 && value !== ENTRIES_READ_UNKNOWN) {
          server.errorReply(client, StreamError.ENTRIES_READ);
          return undefined;
        }
        entriesRead = value;
        i += 2;
      } else {
        server.errorReply(client, subcommandSyntaxError(argv));
        return undefined;
      }
    }
  }
  const key = argv[2] ?? '';
  const stream = streamAt(client, key, false);
  if (stream === null) return undefined;
  const groupName = argv[3] ?? '';
  let group: ConsumerGroup | undefined;
  if (!makeStream) {
    if (stream === undefined) {
      server.errorReply(client, StreamError.KEY_REQUIRED);
      return undefined;
    }
    group = stream.group(groupName);
    if (group === undefined && sub !== 'create' && sub !== 'destroy') {
      server.errorReply(client, noGroupForKey(groupName, key));
      return undefined;
    }
  }
  return { stream, group, makeStream, entriesRead };
}

function xgroupCreate(client: Client, argv: string[]): void {
  const context = groupContext(client, argv, 'create');
  if (context === undefined) return;
  const server = client.server;
  if (argv.length > 8) {
    server.errorReply(client, subcommandSyntaxError(argv));
    return;
  }
  const key = argv[2] ?? '';
  const db = client.db;
  let stream = context.stream;
  let id: StreamId | undefined;
  if (argv[4] === '$') id = stream?.lastId ?? StreamId.MIN;
  else id = idArg(client, argv[4] ?? '');
  if (id === undefined) return;
  if (stream === undefined) {
    stream = new StreamValue();
    db.add(key, stream);
    // (MKSTREAM's key is not a change of its own: the group is the one)
    server.changes(-1);
  }
  if (stream.createGroup(argv[3] ?? '', id, context.entriesRead) === undefined) {
    server.errorReply(client, StreamError.BUSYGROUP);
    return;
  }
  client.w.ok();
  server.stats.dirty++;
  server.notify('t', 'xgroup-create', key, db);
}

function xgroupSetid(client: Client, argv: string[]): void {
  const context = groupContext(client, argv, 'setid');
  if (context === undefined) return;
  const server = client.server;
  if (argv.length !== 5 && argv.length !== 7) {
    server.errorReply(client, subcommandSyntaxError(argv));
    return;
  }
  const stream = context.stream as StreamValue;
  const group = context.group as ConsumerGroup;
  const id = argv[4] === '$' ? stream.lastId : idArg(client, argv[4] ?? '', ID_START);
  if (id === undefined) return;
  group.lastId = id;
  group.entriesRead = context.entriesRead;
  client.w.ok();
  server.stats.dirty++;
  server.notify('t', 'xgroup-setid', argv[2] ?? '', client.db);
}

function xgroupDestroy(client: Client, argv: string[]): void {
  const context = groupContext(client, argv, 'destroy');
  if (context === undefined) return;
  const server = client.server;
  const stream = context.stream as StreamValue;
  if (context.group === undefined) {
    client.w.integer(0);
    return;
  }
  stream.groups?.delete(context.group.name);
  client.w.integer(1);
  server.stats.dirty++;
  const key = argv[2] ?? '';
  server.notify('t', 'xgroup-destroy', key, client.db);
  // blocked XREADGROUP readers of this group answer NOGROUP
  server.signalKeyAsReady(client.db, key);
}

function xgroupCreateConsumer(client: Client, argv: string[]): void {
  const context = groupContext(client, argv, 'createconsumer');
  if (context === undefined) return;
  const server = client.server;
  const created = (context.group as ConsumerGroup).createConsumer(argv[4] ?? '', server.now());
  if (created !== undefined) {
    server.stats.dirty++;
    server.notify('t', 'xgroup-createconsumer', argv[2] ?? '', client.db);
  }
  client.w.integer(created === undefined ? 0 : 1);
}

function xgroupDelConsumer(client: Client, argv: string[]): void {
  const context = groupContext(client, argv, 'delconsumer');
  if (context === undefined) return;
  const server = client.server;
  const group = context.group as ConsumerGroup;
  const consumer = group.consumers.get(argv[4] ?? '');
  let pending = 0;
  if (consumer !== undefined) {
    pending = consumer.pending.size;
    group.deleteConsumer(consumer);
    server.stats.dirty++;
    server.notify('t', 'xgroup-delconsumer', argv[2] ?? '', client.db);
  }
  client.w.integer(pending);
}

// ---------------------------------------------------------------------------------------------
// XACK, XPENDING, XCLAIM, XAUTOCLAIM

function xack(client: Client, argv: string[]): void {
  const stream = streamAt(client, argv[1] ?? '', true);
  if (stream === null) return;
  const group = stream?.group(argv[2] ?? '');
  if (group === undefined) {
    client.w.integer(0);
    return;
  }
  const ids = idsArg(client, argv, 3);
  if (ids === undefined) return;
  let acknowledged = 0;
  for (const id of ids) {
    if (group.acknowledge(id)) {
      acknowledged++;
      client.server.stats.dirty++;
    }
  }
  client.w.integer(acknowledged);
}

function xpending(client: Client, argv: string[]): void {
  const server = client.server;
  const summary = argv.length === 3;
  if (argv.length !== 3 && (argv.length < 6 || argv.length > 9)) {
    server.errorReply(client, ReplyError.SYNTAX);
    return;
  }
  let start = StreamId.MIN;
  let end = StreamId.MAX;
  let count = 0;
  let minIdle: Int64 = 0;
  let consumerName: string | undefined;
  if (argv.length >= 6) {
    let at = 3;
    if (is(argv[3], 'IDLE')) {
      const value = int64Arg(client, argv[4] ?? '');
      if (value === undefined) return;
      minIdle = value;
      if (argv.length < 8) {
        server.errorReply(client, ReplyError.SYNTAX);
        return;
      }
      at += 2;
    }
    const countValue = int64Arg(client, argv[at + 2] ?? '');
    if (countValue === undefined) return;
    count = Math.max(0, clamp(countValue));
    const from = intervalArg(client, argv[at] ?? '', false);
    if (from === undefined) return;
    const to = intervalArg(client, argv[at + 1] ?? '', true);
    if (to === undefined) return;
    start = from;
    end = to;
    if (at + 3 < argv.length) consumerName = argv[at + 3];
  }
  const key = argv[1] ?? '';
  const stream = streamAt(client, key, true);
  if (stream === null) return;
  const group = stream?.group(argv[2] ?? '');
  if (group === undefined) {
    server.errorReply(client, noKeyOrGroup(key, argv[2] ?? ''));
    return;
  }
  const w = client.w;
  if (summary) {
    w.arrayHeader(4);
    w.integer(group.pending.size);
    const first = group.pending.first();
    const last = group.pending.last();
    if (first === undefined || last === undefined) {
      w.nil();
      w.nil();
      w.nullArray();
      return;
    }
    w.bulk(first.id.toString());
    w.bulk(last.id.toString());
    const owners = group.sortedConsumers().filter((consumer) => consumer.pending.size !== 0);
    w.arrayHeader(owners.length);
    for (const consumer of owners) {
      w.arrayHeader(2);
      w.bulk(consumer.name);
      w.bulk(String(consumer.pending.size));
    }
    return;
  }
  let pending = group.pending;
  if (consumerName !== undefined) {
    const consumer = group.consumers.get(consumerName);
    if (consumer === undefined) {
      w.arrayHeader(0);
      return;
    }
    pending = consumer.pending;
  }
  const now = server.now();
  const idle = clamp(minIdle);
  const found: PendingEntry[] = [];
  if (count > 0) {
    pending.forEachFrom(start, (entry) => {
      if (compareIds(entry.id, end) > 0) return false;
      if (idle !== 0 && now - entry.deliveryTime < idle) return true;
      found.push(entry);
      return found.length < count;
    });
  }
  w.arrayHeader(found.length);
  for (const entry of found) {
    w.arrayHeader(4);
    w.bulk(entry.id.toString());
    w.bulk(entry.consumer?.name ?? '');
    w.integer(Math.max(0, now - entry.deliveryTime));
    w.integer(entry.deliveryCount);
  }
}

function xclaim(client: Client, argv: string[]): void {
  const server = client.server;
  const key = argv[1] ?? '';
  const groupName = argv[2] ?? '';
  const stream = streamAt(client, key, true);
  if (stream === null) return;
  const group = stream?.group(groupName);
  if (stream === undefined || group === undefined) {
    server.errorReply(client, noKeyOrGroup(key, groupName));
    return;
  }
  const minIdleValue = int64Arg(client, argv[4] ?? '', StreamError.CLAIM_MIN_IDLE);
  if (minIdleValue === undefined) return;
  const minIdle = Math.max(0, clamp(minIdleValue));
  const ids: StreamId[] = [];
  let j = 5;
  for (; j < argv.length; j++) {
    const id = parseId(argv[j] ?? '', ID_STRICT);
    if (id === undefined) break;
    ids.push(id);
  }
  const now = server.now();
  let deliveryTime: number | undefined;
  let retryCount: Int64 = -1;
  let force = false;
  let justId = false;
  let lastId = StreamId.MIN;
  for (; j < argv.length; j++) {
    const more = argv.length - 1 - j;
    const option = argv[j] ?? '';
    if (is(option, 'FORCE')) {
      force = true;
    } else if (is(option, 'JUSTID')) {
      justId = true;
    } else if (is(option, 'IDLE') && more > 0) {
      const value = int64Arg(client, argv[++j] ?? '', StreamError.CLAIM_IDLE);
      if (value === undefined) return;
      // now - idle; a result out of [0, now] becomes now below
      deliveryTime = typeof value === 'number' ? now - value : -1;
    } else if (is(option, 'TIME') && more > 0) {
      const value = int64Arg(client, argv[++j] ?? '', StreamError.CLAIM_TIME);
      if (value === undefined) return;
      deliveryTime = typeof value === 'number' ? value : -1;
    } else if (is(option, 'RETRYCOUNT') && more > 0) {
      const value = int64Arg(client, argv[++j] ?? '', StreamError.CLAIM_RETRYCOUNT);
      if (value === undefined) return;
      retryCount = value;
    } else if (is(option, 'LASTID') && more > 0) {
      const value = idArg(client, argv[++j] ?? '');
      if (value === undefined) return;
      lastId = value;
    } else {
      server.errorReply(client, `ERR Unrecognized XCLAIM option '${option}'`);
      return;
    }
  }
  let propagateLastId = false;
  if (compareIds(lastId, group.lastId) > 0) {
    group.lastId = lastId;
    propagateLastId = true;
  }
  // a bogus delivery time is not an error (clients compute it from their own clocks): now
  if (deliveryTime === undefined || deliveryTime < 0 || deliveryTime > now) deliveryTime = now;
  const db = client.db;
  const propagate: string[][] = [];
  const w = client.w;
  scratch.reset();
  scratch.protocol = client.resp;
  let claimed = 0;
  let consumer: Consumer | undefined;
  const consumerName = argv[3] ?? '';
  for (let k = 0; k < ids.length; k++) {
    const id = ids[k] as StreamId;
    const idText = argv[5 + k] ?? '';
    let entry = group.pending.get(id);
    if (!stream.has(id)) {
      if (entry !== undefined) {
        propagate.push(claimCommand(key, groupName, group, idText, entry));
        propagateLastId = false;
        server.stats.dirty++;
        group.acknowledge(id);
      }
      continue;
    }
    if (force && entry === undefined) {
      entry = new PendingEntry(id, now, undefined);
      group.pending.insert(entry);
    }
    if (entry === undefined) continue;
    if (entry.consumer !== undefined && minIdle !== 0 && now - entry.deliveryTime < minIdle)
      continue;
    consumer ??= consumerFor(client, db, key, group, consumerName).consumer;
    if (entry.consumer === undefined) {
      consumer.pending.insert(entry);
      entry.consumer = consumer;
    } else {
      group.transfer(entry, consumer);
    }
    entry.deliveryTime = deliveryTime;
    if (retryCount >= 0) entry.deliveryCount = retryCount;
    else if (!justId) entry.deliveryCount = increment(entry.deliveryCount);
    if (justId) scratch.bulk(id.toString());
    else writeEntry(scratch, stream, id);
    claimed++;
    propagate.push(claimCommand(key, groupName, group, idText, entry));
    propagateLastId = false;
    server.stats.dirty++;
  }
  if (propagateLastId) {
    propagate.push(setIdCommand(key, groupName, group));
    server.stats.dirty++;
  }
  w.arrayHeader(claimed);
  w.raw(scratch.view());
  scratch.reset();
  server.propagateAs(db, ...propagate);
}

function xautoclaim(client: Client, argv: string[]): void {
  const server = client.server;
  const key = argv[1] ?? '';
  const groupName = argv[2] ?? '';
  // looked up first, as xautoclaimCommand does (a hit or a miss, whatever follows); its type is
  // checked once the arguments are
  const found = client.db.lookupRead(key);
  const minIdleValue = int64Arg(client, argv[4] ?? '', StreamError.AUTOCLAIM_MIN_IDLE);
  if (minIdleValue === undefined) return;
  const minIdle = Math.max(0, clamp(minIdleValue));
  const start = intervalArg(client, argv[5] ?? '', false);
  if (start === undefined) return;
  let count = 100;
  let justId = false;
  for (let j = 6; j < argv.length; j++) {
    const more = argv.length - 1 - j;
    if (is(argv[j], 'COUNT') && more > 0) {
      const value = parseInt64(argv[j + 1] ?? '');
      if (value === undefined || value < 1 || BigInt(value) > AUTOCLAIM_MAX_COUNT) {
        server.errorReply(client, StreamError.COUNT_POSITIVE);
        return;
      }
      count = clamp(value);
      j++;
    } else if (is(argv[j], 'JUSTID')) {
      justId = true;
    } else {
      server.errorReply(client, ReplyError.SYNTAX);
      return;
    }
  }
  if (found !== undefined && !(found instanceof StreamValue)) {
    server.errorReply(client, ReplyError.WRONGTYPE);
    return;
  }
  const stream = found;
  const group = stream?.group(groupName);
  if (stream === undefined || group === undefined) {
    server.errorReply(client, noKeyOrGroup(key, groupName));
    return;
  }
  if (count > AUTOCLAIM_ALLOCATION_LIMIT) {
    server.errorReply(client, StreamError.COUNT_TOO_HIGH);
    return;
  }
  const db = client.db;
  const now = server.now();
  let attempts = count * AUTOCLAIM_ATTEMPTS_FACTOR;
  // the pending entries the walk may visit, in order (claiming and cleaning do not reorder them)
  const visit: PendingEntry[] = [];
  group.pending.forEachFrom(start, (entry) => {
    visit.push(entry);
    return visit.length < attempts;
  });
  const propagate: string[][] = [];
  const deleted: StreamId[] = [];
  scratch.reset();
  scratch.protocol = client.resp;
  let claimed = 0;
  let consumer: Consumer | undefined;
  let last: StreamId | undefined;
  for (const entry of visit) {
    if (attempts-- === 0 || count === 0) break;
    last = entry.id;
    const idText = entry.id.toString();
    if (!stream.has(entry.id)) {
      propagate.push(claimCommand(key, groupName, group, idText, entry));
      server.stats.dirty++;
      group.acknowledge(entry.id);
      deleted.push(entry.id);
      count--;
      continue;
    }
    if (minIdle !== 0 && now - entry.deliveryTime < minIdle) continue;
    consumer ??= consumerFor(client, db, key, group, argv[3] ?? '').consumer;
    group.transfer(entry, consumer);
    entry.deliveryTime = now;
    if (!justId) entry.deliveryCount = increment(entry.deliveryCount);
    if (justId) scratch.bulk(idText);
    else writeEntry(scratch, stream, entry.id);
    claimed++;
    count--;
    propagate.push(claimCommand(key, groupName, group, idText, entry));
    server.stats.dirty++;
  }
  // the cursor: the entry after the last one visited (0-0 when the walk reached the end)
  const cursor =
    last === undefined ? StreamId.MIN : (group.pending.firstAfter(last)?.id ?? StreamId.MIN);
  const w = client.w;
  w.arrayHeader(3);
  w.bulk(cursor.toString());
  w.arrayHeader(claimed);
  w.raw(scratch.view());
  scratch.reset();
  w.arrayHeader(deleted.length);
  for (const id of deleted) w.bulk(id.toString());
  server.propagateAs(db, ...propagate);
}

// ---------------------------------------------------------------------------------------------
// XINFO

function xinfoStream(client: Client, argv: string[]): void {
  const server = client.server;
  const stream = streamAt(client, argv[2] ?? '', true);
  if (stream === null) return;
  if (stream === undefined) {
    server.errorReply(client, ReplyError.NO_SUCH_KEY);
    return;
  }
  let full = false;
  let count = 10;
  const options = argv.length - 3;
  if (options !== 0) {
    if ((options !== 1 && options !== 3) || !is(argv[3], 'FULL')) {
      server.errorReply(client, subcommandSyntaxError(argv));
      return;
    }
    full = true;
    if (options === 3) {
      if (!is(argv[4], 'COUNT')) {
        server.errorReply(client, subcommandSyntaxError(argv));
        return;
      }
      const value = int64Arg(client, argv[5] ?? '');
      if (value === undefined) return;
      count = value < 0 ? 10 : clamp(value);
    }
  }
  const w = client.w;
  w.mapHeader(full ? 9 : 10);
  w.bulk('length');
  w.integer(stream.length);
  w.bulk('radix-tree-keys');
  w.integer(stream.nodes.length);
  w.bulk('radix-tree-nodes');
  w.integer(stream.radixTreeNodes());
  w.bulk('last-generated-id');
  w.bulk(stream.lastId.toString());
  w.bulk('max-deleted-entry-id');
  w.bulk(stream.maxDeletedId.toString());
  w.bulk('entries-added');
  w.integer(stream.entriesAdded);
  w.bulk('recorded-first-entry-id');
  w.bulk(stream.firstId.toString());
  if (!full) {
    w.bulk('groups');
    w.integer(stream.groups?.size ?? 0);
    w.bulk('first-entry');
    const first = stream.iterator(StreamId.MIN, StreamId.MAX, false);
    if (first.next()) writeEntryAt(w, first.node as StreamNode, first.index);
    else w.nil();
    w.bulk('last-entry');
    const last = stream.iterator(StreamId.MIN, StreamId.MAX, true);
    if (last.next()) writeEntryAt(w, last.node as StreamNode, last.index);
    else w.nil();
    return;
  }
  w.bulk('entries');
  replyRange(client, w, stream, StreamId.MIN, StreamId.MAX, count, false, undefined);
  w.bulk('groups');
  const groups = stream.sortedGroups();
  w.arrayHeader(groups.length);
  for (const group of groups) {
    w.mapHeader(7);
    w.bulk('name');
    w.bulk(group.name);
    w.bulk('last-delivered-id');
    w.bulk(group.lastId.toString());
    w.bulk('entries-read');
    writeEntriesRead(w, group);
    w.bulk('lag');
    writeLag(w, stream, group);
    w.bulk('pel-count');
    w.integer(group.pending.size);
    w.bulk('pending');
    const pending = firstPending(group.pending, count);
    w.arrayHeader(pending.length);
    for (const entry of pending) {
      w.arrayHeader(4);
      w.bulk(entry.id.toString());
      w.bulk(entry.consumer?.name ?? '');
      w.integer(entry.deliveryTime);
      w.integer(entry.deliveryCount);
    }
    w.bulk('consumers');
    const consumers = group.sortedConsumers();
    w.arrayHeader(consumers.length);
    for (const consumer of consumers) {
      w.mapHeader(4);
      w.bulk('name');
      w.bulk(consumer.name);
      w.bulk('seen-time');
      w.integer(consumer.seenTime);
      w.bulk('pel-count');
      w.integer(consumer.pending.size);
      w.bulk('pending');
      const own = firstPending(consumer.pending, count);
      w.arrayHeader(own.length);
      for (const entry of own) {
        w.arrayHeader(3);
        w.bulk(entry.id.toString());
        w.integer(entry.deliveryTime);
        w.integer(entry.deliveryCount);
      }
    }
  }
}

/** The first `count` entries of a PEL (all when count is 0). */
function firstPending(
  pending: { forEachFrom(start: StreamId, visit: (entry: PendingEntry) => boolean): void },
  count: number,
): PendingEntry[] {
  const out: PendingEntry[] = [];
  pending.forEachFrom(StreamId.MIN, (entry) => {
    out.push(entry);
    return count === 0 || out.length < count;
  });
  return out;
}

function writeEntriesRead(w: RespWriter, group: ConsumerGroup): void {
  if (group.entriesRead === ENTRIES_READ_UNKNOWN) w.nil();
  else w.integer(group.entriesRead);
}

function writeLag(w: RespWriter, stream: StreamValue, group: ConsumerGroup): void {
  const lag = stream.lag(group);
  if (lag === undefined) w.nil();
  else w.integer(lag);
}

function xinfoGroups(client: Client, argv: string[]): void {
  const stream = streamAt(client, argv[2] ?? '', true);
  if (stream === null) return;
  if (stream === undefined) {
    client.server.errorReply(client, ReplyError.NO_SUCH_KEY);
    return;
  }
  const w = client.w;
  const groups = stream.sortedGroups();
  w.arrayHeader(groups.length);
  for (const group of groups) {
    w.mapHeader(6);
    w.bulk('name');
    w.bulk(group.name);
    w.bulk('consumers');
    w.integer(group.consumers.size);
    w.bulk('pending');
    w.integer(group.pending.size);
    w.bulk('last-delivered-id');
    w.bulk(group.lastId.toString());
    w.bulk('entries-read');
    writeEntriesRead(w, group);
    w.bulk('lag');
    writeLag(w, stream, group);
  }
}

function xinfoConsumers(client: Client, argv: string[]): void {
  const key = argv[2] ?? '';
  const stream = streamAt(client, key, true);
  if (stream === null) return;
  if (stream === undefined) {
    client.server.errorReply(client, ReplyError.NO_SUCH_KEY);
    return;
  }
  const group = stream.group(argv[3] ?? '');
  if (group === undefined) {
    client.server.errorReply(client, noGroupForKey(argv[3] ?? '', key));
    return;
  }
  const w = client.w;
  const now = client.server.now();
  const consumers = group.sortedConsumers();
  w.arrayHeader(consumers.length);
  for (const consumer of consumers) {
    w.mapHeader(3);
    w.bulk('name');
    w.bulk(consumer.name);
    w.bulk('pending');
    w.integer(consumer.pending.size);
    w.bulk('idle');
    w.integer(Math.max(0, now - consumer.seenTime));
  }
}

/**
 * The stream command group: XADD XRANGE XREVRANGE XLEN XDEL XTRIM XSETID XREAD XREADGROUP XACK
 * XPENDING XCLAIM XAUTOCLAIM and the XGROUP and XINFO subcommands. Costs are Redis's: O(1) XADD
 * and XLEN, O(log n + returned) ranges and reads, O(k log n) XDEL/XACK/XCLAIM of k IDs.
 *
 * @example
 * ```ts
 * const server = new Server(config, logger, clock, [streamsCommands]);
 * // XADD s * name ada  ->  "1700000000000-0"
 * ```
 */
export const streamsCommands: HandlerTable = {
  xadd,
  xtrim,
  xrange: (client, argv) => xrangeGeneric(client, argv, false),
  xrevrange: (client, argv) => xrangeGeneric(client, argv, true),
  xlen,
  xdel,
  xsetid,
  xread: (client, argv) => xreadGeneric(client, argv, false),
  xreadgroup: (client, argv) => xreadGeneric(client, argv, true),
  'xgroup|create': xgroupCreate,
  'xgroup|setid': xgroupSetid,
  'xgroup|destroy': xgroupDestroy,
  'xgroup|createconsumer': xgroupCreateConsumer,
  'xgroup|delconsumer': xgroupDelConsumer,
  xack,
  xpending,
  xclaim,
  xautoclaim,
  'xinfo|stream': xinfoStream,
  'xinfo|groups': xinfoGroups,
  'xinfo|consumers': xinfoConsumers,
};
