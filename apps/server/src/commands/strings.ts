import type { Client } from '../client.js';
import { ReplyError } from '../errors.js';
import { addInt64, type Int64 } from '../util/numbers.js';
import { addLongDouble, formatLongDouble, parseLongDouble } from '../util/longdouble.js';
import { checkStringLength, intArg, is, notString, safeIntArg } from './args.js';
import type { HandlerTable } from './types.js';
import { lcsCommand } from './lcs.js';

/** String commands (t_string.c). Values are latin1 strings, one char per byte. */

const NX = 1;
const XX = 2;
const GET = 4;
const KEEPTTL = 8;
const PERSIST = 16;
const EX = 32;
const PX = 64;
const EXAT = 128;
const PXAT = 256;
const ANY_EXPIRE = EX | PX | EXAT | PXAT;

interface ExtendedArgs {
  flags: number;
  /** the expire option's argument, when one was given */
  expireText: string | undefined;
}

/**
 * SET / GETEX options, parsed exactly as parseExtendedStringArgumentsOrReply: options may repeat
 * (the last EX wins), conflicting ones are a syntax error. The expire time is checked by
 * {@link deadlineOf} (SET before its lookup, GETEX after).
 */
function parseExtended(
  client: Client,
  argv: string[],
  from: number,
  command: 'set' | 'getex',
): ExtendedArgs | undefined {
  let flags = 0;
  let expireText: string | undefined;
  for (let j = from; j < argv.length; j++) {
    const opt = argv[j] ?? '';
    const next = j === argv.length - 1 ? undefined : argv[j + 1];
    const upper = opt.toUpperCase();
    if (upper === 'NX' && !(flags & XX) && command === 'set') flags |= NX;
    else if (upper === 'XX' && !(flags & NX) && command === 'set') flags |= XX;
    else if (upper === 'GET' && command === 'set') flags |= GET;
    else if (upper === 'KEEPTTL' && !(flags & (PERSIST | ANY_EXPIRE)) && command === 'set')
      flags |= KEEPTTL;
    else if (upper === 'PERSIST' && command === 'getex' && !(flags & (ANY_EXPIRE | KEEPTTL)))
      flags |= PERSIST;
    else if (
      upper === 'EX' &&
      !(flags & (KEEPTTL | PERSIST | EXAT | PX | PXAT)) &&
      next !== undefined
    ) {
      flags |= EX;
      expireText = next;
      j++;
    } else if (
      upper === 'PX' &&
      !(flags & (KEEPTTL | PERSIST | EX | EXAT | PXAT)) &&
      next !== undefined
    ) {
      flags |= PX;
      expireText = next;
      j++;
    } else if (
      upper === 'EXAT' &&
      !(flags & (KEEPTTL | PERSIST | EX | PX | PXAT)) &&
      next !== undefined
    ) {
      flags |= EXAT;
      expireText = next;
      j++;
    } else if (
      upper === 'PXAT' &&
      !(flags & (KEEPTTL | PERSIST | EX | EXAT | PX)) &&
      next !== undefined
    ) {
      flags |= PXAT;
      expireText = next;
      j++;
    } else {
      client.server.errorReply(client, ReplyError.SYNTAX);
      return undefined;
    }
  }
  return { flags, expireText };
}

/**
 * The absolute deadline in ms of the expire option (undefined without one), or null after an
 * error reply: expire times must be positive and not overflow (getExpireMillisecondsOrReply).
 */
function deadlineOf(
  client: Client,
  { flags, expireText }: ExtendedArgs,
  command: 'set' | 'getex',
): number | undefined | null {
  if (expireText === undefined) return undefined;
  const deadline = expireDeadline(
    client,
    expireText,
    flags & (EX | EXAT) ? 1000 : 1,
    (flags & (EX | PX)) !== 0,
    command,
  );
  return deadline === undefined ? null : deadline;
}

/** getExpireMillisecondsOrReply: a positive amount, in seconds or ms, relative or absolute. */
export function expireDeadline(
  client: Client,
  text: string,
  unit: 1 | 1000,
  relative: boolean,
  command: string,
): number | undefined {
  const value = intArg(client, text);
  if (value === undefined) return undefined;
  const invalid = () => {
    client.server.errorReply(client, `ERR invalid expire time in '${command}' command`);
    return undefined;
  };
  const big = BigInt(value);
  if (big <= 0n || (unit === 1000 && big > 9223372036854775807n / 1000n)) return invalid();
  let ms = big * BigInt(unit);
  if (relative) ms += BigInt(client.server.now());
  if (ms <= 0n || ms > 9223372036854775807n) return invalid();
  return Number(ms);
}

