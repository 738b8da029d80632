/**
 * Introspection commands as redis-server 7.0: MEMORY STATS / DOCTOR / MALLOC-STATS / PURGE
 * (object.c), LATENCY (latency.c), LOLWUT (lolwut.c) and DEBUG (debug.c).
 *
 * MEMORY figures come from byor's memory account (eviction.ts: used_memory = the V8 heap at
 * start-up + the keys' estimates), so MEMORY STATS, INFO memory and maxmemory agree; the
 * allocator fields are V8's heap figures.
 *
 * @packageDocumentation
 */
import { createHash } from 'node:crypto';
import { memoryUsage } from 'node:process';
import type { Client } from '../client.js';
import { ReplyError, sanitize, subcommandSyntaxError } from '../errors.js';
import { commandHistogram, latencyMonitor, type LatencyTimeSeries } from '../latency.js';
import { schotter } from '../lolwut.js';
import { persistenceOf } from '../persistence/persistence.js';
import { ScriptEngine } from '../scripting/engine.js';
import type { Server } from '../server.js';
import type { HashValue } from '../types/hash.js';
import type { ListValue } from '../types/list.js';
import type { SetValue } from '../types/set.js';
import { StreamId } from '../types/stream-id.js';
import type { StreamValue } from '../types/stream.js';
import type { ZSet } from '../types/zset.js';
import { formatDouble } from '@byor/protocol';
import { parseInt64 } from '../util/numbers.js';
import { memtoull } from '../config/c-numbers.js';
import { ReplicationMaster } from '../replication/master.js';
import type { Value } from '../values.js';
import type { Command, HandlerTable } from './types.js';
import { objectLookup } from './keys.js';

// ---- MEMORY ---------------------------------------------------------------------------------

/** The figures of MEMORY STATS (getMemoryOverheadData), from byor's memory account. */
export interface MemoryOverhead {
  readonly peakAllocated: number;
  readonly totalAllocated: number;
  readonly startupAllocated: number;
  readonly clientsNormal: number;
  readonly databases: readonly { index: number; main: number; expires: number }[];
  readonly overheadTotal: number;
  readonly totalKeys: number;
  readonly bytesPerKey: number;
  readonly dataset: number;
  readonly datasetPercentage: number;
  readonly peakPercentage: number;
  readonly allocatorAllocated: number;
  readonly allocatorActive: number;
  readonly allocatorResident: number;
  readonly rss: number;
}

/** Bytes a key's table entry takes in the account (memory.ts charges 16 per key). */
const KEY_ENTRY_BYTES = 16;
/** Bytes per TTL: a Map entry key -> heap handle plus the heap slot. */
const EXPIRE_ENTRY_BYTES = 24;

/**
 * getMemoryOverheadData over byor's figures: overhead is the start-up heap, client buffers and
 * the key and TTL tables' entries; the dataset is the rest of used_memory. O(databases + clients).
 *
 * @example
 * ```ts
 * memoryOverhead(server).dataset; // bytes of keys and values
 * ```
 */
export function memoryOverhead(server: Server): MemoryOverhead {
  const eviction = server.eviction;
  const used = eviction.usedMemory();
  const startup = eviction.startup;
  let clients = 0;
  for (const client of server.clients.values())
    clients += (client.conn?.queryBufferBytes ?? 0) + (client.conn?.outputBufferBytes ?? 0);
  let overhead = startup + clients;
  let keys = 0;
  const databases: { index: number; main: number; expires: number }[] = [];
  for (const db of server.databases) {
    if (db.size === 0) continue;
    keys += db.size;
    const main = db.size * KEY_ENTRY_BYTES;
    const expires = db.expiresCount * EXPIRE_ENTRY_BYTES;
    databases.push({ index: db.index, main, expires });
    overhead += main + expires;
  }
  const net = used > startup ? used - startup : 1;
  const dataset = Math.max(0, used - overhead);
  const heap = memoryUsage();
  const peak = Math.max(eviction.peak, used);
  return {
    peakAllocated: peak,
    totalAllocated: used,
    startupAllocated: startup,
    clientsNormal: clients,
    databases,
    overheadTotal: overhead,
    totalKeys: keys,
    bytesPerKey: keys ? Math.floor(net / keys) : 0,
    dataset,
    // C computes these as float
    datasetPercentage: Math.fround((dataset * 100) / net),
    peakPercentage: Math.fround((used * 100) / peak),
    allocatorAllocated: heap.heapUsed + heap.external,
    allocatorActive: heap.heapTotal + heap.external,
    allocatorResident: heap.rss,
    rss: heap.rss,
  };
}

