import { RdbFormatError } from '../persistence/errors.js';
import { ListpackBuilder, listpackElements } from '../persistence/listpack.js';
import type { RdbDecoder } from '../persistence/rdb-decoder.js';
import type { RdbEncoder } from '../persistence/rdb-encoder.js';
import { RdbType } from '../persistence/rdb-format.js';
import type { RdbTypePlugin } from '../persistence/rdb-plugins.js';
import type { ObjectValue } from '../values.js';
import { normalize, type Int64 } from '../util/numbers.js';
import { PendingEntry, type ConsumerGroup } from './stream-group.js';
import { StreamId, compareIds } from './stream-id.js';
import { EntryFlag, StreamNode } from './stream-node.js';
import { StreamValue } from './stream.js';

/**
 * Streams in redis-server 7.0's RDB format (rdb.c, RDB_TYPE_STREAM_LISTPACKS_2), for RDB files,
 * DUMP/RESTORE and AOF rewrites through the persistence type switch (`registerRdbType`):
 *
 * ```
 * len(nodes) { string(master ID, 16 bytes big-endian) string(listpack) }*
 * len(length) len(last ms) len(last seq) len(first ms) len(first seq)
 * len(max deleted ms) len(max deleted seq) len(entries added)
 * len(groups) { string(name) len(last ms) len(last seq) len(entries read)
 *               len(pending) { raw ID (16 bytes) millis(delivery time) len(delivery count) }*
 *               len(consumers) { string(name) millis(seen time) len(pending) { raw ID }* }* }*
 * ```
 *
 * Each node is written as the very listpack Redis holds (master entry, then per entry its flags,
 * ID deltas, fields unless SAMEFIELDS, values and lp-count), so DUMP gives redis-server's bytes
 * and a loaded file keeps its node boundaries. Lengths are uint64 (`entries read` -1 is
 * 2^64 - 1). Loads RDB_TYPE_STREAM_LISTPACKS (Redis 5/6), _2 (7.0) and _3 (7.2: consumers also
 * carry an active time, dropped here).
 */

const TWO_32 = 4294967296;
const U64_MASK = (1n << 64n) - 1n;

/** rdbSaveLen of a uint64 given as two 32-bit words. */
function writeLen64(encoder: RdbEncoder, hi: number, lo: number): void {
  if (hi === 0 || hi * TWO_32 + lo <= Number.MAX_SAFE_INTEGER) {
    encoder.len(hi * TWO_32 + lo);
    return;
  }
  const out = encoder.out;
  out.byte(0x81);
  out.u32be(hi);
  out.u32be(lo);
}

/** rdbSaveLen of an int64 counter as Redis's uint64 (negative values wrap). */
function writeCounter(encoder: RdbEncoder, value: Int64): void {
  const big = BigInt.asUintN(64, BigInt(value));
  writeLen64(encoder, Number(big >> 32n), Number(big & 0xffffffffn));
}

/** rdbLoadLen as an exact uint64. */
function readLen64(decoder: RdbDecoder): bigint {
  decoder.ensure(1);
  if (decoder.bytes[decoder.pos] === 0x81) {
    decoder.ensure(9);
    const value = decoder.bytes.readBigUInt64BE(decoder.pos + 1);
    decoder.pos += 9;
    return value;
  }
  return BigInt(decoder.len());
}

/** A 16-byte big-endian raw ID (rdbWriteRaw of a rax key). */
function writeRawId(encoder: RdbEncoder, id: StreamId): void {
  const out = encoder.out;
  out.u32be(id.msHi);
  out.u32be(id.msLo);
  out.u32be(id.seqHi);
  out.u32be(id.seqLo);
}

function readRawId(decoder: RdbDecoder): StreamId {
  decoder.ensure(16);
  const bytes = decoder.bytes;
  const at = decoder.pos;
  decoder.pos += 16;
  return new StreamId(
    bytes.readUInt32BE(at),
    bytes.readUInt32BE(at + 4),
    bytes.readUInt32BE(at + 8),
    bytes.readUInt32BE(at + 12),
  );
}

/** An ID written as two rdbSaveLen values. */
function writeIdLens(encoder: RdbEncoder, id: StreamId): void {
  writeLen64(encoder, id.msHi, id.msLo);
  writeLen64(encoder, id.seqHi, id.seqLo);
}

