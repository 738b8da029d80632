import type { Client } from '../client.js';
import type { Database } from '../keyspace.js';
import { ReplyError } from '../errors.js';
import type { Value } from '../values.js';
import { hllCacheOf } from '../types/hyperloglog-cache.js';
import {
  EMPTY_HLL,
  HLL_REGISTERS,
  HyperLogLog,
  cachedCardinality,
  cardinalityReply,
  countRegisters,
  isHllString,
  selfTest,
} from '../types/hyperloglog.js';
import type { HandlerTable } from './types.js';

/**
 * HyperLogLog commands (hyperloglog.c): PFADD PFCOUNT PFMERGE PFDEBUG PFSELFTEST. An HLL is a
 * string value in redis-server's own representation (types/hyperloglog.ts); the commands work on
 * the mutable buffer kept behind it (types/hyperloglog-cache.ts) and write the new string back.
 */

/** isHLLObjectOrReply's error (the string is not an HLL) */
export const HLL_WRONGTYPE = 'WRONGTYPE Key is not a valid HyperLogLog string value.';
/** invalid_hll_err: a sparse representation that does not decode */
export const HLL_CORRUPTED = 'INVALIDOBJ Corrupted HLL object detected';
const NO_SUCH_KEY = 'ERR The specified key does not exist';
const NOT_SPARSE = 'ERR HLL encoding is not sparse';

/** 16384, as a local of this module (loops read it per iteration) */
const REGISTERS = HLL_REGISTERS;

/** The union registers of PFCOUNT with several keys and PFMERGE, reused (one command at a time). */
const unionRegisters = new Uint8Array(REGISTERS);

/** isHLLObjectOrReply: the value is a string holding an HLL; else replies and returns undefined. */
function hllValue(client: Client, value: Value): string | undefined {
  if (typeof value !== 'string') {
    client.server.errorReply(client, ReplyError.WRONGTYPE);
    return undefined;
  }
  if (!isHllString(value)) {
    client.server.errorReply(client, HLL_WRONGTYPE);
    return undefined;
  }
  return value;
}

function sparseMaxBytes(client: Client): number {
  return client.server.config.number('hll-sparse-max-bytes');
}

/** Writes a changed HLL back to its key and to the cache. */
function storeHll(db: Database, key: string, hll: HyperLogLog): void {
  const value = hll.toString();
  db.update(key, value);
  db.setStringForm(key, 'raw');
  hllCacheOf(db).store(key, value, hll);
}

/**
 * An HLL is a raw string in redis-server: created as one (createHLLObject), and every command
 * that may write it unshares it first (dbUnshareStringValue), changed or not.
 */
function addHll(db: Database, key: string, value: string): void {
  db.add(key, value);
  db.setStringForm(key, 'raw');
}

/** PFADD key [element ...]: 1 when a register changed (or the key was created), else 0. */
function pfadd(client: Client, argv: string[]): void {
  const key = argv[1] ?? '';
  const db = client.db;
  const cache = hllCacheOf(db);
  const existing = db.lookup(key);
  let hll: HyperLogLog;
  let updated = 0;
  if (existing === undefined) {
    hll = HyperLogLog.create();
    updated++;
  } else {
    const value = hllValue(client, existing);
    if (value === undefined) return;
    db.setStringForm(key, 'raw');
    hll = cache.acquire(key, value);
  }
  const maxBytes = sparseMaxBytes(client);
  for (let j = 2; j < argv.length; j++) {
    const result = hll.add(argv[j] ?? '', maxBytes);
    if (result === 1) {
      updated++;
    } else if (result === -1) {
      // redis-server changed the registers in place before finding the corruption: keep them
      // (kept, but not changes to save: the command failed)
      if (existing === undefined) addHll(db, key, hll.toString());
      else if (updated > 0) storeHll(db, key, hll);
      else cache.drop(key);
      if (existing === undefined || updated > 0) client.server.changes(-1);
      client.server.errorReply(client, HLL_CORRUPTED);
      return;
    }
  }
  if (updated > 0) {
    // server.dirty += registers updated (and the key made)
    client.server.changes(updated - 1);
    hll.invalidateCache();
    if (existing === undefined) {
      const value = hll.toString();
      addHll(db, key, value);
      cache.store(key, value, hll);
    } else {
      storeHll(db, key, hll);
    }
    client.server.notify('$', 'pfadd', key, db);
  }
  client.w.integer(updated > 0 ? 1 : 0);
}