function memoryStats(client: Client): void {
  const m = memoryOverhead(client.server);
  const w = client.w;
  w.mapHeader(27 + m.databases.length);
  const integer = (name: string, value: number) => {
    w.bulk(name);
    w.integer(value);
  };
  const float = (name: string, value: number) => {
    w.bulk(name);
    w.double(Math.fround(value));
  };
  integer('peak.allocated', m.peakAllocated);
  integer('total.allocated', m.totalAllocated);
  integer('startup.allocated', m.startupAllocated);
  integer('replication.backlog', 0);
  integer('clients.slaves', 0);
  integer('clients.normal', m.clientsNormal);
  integer('cluster.links', 0);
  integer('aof.buffer', 0);
  integer('lua.caches', 0);
  integer('functions.caches', 0);
  for (const db of m.databases) {
    w.bulk(`db.${db.index}`);
    w.mapHeader(3);
    integer('overhead.hashtable.main', db.main);
    integer('overhead.hashtable.expires', db.expires);
    integer('overhead.hashtable.slot-to-keys', 0);
  }
  integer('overhead.total', m.overheadTotal);
  integer('keys.count', m.totalKeys);
  integer('keys.bytes-per-key', m.bytesPerKey);
  integer('dataset.bytes', m.dataset);
  float('dataset.percentage', m.datasetPercentage);
  float('peak.percentage', m.peakPercentage);
  integer('allocator.allocated', m.allocatorAllocated);
  integer('allocator.active', m.allocatorActive);
  integer('allocator.resident', m.allocatorResident);
  float('allocator-fragmentation.ratio', m.allocatorActive / m.allocatorAllocated);
  integer('allocator-fragmentation.bytes', m.allocatorActive - m.allocatorAllocated);
  float('allocator-rss.ratio', m.allocatorResident / m.allocatorActive);
  integer('allocator-rss.bytes', m.allocatorResident - m.allocatorActive);
  float('rss-overhead.ratio', m.rss / m.allocatorResident);
  integer('rss-overhead.bytes', m.rss - m.allocatorResident);
  float('fragmentation', m.rss / m.totalAllocated);
  integer('fragmentation.bytes', m.rss - m.totalAllocated);
}

/** MEMORY DOCTOR's texts (getMemoryDoctorReport). */
export const MemoryDoctorText = {
  HEALTHY:
    "Hi Sam, I can't find any memory issue in your instance. I can only account for what occurs on this base.\n",
  EMPTY:
    "Hi Sam, this instance is empty or is using very little memory, my issues detector can't be used in these conditions. Please, leave for your mission on Earth and fill it with some data. The new Sam and I will be back to our programming as soon as I finished rebooting.\n",
  HEADER: 'Sam, I detected a few issues in this Redis instance memory implants:\n\n',
  BIG_PEAK:
    ' * Peak memory: In the past this instance used more than 150% the memory that is currently using. The allocator is normally not able to release memory after a peak, so you can expect to see a big fragmentation ratio, however this is actually harmless and is only due to the memory peak, and if the Redis instance Resident Set Size (RSS) is currently bigger than expected, the memory will be used as soon as you fill the Redis instance with more data. If the memory peak was only occasional and you want to try to reclaim memory, please try the MEMORY PURGE command, otherwise the only other option is to shutdown and restart the instance.\n\n',
  HIGH_ALLOCATOR_FRAGMENTATION:
    " * High allocator fragmentation: This instance has an allocator external fragmentation greater than 1.1. This problem is usually due either to a large peak memory (check if there is a peak memory entry above in the report) or may result from a workload that causes the allocator to fragment memory a lot. You can try enabling 'activedefrag' config option.\n\n",
  HIGH_ALLOCATOR_RSS:
    ' * High allocator RSS overhead: This instance has an RSS memory overhead is greater than 1.1 (this means that the Resident Set Size of the allocator is much larger than the sum what the allocator actually holds). This problem is usually due to a large peak memory (check if there is a peak memory entry above in the report), you can try the MEMORY PURGE command to reclaim it.\n\n',
  HIGH_PROCESS_RSS:
    ' * High process RSS overhead: This instance has non-allocator RSS memory overhead is greater than 1.1 (this means that the Resident Set Size of the Redis process is much larger than the RSS the allocator holds). This problem may be due to Lua scripts or Modules.\n\n',
  BIG_CLIENT_BUFFERS:
    ' * Big client buffers: The clients output buffers in this instance are greater than 200K per client (on average). This may result from different causes, like Pub/Sub clients subscribed to channels bot not receiving data fast enough, so that data piles on the Redis instance output buffer, or clients sending commands with large replies or very large sequences of commands in the same pipeline. Please use the CLIENT LIST command in order to investigate the issue if it causes problems in your instance, or to understand better why certain clients are using a big amount of memory.\n\n',
  FOOTER: "I'm here to keep you safe, Sam. I want to help you.\n",
} as const;