function readIdLens(decoder: RdbDecoder): StreamId {
  const ms = readLen64(decoder);
  return StreamId.fromBigInt(ms, readLen64(decoder));
}

/** `current - master` of one ID half, modulo 2^64, as the int64 text lpAppendInteger stores. */
function deltaText(masterHi: number, masterLo: number, hi: number, lo: number): string {
  if (hi === masterHi && lo >= masterLo) return String(lo - masterLo);
  const master = (BigInt(masterHi) << 32n) | BigInt(masterLo);
  const current = (BigInt(hi) << 32n) | BigInt(lo);
  return BigInt.asIntN(64, current - master).toString();
}

const builder = new ListpackBuilder();

/** The listpack redis-server holds for this node. O(node). */
export function nodeListpack(node: StreamNode): Buffer {
  builder.begin();
  builder.add(String(node.live));
  builder.add(String(node.deleted));
  const master = node.masterFields;
  builder.add(String(master.length));
  for (const field of master) builder.add(field);
  builder.add('0');
  const words = node.words;
  const items = node.items;
  for (let i = 0; i < node.size; i++) {
    const at = i * 5;
    const flags = node.flagsAt(i);
    builder.add(String(flags));
    builder.add(deltaText(words[0] ?? 0, words[1] ?? 0, words[at] ?? 0, words[at + 1] ?? 0));
    builder.add(deltaText(words[2] ?? 0, words[3] ?? 0, words[at + 2] ?? 0, words[at + 3] ?? 0));
    const start = node.itemsStart(i);
    const end = node.itemsEnd(i);
    const pairs = (end - start) >>> 1;
    if (flags & EntryFlag.SAMEFIELDS) {
      for (let k = start + 1; k < end; k += 2) builder.add(items[k] ?? '');
      builder.add(String(pairs + 3));
    } else {
      builder.add(String(pairs));
      for (let k = start; k < end; k++) builder.add(items[k] ?? '');
      builder.add(String(pairs * 2 + 4));
    }
  }
  return builder.end();
}

/** Rebuilds a node from its listpack (streamValidateListpackIntegrity's layout). O(node). */
export function nodeFromListpack(masterId: StreamId, bytes: Uint8Array): StreamNode {
  const elements = listpackElements(bytes, 0, bytes.length);
  let at = 0;
  const next = (): string => {
    const element = elements[at++];
    if (element === undefined) throw new RdbFormatError('truncated stream listpack');
    return element;
  };
  const integer = (): bigint => {
    const text = next();
    if (!/^-?\d+$/.test(text)) throw new RdbFormatError('bad integer in a stream listpack');
    return BigInt(text);
  };
  const live = Number(integer());
  const deleted = Number(integer());
  const fieldCount = Number(integer());
  const master: string[] = [];
  for (let i = 0; i < fieldCount; i++) master.push(next());
  if (integer() !== 0n) throw new RdbFormatError('bad master entry in a stream listpack');
  if (live + deleted === 0) throw new RdbFormatError('empty listpack in a stream');
  const node = new StreamNode(master, live + deleted);
  const masterMs = masterId.ms;
  const masterSeq = masterId.seq;
  const pairs: string[] = [];
  while (at < elements.length) {
    const flags = Number(integer());
    const ms = (masterMs + integer()) & U64_MASK;
    const seq = (masterSeq + integer()) & U64_MASK;
    pairs.length = 0;
    if (flags & EntryFlag.SAMEFIELDS) {
      for (let i = 0; i < fieldCount; i++) pairs.push(master[i] ?? '', next());
    } else {
      const count = Number(integer());
      for (let i = 0; i < count * 2; i++) pairs.push(next());
    }
    integer(); // lp-count
    if (pairs.length === 0) throw new RdbFormatError('stream entry without fields');
    const id = StreamId.fromBigInt(ms, seq);
    if (node.size !== 0 && node.compareAt(node.size - 1, id) >= 0)
      throw new RdbFormatError('stream IDs out of order');
    node.append(id, pairs, 0, pairs.length / 2);
    if (flags & EntryFlag.DELETED) node.markDeleted(node.size - 1);
  }
  if (node.live !== live || node.deleted !== deleted)
    throw new RdbFormatError('stream listpack counts do not match its entries');
  if (node.size !== 0 && node.compareAt(0, masterId) !== 0)
    throw new RdbFormatError('stream node key is not its first ID');
  return node;
}

