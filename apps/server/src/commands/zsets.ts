import {
  AddOutcome,
  parseLexBound,
  parseScore,
  parseScoreBound,
  type AddOptions,
  type LexBound,
  type ScoreBound,
} from '@byor/sortedset';
import { formatDouble } from '@byor/protocol';
import type { Client } from '../client.js';
import { ReplyError } from '../errors.js';
import { SetValue } from '../types/set.js';
import { ZSet, listpackScoreText, type ZSetLimits } from '../types/zset.js';
import {
  Aggregate,
  ZSource,
  diff,
  inter,
  sortedOrder,
  toZSet,
  union,
} from '../types/zset-algebra.js';
import { globMatch } from '../util/glob.js';
import { parseInt64 } from '../util/numbers.js';
import type { Value } from '../values.js';
import { blockingTimeoutArg, is, safeIntArg } from './args.js';
import { repeatsHeader, replyBudget } from './hashes.js';
import { parseCursor, parseScanOptions } from './keys.js';
import type { HandlerTable } from './types.js';

/**
 * Sorted-set commands (t_zset.c of redis-server 7.0), on @byor/sortedset through the ZSet value
 * type. Argument checks happen in the order redis-server makes them, so that the first error a
 * command meets is the one Redis would reply.
 */

/** Error replies of this group (texts from t_zset.c). */
const ZError = {
  XX_AND_NX: 'ERR XX and NX options at the same time are not compatible',
  INCR_SINGLE_PAIR: 'ERR INCR option supports a single increment-element pair',
  NAN_SCORE: 'ERR resulting score is not a number (NaN)',
  SCORE_RANGE: 'ERR min or max is not a float',
  LEX_RANGE: 'ERR min or max not valid string range item',
  WEIGHT: 'ERR weight value is not a float',
  LIMIT_NEEDS_BY:
    'ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX',
  WITHSCORES_BYLEX: 'ERR syntax error, WITHSCORES not supported in combination with BYLEX',
  MUST_BE_POSITIVE: 'ERR value is out of range, must be positive',
  OUT_OF_RANGE: 'ERR value is out of range',
  RANDMEMBER_COUNT:
    'ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807',
  LIMIT_NEGATIVE: "ERR LIMIT can't be negative",
  NUMKEYS: 'ERR numkeys should be greater than 0',
  COUNT: 'ERR count should be greater than 0',
} as const;

function atLeastOneKey(command: string): string {
  return `ERR at least 1 input key is needed for '${command}' command`;
}

const INT64_MAX = 9223372036854775807n;
const LONG_MAX_HALF = 4611686018427387903n;

/** The listpack limits in the config now: read when a sorted set is created or gets a new member. */
function limitsOf(client: Client): ZSetLimits {
  const config = client.server.config;
  return {
    maxListpackEntries: config.number('zset-max-listpack-entries'),
    maxListpackValue: config.number('zset-max-listpack-value'),
  };
}

/**
 * The sorted set at `key`: the ZSet, undefined when the key does not exist, or null after replying
 * WRONGTYPE. `read` counts a keyspace hit or miss (lookupKeyRead) where Redis does.
 */
function zsetAt(client: Client, key: string, read: boolean): ZSet | undefined | null {
  const value = read ? client.db.lookupRead(key) : client.db.lookup(key);
  if (value === undefined || value instanceof ZSet) return value;
  client.server.errorReply(client, ReplyError.WRONGTYPE);
  return null;
}

/** getPositiveLongFromObjectOrReply with one message for every failure. */
function positiveArg(client: Client, text: string, error: string): number | undefined {
  const value = parseInt64(text);
  if (value === undefined || value < 0) {
    client.server.errorReply(client, error);
    return undefined;
  }
  return typeof value === 'number' ? value : Number.MAX_SAFE_INTEGER;
}

/** getRangeLongFromObjectOrReply(1, LONG_MAX) with one message for every failure. */
function atLeastOneArg(client: Client, text: string, error: string): number | undefined {
  const value = parseInt64(text);
  if (value === undefined || value < 1) {
    client.server.errorReply(client, error);
    return undefined;
  }
  return typeof value === 'number' ? value : Number.MAX_SAFE_INTEGER;
}

// ---------------------------------------------------------------------------------------------
// Range replies. A range is first collected into these two arrays, then written with its length
// known up front (Redis's deferred length gives the same bytes). Module-level buffers and a
// module-level visitor: no closure or pair allocated per entry on the ZRANGE hot path.

const rangeMembers: string[] = [];
const rangeScores: number[] = [];

function collect(member: string, score: number): void {
  rangeMembers.push(member);
  rangeScores.push(score);
}

function clearRange(): void {
  rangeMembers.length = 0;
  rangeScores.length = 0;
}