/** MEMORY DOCTOR's high total RSS paragraph, naming the allocator. */
function highFragmentationText(allocator: string): string {
  return ` * High total RSS: This instance has a memory fragmentation and RSS overhead greater than 1.4 (this means that the Resident Set Size of the Redis process is much larger than the sum of the logical allocations Redis performed). This problem is usually due either to a large peak memory (check if there is a peak memory entry above in the report) or may result from a workload that causes the allocator to fragment memory a lot. If the problem is a large peak memory, then there is no issue. Otherwise, make sure you are using the Jemalloc allocator and not the default libc malloc. Note: The currently used allocator is "${allocator}".\n\n`;
}

const MB = 1024 * 1024;

/**
 * getMemoryDoctorReport with redis-server's thresholds over byor's figures. "Empty" is judged on
 * the memory above start-up (byor's start-up heap is V8's, several MB where redis-server starts
 * under 1 MB). O(databases + clients).
 *
 * @example
 * ```ts
 * memoryDoctorReport(server); // "Hi Sam, this instance is empty ..." on a new server
 * ```
 */
export function memoryDoctorReport(server: Server): string {
  const m = memoryOverhead(server);
  if (m.totalAllocated - m.startupAllocated < 5 * MB) return MemoryDoctorText.EMPTY;
  let report = '';
  if (m.peakAllocated / m.totalAllocated > 1.5) report += MemoryDoctorText.BIG_PEAK;
  if (m.rss / m.totalAllocated > 1.4 && m.rss - m.totalAllocated > 10 * MB)
    report += highFragmentationText(`v8-${process.versions.v8}`);
  if (
    m.allocatorActive / m.allocatorAllocated > 1.1 &&
    m.allocatorActive - m.allocatorAllocated > 10 * MB
  )
    report += MemoryDoctorText.HIGH_ALLOCATOR_FRAGMENTATION;
  if (
    m.allocatorResident / m.allocatorActive > 1.1 &&
    m.allocatorResident - m.allocatorActive > 10 * MB
  )
    report += MemoryDoctorText.HIGH_ALLOCATOR_RSS;
  if (m.rss / m.allocatorResident > 1.1 && m.rss - m.allocatorResident > 10 * MB)
    report += MemoryDoctorText.HIGH_PROCESS_RSS;
  const clients = Math.max(1, server.clients.size);
  if (m.clientsNormal / clients > 200 * 1024) report += MemoryDoctorText.BIG_CLIENT_BUFFERS;
  if (report === '') return MemoryDoctorText.HEALTHY;
  return MemoryDoctorText.HEADER + report + MemoryDoctorText.FOOTER;
}

// ---- LATENCY --------------------------------------------------------------------------------

function latencyHistogram(client: Client, argv: string[]): void {
  const server = client.server;
  const found: [string, [number, number][]][] = [];
  const add = (command: Command) => {
    const histogram = commandHistogram(command);
    if (histogram) found.push([command.meta.name, histogram]);
  };
  if (argv.length === 2) {
    for (const command of server.commands()) {
      add(command);
      for (const sub of command.subcommands?.values() ?? []) add(sub);
    }
  } else {
    // latencySpecificCommandsFillCDF: each name in the order given (a name given twice is
    // answered twice), a container followed by its subcommands
    for (const name of argv.slice(2)) {
      const [parent, sub] = name.toLowerCase().split('|');
      let command = server.command(parent ?? '');
      if (command && sub !== undefined) command = command.subcommands?.get(sub);
      if (!command) continue;
      add(command);
      if (sub === undefined) for (const child of command.subcommands?.values() ?? []) add(child);
    }
  }
  const w = client.w;
  w.mapHeader(found.length);
  for (const [name, histogram] of found) {
    w.bulk(name);
    w.mapHeader(2);
    w.bulk('calls');
    w.integer(histogram[histogram.length - 1]![1]);
    w.bulk('histogram_usec');
    w.mapHeader(histogram.length);
    for (const [micros, count] of histogram) {
      w.integer(micros);
      w.integer(count);
    }
  }
}

function latencyLatest(client: Client): void {
  const events = latencyMonitor(client.server).events;
  const w = client.w;
  w.arrayHeader(events.size);
  for (const [name, series] of events) {
    const [time, latency] = series.latest();
    w.arrayHeader(4);
    w.bulk(name);
    w.integer(time);
    w.integer(latency);
    w.integer(series.max);
  }
}

function latencyHistory(client: Client, argv: string[]): void {
  const series = latencyMonitor(client.server).events.get(argv[2] ?? '');
  const samples = series?.samples() ?? [];
  client.w.arrayHeader(samples.length);
  for (const [time, latency] of samples) {
    client.w.arrayHeader(2);
    client.w.integer(time);
    client.w.integer(latency);
  }
}

function latencyReset(client: Client, argv: string[]): void {
  client.w.integer(
    latencyMonitor(client.server).reset(argv.length === 2 ? undefined : argv.slice(2)),
  );
}