function set(client: Client, argv: string[]): void {
  const key = argv[1] ?? '';
  const value = argv[2] ?? '';
  if (argv.length === 3) {
    setGeneric(client, key, value, 0, undefined, 'set');
    return;
  }
  const options = parseExtended(client, argv, 3, 'set');
  if (!options) return;
  const deadline = deadlineOf(client, options, 'set');
  if (deadline === null) return;
  setGeneric(client, key, value, options.flags, deadline, 'set', argv);
}

function setGeneric(
  client: Client,
  key: string,
  value: string,
  flags: number,
  deadline: number | undefined,
  command: string,
  argv: readonly string[] = [],
): void {
  const db = client.db;
  // the old value matters to GET (a read: getGenericCommand's hit or miss), NX and XX; otherwise
  // the lookup only expires a key whose TTL passed (lookupKeyWrite), which a database without
  // TTLs has none of: one hash lookup saved
  const old =
    flags & GET
      ? db.lookupRead(key)
      : flags & (NX | XX) || db.expiresCount !== 0
        ? db.lookup(key)
        : undefined;
  if (flags & GET) {
    if (notString(client, old)) return;
  }
  const found = old !== undefined;
  if ((flags & NX && found) || (flags & XX && !found)) {
    if (flags & GET) {
      if (old === undefined) client.w.nil();
      else client.w.bulk(old as string);
    } else {
      client.w.nil();
    }
    return;
  }
  db.set(key, value, (flags & KEEPTTL) !== 0);
  client.server.notify('$', 'set', key, db);
  if (deadline !== undefined) {
    db.setExpire(key, deadline);
    client.server.notify('g', 'expire', key, db);
    // propagated as SET key value PXAT ms, whatever the other options
    client.server.propagateAs(db, ['SET', key, value, 'PXAT', String(deadline)]);
  } else if (flags & GET) {
    // propagated without GET (which may be given more than once)
    client.server.propagateAs(
      db,
      argv.filter((arg, i) => i < 3 || !is(arg, 'GET')),
    );
  }
  if (flags & GET) {
    if (old === undefined) client.w.nil();
    else client.w.bulk(old as string);
  } else if (command === 'setnx') {
    client.w.integer(1);
  } else {
    client.w.ok();
  }
}

function setnx(client: Client, argv: string[]): void {
  const key = argv[1] ?? '';
  if (client.db.lookup(key) !== undefined) {
    client.w.integer(0);
    return;
  }
  setGeneric(client, key, argv[2] ?? '', NX, undefined, 'setnx');
}

function setexGeneric(client: Client, argv: string[], unit: 1 | 1000, command: string): void {
  const deadline = expireDeadline(client, argv[2] ?? '', unit, true, command);
  if (deadline === undefined) return;
  setGeneric(client, argv[1] ?? '', argv[3] ?? '', 0, deadline, command);
}

function get(client: Client, argv: string[]): void {
  const db = client.db;
  const value = db.lookupReadStored(argv[1] ?? '');
  if (value === undefined) client.w.nil();
  else if (typeof value !== 'object') db.bulk(client.w, value);
  else client.server.errorReply(client, ReplyError.WRONGTYPE);
}

function getex(client: Client, argv: string[]): void {
  const key = argv[1] ?? '';
  const options = parseExtended(client, argv, 2, 'getex');
  if (!options) return;
  const db = client.db;
  const value = db.lookupRead(key);
  if (value === undefined) {
    client.w.nil();
    return;
  }
  if (notString(client, value)) return;
  // redis-server checks the expire time once it has found the key
  const deadline = deadlineOf(client, options, 'getex');
  if (deadline === null) return;
  const { flags } = options;
  // reply first: the key may be deleted below when the new deadline has already passed
  client.w.bulk(value);
  if (deadline !== undefined && flags & (EXAT | PXAT) && client.server.alreadyExpired(deadline)) {
    db.delete(key, 'expire');
    client.server.notify('g', 'del', key, db);
    client.server.propagateAs(db, [client.server.deletionCommand('expire'), key]);
  } else if (deadline !== undefined) {
    db.setExpire(key, deadline);
    db.signalModified(key);
    client.server.notify('g', 'expire', key, db);
    client.server.propagateAs(db, ['PEXPIREAT', key, String(deadline)]);
  } else if (flags & PERSIST) {
    if (db.persist(key)) {
      db.signalModified(key);
      client.server.notify('g', 'persist', key, db);
      client.server.propagateAs(db, ['PERSIST', key]);
    }
  }
}