/** Writes the collected range: flat in RESP2, [member, score] pairs in RESP3 WITHSCORES. */
function writeRange(client: Client, withScores: boolean): void {
  const w = client.w;
  const count = rangeMembers.length;
  const pairs = withScores && client.resp === 3;
  w.arrayHeader(withScores && !pairs ? count * 2 : count);
  for (let i = 0; i < count; i++) {
    if (pairs) w.arrayHeader(2);
    w.bulk(rangeMembers[i] ?? '');
    if (withScores) w.double(rangeScores[i] ?? 0);
  }
  clearRange();
}

/** Replaces `destination` with a computed sorted set, or deletes it when the result is empty. */
function storeResult(
  client: Client,
  destination: string,
  zset: ZSet | undefined,
  event: string,
): void {
  const db = client.db;
  const size = zset === undefined ? 0 : zset.size;
  if (zset !== undefined && size > 0) {
    // setKey: a new key is dbAdd (which wakes clients blocked on it), an old one is overwritten
    const isNew = db.lookup(destination) === undefined;
    db.set(destination, zset);
    client.w.integer(size);
    client.server.notify('z', event, destination, db);
    if (isNew) client.server.signalKeyAsReady(db, destination);
    return;
  }
  client.w.integer(0);
  if (db.delete(destination)) client.server.notify('g', 'del', destination, db);
}

// ---------------------------------------------------------------------------------------------
// ZADD, ZINCRBY, ZREM, ZREMRANGEBY*

/** zaddGenericCommand: ZADD, and ZINCRBY as ZADD with INCR (options are parsed for it too). */
function zaddGeneric(client: Client, argv: string[], incrCommand: boolean): void {
  let nx = false;
  let xx = false;
  let gt = false;
  let lt = false;
  let ch = false;
  let incr = incrCommand;
  let scoreIndex = 2;
  for (; scoreIndex < argv.length; scoreIndex++) {
    const option = argv[scoreIndex];
    if (is(option, 'NX')) nx = true;
    else if (is(option, 'XX')) xx = true;
    else if (is(option, 'CH')) ch = true;
    else if (is(option, 'INCR')) incr = true;
    else if (is(option, 'GT')) gt = true;
    else if (is(option, 'LT')) lt = true;
    else break;
  }
  const server = client.server;
  const remaining = argv.length - scoreIndex;
  if (remaining % 2 !== 0 || remaining === 0) {
    server.errorReply(client, ReplyError.SYNTAX);
    return;
  }
  const elements = remaining / 2;
  if (nx && xx) {
    server.errorReply(client, ZError.XX_AND_NX);
    return;
  }
  if ((gt && nx) || (lt && nx) || (gt && lt)) {
    server.errorReply(client, ReplyError.GT_LT_NX);
    return;
  }
  if (incr && elements > 1) {
    server.errorReply(client, ZError.INCR_SINGLE_PAIR);
    return;
  }
  // every score is parsed before anything changes: the command runs fully or not at all (one
  // pair, the usual ZADD, keeps its score in a local: no array per command)
  const first = parseScore(argv[scoreIndex] ?? '');
  const scores = elements > 1 ? new Array<number>(elements) : undefined;
  for (let j = 0; j < elements; j++) {
    const score = j === 0 ? first : parseScore(argv[scoreIndex + j * 2] ?? '');
    if (score === undefined) {
      server.errorReply(client, ReplyError.NOT_FLOAT);
      return;
    }
    if (scores !== undefined) scores[j] = score;
  }
  const key = argv[1] ?? '';
  const db = client.db;
  const limits = limitsOf(client);
  let zset = zsetAt(client, key, false);
  if (zset === null) return;
  let created = false;
  if (zset === undefined) {
    if (xx) {
      if (incr) client.w.nil();
      else client.w.integer(0);
      return;
    }
    zset = ZSet.create(limits, (argv[scoreIndex + 1] ?? '').length);
    db.add(key, zset);
    created = true;
  }
  const options: AddOptions = nx || xx || gt || lt || incr ? { nx, xx, gt, lt, incr } : NO_FLAGS;
  let added = 0;
  let updated = 0;
  let processed = 0;
  let newScore = 0;
  let failed = false;
  for (let j = 0; j < elements; j++) {
    const member = argv[scoreIndex + 1 + j * 2] ?? '';
    const score = scores === undefined ? (first ?? 0) : (scores[j] ?? 0);
    const outcome = zset.add(member, score, options, limits);
    if (outcome === AddOutcome.NAN) {
      server.errorReply(client, ZError.NAN_SCORE);
      failed = true;
      break;
    }
    if (outcome === AddOutcome.ADDED) added++;
    else if (outcome === AddOutcome.UPDATED) updated++;
    if (outcome !== AddOutcome.SKIPPED) processed++;
    // ZADD INCR replies the score it computed: a new member's -0 is "-0" even where stored as 0
    newScore = outcome === AddOutcome.ADDED ? score : (zset.set.score(member) ?? 0);
  }
  if (!failed) {
    if (!incr) client.w.integer(ch ? added + updated : added);
    else if (processed > 0) client.w.double(newScore);
    else client.w.nil();
  }
  if (created && zset.size === 0) {
    db.delete(key);
    return;
  }
  if (added > 0 || updated > 0) {
    if (!created) db.signalModified(key);
    // server.dirty += added + updated (one is the key's)
    server.changes(added + updated - 1);
    server.notify('z', incr ? 'zincr' : 'zadd', key, db);
    if (created) server.signalKeyAsReady(db, key);
  }
}

