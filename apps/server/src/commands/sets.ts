import type { Client } from '../client.js';
import type { Config } from '../config/config.js';
import { ReplyError } from '../errors.js';
import { SetValue } from '../types/set.js';
import { globMatch } from '../util/glob.js';
import { parseInt64 } from '../util/numbers.js';
import type { Value } from '../values.js';
import { is } from './args.js';
import { repeatsHeader, replyBudget, signedCountArg } from './hashes.js';
import { parseCursor, parseScanOptions } from './keys.js';
import type { HandlerTable } from './types.js';

/**
 * Set commands (t_set.c of redis-server 7.0): SADD SREM SMEMBERS SISMEMBER SMISMEMBER SCARD SPOP
 * SRANDMEMBER SMOVE SINTER SINTERCARD SINTERSTORE SUNION SUNIONSTORE SDIFF SDIFFSTORE SSCAN.
 * Values are {@link SetValue}s.
 */

const MUST_BE_POSITIVE = 'ERR value is out of range, must be positive';
const NUMKEYS = 'ERR numkeys should be greater than 0';
const TOO_MANY_KEYS = "ERR Number of keys can't be greater than number of args";
const LIMIT_NEGATIVE = "ERR LIMIT can't be negative";
/** SPOP_MOVE_STRATEGY_MUL: past this ratio SPOP rebuilds the set from the members it keeps */
const SPOP_MOVE_STRATEGY_MUL = 5;

/** set-max-intset-entries, followed through CONFIG SET. */
const intsetLimits = new WeakMap<Config, { entries: number }>();

function maxIntset(client: Client): number {
  const config = client.server.config;
  let limit = intsetLimits.get(config);
  if (limit === undefined) {
    const created = { entries: config.number('set-max-intset-entries') };
    config.onChange('set-max-intset-entries', (text) => (created.entries = Number(text)));
    intsetLimits.set(config, created);
    limit = created;
  }
  return limit.entries;
}

/** Writes WRONGTYPE and returns true when `value` exists and is not a set. */
function notSet(client: Client, value: Value | undefined): boolean {
  if (value !== undefined && !(value instanceof SetValue)) {
    client.server.errorReply(client, ReplyError.WRONGTYPE);
    return true;
  }
  return false;
}

function sadd(client: Client, argv: string[]): void {
  const key = argv[1] ?? '';
  const db = client.db;
  const existing = db.lookup(key);
  if (notSet(client, existing)) return;
  const set = (existing as SetValue | undefined) ?? SetValue.forMember(argv[2] ?? '');
  const max = maxIntset(client);
  let added = 0;
  for (let i = 2; i < argv.length; i++) if (set.add(argv[i] ?? '', max)) added++;
  if (existing === undefined) db.add(key, set);
  else if (added) db.signalModified(key);
  if (added) {
    // server.dirty += added (one is the key's)
    client.server.changes(added - 1);
    client.server.notify('s', 'sadd', key, db);
  }
  client.w.integer(added);
}

function srem(client: Client, argv: string[]): void {
  const key = argv[1] ?? '';
  const db = client.db;
  const value = db.lookup(key);
  if (value === undefined) {
    client.w.integer(0);
    return;
  }
  if (notSet(client, value)) return;
  const set = value as SetValue;
  let deleted = 0;
  let removed = false;
  for (let i = 2; i < argv.length; i++) {
    if (set.remove(argv[i] ?? '')) {
      deleted++;
      if (set.size === 0) {
        db.delete(key);
        removed = true;
        break;
      }
    }
  }
  if (deleted) {
    if (!removed) db.signalModified(key);
    client.server.changes(deleted - 1);
    client.server.notify('s', 'srem', key, db);
    if (removed) client.server.notify('g', 'del', key, db);
  }
  client.w.integer(deleted);
}