/** rdbSaveObject for a stream. O(n). */
export function writeStream(stream: StreamValue, encoder: RdbEncoder): void {
  encoder.len(stream.nodes.length);
  const key = Buffer.alloc(16);
  for (const node of stream.nodes) {
    const words = node.words;
    for (let w = 0; w < 4; w++) key.writeUInt32BE(words[w] ?? 0, w * 4);
    encoder.blob(key, 0, 16);
    const listpack = nodeListpack(node);
    encoder.blob(listpack, 0, listpack.length);
  }
  encoder.len(stream.length);
  writeIdLens(encoder, stream.lastId);
  writeIdLens(encoder, stream.firstId);
  writeIdLens(encoder, stream.maxDeletedId);
  writeCounter(encoder, stream.entriesAdded);
  const groups = stream.sortedGroups();
  encoder.len(groups.length);
  for (const group of groups) {
    encoder.string(group.name);
    writeIdLens(encoder, group.lastId);
    writeCounter(encoder, group.entriesRead);
    encoder.len(group.pending.size);
    for (const entry of group.pending) {
      writeRawId(encoder, entry.id);
      encoder.out.i64leNumber(entry.deliveryTime);
      writeCounter(encoder, entry.deliveryCount);
    }
    const consumers = group.sortedConsumers();
    encoder.len(consumers.length);
    for (const consumer of consumers) {
      encoder.string(consumer.name);
      encoder.out.i64leNumber(consumer.seenTime);
      encoder.len(consumer.pending.size);
      for (const entry of consumer.pending) writeRawId(encoder, entry.id);
    }
  }
}

/** rdbLoadObject for the stream types. O(n). */
export function readStream(type: number, decoder: RdbDecoder): StreamValue {
  const stream = new StreamValue();
  const nodeCount = decoder.len();
  for (let i = 0; i < nodeCount; i++) {
    const key = decoder.blob();
    if (key.length !== 16) throw new RdbFormatError('stream node key is not 16 bytes');
    const masterId = new StreamId(
      key.readUInt32BE(0),
      key.readUInt32BE(4),
      key.readUInt32BE(8),
      key.readUInt32BE(12),
    );
    const previous = stream.nodes[stream.nodes.length - 1];
    const node = nodeFromListpack(masterId, decoder.blob());
    if (previous && compareIds(previous.idAt(previous.size - 1), masterId) >= 0)
      throw new RdbFormatError('stream nodes out of order');
    stream.nodes.push(node);
    stream.length += node.live;
  }
  const length = Number(readLen64(decoder));
  if (length !== stream.length) throw new RdbFormatError('stream length does not match its nodes');
  stream.lastId = readIdLens(decoder);
  // An entry past the last ID (a damaged payload, which redis-server 7.0 takes) would let XADD *
  // append below it, out of order: a stream that could not be saved and loaded again.
  const lastEntry = stream.edgeId(false, false);
  if (lastEntry !== undefined && compareIds(lastEntry, stream.lastId) > 0)
    throw new RdbFormatError('stream last ID is smaller than its last entry');
  if (type === RdbType.STREAM_LISTPACKS) {
    stream.firstId = stream.edgeId(true, true) ?? StreamId.MIN;
    stream.maxDeletedId = StreamId.MIN;
    stream.entriesAdded = stream.length;
  } else {
    stream.firstId = readIdLens(decoder);
    stream.maxDeletedId = readIdLens(decoder);
    stream.entriesAdded = normalize(BigInt.asIntN(64, readLen64(decoder)));
  }
  const groupCount = decoder.len();
  for (let g = 0; g < groupCount; g++) {
    const name = decoder.string();
    const lastId = readIdLens(decoder);
    const entriesRead =
      type === RdbType.STREAM_LISTPACKS
        ? stream.estimateEntriesRead(lastId)
        : normalize(BigInt.asIntN(64, readLen64(decoder)));
    const group = stream.createGroup(name, lastId, entriesRead);
    if (group === undefined) throw new RdbFormatError('duplicated consumer group name');
    readPending(decoder, group);
    const consumerCount = decoder.len();
    for (let c = 0; c < consumerCount; c++) {
      const consumerName = decoder.string();
      const seenTime = decoder.millis();
      if (type === RdbType.STREAM_LISTPACKS_3) decoder.millis(); // active time (7.2)
      const consumer = group.createConsumer(consumerName, seenTime);
      if (consumer === undefined) throw new RdbFormatError('duplicated consumer name');
      const owned = decoder.len();
      for (let k = 0; k < owned; k++) {
        const entry = group.pending.get(readRawId(decoder));
        if (entry === undefined || entry.consumer !== undefined)
          throw new RdbFormatError('consumer pending entry not in the group PEL');
        entry.consumer = consumer;
        consumer.pending.insert(entry);
      }
    }
    for (const entry of group.pending)
      if (entry.consumer === undefined)
        throw new RdbFormatError('group pending entry without a consumer');
  }
  return stream;
}