function zrem(client: Client, argv: string[]): void {
  const key = argv[1] ?? '';
  const zset = zsetAt(client, key, false);
  if (zset === null) return;
  if (zset === undefined) {
    client.w.integer(0);
    return;
  }
  const db = client.db;
  let deleted = 0;
  let removed = false;
  for (let j = 2; j < argv.length; j++) {
    if (zset.set.remove(argv[j] ?? '')) deleted++;
    if (zset.size === 0) {
      db.delete(key);
      removed = true;
      break;
    }
  }
  if (deleted > 0) {
    client.server.changes(deleted - 1);
    client.server.notify('z', 'zrem', key, db);
    if (removed) client.server.notify('g', 'del', key, db);
    else db.signalModified(key);
  }
  client.w.integer(deleted);
}

const NO_FLAGS: AddOptions = Object.freeze({});

const RANGE_AUTO = 0;
const RANGE_RANK = 1;
const RANGE_SCORE = 2;
const RANGE_LEX = 3;
type RangeType = typeof RANGE_AUTO | typeof RANGE_RANK | typeof RANGE_SCORE | typeof RANGE_LEX;

const DIRECTION_AUTO = 0;
const DIRECTION_FORWARD = 1;
const DIRECTION_REVERSE = 2;
type Direction = typeof DIRECTION_AUTO | typeof DIRECTION_FORWARD | typeof DIRECTION_REVERSE;

/** zslParseRange: both ends, or undefined after "min or max is not a float". */
function scoreRangeArgs(
  client: Client,
  minText: string,
  maxText: string,
): [ScoreBound, ScoreBound] | undefined {
  const min = parseScoreBound(minText);
  const max = parseScoreBound(maxText);
  if (min === undefined || max === undefined) {
    client.server.errorReply(client, ZError.SCORE_RANGE);
    return undefined;
  }
  return [min, max];
}

/** zslParseLexRange: both ends, or undefined after "min or max not valid string range item". */
function lexRangeArgs(
  client: Client,
  minText: string,
  maxText: string,
): [LexBound, LexBound] | undefined {
  const min = parseLexBound(minText);
  const max = parseLexBound(maxText);
  if (min === undefined || max === undefined) {
    client.server.errorReply(client, ZError.LEX_RANGE);
    return undefined;
  }
  return [min, max];
}

/** zremrangeGenericCommand: ZREMRANGEBYRANK, ZREMRANGEBYSCORE, ZREMRANGEBYLEX. */
function zremrangeGeneric(client: Client, argv: string[], rangeType: RangeType): void {
  let start = 0;
  let stop = 0;
  let scores: [ScoreBound, ScoreBound] | undefined;
  let lex: [LexBound, LexBound] | undefined;
  let event: string;
  if (rangeType === RANGE_RANK) {
    event = 'zremrangebyrank';
    const first = safeIntArg(client, argv[2] ?? '');
    if (first === undefined) return;
    const last = safeIntArg(client, argv[3] ?? '');
    if (last === undefined) return;
    start = first;
    stop = last;
  } else if (rangeType === RANGE_SCORE) {
    event = 'zremrangebyscore';
    scores = scoreRangeArgs(client, argv[2] ?? '', argv[3] ?? '');
    if (scores === undefined) return;
  } else {
    event = 'zremrangebylex';
    lex = lexRangeArgs(client, argv[2] ?? '', argv[3] ?? '');
    if (lex === undefined) return;
  }
  const key = argv[1] ?? '';
  const zset = zsetAt(client, key, false);
  if (zset === null) return;
  if (zset === undefined) {
    client.w.integer(0);
    return;
  }
  let deleted: number;
  if (scores !== undefined) deleted = zset.set.removeRangeByScore(scores[0], scores[1]);
  else if (lex !== undefined) deleted = zset.set.removeRangeByLex(lex[0], lex[1]);
  else deleted = zset.set.removeRangeByRank(start, stop);
  const db = client.db;
  if (deleted > 0) {
    const removed = zset.size === 0;
    if (removed) db.delete(key);
    else db.signalModified(key);
    client.server.changes(deleted - 1);
    client.server.notify('z', event, key, db);
    if (removed) client.server.notify('g', 'del', key, db);
  }
  client.w.integer(deleted);
}

// ---------------------------------------------------------------------------------------------
// Reads: ZCARD ZSCORE ZMSCORE ZRANK ZREVRANK ZCOUNT ZLEXCOUNT

function zcard(client: Client, argv: string[]): void {
  const zset = zsetAt(client, argv[1] ?? '', true);
  if (zset !== null) client.w.integer(zset === undefined ? 0 : zset.size);
}

function zscore(client: Client, argv: string[]): void {
  const zset = zsetAt(client, argv[1] ?? '', true);
  if (zset === null) return;
  const score = zset?.set.score(argv[2] ?? '');
  if (score === undefined) client.w.nil();
  else client.w.double(score);
}