function getdel(client: Client, argv: string[]): void {
  const key = argv[1] ?? '';
  const db = client.db;
  const value = db.lookupRead(key);
  if (value === undefined) {
    client.w.nil();
    return;
  }
  if (notString(client, value)) return;
  client.w.bulk(value);
  db.delete(key, 'user-del');
  client.server.notify('g', 'del', key, db);
  client.server.propagateAs(db, [client.server.deletionCommand('user-del'), key]);
}

function getset(client: Client, argv: string[]): void {
  const key = argv[1] ?? '';
  const db = client.db;
  const old = db.lookupRead(key);
  if (notString(client, old)) return;
  if (old === undefined) client.w.nil();
  else client.w.bulk(old);
  db.set(key, argv[2] ?? '');
  client.server.notify('$', 'set', key, db);
  client.server.propagateAs(db, ['SET', key, argv[2] ?? '']);
}

function mget(client: Client, argv: string[]): void {
  const db = client.db;
  if (argv.length > 2) db.prefetch(argv, 1, 1);
  client.w.arrayHeader(argv.length - 1);
  for (let i = 1; i < argv.length; i++) {
    const value = db.lookupReadStored(argv[i] ?? '');
    if (value === undefined || typeof value === 'object') client.w.nil();
    else db.bulk(client.w, value);
  }
}

function msetGeneric(client: Client, argv: string[], nx: boolean): void {
  if (argv.length % 2 === 0) {
    client.server.errorReply(
      client,
      `ERR wrong number of arguments for '${nx ? 'msetnx' : 'mset'}' command`,
    );
    return;
  }
  const db = client.db;
  if (argv.length > 3) db.prefetch(argv, 1, 2);
  if (nx) {
    for (let i = 1; i < argv.length; i += 2) {
      if (db.lookup(argv[i] ?? '') !== undefined) {
        client.w.integer(0);
        return;
      }
    }
  }
  for (let i = 1; i < argv.length; i += 2) {
    const key = argv[i] ?? '';
    db.set(key, argv[i + 1] ?? '');
    client.server.notify('$', 'set', key, db);
  }
  if (nx) client.w.integer(1);
  else client.w.ok();
}

function append(client: Client, argv: string[]): void {
  const key = argv[1] ?? '';
  const suffix = argv[2] ?? '';
  const db = client.db;
  const value = db.lookup(key);
  let result: string;
  if (value === undefined) {
    result = suffix;
    db.add(key, result);
  } else {
    if (notString(client, value)) return;
    if (!checkStringLength(client, value.length, suffix.length)) return;
    result = value + suffix;
    db.update(key, result);
    db.setStringForm(key, 'raw');
  }
  client.server.notify('$', 'append', key, db);
  client.w.integer(result.length);
}

function strlen(client: Client, argv: string[]): void {
  const value = client.db.lookupRead(argv[1] ?? '');
  if (notString(client, value)) return;
  client.w.integer(value === undefined ? 0 : value.length);
}

function getrange(client: Client, argv: string[]): void {
  let start = safeIntArg(client, argv[2] ?? '');
  if (start === undefined) return;
  let end = safeIntArg(client, argv[3] ?? '');
  if (end === undefined) return;
  const value = client.db.lookupRead(argv[1] ?? '');
  if (value === undefined) {
    client.w.bulk('');
    return;
  }
  if (notString(client, value)) return;
  const length = value.length;
  if (start < 0 && end < 0 && start > end) {
    client.w.bulk('');
    return;
  }
  if (start < 0) start = length + start;
  if (end < 0) end = length + end;
  if (start < 0) start = 0;
  if (end < 0) end = 0;
  if (end >= length) end = length - 1;
  if (start > end || length === 0) client.w.bulk('');
  else client.w.bulk(value.slice(start, end + 1));
}