function latencyGraph(client: Client, argv: string[]): void {
  const event = argv[2] ?? '';
  const monitor = latencyMonitor(client.server);
  const series = monitor.events.get(event);
  if (!series) {
    client.server.errorReply(client, sanitize(`ERR No samples available for event '${event}'`));
    return;
  }
  client.w.verbatim(monitor.graph(event, series));
}

/** LATENCY DOCTOR's texts (latencyCommandGenReport). */
export const LatencyDoctorText = {
  DISABLED:
    "I'm sorry, Dave, I can't do that. Latency monitoring is disabled in this Redis instance. You may use \"CONFIG SET latency-monitor-threshold <milliseconds>.\" in order to enable it. If we weren't in a deep space mission I'd suggest to take a look at https://redis.io/topics/latency-monitor.\n",
  NO_EVENTS:
    'Dave, no latency spike was observed during the lifetime of this Redis instance, not in the slightest bit. I honestly think you ought to sleep tonight.\n',
  HEADER:
    "Dave, I have observed latency spikes in this Redis instance. You don't mind talking about it, do you Dave?\n\n",
} as const;

/** Per-event statistics of LATENCY DOCTOR (analyzeLatencyForEvent). */
function eventLine(index: number, name: string, series: LatencyTimeSeries): string {
  const samples = series.samples();
  let sum = 0;
  for (const [, latency] of samples) sum += latency;
  const average = samples.length ? sum / samples.length : 0;
  let deviation = 0;
  for (const [, latency] of samples) deviation += Math.abs(average - latency);
  if (samples.length) deviation /= samples.length;
  const first = samples[0]?.[0] ?? 0;
  const last = samples[samples.length - 1]?.[0] ?? 0;
  const period = samples.length > 1 ? (last - first) / samples.length : 0;
  return `${index}. ${name}: ${samples.length} latency spikes (average ${Math.trunc(average)}ms, mean deviation ${Math.trunc(deviation)}ms, period ${period.toFixed(2)} sec). Worst all time event ${series.max}ms.\n`;
}

function latencyDoctor(client: Client): void {
  const monitor = latencyMonitor(client.server);
  let text: string;
  if (monitor.events.size === 0)
    text = monitor.threshold === 0 ? LatencyDoctorText.DISABLED : LatencyDoctorText.NO_EVENTS;
  else {
    text = LatencyDoctorText.HEADER;
    let index = 1;
    for (const [name, series] of monitor.events) text += eventLine(index++, name, series);
    text +=
      '\nI have a few advices for you:\n\n- Check your Slow Log to understand what are the commands you are running which are too slow to execute. Please check https://redis.io/commands/slowlog for more information.\n- Deleting, expiring or evicting (because of maxmemory policy) large objects is a blocking operation. If you have very large objects that are often deleted, expired, or evicted, try to fragment those objects into multiple smaller objects.\n';
  }
  client.w.verbatim(text);
}

// ---- LOLWUT ---------------------------------------------------------------------------------

/** getLongFromObjectOrReply: an int64 as a number (clamped past 2^53, enough for LOLWUT). */
function longArgument(client: Client, text: string): number | undefined {
  const value = parseInt64(text);
  if (value === undefined) {
    client.server.errorReply(client, ReplyError.NOT_INTEGER);
    return undefined;
  }
  return Number(value);
}

function lolwut(client: Client, argv: string[]): void {
  const server = client.server;
  let version = server.redisVersion;
  let args = argv.slice(1);
  if (argv.length >= 3 && (argv[1] ?? '').toLowerCase() === 'version') {
    const value = parseInt64(argv[2] ?? '');
    if (value === undefined) {
      server.errorReply(client, ReplyError.NOT_INTEGER);
      return;
    }
    // snprintf("%u.0.0", (unsigned int)ver)
    version = `${BigInt.asUintN(32, BigInt(value))}.0.0`;
    args = argv.slice(3);
  }
  // lolwut.c picks the drawing from the version string's first characters
  if (version[0] === '5' && version[1] === '.' && version[2] !== '9') {
    const numbers = [66, 8, 12];
    for (let i = 0; i < 3 && i < args.length; i++) {
      const value = longArgument(client, args[i] ?? '');
      if (value === undefined) return;
      numbers[i] = value;
    }
    client.w.verbatim(schotter(numbers[0]!, numbers[1]!, numbers[2]!, server.redisVersion));
    return;
  }
  // version 6 (skyscrapers) is not drawn: every other version prints the server's version
  client.w.verbatim(`Redis ver. ${server.redisVersion}\n`);
}

// ---- DEBUG ----------------------------------------------------------------------------------