/** PFCOUNT key [key ...]: the estimated cardinality of one HLL (cached) or of the union. */
function pfcount(client: Client, argv: string[]): void {
  const db = client.db;
  if (argv.length > 2) {
    const max = unionRegisters;
    max.fill(0);
    for (let j = 1; j < argv.length; j++) {
      const key = argv[j] ?? '';
      const existing = db.lookupRead(key);
      if (existing === undefined) continue;
      const value = hllValue(client, existing);
      if (value === undefined) return;
      if (!hllCacheOf(db).acquire(key, value).mergeInto(max)) {
        client.server.errorReply(client, HLL_CORRUPTED);
        return;
      }
    }
    client.w.integer(cardinalityReply(countRegisters(max)));
    return;
  }
  const key = argv[1] ?? '';
  const existing = db.lookupRead(key);
  if (existing === undefined) {
    client.w.integer(0);
    return;
  }
  const value = hllValue(client, existing);
  if (value === undefined) return;
  db.setStringForm(key, 'raw');
  const cached = cachedCardinality(value);
  if (cached !== -1) {
    client.w.integer(cached);
    return;
  }
  const hll = hllCacheOf(db).acquire(key, value);
  const card = hll.count();
  if (card === -1) {
    client.server.errorReply(client, HLL_CORRUPTED);
    return;
  }
  // The cache bytes are part of the string: a read-only command changes the value, and
  // redis-server propagates PFCOUNT itself so that replicas and the AOF hold the same bytes.
  hll.setCachedCardinality(card);
  storeHll(db, key, hll);
  client.server.propagateAs(db, argv);
  client.w.integer(cardinalityReply(card));
}

/** PFMERGE destkey [sourcekey ...]: the destination becomes the union (dense if any input is). */
function pfmerge(client: Client, argv: string[]): void {
  const db = client.db;
  const cache = hllCacheOf(db);
  const max = unionRegisters;
  max.fill(0);
  let useDense = false;
  for (let j = 1; j < argv.length; j++) {
    const key = argv[j] ?? '';
    const existing = db.lookupRead(key);
    if (existing === undefined) continue;
    const value = hllValue(client, existing);
    if (value === undefined) return;
    const hll = cache.acquire(key, value);
    if (!hll.sparse) useDense = true;
    if (!hll.mergeInto(max)) {
      client.server.errorReply(client, HLL_CORRUPTED);
      return;
    }
  }
  const key = argv[1] ?? '';
  const existing = db.lookup(key);
  let hll: HyperLogLog;
  if (existing === undefined) {
    hll = HyperLogLog.create();
    addHll(db, key, EMPTY_HLL);
    // one change (server.dirty++) for the key made and written
    client.server.changes(-1);
  } else {
    // checked as a source above: a string holding an HLL
    db.setStringForm(key, 'raw');
    hll = cache.acquire(key, existing as string);
  }
  if (useDense && !hll.toDense()) {
    client.server.errorReply(client, HLL_CORRUPTED);
    return;
  }
  const maxBytes = sparseMaxBytes(client);
  for (let j = 0; j < REGISTERS; j++) {
    const value = max[j]!;
    if (value !== 0) hll.setRegister(j, value, maxBytes);
  }
  hll.invalidateCache();
  storeHll(db, key, hll);
  client.server.notify('$', 'pfadd', key, db);
  client.w.ok();
}

/** PFDEBUG GETREG|DECODE|ENCODING|TODENSE key */
function pfdebug(client: Client, argv: string[]): void {
  const subcommand = argv[1] ?? '';
  const key = argv[2] ?? '';
  const db = client.db;
  const existing = db.lookup(key);
  if (existing === undefined) {
    client.server.errorReply(client, NO_SUCH_KEY);
    return;
  }
  const value = hllValue(client, existing);
  if (value === undefined) return;
  db.setStringForm(key, 'raw');
  const cache = hllCacheOf(db);
  const hll = cache.acquire(key, value);
  switch (subcommand.toLowerCase()) {
    case 'getreg': {
      if (hll.sparse) {
        if (!hll.toDense()) {
          client.server.errorReply(client, HLL_CORRUPTED);
          return;
        }
        storeHll(db, key, hll); // the encoding change is propagated (server.dirty++)
      }
      client.w.arrayHeader(REGISTERS);
      for (let j = 0; j < REGISTERS; j++) client.w.integer(hll.denseRegister(j));
      return;
    }
    case 'decode': {
      if (!hll.sparse) {
        client.server.errorReply(client, NOT_SPARSE);
        return;
      }
      client.w.bulk(hll.decode());
      return;
    }
    case 'encoding': {
      client.w.simple(hll.sparse ? 'sparse' : 'dense');
      return;
    }
    case 'todense': {
      let converted = false;
      if (hll.sparse) {
        if (!hll.toDense()) {
          client.server.errorReply(client, HLL_CORRUPTED);
          return;
        }
        storeHll(db, key, hll);
        converted = true;
      }
      client.w.integer(converted ? 1 : 0);
      return;
    }
    default:
      client.server.errorReply(client, `ERR Unknown PFDEBUG subcommand '${subcommand}'`);
  }
}

/** PFSELFTEST: redis-server's self-test of the register code and the estimator. */
function pfselftest(client: Client): void {
  const failure = selfTest(sparseMaxBytes(client));
  if (failure === undefined) client.w.ok();
  else client.server.errorReply(client, failure);
}

/** HyperLogLog: PFADD PFCOUNT PFMERGE PFDEBUG PFSELFTEST, in Redis's own string representation. */
export const hyperloglogCommands: HandlerTable = {
  pfadd,
  pfcount,
  pfmerge,
  pfdebug,
  pfselftest,
};