function smove(client: Client, argv: string[]): void {
  const sourceKey = argv[1] ?? '';
  const destinationKey = argv[2] ?? '';
  const member = argv[3] ?? '';
  const db = client.db;
  const source = db.lookup(sourceKey);
  const destination = db.lookup(destinationKey);
  if (source === undefined) {
    client.w.integer(0);
    return;
  }
  if (notSet(client, source) || notSet(client, destination)) return;
  const from = source as SetValue;
  // the same key: SMOVE is a no-op that reports membership
  if (source === destination) {
    client.w.integer(from.has(member) ? 1 : 0);
    return;
  }
  if (!from.remove(member)) {
    client.w.integer(0);
    return;
  }
  client.server.notify('s', 'srem', sourceKey, db);
  if (from.size === 0) {
    db.delete(sourceKey);
    client.server.notify('g', 'del', sourceKey, db);
  } else {
    db.signalModified(sourceKey);
  }
  const max = maxIntset(client);
  if (destination === undefined) {
    const to = SetValue.forMember(member);
    to.add(member, max);
    db.add(destinationKey, to);
    client.server.notify('s', 'sadd', destinationKey, db);
  } else if ((destination as SetValue).add(member, max)) {
    db.signalModified(destinationKey);
    client.server.notify('s', 'sadd', destinationKey, db);
  }
  client.w.integer(1);
}

function sismember(client: Client, argv: string[]): void {
  const value = client.db.lookupRead(argv[1] ?? '');
  if (value === undefined) {
    client.w.integer(0);
    return;
  }
  if (notSet(client, value)) return;
  client.w.integer((value as SetValue).has(argv[2] ?? '') ? 1 : 0);
}

function smismember(client: Client, argv: string[]): void {
  const value = client.db.lookupRead(argv[1] ?? '');
  if (notSet(client, value)) return;
  const set = value as SetValue | undefined;
  client.w.arrayHeader(argv.length - 2);
  for (let i = 2; i < argv.length; i++)
    client.w.integer(set !== undefined && set.has(argv[i] ?? '') ? 1 : 0);
}

function scard(client: Client, argv: string[]): void {
  const value = client.db.lookupRead(argv[1] ?? '');
  if (value === undefined) {
    client.w.integer(0);
    return;
  }
  if (notSet(client, value)) return;
  client.w.integer((value as SetValue).size);
}

/** Writes a set reply (`~n` in RESP3) of members. */
function replyMembers(client: Client, members: readonly string[]): void {
  client.w.setHeader(members.length);
  for (let i = 0; i < members.length; i++) client.w.bulk(members[i] as string);
}

/** The union of sets into a new set, built as redis-server builds it (an intset first). */
function union(client: Client, sets: readonly (SetValue | undefined)[]): SetValue {
  const result = new SetValue(true);
  const max = maxIntset(client);
  for (const set of sets) if (set !== undefined) for (const member of set) result.add(member, max);
  return result;
}

function spop(client: Client, argv: string[]): void {
  if (argv.length === 3) {
    spopWithCount(client, argv);
    return;
  }
  if (argv.length > 3) {
    client.server.errorReply(client, ReplyError.SYNTAX);
    return;
  }
  const key = argv[1] ?? '';
  const db = client.db;
  const value = db.lookup(key);
  if (value === undefined) {
    client.w.nil();
    return;
  }
  if (notSet(client, value)) return;
  const set = value as SetValue;
  const member = set.random() as string;
  set.remove(member);
  client.server.notify('s', 'spop', key, db);
  client.server.propagateAs(db, ['SREM', key, member]);
  client.w.bulk(member);
  if (set.size === 0) {
    db.delete(key);
    client.server.notify('g', 'del', key, db);
  } else {
    db.signalModified(key);
  }
}