/** DEBUG HELP, as redis-server 7.0.15 built without jemalloc prints it. */
const DEBUG_HELP = [
  'DEBUG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:',
  'AOF-FLUSH-SLEEP <microsec>',
  '    Server will sleep before flushing the AOF, this is used for testing.',
  'ASSERT',
  '    Crash by assertion failed.',
  'CHANGE-REPL-ID',
  '    Change the replication IDs of the instance.',
  '    Dangerous: should be used only for testing the replication subsystem.',
  'CONFIG-REWRITE-FORCE-ALL',
  '    Like CONFIG REWRITE but writes all configuration options, including',
  '    keywords not listed in original configuration file or default values.',
  'CRASH-AND-RECOVER [<milliseconds>]',
  '    Hard crash and restart after a <milliseconds> delay (default 0).',
  'DIGEST',
  '    Output a hex signature representing the current DB content.',
  'DIGEST-VALUE <key> [<key> ...]',
  '    Output a hex signature of the values of all the specified keys.',
  'ERROR <string>',
  '    Return a Redis protocol error with <string> as message. Useful for clients',
  '    unit tests to simulate Redis errors.',
  'LEAK <string>',
  '    Create a memory leak of the input string.',
  'LOG <message>',
  '    Write <message> to the server log.',
  'HTSTATS <dbid>',
  '    Return hash table statistics of the specified Redis database.',
  'HTSTATS-KEY <key>',
  "    Like HTSTATS but for the hash table stored at <key>'s value.",
  'LOADAOF',
  '    Flush the AOF buffers on disk and reload the AOF in memory.',
  'REPLICATE <string>',
  '    Replicates the provided string to replicas, allowing data divergence.',
  'OBJECT <key>',
  '    Show low level info about `key` and associated value.',
  'DROP-CLUSTER-PACKET-FILTER <packet-type>',
  '    Drop all packets that match the filtered type. Set to -1 allow all packets.',
  'OOM',
  '    Crash the server simulating an out-of-memory error.',
  'PANIC',
  '    Crash the server simulating a panic.',
  'POPULATE <count> [<prefix>] [<size>]',
  '    Create <count> string keys named key:<num>. If <prefix> is specified then',
  "    it is used instead of the 'key' prefix. These are not propagated to",
  '    replicas. Cluster slots are not respected so keys not belonging to the',
  '    current node can be created in cluster mode.',
  'PROTOCOL <type>',
  '    Reply with a test value of the specified type. <type> can be: string,',
  '    integer, double, bignum, null, array, set, map, attrib, push, verbatim,',
  '    true, false.',
  'RELOAD [option ...]',
  '    Save the RDB on disk and reload it back to memory. Valid <option> values:',
  '    * MERGE: conflicting keys will be loaded from RDB.',
  '    * NOFLUSH: the existing database will not be removed before load, but',
  '      conflicting keys will generate an exception and kill the server.',
  '    * NOSAVE: the database will be loaded from an existing RDB file.',
  '    Examples:',
  '    * DEBUG RELOAD: verify that the server is able to persist, flush and reload',
  '      the database.',
  '    * DEBUG RELOAD NOSAVE: replace the current database with the contents of an',
  '      existing RDB file.',
  '    * DEBUG RELOAD NOSAVE NOFLUSH MERGE: add the contents of an existing RDB',
  '      file to the database.',
  'RESTART [<milliseconds>]',
  '    Graceful restart: save config, db, restart after a <milliseconds> delay (default 0).',
  'SDSLEN <key>',
  '    Show low level SDS string info representing `key` and value.',
  'SEGFAULT',
  '    Crash the server with sigsegv.',
  'SET-ACTIVE-EXPIRE <0|1>',
  '    Setting it to 0 disables expiring keys in background when they are not',
  '    accessed (otherwise the Redis behavior). Setting it to 1 reenables back the',
  '    default.',
  'QUICKLIST-PACKED-THRESHOLD <size>',
  '    Sets the threshold for elements to be inserted as plain vs packed nodes',
  '    Default value is 1GB, allows values up to 4GB. Setting to 0 restores to default.',
  'SET-SKIP-CHECKSUM-VALIDATION <0|1>',
  "    Enables or disables checksum checks for RDB files and RESTORE's payload.",
  'SLEEP <seconds>',
  '    Stop the server for <seconds>. Decimals allowed.',
  'STRINGMATCH-TEST',
  '    Run a fuzz tester against the stringmatchlen() function.',
  'STRUCTSIZE',
  '    Return the size of different Redis core C structures.',
  'LISTPACK <key>',
  '    Show low level info about the listpack encoding of <key>.',
  'QUICKLIST <key> [<0|1>]',
  '    Show low level info about the quicklist encoding of <key>.',
  '    The optional argument (0 by default) sets the level of detail',
  'CLIENT-EVICTION',
  '    Show low level client eviction pools info (maxmemory-clients).',
  'PAUSE-CRON <0|1>',
  '    Stop periodic cron job processing.',
  'REPLYBUFFER PEAK-RESET-TIME <NEVER||RESET|time>',
  '    Sets the time (in milliseconds) to wait between client reply buffer peak resets.',
  '    In case NEVER is provided the last observed peak will never be reset',
  '    In case RESET is provided the peak reset time will be restored to the default value',
  'REPLYBUFFER RESIZING <0|1>',
  '    Enable or disable the reply buffer resize cron job',
  'CLUSTERLINK KILL <to|from|all> <node-id>',
  '    Kills the link based on the direction to/from (both) with the provided node.',
  'HELP',
  '    Prints this help.',
] as const;

