import type { Client } from '../client.js';
import { ReplyError, subcommandSyntaxError } from '../errors.js';
import type { Server } from '../server.js';
import type { Value } from '../values.js';
import { PersistenceReply } from '../persistence/errors.js';
import { Crc64 } from '../persistence/crc64.js';
import { persistenceOf } from '../persistence/persistence.js';
import { RdbDecoder } from '../persistence/rdb-decoder.js';
import { RdbEncoder } from '../persistence/rdb-encoder.js';
import { RDB_VERSION, RdbOpcode } from '../persistence/rdb-format.js';
import { ScriptEngine } from '../scripting/engine.js';
import { is, intArg } from './args.js';
import type { HandlerTable } from './types.js';

/** Persistence: SAVE, BGSAVE, BGREWRITEAOF (rdb.c, aof.c), DUMP and RESTORE (cluster.c). */

/** A reply text from the persistence module: an error ("ERR ...") or a status. */
function statusOrError(client: Client, text: string): void {
  if (text === PersistenceReply.GENERIC || /^[A-Z]+ /.test(text) || text.startsWith('ERR'))
    client.server.errorReply(client, text);
  else client.w.simple(text);
}

function save(client: Client): void {
  const error = persistenceOf(client.server).save();
  if (error !== undefined) client.server.errorReply(client, error);
  else client.w.ok();
}

function bgsave(client: Client, argv: string[]): void {
  let schedule = false;
  if (argv.length > 1) {
    if (argv.length === 2 && is(argv[1], 'SCHEDULE')) schedule = true;
    else {
      client.server.errorReply(client, ReplyError.SYNTAX);
      return;
    }
  }
  statusOrError(client, persistenceOf(client.server).bgsave(schedule, client.denyBlocking));
}

function bgrewriteaof(client: Client): void {
  statusOrError(client, persistenceOf(client.server).bgrewriteaof(client.denyBlocking));
}

/** One encoder per server (its buffers are reused); settings are read from the config per call. */
const encoders = new WeakMap<Server, RdbEncoder>();

function encoderFor(server: Server): RdbEncoder {
  const options = persistenceOf(server).encoderOptions();
  let encoder = encoders.get(server);
  if (!encoder) {
    encoder = new RdbEncoder(options);
    encoders.set(server, encoder);
  }
  encoder.compression = options.compression;
  return encoder;
}

/** DUMP's payload of a value (latin1): its RDB encoding, RDB version and CRC-64. O(size). */
export function dumpPayload(server: Server, value: Value): string {
  return encoderFor(server).dump(value);
}

/**
 * rdbSavedObjectLen: the bytes of a value's RDB encoding, type byte and DUMP trailer (RDB
 * version, CRC-64) left out (DEBUG OBJECT's serializedlength). O(size of the value).
 */
export function serializedLength(server: Server, value: Value): number {
  return encoderFor(server).dump(value).length - 11;
}

function dump(client: Client, argv: string[]): void {
  const value = client.db.lookupRead(argv[1] ?? '');
  if (value === undefined) {
    client.w.nil();
    return;
  }
  client.w.bulk(encoderFor(client.server).dump(value));
}

/** FUNCTION DUMP: every library's source, as an RDB file holds them, with DUMP's trailer. */
function functionDump(client: Client): void {
  const libraries = ScriptEngine.existing(client.server)?.functions.libraries.values() ?? [];
  const codes = [...libraries].map((library) => library.code);
  client.w.bulk(encoderFor(client.server).dumpFunctions(codes));
}

/** FUNCTION RESTORE payload [FLUSH|APPEND|REPLACE] (functionRestoreCommand). */
function functionRestore(client: Client, argv: string[]): void {
  const server = client.server;
  if (argv.length > 4) {
    server.errorReply(client, subcommandSyntaxError(argv));
    return;
  }
  let policy = 'append';
  if (argv.length === 4) {
    policy = (argv[3] ?? '').toLowerCase();
    if (policy !== 'append' && policy !== 'replace' && policy !== 'flush') {
      server.errorReply(
        client,
        'ERR Wrong restore policy given, value should be either FLUSH, APPEND or REPLACE.',
      );
      return;
    }
  }
  const payload = Buffer.from(argv[2] ?? '', 'latin1');
  if (!payloadValid(payload)) {
    server.errorReply(client, PersistenceReply.BAD_PAYLOAD);
    return;
  }
  const registry = ScriptEngine.of(server).functions;
  const loaded = registry.empty();
  const decoder = new RdbDecoder(payload, persistenceOf(server).valueLimits());
  let error: string | undefined;
  try {
    while (payload.length - decoder.pos > 10) {
      const type = decoder.byte();
      if (type === RdbOpcode.FUNCTION_PRE_GA) error = 'ERR Pre-GA function format not supported';
      else if (type !== RdbOpcode.FUNCTION2) error = 'ERR given type is not a function';
      else {
        const result = loaded.load(decoder.string(), false);
        if (typeof result === 'string') error = result;
      }
      if (error !== undefined) break;
    }
  } catch {
    error = 'ERR failed loading the given functions payload';
  }
  if (error === undefined) {
    if (policy === 'flush') registry.flush();
    error = registry.join(loaded, policy === 'replace');
  }
  if (error !== undefined) {
    server.errorReply(client, error);
    return;
  }
  server.stats.dirty++;
  client.w.ok();
}