function setrange(client: Client, argv: string[]): void {
  const key = argv[1] ?? '';
  const patch = argv[3] ?? '';
  const offset = safeIntArg(client, argv[2] ?? '');
  if (offset === undefined) return;
  if (offset < 0) {
    client.server.errorReply(client, ReplyError.OFFSET_RANGE);
    return;
  }
  const db = client.db;
  const value = db.lookup(key);
  if (value === undefined) {
    if (patch.length === 0) {
      client.w.integer(0);
      return;
    }
    if (!checkStringLength(client, offset, patch.length)) return;
    const result = '\0'.repeat(offset) + patch;
    db.add(key, result);
    db.setStringForm(key, 'raw');
    client.server.notify('$', 'setrange', key, db);
    client.w.integer(result.length);
    return;
  }
  if (notString(client, value)) return;
  if (patch.length === 0) {
    client.w.integer(value.length);
    return;
  }
  if (!checkStringLength(client, offset, patch.length)) return;
  const padded = value.length < offset ? value + '\0'.repeat(offset - value.length) : value;
  const result = padded.slice(0, offset) + patch + padded.slice(offset + patch.length);
  db.update(key, result);
  db.setStringForm(key, 'raw');
  client.server.notify('$', 'setrange', key, db);
  client.w.integer(result.length);
}

function incrDecr(client: Client, key: string, increment: Int64): void {
  const db = client.db;
  const value = db.lookupStored(key);
  if (typeof value === 'object') {
    client.server.errorReply(client, ReplyError.WRONGTYPE);
    return;
  }
  let current: Int64 = 0;
  if (value !== undefined) {
    const parsed = db.integerOf(value);
    if (parsed === undefined) {
      client.server.errorReply(client, ReplyError.NOT_INTEGER);
      return;
    }
    current = parsed;
  }
  const result = addInt64(current, increment);
  if (result === undefined) {
    client.server.errorReply(client, ReplyError.OVERFLOW);
    return;
  }
  db.setInteger(key, result, value !== undefined);
  client.server.notify('$', 'incrby', key, db);
  client.w.integer(result);
}

function incrby(client: Client, argv: string[]): void {
  const increment = intArg(client, argv[2] ?? '');
  if (increment === undefined) return;
  incrDecr(client, argv[1] ?? '', increment);
}

function decrby(client: Client, argv: string[]): void {
  const decrement = intArg(client, argv[2] ?? '');
  if (decrement === undefined) return;
  if (decrement === -(2n ** 63n)) {
    client.server.errorReply(client, 'ERR decrement would overflow');
    return;
  }
  incrDecr(client, argv[1] ?? '', typeof decrement === 'number' ? -decrement : -decrement);
}

function incrbyfloat(client: Client, argv: string[]): void {
  const key = argv[1] ?? '';
  const db = client.db;
  const value = db.lookup(key);
  if (notString(client, value)) return;
  const current = parseLongDouble(value ?? '0');
  const increment = parseLongDouble(argv[2] ?? '');
  if (!current || !increment) {
    client.server.errorReply(client, ReplyError.NOT_FLOAT);
    return;
  }
  const sum = addLongDouble(current, increment);
  if (!sum) {
    client.server.errorReply(client, ReplyError.INCR_NAN_OR_INF);
    return;
  }
  const text = formatLongDouble(sum);
  if (value === undefined) db.add(key, text);
  else db.update(key, text);
  db.setStringForm(key, 'not-int');
  client.server.notify('$', 'incrbyfloat', key, db);
  client.server.propagateAs(db, ['SET', key, text, 'KEEPTTL']);
  client.w.bulk(text);
}

export const stringCommands: HandlerTable = {
  get,
  set,
  setnx,
  setex: (client, argv) => setexGeneric(client, argv, 1000, 'setex'),
  psetex: (client, argv) => setexGeneric(client, argv, 1, 'psetex'),
  getex,
  getdel,
  getset,
  mget,
  mset: (client, argv) => msetGeneric(client, argv, false),
  msetnx: (client, argv) => msetGeneric(client, argv, true),
  append,
  strlen,
  getrange,
  substr: getrange,
  setrange,
  incr: (client, argv) => incrDecr(client, argv[1] ?? '', 1),
  decr: (client, argv) => incrDecr(client, argv[1] ?? '', -1),
  incrby,
  decrby,
  incrbyfloat,
  lcs: lcsCommand,
};