function zmscore(client: Client, argv: string[]): void {
  const zset = zsetAt(client, argv[1] ?? '', true);
  if (zset === null) return;
  const w = client.w;
  w.arrayHeader(argv.length - 2);
  for (let j = 2; j < argv.length; j++) {
    const score = zset?.set.score(argv[j] ?? '');
    if (score === undefined) w.nil();
    else w.double(score);
  }
}

function zrankGeneric(client: Client, argv: string[], reverse: boolean): void {
  const zset = zsetAt(client, argv[1] ?? '', true);
  if (zset === null) return;
  const rank = zset?.set.rank(argv[2] ?? '', reverse);
  if (rank === undefined) client.w.nil();
  else client.w.integer(rank);
}

function zcount(client: Client, argv: string[]): void {
  const range = scoreRangeArgs(client, argv[2] ?? '', argv[3] ?? '');
  if (range === undefined) return;
  const zset = zsetAt(client, argv[1] ?? '', true);
  if (zset === null) return;
  client.w.integer(zset === undefined ? 0 : zset.set.countByScore(range[0], range[1]));
}

function zlexcount(client: Client, argv: string[]): void {
  const range = lexRangeArgs(client, argv[2] ?? '', argv[3] ?? '');
  if (range === undefined) return;
  const zset = zsetAt(client, argv[1] ?? '', true);
  if (zset === null) return;
  client.w.integer(zset === undefined ? 0 : zset.set.countByLex(range[0], range[1]));
}

// ---------------------------------------------------------------------------------------------
// ZRANGE and friends

/**
 * zrangeGenericCommand: ZRANGE, ZRANGESTORE (with `destination`) and the older
 * Z[REV]RANGE[BYSCORE|BYLEX] forms, which fix the range type or direction. Syntax:
 * `<src> <min> <max> [BYSCORE | BYLEX] [REV] [WITHSCORES] [LIMIT offset count]`.
 */
function zrangeGeneric(
  client: Client,
  argv: string[],
  argStart: number,
  destination: string | undefined,
  fixedType: RangeType,
  fixedDirection: Direction,
): void {
  const server = client.server;
  const store = destination !== undefined;
  let rangeType = fixedType;
  let direction = fixedDirection;
  let withScores = false;
  let offset = 0;
  let limit = -1;
  for (let j = argStart + 3; j < argv.length; j++) {
    const remaining = argv.length - j - 1;
    const arg = argv[j];
    if (!store && is(arg, 'WITHSCORES')) {
      withScores = true;
    } else if (is(arg, 'LIMIT') && remaining >= 2) {
      const first = safeIntArg(client, argv[j + 1] ?? '');
      if (first === undefined) return;
      const count = safeIntArg(client, argv[j + 2] ?? '');
      if (count === undefined) return;
      offset = first;
      limit = count;
      j += 2;
    } else if (direction === DIRECTION_AUTO && is(arg, 'REV')) {
      direction = DIRECTION_REVERSE;
    } else if (rangeType === RANGE_AUTO && is(arg, 'BYLEX')) {
      rangeType = RANGE_LEX;
    } else if (rangeType === RANGE_AUTO && is(arg, 'BYSCORE')) {
      rangeType = RANGE_SCORE;
    } else {
      server.errorReply(client, ReplyError.SYNTAX);
      return;
    }
  }
  if (rangeType === RANGE_AUTO) rangeType = RANGE_RANK;
  const reverse = direction === DIRECTION_REVERSE;
  if (limit !== -1 && rangeType === RANGE_RANK) {
    server.errorReply(client, ZError.LIMIT_NEEDS_BY);
    return;
  }
  if (withScores && rangeType === RANGE_LEX) {
    server.errorReply(client, ZError.WITHSCORES_BYLEX);
    return;
  }
  let minText = argv[argStart + 1] ?? '';
  let maxText = argv[argStart + 2] ?? '';
  // score and lex ranges are given as [max, min] when reversed
  if (reverse && rangeType !== RANGE_RANK) [minText, maxText] = [maxText, minText];
  let start = 0;
  let stop = 0;
  let scores: [ScoreBound, ScoreBound] | undefined;
  let lex: [LexBound, LexBound] | undefined;
  if (rangeType === RANGE_RANK) {
    const first = safeIntArg(client, minText);
    if (first === undefined) return;
    const last = safeIntArg(client, maxText);
    if (last === undefined) return;
    start = first;
    stop = last;
  } else if (rangeType === RANGE_SCORE) {
    scores = scoreRangeArgs(client, minText, maxText);
    if (scores === undefined) return;
  } else {
    lex = lexRangeArgs(client, minText, maxText);
    if (lex === undefined) return;
  }
  const zset = zsetAt(client, argv[argStart] ?? '', true);
  if (zset === null) return;
  if (zset === undefined) {
    if (store) storeResult(client, destination, undefined, 'zrangestore');
    else client.w.arrayHeader(0);
    return;
  }
  clearRange();
  const set = zset.set;
  if (scores !== undefined) {
    set.forEachByScore(scores[0], scores[1], collect, { reverse, offset, count: limit });
  } else if (lex !== undefined) {
    set.forEachByLex(lex[0], lex[1], collect, { reverse, offset, count: limit });
  } else {
    set.forEachByRank(start, stop, collect, reverse);
  }
  if (!store) {
    writeRange(client, withScores);
    return;
  }
  // ZRANGESTORE builds its result with plain adds into a new listpack, converting as it grows
  const limits = limitsOf(client);
  const result = ZSet.create(limits);
  for (let i = 0; i < rangeMembers.length; i++)
    result.add(rangeMembers[i] ?? '', rangeScores[i] ?? 0, NO_FLAGS, limits);
  clearRange();
  storeResult(client, destination, result, 'zrangestore');
}