/** verifyDumpPayload: RDB version (u16 LE) not newer than ours, and the CRC64 of the rest. */
function payloadValid(payload: Buffer): boolean {
  if (payload.length < 10) return false;
  const footer = payload.length - 10;
  if (payload.readUInt16LE(footer) > RDB_VERSION) return false;
  return new Crc64().update(payload, 0, payload.length - 8).matches(payload, payload.length - 8);
}

function restore(client: Client, argv: string[]): void {
  const server = client.server;
  let replace = false;
  let absolute = false;
  let idle = -1;
  let frequency = -1;
  for (let j = 4; j < argv.length; j++) {
    const additional = argv.length - j - 1;
    const option = argv[j];
    if (is(option, 'REPLACE')) replace = true;
    else if (is(option, 'ABSTTL')) absolute = true;
    else if (is(option, 'IDLETIME') && additional >= 1 && frequency === -1) {
      const value = intArg(client, argv[j + 1] ?? '');
      if (value === undefined) return;
      if (value < 0) {
        server.errorReply(client, PersistenceReply.INVALID_IDLETIME);
        return;
      }
      idle = Number(value);
      j++;
    } else if (is(option, 'FREQ') && additional >= 1 && idle === -1) {
      const value = intArg(client, argv[j + 1] ?? '');
      if (value === undefined) return;
      if (value < 0 || value > 255) {
        server.errorReply(client, PersistenceReply.INVALID_FREQ);
        return;
      }
      frequency = Number(value);
      j++;
    } else {
      server.errorReply(client, ReplyError.SYNTAX);
      return;
    }
  }
  const key = argv[1] ?? '';
  const db = client.db;
  if (!replace && db.lookup(key) !== undefined) {
    server.errorReply(client, PersistenceReply.BUSYKEY);
    return;
  }
  const parsedTtl = intArg(client, argv[2] ?? '');
  if (parsedTtl === undefined) return;
  if (parsedTtl < 0) {
    server.errorReply(client, PersistenceReply.INVALID_TTL);
    return;
  }
  const payload = Buffer.from(argv[3] ?? '', 'latin1');
  if (!payloadValid(payload)) {
    server.errorReply(client, PersistenceReply.BAD_PAYLOAD);
    return;
  }
  let value;
  try {
    // as rioInitWithBuffer over the whole argument: a value may run into the footer bytes
    const decoder = new RdbDecoder(payload, persistenceOf(server).valueLimits());
    value = decoder.value(decoder.byte());
  } catch {
    value = undefined;
  }
  if (value === undefined) {
    server.errorReply(client, PersistenceReply.BAD_DATA_FORMAT);
    return;
  }
  const deleted = replace && db.delete(key);
  let ttl = Number(parsedTtl);
  if (ttl !== 0 && !absolute) ttl += server.now();
  if (ttl !== 0 && server.alreadyExpired(ttl)) {
    // already expired: the key is not created (and an old one replaced is just deleted)
    if (deleted) {
      server.propagateAs(db, ['DEL', key]);
      server.notify('g', 'del', key, db);
    }
    client.w.ok();
    return;
  }
  db.add(key, value);
  // one change (server.dirty++) for the key replaced and the one restored
  if (deleted) server.changes(-1);
  // objectSetLRUOrLFU: FREQ under an LFU policy, IDLETIME (seconds) otherwise
  db.setAccess(key, frequency, idle);
  if (typeof value !== 'string' && (value.type === 'list' || value.type === 'zset'))
    server.signalKeyAsReady(db, key);
  if (ttl !== 0) {
    db.setExpire(key, ttl);
    // propagated with an absolute TTL, as redis-server rewrites it
    if (!absolute)
      server.propagateAs(db, [...argv.slice(0, 2), String(ttl), ...argv.slice(3), 'ABSTTL']);
  }
  server.notify('g', 'restore', key, db);
  client.w.ok();
}

/**
 * The persistence command group: SAVE, BGSAVE, BGREWRITEAOF, DUMP, RESTORE, RESTORE-ASKING.
 *
 * @example
 * ```ts
 * new Server(config, logger, clock, [...allCommands, persistenceCommands]);
 * ```
 */
export const persistenceCommands: HandlerTable = {
  save,
  bgsave,
  bgrewriteaof,
  dump,
  restore,
  // the cluster's RESTORE (what MIGRATE sends in a cluster): RESTORE itself without one
  'restore-asking': restore,
  'function|dump': functionDump,
  'function|restore': functionRestore,
};