/** DEBUG's error texts. */
export const DebugReply = {
  RELOAD_OPTIONS: 'ERR DEBUG RELOAD only supports the MERGE, NOFLUSH and NOSAVE options.',
  RELOAD_FAILED: 'ERR Error trying to load the RDB dump',
  GENERIC: 'ERR',
  PACKED_THRESHOLD: 'ERR argument must be a memory value bigger than 1 and smaller than 4gb',
  PROTOCOL_TYPE:
    'ERR Wrong protocol type name. Please use one of the following: string|integer|double|bignum|null|array|set|map|attrib|push|verbatim|true|false',
  RESP2_PUSH: 'ERR RESP2 is not supported by this command',
  NOT_LISTPACK: 'ERR Not a listpack encoded object.',
  NOT_QUICKLIST: 'ERR Not a quicklist encoded object.',
  POSITIVE: 'ERR value is out of range, must be positive',
} as const;

/** addReplySubcommandSyntaxError: DEBUG's reply to an unknown subcommand or a wrong arity. */
export function debugSyntaxError(client: Client, argv: string[]): void {
  client.server.errorReply(client, subcommandSyntaxError(argv));
}

const sha1 = (data: Uint8Array | string): Buffer =>
  createHash('sha1')
    .update(typeof data === 'string' ? Buffer.from(data, 'latin1') : data)
    .digest();

/** xorDigest: digest ^= SHA1(data). Order-free accumulation. */
function xorDigest(digest: Uint8Array, data: Uint8Array | string): void {
  const hash = sha1(data);
  for (let j = 0; j < 20; j++) digest[j]! ^= hash[j]!;
}

/** mixDigest: digest = SHA1(digest ^ SHA1(data)). Ordered accumulation. */
function mixDigest(digest: Uint8Array, data: Uint8Array | string): void {
  xorDigest(digest, data);
  digest.set(sha1(digest));
}

function uint32BigEndian(value: number): Uint8Array {
  const bytes = new Uint8Array(4);
  new DataView(bytes.buffer).setUint32(0, value);
  return bytes;
}

/** OBJ_STRING.. OBJ_STREAM as redis-server numbers them (the digest mixes them in). */
const OBJECT_TYPE = { string: 0, list: 1, set: 2, zset: 3, hash: 4, stream: 6 } as const;

/**
 * xorObjectDigest: mixes a value into `digest` as redis-server does (ordered for lists and
 * streams, order-free for sets, hashes and sorted sets), then "!!expire!!" for a key with a TTL.
 * Byte-compatible with DEBUG DIGEST / DIGEST-VALUE of redis-server 7.0. O(elements).
 *
 * @example
 * ```ts
 * const digest = new Uint8Array(20);
 * valueDigest(digest, 'v', false);
 * ```
 */
export function valueDigest(digest: Uint8Array, value: Value, hasExpire: boolean): void {
  const type = typeof value === 'string' ? 'string' : value.type;
  mixDigest(digest, uint32BigEndian(OBJECT_TYPE[type]));
  if (typeof value === 'string') mixDigest(digest, value);
  else if (value.type === 'list') {
    for (const element of value as ListValue) mixDigest(digest, element);
  } else if (value.type === 'set') {
    for (const member of value as SetValue) xorDigest(digest, member);
  } else if (value.type === 'zset') {
    for (const [member, score] of (value as ZSet).entries()) {
      const element = new Uint8Array(20);
      mixDigest(element, member);
      mixDigest(element, formatDouble(score));
      xorDigest(digest, element);
    }
  } else if (value.type === 'hash') {
    const pairs = (value as HashValue).pairs();
    for (let i = 0; i + 1 < pairs.length; i += 2) {
      const element = new Uint8Array(20);
      mixDigest(element, pairs[i]!);
      mixDigest(element, pairs[i + 1]!);
      xorDigest(digest, element);
    }
  } else if (value.type === 'stream') {
    const iterator = (value as StreamValue).iterator(StreamId.MIN, StreamId.MAX, false);
    while (iterator.next()) {
      const id = iterator.id();
      mixDigest(digest, `${id.ms}.${id.seq}`);
      for (const item of iterator.pairs()) mixDigest(digest, item);
    }
  }
  if (hasExpire) xorDigest(digest, '!!expire!!');
}

/** computeDatasetDigest: 40 hex digits, zeros for an empty dataset. O(dataset). */
export function datasetDigest(server: Server): string {
  const final = new Uint8Array(20);
  for (const db of server.databases) {
    if (db.size === 0) continue;
    mixDigest(final, uint32BigEndian(db.index));
    for (const [key, value] of db.entries()) {
      const digest = new Uint8Array(20);
      mixDigest(digest, key);
      valueDigest(digest, value, db.getExpire(key) !== undefined);
      xorDigest(final, digest);
    }
  }
  return Buffer.from(final).toString('hex');
}