// ---------------------------------------------------------------------------------------------
// Pops: ZPOPMIN ZPOPMAX ZMPOP and the blocking BZPOPMIN BZPOPMAX BZMPOP

/**
 * genericZpopCommand: pops from the first existing key of `keys`. `count` -1 is a plain single
 * pop. Reply shapes: flat [member, score...] (ZPOPMIN in RESP2, or one element), nested pairs
 * (ZPOPMIN with a count in RESP3), [key, member, score] (BZPOPMIN), [key, [[member, score]...]]
 * (ZMPOP, BZMPOP; nil when every key is missing).
 */
function genericZpop(
  client: Client,
  keys: readonly string[],
  max: boolean,
  emitKey: boolean,
  count: number,
  nested: boolean,
  nilWhenEmpty: boolean,
): void {
  let key = '';
  let zset: ZSet | undefined;
  for (const candidate of keys) {
    const found = zsetAt(client, candidate, false);
    if (found === null) return;
    if (found === undefined) continue;
    key = candidate;
    zset = found;
    break;
  }
  const w = client.w;
  if (zset === undefined) {
    if (nilWhenEmpty) w.nullArray();
    else w.arrayHeader(0);
    return;
  }
  if (count === 0) {
    w.arrayHeader(0);
    return;
  }
  const taken = Math.min(count === -1 ? 1 : count, zset.size);
  if (!nested && !emitKey) {
    w.arrayHeader(taken * 2);
  } else if (nested && !emitKey) {
    w.arrayHeader(taken);
  } else if (!nested) {
    w.arrayHeader(taken * 2 + 1);
    w.bulk(key);
  } else {
    w.arrayHeader(2);
    w.bulk(key);
    w.arrayHeader(taken);
  }
  const popped = max ? zset.set.popMax(taken) : zset.set.popMin(taken);
  for (const [member, score] of popped) {
    if (nested) w.arrayHeader(2);
    w.bulk(member);
    w.double(score);
  }
  const db = client.db;
  // server.dirty++ per member popped (one is the key's)
  client.server.changes(popped.length - 1);
  client.server.notify('z', max ? 'zpopmax' : 'zpopmin', key, db);
  // blocking pops and ZMPOP propagate as ZPOPMIN/ZPOPMAX, with the count they took
  if (emitKey) {
    const name = max ? 'ZPOPMAX' : 'ZPOPMIN';
    client.server.propagateAs(db, count === -1 ? [name, key] : [name, key, String(taken)]);
  }
  if (zset.size === 0) {
    db.delete(key);
    client.server.notify('g', 'del', key, db);
  } else {
    db.signalModified(key);
  }
}

function zpopMinMax(client: Client, argv: string[], max: boolean): void {
  if (argv.length > 3) {
    client.server.errorReply(client, ReplyError.SYNTAX);
    return;
  }
  let count = -1;
  if (argv.length === 3) {
    const parsed = positiveArg(client, argv[2] ?? '', ZError.MUST_BE_POSITIVE);
    if (parsed === undefined) return;
    count = parsed;
  }
  const nested = client.resp === 3 && count !== -1;
  genericZpop(client, [argv[1] ?? ''], max, false, count, nested, false);
}

/**
 * Pops for a blocked client; false when none of its keys holds members. redis-server serves the
 * client from the key that became ready (`readyKey`, when the server passes it); otherwise the
 * first of its keys holding a sorted set is used.
 */
function serveBlockedPop(
  client: Client,
  keys: readonly string[],
  max: boolean,
  count: number,
  nested: boolean,
  readyKey: string | undefined,
): boolean {
  const candidates = readyKey === undefined ? keys : [readyKey];
  for (const key of candidates) {
    // a key that became another type keeps the client blocked, as in redis-server 7.0
    const value = client.db.lookup(key);
    if (value instanceof ZSet && value.size > 0) {
      genericZpop(client, [key], max, true, count, nested, nested);
      return true;
    }
  }
  return false;
}

/**
 * blockingGenericZpopCommand: pops at once from the first non-empty key, else blocks until one
 * of the keys gets members or the deadline passes (nil array), first blocked first served.
 */