function spopWithCount(client: Client, argv: string[]): void {
  // getPositiveLongFromObjectOrReply: one message for "not a number" and "negative"
  const parsed = parseInt64(argv[2] ?? '');
  if (parsed === undefined || parsed < 0) {
    client.server.errorReply(client, MUST_BE_POSITIVE);
    return;
  }
  const key = argv[1] ?? '';
  const db = client.db;
  const value = db.lookup(key);
  if (value === undefined) {
    client.w.setHeader(0);
    return;
  }
  if (notSet(client, value)) return;
  const set = value as SetValue;
  const count = Number(parsed);
  if (count === 0) {
    client.w.setHeader(0);
    return;
  }
  const size = set.size;
  client.server.notify('s', 'spop', key, db);
  // server.dirty += the members popped (one is the key's)
  client.server.changes(Math.min(count, size) - 1);
  // CASE 1: everything goes; the reply is built as SUNION builds it (whose read of the key is
  // a keyspace hit)
  if (count >= size) {
    client.server.stats.keyspaceHits++;
    replyMembers(client, union(client, [set]).members());
    db.delete(key);
    client.server.notify('g', 'del', key, db);
    client.server.propagateAs(db, ['DEL', key]);
    return;
  }
  const remaining = size - count;
  client.w.setHeader(count);
  if (remaining * SPOP_MOVE_STRATEGY_MUL > count) {
    // CASE 2: pick and remove `count` random members
    for (const member of set.sample(count)) {
      client.w.bulk(member);
      set.remove(member);
      client.server.propagateAs(db, ['SREM', key, member]);
    }
    db.signalModified(key);
    return;
  }
  // CASE 3: move the `remaining` kept members to a new set, reply with what is left in the old
  // one (in its order: ascending for an intset), and store the new set (keeping the TTL)
  const kept = set.sample(remaining);
  const rebuilt = SetValue.forMember(kept[0] ?? '');
  const max = maxIntset(client);
  for (const member of kept) {
    rebuilt.add(member, max);
    set.remove(member);
  }
  for (const member of set) client.w.bulk(member);
  for (const member of set) client.server.propagateAs(db, ['SREM', key, member]);
  db.update(key, rebuilt);
}

function srandmember(client: Client, argv: string[]): void {
  if (argv.length === 3) {
    srandmemberWithCount(client, argv);
    return;
  }
  if (argv.length > 3) {
    client.server.errorReply(client, ReplyError.SYNTAX);
    return;
  }
  const value = client.db.lookupRead(argv[1] ?? '');
  if (value === undefined) {
    client.w.nil();
    return;
  }
  if (notSet(client, value)) return;
  client.w.bulk((value as SetValue).random() as string);
}

function srandmemberWithCount(client: Client, argv: string[]): void {
  const signed = signedCountArg(client, argv[2] ?? '');
  if (signed === undefined) return;
  const value = client.db.lookupRead(argv[1] ?? '');
  const w = client.w;
  if (value === undefined) {
    w.arrayHeader(0);
    return;
  }
  if (notSet(client, value)) return;
  const set = value as SetValue;
  const unique = signed >= 0n;
  const count = Number(unique ? signed : -signed);
  if (count === 0) {
    w.arrayHeader(0);
    return;
  }
  // CASE 1: a negative count (repeats allowed), or a single pick
  if (!unique || count === 1) {
    repeatsHeader(client, unique ? signed : -signed);
    const exceeded = replyBudget(client);
    for (let i = 0; i < count; i++) {
      w.bulk(set.random() as string);
      if ((i & 1023) === 1023 && exceeded()) break;
    }
    return;
  }
  // CASE 2: the whole set, in its order
  if (count >= set.size) {
    w.arrayHeader(set.size);
    for (const member of set) w.bulk(member);
    return;
  }
  // CASE 3 and 4: distinct random members
  const members = set.sample(count);
  w.arrayHeader(members.length);
  for (let i = 0; i < members.length; i++) w.bulk(members[i] as string);
}

/**
 * Looks up the sets of a set-algebra command (missing keys are undefined); replies WRONGTYPE and
 * returns undefined when one of them is not a set.
 */