function debugProtocol(client: Client, argv: string[]): void {
  const w = client.w;
  const name = (argv[2] ?? '').toLowerCase();
  switch (name) {
    case 'string':
      w.bulk('Hello World');
      return;
    case 'integer':
      w.integer(12345);
      return;
    case 'double':
      w.double(3.141);
      return;
    case 'bignum':
      w.bigNumber('1234567999999999999999999999999999999');
      return;
    case 'null':
      w.nil();
      return;
    case 'array':
    case 'set':
      if (name === 'array') w.arrayHeader(3);
      else w.setHeader(3);
      for (let j = 0; j < 3; j++) w.integer(j);
      return;
    case 'map':
      w.mapHeader(3);
      for (let j = 0; j < 3; j++) {
        w.integer(j);
        w.boolean(j === 1);
      }
      return;
    case 'attrib':
      if (client.resp >= 3) {
        w.attributeHeader(1);
        w.bulk('key-popularity');
        w.arrayHeader(2);
        w.bulk('key:123');
        w.integer(90);
      }
      w.bulk('Some real reply following the attribute');
      return;
    case 'push':
      if (client.resp < 3) {
        client.server.errorReply(client, DebugReply.RESP2_PUSH);
        return;
      }
      w.pushHeader(2);
      w.bulk('server-cpu-usage');
      w.integer(42);
      w.bulk('Some real reply following the push reply');
      return;
    case 'true':
    case 'false':
      w.boolean(name === 'true');
      return;
    case 'verbatim':
      w.verbatim('This is a verbatim\nstring');
      return;
    default:
      client.server.errorReply(client, DebugReply.PROTOCOL_TYPE);
  }
}

function debugReload(client: Client, argv: string[]): void {
  const server = client.server;
  let flush = true;
  let save = true;
  // MERGE (RDBFLAGS_ALLOW_DUP): a key or library already in memory is replaced. Without it,
  // NOFLUSH with a key already there fails the load (redis-server exits in that case)
  let merge = false;
  for (const option of argv.slice(2)) {
    const lower = option.toLowerCase();
    if (lower === 'merge') merge = true;
    else if (lower === 'noflush') flush = false;
    else if (lower === 'nosave') save = false;
    else {
      server.errorReply(client, DebugReply.RELOAD_OPTIONS);
      return;
    }
  }
  const persistence = persistenceOf(server);
  if (save && persistence.save() !== undefined) {
    server.errorReply(client, DebugReply.GENERIC);
    return;
  }
  const dirty = server.stats.dirty;
  if (flush) {
    // emptyData: WATCHers of keys in the table fail; nothing is propagated; the functions go too
    for (const db of server.databases) {
      server.touchWatchedReplaced(db, undefined);
      db.flush();
    }
    ScriptEngine.existing(server)?.functions.flush();
  }
  try {
    persistence.loadRdbFile(persistence.rdbPath, merge);
  } catch (error) {
    server.logger.warning(`DEBUG RELOAD: ${(error as Error).message}`);
    server.errorReply(client, DebugReply.RELOAD_FAILED);
    return;
  }
  server.stats.dirty = dirty;
  server.logger.warning('DB reloaded by DEBUG RELOAD');
  client.w.ok();
}

function debugPopulate(client: Client, argv: string[]): void {
  // getPositiveLongFromObjectOrReply: one error for anything but a non-negative integer
  const count = parseInt64(argv[2] ?? '');
  if (count === undefined || count < 0) {
    client.server.errorReply(client, DebugReply.POSITIVE);
    return;
  }
  let size = 0;
  if (argv.length === 5) {
    const parsed = parseInt64(argv[4] ?? '');
    if (parsed === undefined || parsed < 0) {
      client.server.errorReply(client, DebugReply.POSITIVE);
      return;
    }
    size = Number(parsed);
  }
  const prefix = argv.length >= 4 ? (argv[3] ?? '') : 'key';
  const db = client.db;
  for (let j = 0; j < Number(count); j++) {
    const key = `${prefix}:${j}`;
    if (db.lookup(key) !== undefined) continue;
    let value = `value:${j}`;
    if (size !== 0)
      value =
        size <= value.length ? value.slice(0, size) : value + '\0'.repeat(size - value.length);
    db.add(key, value);
    // not changes to save (dbAdd alone)
    client.server.changes(-1);
  }
  client.w.ok();
}