function blockingZpop(
  client: Client,
  keys: readonly string[],
  timeoutText: string,
  max: boolean,
  count: number,
  nested: boolean,
): void {
  const deadline = blockingTimeoutArg(client, timeoutText);
  if (deadline === undefined) return;
  for (const key of keys) {
    const zset = zsetAt(client, key, false);
    if (zset === null) return;
    if (zset === undefined || zset.size === 0) continue;
    genericZpop(client, [key], max, true, count, nested, nested);
    return;
  }
  // inside MULTI or a script the only possible answer is a timeout, even with timeout 0
  if (client.denyBlocking) {
    client.w.nullArray();
    return;
  }
  client.server.blockClient(
    client,
    keys,
    deadline,
    (readyKey?: string) => serveBlockedPop(client, keys, max, count, nested, readyKey),
    () => client.w.nullArray(),
  );
}

function bzpopMinMax(client: Client, argv: string[], max: boolean): void {
  blockingZpop(client, argv.slice(1, -1), argv[argv.length - 1] ?? '', max, -1, false);
}

/** zmpopGenericCommand: ZMPOP numkeys key... MIN|MAX [COUNT n], BZMPOP timeout numkeys ... */
function zmpopGeneric(client: Client, argv: string[], numkeysIndex: number, block: boolean): void {
  const server = client.server;
  const numkeys = atLeastOneArg(client, argv[numkeysIndex] ?? '', ZError.NUMKEYS);
  if (numkeys === undefined) return;
  const whereIndex = numkeysIndex + numkeys + 1;
  if (whereIndex >= argv.length) {
    server.errorReply(client, ReplyError.SYNTAX);
    return;
  }
  const where = argv[whereIndex];
  let max: boolean;
  if (is(where, 'MIN')) max = false;
  else if (is(where, 'MAX')) max = true;
  else {
    server.errorReply(client, ReplyError.SYNTAX);
    return;
  }
  let count = -1;
  for (let j = whereIndex + 1; j < argv.length; j++) {
    const more = argv.length - 1 - j;
    if (count === -1 && is(argv[j], 'COUNT') && more > 0) {
      j++;
      const parsed = atLeastOneArg(client, argv[j] ?? '', ZError.COUNT);
      if (parsed === undefined) return;
      count = parsed;
    } else {
      server.errorReply(client, ReplyError.SYNTAX);
      return;
    }
  }
  if (count === -1) count = 1;
  const keys = argv.slice(numkeysIndex + 1, whereIndex);
  if (block) blockingZpop(client, keys, argv[1] ?? '', max, count, true);
  else genericZpop(client, keys, max, true, count, true, true);
}

// ---------------------------------------------------------------------------------------------
// ZRANDMEMBER

function zrandmember(client: Client, argv: string[]): void {
  const server = client.server;
  if (argv.length < 3) {
    const zset = zsetAt(client, argv[1] ?? '', true);
    if (zset === null) return;
    const member = zset?.set.randomMember();
    if (member === undefined) client.w.nil();
    else client.w.bulk(member);
    return;
  }
  const parsed = parseInt64(argv[2] ?? '');
  if (parsed === undefined) {
    server.errorReply(client, ReplyError.NOT_INTEGER);
    return;
  }
  if (parsed < -INT64_MAX) {
    server.errorReply(client, ZError.RANDMEMBER_COUNT);
    return;
  }
  if (argv.length > 4 || (argv.length === 4 && !is(argv[3], 'WITHSCORES'))) {
    server.errorReply(client, ReplyError.SYNTAX);
    return;
  }
  const withScores = argv.length === 4;
  if (withScores && (parsed < -LONG_MAX_HALF || parsed > LONG_MAX_HALF)) {
    server.errorReply(client, ZError.OUT_OF_RANGE);
    return;
  }
  const zset = zsetAt(client, argv[1] ?? '', true);
  if (zset === null) return;
  const w = client.w;
  if (zset === undefined || parsed === 0) {
    w.arrayHeader(0);
    return;
  }
  // counts past 2^53 cannot be served anyway: they are clamped (the header keeps the count)
  const requested = typeof parsed === 'number' ? parsed : parsed > 0 ? 2 ** 53 : -(2 ** 53);
  const set = zset.set;
  const size = set.size;
  const pairs = withScores && client.resp === 3;
  if (requested < 0 || requested === 1) {
    // with repetitions, drawn one at a time: no array of -count entries is ever built
    const count = requested < 0 ? -requested : 1;
    const elements = requested < 0 ? -BigInt(parsed) : 1n;
    repeatsHeader(client, withScores && !pairs ? elements * 2n : elements);
    const exceeded = replyBudget(client);
    for (let i = 0; i < count; i++) {
      const member = set.randomMember() ?? '';
      if (pairs) w.arrayHeader(2);
      w.bulk(member);
      if (withScores) w.double(set.score(member) ?? 0);
      if ((i & 1023) === 1023 && exceeded()) break;
    }
    return;
  }
  clearRange();
  // the whole set, in the order redis-server's zset iterator walks it: highest score first
  if (requested >= size) set.forEach(collect, true);
  else for (const [member, score] of set.randomEntries(requested)) collect(member, score);
  writeRange(client, withScores);
}

