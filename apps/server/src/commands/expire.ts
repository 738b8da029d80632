import type { Client } from '../client.js';
import { ReplyError } from '../errors.js';
import { intArg } from './args.js';
import type { HandlerTable } from './types.js';

/** Expiry commands (expire.c): EXPIRE family with NX/XX/GT/LT, TTL family, PERSIST. */

const INT64_MAX = 9223372036854775807n;
const INT64_MIN = -9223372036854775808n;

function expireGeneric(client: Client, argv: string[], base: 'now' | 'zero', unit: 1 | 1000): void {
  const key = argv[1] ?? '';
  let nx = false;
  let xx = false;
  let gt = false;
  let lt = false;
  for (let j = 3; j < argv.length; j++) {
    const opt = (argv[j] ?? '').toLowerCase();
    if (opt === 'nx') nx = true;
    else if (opt === 'xx') xx = true;
    else if (opt === 'gt') gt = true;
    else if (opt === 'lt') lt = true;
    else {
      client.server.errorReply(client, `ERR Unsupported option ${argv[j] ?? ''}`);
      return;
    }
  }
  if (nx && (xx || gt || lt)) {
    client.server.errorReply(client, ReplyError.NX_XX_GT_LT);
    return;
  }
  if (gt && lt) {
    client.server.errorReply(client, 'ERR GT and LT options at the same time are not compatible');
    return;
  }
  const parsed = intArg(client, argv[2] ?? '');
  if (parsed === undefined) return;
  const command = (argv[0] ?? '').toLowerCase();
  let when = BigInt(parsed);
  if (unit === 1000) {
    if (when > INT64_MAX / 1000n || when < INT64_MIN / 1000n) {
      client.server.errorReply(client, `ERR invalid expire time in '${command}' command`);
      return;
    }
    when *= 1000n;
  }
  const baseTime = base === 'now' ? BigInt(client.server.now()) : 0n;
  if (when > INT64_MAX - baseTime) {
    client.server.errorReply(client, `ERR invalid expire time in '${command}' command`);
    return;
  }
  when += baseTime;
  const db = client.db;
  if (db.lookup(key) === undefined) {
    client.w.integer(0);
    return;
  }
  if (nx || xx || gt || lt) {
    const current = db.getExpire(key);
    if (nx && current !== undefined) return client.w.integer(0);
    if (xx && current === undefined) return client.w.integer(0);
    if (gt && (current === undefined || when <= BigInt(current))) return client.w.integer(0);
    if (lt && current !== undefined && when >= BigInt(current)) return client.w.integer(0);
  }
  if (client.server.alreadyExpired(when)) {
    db.delete(key, 'expire');
    client.server.notify('g', 'del', key, db);
    client.server.propagateAs(db, [client.server.deletionCommand('expire'), key]);
  } else {
    db.setExpire(key, Number(when));
    db.signalModified(key);
    client.server.notify('g', 'expire', key, db);
    if (command !== 'pexpireat')
      client.server.propagateAs(db, ['PEXPIREAT', key, String(when), ...argv.slice(3)]);
  }
  client.w.integer(1);
}

function ttlGeneric(
  client: Client,
  argv: string[],
  milliseconds: boolean,
  absolute: boolean,
): void {
  const key = argv[1] ?? '';
  const db = client.db;
  if (db.lookupRead(key, false) === undefined) {
    client.w.integer(-2);
    return;
  }
  const expire = db.getExpire(key);
  if (expire === undefined) {
    client.w.integer(-1);
    return;
  }
  let ttl = absolute ? expire : expire - client.server.now();
  if (ttl < 0) ttl = 0;
  client.w.integer(milliseconds ? ttl : Math.floor((ttl + 500) / 1000));
}

function persist(client: Client, argv: string[]): void {
  const key = argv[1] ?? '';
  const db = client.db;
  if (db.lookup(key) === undefined) {
    client.w.integer(0);
    return;
  }
  if (db.persist(key)) {
    db.signalModified(key);
    client.server.notify('g', 'persist', key, db);
    client.w.integer(1);
  } else {
    client.w.integer(0);
  }
}

export const expireCommands: HandlerTable = {
  expire: (client, argv) => expireGeneric(client, argv, 'now', 1000),
  pexpire: (client, argv) => expireGeneric(client, argv, 'now', 1),
  expireat: (client, argv) => expireGeneric(client, argv, 'zero', 1000),
  pexpireat: (client, argv) => expireGeneric(client, argv, 'zero', 1),
  ttl: (client, argv) => ttlGeneric(client, argv, false, false),
  pttl: (client, argv) => ttlGeneric(client, argv, true, false),
  expiretime: (client, argv) => ttlGeneric(client, argv, false, true),
  pexpiretime: (client, argv) => ttlGeneric(client, argv, true, true),
  persist,
};