function debugEncodingCheck(client: Client, argv: string[], encoding: string): void {
  const value = objectLookup(client, argv[2] ?? '');
  if (value === undefined) {
    client.server.errorReply(client, ReplyError.NO_SUCH_KEY);
    return;
  }
  const actual = typeof value === 'string' ? 'string' : value.encoding();
  if (actual !== encoding)
    client.server.errorReply(
      client,
      encoding === 'listpack' ? DebugReply.NOT_LISTPACK : DebugReply.NOT_QUICKLIST,
    );
  else
    client.w.simple(
      encoding === 'listpack'
        ? 'Listpack structure printed on stdout'
        : 'Quicklist structure printed on stdout',
    );
}

/** A DEBUG switch read as atoi: anything that does not start with a non-zero number is off. */
function atoiFlag(arg: string | undefined): boolean {
  return Number.parseInt(arg ?? '', 10) ? true : false;
}

/**
 * DEBUG subcommands byor implements here; OBJECT and SLEEP stay in admin.ts. Returns false when
 * the subcommand is not one of them.
 */
export function debugIntrospection(client: Client, argv: string[]): boolean {
  const sub = (argv[1] ?? '').toLowerCase();
  const argc = argv.length;
  const server = client.server;
  const w = client.w;
  if (sub === 'help' && argc === 2) {
    w.arrayHeader(DEBUG_HELP.length);
    for (const line of DEBUG_HELP) w.simple(line);
  } else if (sub === 'digest' && argc === 2) {
    w.simple(datasetDigest(server));
  } else if (sub === 'digest-value') {
    w.arrayHeader(argc - 2);
    for (const key of argv.slice(2)) {
      const digest = new Uint8Array(20);
      const value = client.db.peek(key);
      if (value !== undefined) valueDigest(digest, value, client.db.getExpire(key) !== undefined);
      w.simple(Buffer.from(digest).toString('hex'));
    }
  } else if (sub === 'protocol' && argc === 3) {
    debugProtocol(client, argv);
  } else if (sub === 'reload') {
    debugReload(client, argv);
  } else if (sub === 'loadaof' && argc === 2) {
    const error = persistenceOf(server).debugLoadAof();
    if (error !== undefined) server.errorReply(client, error);
    else w.ok();
  } else if (sub === 'set-disable-deny-scripts' && argc === 3) {
    server.scriptNoscriptAllowed = atoiFlag(argv[2]);
    w.ok();
  } else if (sub === 'pause-cron' && argc === 3) {
    server.cronPaused = atoiFlag(argv[2]);
    w.ok();
  } else if (sub === 'set-active-expire' && argc === 3) {
    server.activeExpireEnabled = atoiFlag(argv[2]);
    w.ok();
  } else if (sub === 'error' && argc === 3) {
    // written as it is (addReplySds): not counted as an error reply
    w.error(sanitize(argv[2] ?? ''));
  } else if (sub === 'log' && argc === 3) {
    server.logger.warning(`DEBUG LOG: ${argv[2] ?? ''}`);
    w.ok();
  } else if (
    (sub === 'leak' && argc === 3) ||
    (sub === 'set-skip-checksum-validation' && argc === 3) ||
    (sub === 'aof-flush-sleep' && argc === 3) ||
    sub === 'change-repl-id'
  ) {
    w.ok();
  } else if (sub === 'replicate' && argc >= 3) {
    // alsoPropagate(PROPAGATE_REPL): the command given goes to the replicas alone, unrun here
    const master = ReplicationMaster.existing(server);
    if (server.hooks.propagate !== undefined && master?.backlog !== undefined)
      server.propagateTo(master, client.db.index, argv.slice(2));
    w.ok();
  } else if (sub === 'quicklist-packed-threshold' && argc === 3) {
    const size = memtoull(argv[2] ?? '');
    // quicklistisSetPackedThreshold: 0 restores the default, at most 4 GB less 1 MB
    if (size === undefined || size > 2n ** 32n - 2n ** 20n)
      server.errorReply(client, DebugReply.PACKED_THRESHOLD);
    else w.ok();
  } else if (sub === 'populate' && argc >= 3 && argc <= 5) {
    debugPopulate(client, argv);
  } else if (sub === 'listpack' && argc === 3) {
    debugEncodingCheck(client, argv, 'listpack');
  } else if (sub === 'quicklist' && (argc === 3 || argc === 4)) {
    debugEncodingCheck(client, argv, 'quicklist');
  } else return false;
  return true;
}

export const introspectionCommands: HandlerTable = {
  'memory|stats': memoryStats,
  'memory|doctor': (client) => client.w.verbatim(memoryDoctorReport(client.server)),
  // redis-server built without jemalloc answers a plain bulk string here
  'memory|malloc-stats': (client) => client.w.bulk('Stats not supported for the current allocator'),
  'memory|purge': (client) => client.w.ok(),
  'latency|histogram': latencyHistogram,
  'latency|latest': latencyLatest,
  'latency|history': latencyHistory,
  'latency|reset': latencyReset,
  'latency|graph': latencyGraph,
  'latency|doctor': latencyDoctor,
  lolwut,
};