// ---------------------------------------------------------------------------------------------
// ZUNION ZINTER ZDIFF ZINTERCARD and the STORE forms

const OP_UNION = 0;
const OP_INTER = 1;
const OP_DIFF = 2;
type SetOp = typeof OP_UNION | typeof OP_INTER | typeof OP_DIFF;

/** zunionInterDiffGenericCommand. */
function zsetOperation(
  client: Client,
  argv: string[],
  destination: string | undefined,
  numkeysIndex: number,
  op: SetOp,
  cardinalityOnly: boolean,
): void {
  const server = client.server;
  const parsedCount = parseInt64(argv[numkeysIndex] ?? '');
  if (parsedCount === undefined) {
    server.errorReply(client, ReplyError.NOT_INTEGER);
    return;
  }
  if (parsedCount < 1) {
    server.errorReply(client, atLeastOneKey((argv[0] ?? '').toLowerCase()));
    return;
  }
  if (parsedCount > argv.length - (numkeysIndex + 1)) {
    server.errorReply(client, ReplyError.SYNTAX);
    return;
  }
  const setCount = Number(parsedCount);
  const sources: ZSource[] = [];
  let j = numkeysIndex + 1;
  for (let i = 0; i < setCount; i++, j++) {
    const value: Value | undefined = client.db.lookupRead(argv[j] ?? '');
    if (value !== undefined && !(value instanceof ZSet) && !(value instanceof SetValue)) {
      server.errorReply(client, ReplyError.WRONGTYPE);
      return;
    }
    sources.push(new ZSource(value));
  }
  let aggregate: Aggregate = Aggregate.SUM;
  let withScores = false;
  let limit = 0;
  while (j < argv.length) {
    const remaining = argv.length - j;
    const arg = argv[j];
    if (op !== OP_DIFF && !cardinalityOnly && remaining >= setCount + 1 && is(arg, 'WEIGHTS')) {
      j++;
      for (const source of sources) {
        const weight = parseScore(argv[j++] ?? '');
        if (weight === undefined) {
          server.errorReply(client, ZError.WEIGHT);
          return;
        }
        source.weight = weight;
      }
    } else if (op !== OP_DIFF && !cardinalityOnly && remaining >= 2 && is(arg, 'AGGREGATE')) {
      const name = argv[j + 1];
      if (is(name, 'SUM')) aggregate = Aggregate.SUM;
      else if (is(name, 'MIN')) aggregate = Aggregate.MIN;
      else if (is(name, 'MAX')) aggregate = Aggregate.MAX;
      else {
        server.errorReply(client, ReplyError.SYNTAX);
        return;
      }
      j += 2;
    } else if (destination === undefined && !cardinalityOnly && is(arg, 'WITHSCORES')) {
      withScores = true;
      j++;
    } else if (cardinalityOnly && remaining >= 2 && is(arg, 'LIMIT')) {
      const parsed = positiveArg(client, argv[j + 1] ?? '', ZError.LIMIT_NEGATIVE);
      if (parsed === undefined) return;
      limit = parsed;
      j += 2;
    } else {
      server.errorReply(client, ReplyError.SYNTAX);
      return;
    }
  }
  if (cardinalityOnly) {
    client.w.integer(inter(sources, aggregate, true, limit).cardinality);
    return;
  }
  const result =
    op === OP_UNION
      ? union(sources, aggregate)
      : op === OP_INTER
        ? inter(sources, aggregate)
        : diff(sources);
  if (destination !== undefined) {
    const event = op === OP_UNION ? 'zunionstore' : op === OP_INTER ? 'zinterstore' : 'zdiffstore';
    storeResult(client, destination, toZSet(result, limitsOf(client)), event);
    return;
  }
  // the reply comes from Redis's skiplist-encoded intermediate result (a -0 score stays -0)
  clearRange();
  const { members, scores } = result;
  for (const index of sortedOrder(result)) collect(members[index] ?? '', scores[index] ?? 0);
  writeRange(client, withScores);
}

// ---------------------------------------------------------------------------------------------
// ZSCAN and the book's ZQUERY

function zscan(client: Client, argv: string[]): void {
  const cursor = parseCursor(client, argv[2] ?? '');
  if (cursor === undefined) return;
  const zset = zsetAt(client, argv[1] ?? '', true);
  if (zset === null) return;
  const w = client.w;
  if (zset === undefined) {
    w.arrayHeader(2);
    w.bulk('0');
    w.arrayHeader(0);
    return;
  }
  const options = parseScanOptions(client, argv, 3, false);
  if (options === undefined) return;
  clearRange();
  const next = zset.scan(cursor, options.count, collect);
  const pattern = options.pattern;
  let kept = rangeMembers.length;
  if (pattern !== undefined) {
    kept = 0;
    for (let i = 0; i < rangeMembers.length; i++) {
      const member = rangeMembers[i] ?? '';
      if (!globMatch(pattern, member)) continue;
      rangeMembers[kept] = member;
      rangeScores[kept] = rangeScores[i] ?? 0;
      kept++;
    }
  }
  w.arrayHeader(2);
  w.bulk(String(next));
  w.arrayHeader(kept * 2);
  // scores are bulk strings in both protocols, as the encoding holds them: a listpack's text, or
  // the skiplist's double printed with %.17g
  const listpack = zset.encoding() === 'listpack';
  for (let i = 0; i < kept; i++) {
    w.bulk(rangeMembers[i] ?? '');
    const score = rangeScores[i] ?? 0;
    w.bulk(listpack ? listpackScoreText(score) : formatDouble(score));
  }
  clearRange();
}

