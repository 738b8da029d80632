/**
 * Constants of the RDB file format (redis-server 7.0's rdb.h). One RDB file:
 *
 *     "REDIS" + 4-digit version           REDIS0010
 *     AUX key value ...                   FA "redis-ver" "7.0.15", "ctime", "used-mem", "aof-base"
 *     SELECTDB n  RESIZEDB size expires   FE n FB size expires   (each non-empty database)
 *     [EXPIRETIME_MS t] type key value    FC <u64 LE ms>  00 "key" "value"  ...
 *     EOF                                 FF
 *     CRC64 of everything before          8 bytes LE (0 when rdbchecksum is off)
 *
 * A DUMP payload is `type value`, then the RDB version (u16 LE) and the CRC64 of the rest.
 *
 * Lengths (rdbSaveLen):
 *
 *     00xxxxxx                  6-bit length
 *     01xxxxxx yyyyyyyy         14-bit length (big-endian)
 *     10000000 <u32 BE>         32-bit length
 *     10000001 <u64 BE>         64-bit length
 *     11xxxxxx                  a special string encoding: 0 int8, 1 int16, 2 int32 (LE), 3 LZF
 */

/** The version byor writes: redis-server 7.0's. */
export const RDB_VERSION = 10;
/** The newest version byor reads (redis-server 7.2 writes 11, 7.4 writes 12). */
export const RDB_MAX_READ_VERSION = 12;

/** Value types (the byte before a key). */
export const RdbType = {
  STRING: 0,
  LIST: 1,
  SET: 2,
  ZSET: 3,
  HASH: 4,
  ZSET_2: 5,
  MODULE_PRE_GA: 6,
  MODULE_2: 7,
  HASH_ZIPMAP: 9,
  LIST_ZIPLIST: 10,
  SET_INTSET: 11,
  ZSET_ZIPLIST: 12,
  HASH_ZIPLIST: 13,
  LIST_QUICKLIST: 14,
  STREAM_LISTPACKS: 15,
  HASH_LISTPACK: 16,
  ZSET_LISTPACK: 17,
  LIST_QUICKLIST_2: 18,
  STREAM_LISTPACKS_2: 19,
  SET_LISTPACK: 20,
  STREAM_LISTPACKS_3: 21,
} as const;
export type RdbType = (typeof RdbType)[keyof typeof RdbType];

/** Opcodes (bytes that are not value types). */
export const RdbOpcode = {
  SLOT_INFO: 244,
  FUNCTION2: 245,
  FUNCTION_PRE_GA: 246,
  MODULE_AUX: 247,
  IDLE: 248,
  FREQ: 249,
  AUX: 250,
  RESIZEDB: 251,
  EXPIRETIME_MS: 252,
  EXPIRETIME: 253,
  SELECTDB: 254,
  EOF: 255,
} as const;

/** The special string encodings after a 11xxxxxx length byte. */
export const RdbEncoding = {
  INT8: 0,
  INT16: 1,
  INT32: 2,
  LZF: 3,
} as const;

/** Quicklist node containers in RDB_TYPE_LIST_QUICKLIST_2. */
export const QuicklistContainer = {
  PLAIN: 1,
  PACKED: 2,
} as const;