function lookupSets(client: Client, keys: readonly string[]): (SetValue | undefined)[] | undefined {
  const sets: (SetValue | undefined)[] = [];
  for (const key of keys) {
    const value = client.db.lookupRead(key);
    if (notSet(client, value)) return undefined;
    sets.push(value as SetValue | undefined);
  }
  return sets;
}

/** Stores a computed set in `destination` (setKey), or deletes it when the result is empty. */
function store(client: Client, destination: string, result: SetValue, event: string): void {
  const db = client.db;
  if (result.size > 0) {
    db.set(destination, result);
    client.w.integer(result.size);
    client.server.notify('s', event, destination, db);
    return;
  }
  client.w.integer(0);
  if (db.lookup(destination) !== undefined && db.delete(destination))
    client.server.notify('g', 'del', destination, db);
}

/** sinterGenericCommand: SINTER, SMEMBERS, SINTERSTORE and SINTERCARD. */
function sinterGeneric(
  client: Client,
  keys: readonly string[],
  destination: string | undefined,
  cardinalityOnly: boolean,
  limit: number,
): void {
  const found = lookupSets(client, keys);
  if (!found) return;
  if (found.includes(undefined)) {
    // an intersection with an empty set is empty
    if (destination !== undefined) {
      const db = client.db;
      if (db.lookup(destination) !== undefined && db.delete(destination))
        client.server.notify('g', 'del', destination, db);
      client.w.integer(0);
    } else if (cardinalityOnly) client.w.integer(0);
    else client.w.setHeader(0);
    return;
  }
  // smallest first (a stable sort, as glibc's qsort is for these sizes)
  const sets = (found as SetValue[]).slice().sort((a, b) => a.size - b.size);
  const first = sets[0] as SetValue;
  const result: string[] = [];
  let cardinality = 0;
  for (const member of first) {
    let inAll = true;
    for (let j = 1; j < sets.length; j++) {
      const other = sets[j] as SetValue;
      if (other === first) continue;
      if (!other.has(member)) {
        inAll = false;
        break;
      }
    }
    if (!inAll) continue;
    if (cardinalityOnly) {
      cardinality++;
      if (limit && cardinality >= limit) break;
    } else {
      result.push(member);
    }
  }
  if (cardinalityOnly) {
    client.w.integer(cardinality);
  } else if (destination !== undefined) {
    const stored = new SetValue(true);
    const max = maxIntset(client);
    for (const member of result) stored.add(member, max);
    store(client, destination, stored, 'sinterstore');
  } else {
    replyMembers(client, result);
  }
}

const UNION = 0;
const DIFF = 1;

/** sunionDiffGenericCommand: SUNION, SDIFF and their STORE forms. */
function sunionDiffGeneric(
  client: Client,
  keys: readonly string[],
  destination: string | undefined,
  operation: typeof UNION | typeof DIFF,
): void {
  const sets = lookupSets(client, keys);
  if (!sets) return;
  const first = sets[0];
  const sameSet = first !== undefined && sets.indexOf(first, 1) > 0;
  const max = maxIntset(client);
  let result: SetValue;
  if (operation === UNION) {
    result = union(client, sets);
  } else {
    result = new SetValue(true);
    if (first !== undefined && !sameSet) {
      // the same choice of algorithm as redis-server: it decides when the result set (an intset
      // at first) converts to a hashtable, and so the order of the reply
      let algorithmOneWork = 0;
      let algorithmTwoWork = 0;
      for (const set of sets) {
        if (set === undefined) continue;
        algorithmOneWork += first.size;
        algorithmTwoWork += set.size;
      }
      if (Math.floor(algorithmOneWork / 2) <= algorithmTwoWork) {
        for (const member of first) {
          let elsewhere = false;
          for (let j = 1; j < sets.length && !elsewhere; j++) elsewhere = !!sets[j]?.has(member);
          if (!elsewhere) result.add(member, max);
        }
      } else {
        for (let j = 0; j < sets.length; j++) {
          const set = sets[j];
          if (set === undefined) continue;
          if (j === 0) for (const member of set) result.add(member, max);
          else for (const member of set) result.remove(member);
          if (result.size === 0) break;
        }
      }
    }
  }
  if (destination === undefined) {
    replyMembers(client, result.members());
    return;
  }
  store(client, destination, result, operation === UNION ? 'sunionstore' : 'sdiffstore');
}