/**
 * ZQUERY key score member offset limit (the book's command): member, score pairs from the first
 * (score, member) >= the given pair, `offset` pairs further (backward when negative), at most
 * `limit` array elements.
 */
function zquery(client: Client, argv: string[]): void {
  const score = parseScore(argv[2] ?? '');
  if (score === undefined) {
    client.server.errorReply(client, ReplyError.NOT_FLOAT);
    return;
  }
  const offset = safeIntArg(client, argv[4] ?? '');
  if (offset === undefined) return;
  const limit = safeIntArg(client, argv[5] ?? '');
  if (limit === undefined) return;
  const zset = zsetAt(client, argv[1] ?? '', true);
  if (zset === null) return;
  const w = client.w;
  if (zset === undefined) {
    w.arrayHeader(0);
    return;
  }
  const entries = zset.set.query(score, argv[3] ?? '', offset, limit);
  w.arrayHeader(entries.length * 2);
  for (const [member, memberScore] of entries) {
    w.bulk(member);
    w.double(memberScore);
  }
}

/** Sorted-set command handlers. */
export const zsetsCommands: HandlerTable = {
  zadd: (client, argv) => zaddGeneric(client, argv, false),
  zincrby: (client, argv) => zaddGeneric(client, argv, true),
  zrem,
  zremrangebyrank: (client, argv) => zremrangeGeneric(client, argv, RANGE_RANK),
  zremrangebyscore: (client, argv) => zremrangeGeneric(client, argv, RANGE_SCORE),
  zremrangebylex: (client, argv) => zremrangeGeneric(client, argv, RANGE_LEX),
  zcard,
  zscore,
  zmscore,
  zrank: (client, argv) => zrankGeneric(client, argv, false),
  zrevrank: (client, argv) => zrankGeneric(client, argv, true),
  zcount,
  zlexcount,
  zrange: (client, argv) => zrangeGeneric(client, argv, 1, undefined, RANGE_AUTO, DIRECTION_AUTO),
  zrangestore: (client, argv) =>
    zrangeGeneric(client, argv, 2, argv[1] ?? '', RANGE_AUTO, DIRECTION_AUTO),
  zrevrange: (client, argv) =>
    zrangeGeneric(client, argv, 1, undefined, RANGE_RANK, DIRECTION_REVERSE),
  zrangebyscore: (client, argv) =>
    zrangeGeneric(client, argv, 1, undefined, RANGE_SCORE, DIRECTION_FORWARD),
  zrevrangebyscore: (client, argv) =>
    zrangeGeneric(client, argv, 1, undefined, RANGE_SCORE, DIRECTION_REVERSE),
  zrangebylex: (client, argv) =>
    zrangeGeneric(client, argv, 1, undefined, RANGE_LEX, DIRECTION_FORWARD),
  zrevrangebylex: (client, argv) =>
    zrangeGeneric(client, argv, 1, undefined, RANGE_LEX, DIRECTION_REVERSE),
  zpopmin: (client, argv) => zpopMinMax(client, argv, false),
  zpopmax: (client, argv) => zpopMinMax(client, argv, true),
  bzpopmin: (client, argv) => bzpopMinMax(client, argv, false),
  bzpopmax: (client, argv) => bzpopMinMax(client, argv, true),
  zmpop: (client, argv) => zmpopGeneric(client, argv, 1, false),
  bzmpop: (client, argv) => zmpopGeneric(client, argv, 2, true),
  zrandmember,
  zunion: (client, argv) => zsetOperation(client, argv, undefined, 1, OP_UNION, false),
  zinter: (client, argv) => zsetOperation(client, argv, undefined, 1, OP_INTER, false),
  zdiff: (client, argv) => zsetOperation(client, argv, undefined, 1, OP_DIFF, false),
  zintercard: (client, argv) => zsetOperation(client, argv, undefined, 1, OP_INTER, true),
  zunionstore: (client, argv) => zsetOperation(client, argv, argv[1] ?? '', 2, OP_UNION, false),
  zinterstore: (client, argv) => zsetOperation(client, argv, argv[1] ?? '', 2, OP_INTER, false),
  zdiffstore: (client, argv) => zsetOperation(client, argv, argv[1] ?? '', 2, OP_DIFF, false),
  zscan,
  zquery,
};