function readPending(decoder: RdbDecoder, group: ConsumerGroup): void {
  const count = decoder.len();
  for (let i = 0; i < count; i++) {
    const entry = new PendingEntry(readRawId(decoder), decoder.millis(), undefined);
    entry.deliveryCount = normalize(BigInt.asIntN(64, readLen64(decoder)));
    if (!group.pending.insert(entry)) throw new RdbFormatError('duplicated pending entry');
  }
}

/**
 * The commands that recreate a stream (rewriteStreamObject): XADD per entry (an empty stream as
 * XADD MAXLEN 0 0-1 x y), XSETID with the metadata, per group XGROUP CREATE, an XCLAIM per
 * pending entry and XGROUP CREATECONSUMER for consumers without any. O(n).
 */
export function streamCommands(key: string, stream: StreamValue): string[][] {
  const commands: string[][] = [];
  if (stream.length !== 0) {
    const it = stream.iterator(StreamId.MIN, StreamId.MAX, false);
    while (it.next()) commands.push(['XADD', key, it.id().toString(), ...it.pairs()]);
  } else {
    commands.push(['XADD', key, 'MAXLEN', '0', '0-1', 'x', 'y']);
  }
  commands.push([
    'XSETID',
    key,
    stream.lastId.toString(),
    'ENTRIESADDED',
    String(stream.entriesAdded),
    'MAXDELETEDID',
    stream.maxDeletedId.toString(),
  ]);
  for (const group of stream.sortedGroups()) {
    commands.push([
      'XGROUP',
      'CREATE',
      key,
      group.name,
      group.lastId.toString(),
      'ENTRIESREAD',
      String(group.entriesRead),
    ]);
    for (const consumer of group.sortedConsumers()) {
      if (consumer.pending.size === 0) {
        commands.push(['XGROUP', 'CREATECONSUMER', key, group.name, consumer.name]);
        continue;
      }
      for (const entry of consumer.pending)
        commands.push([
          'XCLAIM',
          key,
          group.name,
          consumer.name,
          '0',
          entry.id.toString(),
          'TIME',
          String(entry.deliveryTime),
          'RETRYCOUNT',
          String(entry.deliveryCount),
          'JUSTID',
          'FORCE',
        ]);
    }
  }
  return commands;
}

/**
 * The stream codec for the persistence type switch: writes RDB_TYPE_STREAM_LISTPACKS_2 as
 * redis-server 7.0 does, reads the three stream types.
 *
 * @example
 * ```ts
 * registerRdbType(streamRdbPlugin); // done once by the stream command group
 * ```
 */
export const streamRdbPlugin: RdbTypePlugin = {
  valueType: 'stream',
  loadTypes: [RdbType.STREAM_LISTPACKS, RdbType.STREAM_LISTPACKS_2, RdbType.STREAM_LISTPACKS_3],
  rdbType: () => RdbType.STREAM_LISTPACKS_2,
  write: (value: ObjectValue, encoder: RdbEncoder) => writeStream(value as StreamValue, encoder),
  read: (type: number, decoder: RdbDecoder) => readStream(type, decoder),
  commands: (key: string, value: ObjectValue) => streamCommands(key, value as StreamValue),
};