function sintercard(client: Client, argv: string[]): void {
  const numkeys = parseInt64(argv[1] ?? '');
  if (numkeys === undefined || numkeys < 1) {
    client.server.errorReply(client, NUMKEYS);
    return;
  }
  if (numkeys > argv.length - 2) {
    client.server.errorReply(client, TOO_MANY_KEYS);
    return;
  }
  const keyCount = Number(numkeys);
  let limit = 0;
  for (let j = 2 + keyCount; j < argv.length; j++) {
    const more = argv.length - 1 - j;
    if (is(argv[j], 'LIMIT') && more > 0) {
      j++;
      const parsed = parseInt64(argv[j] ?? '');
      if (parsed === undefined || parsed < 0) {
        client.server.errorReply(client, LIMIT_NEGATIVE);
        return;
      }
      limit = Number(parsed);
    } else {
      client.server.errorReply(client, ReplyError.SYNTAX);
      return;
    }
  }
  sinterGeneric(client, argv.slice(2, 2 + keyCount), undefined, true, limit);
}

function sscan(client: Client, argv: string[]): void {
  const cursor = parseCursor(client, argv[2] ?? '');
  if (cursor === undefined) return;
  const value = client.db.lookupRead(argv[1] ?? '');
  const w = client.w;
  if (value === undefined) {
    w.arrayHeader(2);
    w.bulk('0');
    w.arrayHeader(0);
    return;
  }
  if (notSet(client, value)) return;
  const options = parseScanOptions(client, argv, 3, false);
  if (!options) return;
  const pattern = options.pattern;
  const items: string[] = [];
  const next = (value as SetValue).scan(cursor, options.count, (member) => {
    if (pattern === undefined || globMatch(pattern, member)) items.push(member);
  });
  w.arrayHeader(2);
  w.bulk(String(next));
  w.arrayHeader(items.length);
  for (let i = 0; i < items.length; i++) w.bulk(items[i] as string);
}

/**
 * The set command group, registered by lower-case name. SADD/SREM/SISMEMBER: O(1) per member
 * for a hashtable, O(log n) lookups and O(n) writes for an intset (at most 512 members); the
 * algebra commands are O(total members), SPOP/SRANDMEMBER O(count).
 *
 * @example
 * ```ts
 * const server = new Server(config, logger, clock, [hashesCommands, setsCommands]);
 * ```
 */
export const setsCommands: HandlerTable = {
  sadd,
  srem,
  smove,
  sismember,
  smismember,
  scard,
  spop,
  srandmember,
  smembers: (client, argv) => sinterGeneric(client, argv.slice(1, 2), undefined, false, 0),
  sinter: (client, argv) => sinterGeneric(client, argv.slice(1), undefined, false, 0),
  sinterstore: (client, argv) => sinterGeneric(client, argv.slice(2), argv[1] ?? '', false, 0),
  sintercard,
  sunion: (client, argv) => sunionDiffGeneric(client, argv.slice(1), undefined, UNION),
  sunionstore: (client, argv) => sunionDiffGeneric(client, argv.slice(2), argv[1] ?? '', UNION),
  sdiff: (client, argv) => sunionDiffGeneric(client, argv.slice(1), undefined, DIFF),
  sdiffstore: (client, argv) => sunionDiffGeneric(client, argv.slice(2), argv[1] ?? '', DIFF),
  sscan,
};
