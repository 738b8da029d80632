/**
 * maxmemory and eviction, as redis-server 7.0's evict.c: the memory account, performEvictions()
 * with every maxmemory-policy and the 16-candidate eviction pool, the OOM refusal of processCommand,
 * and the background eviction that continues when maxmemory-eviction-tenacity's time limit cuts a
 * call short.
 *
 * Used memory is an estimate, not the allocator's count (V8 does not free at delete time, so a heap
 * figure cannot tell whether an eviction freed anything): `startup` (the heap in use when the
 * server was created, used_memory_startup) plus the databases' account of their keys and values
 * (MEMORY USAGE's estimates, kept up to date on every write). See ARCHITECTURE.md, "Memory and
 * eviction", for the measurements behind the choice.
 *
 * @packageDocumentation
 */
import { performance } from 'node:perf_hooks';
import { getHeapStatistics } from 'node:v8';
import type { Client } from './client.js';
import { CommandFlag } from './commands/spec.js';
import type { Command } from './commands/types.js';
import { idleMilliseconds, lfuCounter } from './eviction-clock.js';
import type { AccessTracking, Database } from './keyspace.js';
import type { Server } from './server.js';

/** redis-server's shared.oomerr. */
export const OOM_ERROR = "OOM command not allowed when used memory > 'maxmemory'.";
/** EXEC refused while out of memory (execCommandAbort). */
export const EXECABORT_OOM_ERROR = `EXECABORT Transaction discarded because of: ${OOM_ERROR}`;

/** Candidates kept between calls (EVPOOL_SIZE). */
export const EVICTION_POOL_SIZE = 16;

/** What performEvictions() reports (EVICT_OK, EVICT_RUNNING, EVICT_FAIL). */
export const EvictionResult = {
  /** under the limit (or eviction not allowed right now) */
  OK: 'ok',
  /** over the limit, the time limit was reached: the background eviction continues */
  RUNNING: 'running',
  /** over the limit and nothing can be evicted */
  FAIL: 'fail',
} as const;
/** One of the values of {@link EvictionResult}. */
export type EvictionResult = (typeof EvictionResult)[keyof typeof EvictionResult];

/** A maxmemory-policy as its flags (MAXMEMORY_FLAG_LRU / LFU / ALLKEYS) and kind. */
interface PolicyFlags {
  readonly lru: boolean;
  readonly lfu: boolean;
  readonly allKeys: boolean;
  readonly kind: 'pool' | 'random' | 'ttl' | 'none';
}

const POLICIES: Readonly<Record<string, PolicyFlags>> = {
  'volatile-lru': { lru: true, lfu: false, allKeys: false, kind: 'pool' },
  'volatile-lfu': { lru: false, lfu: true, allKeys: false, kind: 'pool' },
  'volatile-random': { lru: false, lfu: false, allKeys: false, kind: 'random' },
  'volatile-ttl': { lru: false, lfu: false, allKeys: false, kind: 'ttl' },
  'allkeys-lru': { lru: true, lfu: false, allKeys: true, kind: 'pool' },
  'allkeys-lfu': { lru: false, lfu: true, allKeys: true, kind: 'pool' },
  'allkeys-random': { lru: false, lfu: false, allKeys: true, kind: 'random' },
  noeviction: { lru: false, lfu: false, allKeys: false, kind: 'none' },
};

/**
 * evictionTimeLimitUs(): the time one performEvictions() call may take, in microseconds, from
 * maxmemory-eviction-tenacity (0-100): 50 us per point up to 10, then 15% more per point, and no
 * limit at 100. O(1).
 *
 * @example
 * ```ts
 * evictionTimeLimitMicros(10); // 500
 * evictionTimeLimitMicros(100); // Infinity
 * ```
 */
export function evictionTimeLimitMicros(tenacity: number): number {
  if (tenacity <= 10) return 50 * tenacity;
  if (tenacity < 100) return Math.floor(500 * Math.pow(1.15, tenacity - 10));
  return Infinity;
}

/**
 * The server's eviction state: the access-clock settings every database stamps keys with, the
 * memory account, the eviction pool and statistics. One per {@link Server}.
 *
 * @example
 * ```ts
 * server.eviction.usedMemory(); // bytes, as INFO used_memory reports them
 * server.eviction.performEvictions(); // 'ok' | 'running' | 'fail'
 * ```
 */
export class Eviction implements AccessTracking {
  // AccessTracking: read by every lookup, so plain fields kept current by config listeners
  lfu = false;
  ownIntegers = false;
  lfuLogFactor = 10;
  lfuDecayTime = 1;
  dataset = 0;
  /** maxmemory in bytes (0: no limit): the dispatcher's guard reads it before every command */
  maxmemory = 0;
  /** used_memory_startup: the V8 heap in use when the server was created */
  readonly startup: number;
  /** used_memory_peak */
  peak = 0;
  /** the last performEvictions() answered FAIL (scripts check it at their first write) */
  outOfMemory = false;
  /** INFO stats total_eviction_exceeded_time (ms) */
  totalExceededMs = 0;
  #exceededSince = 0;
  #policy: PolicyFlags = POLICIES.noeviction!;
  #samples = 5;
  #tenacity = 10;
  readonly #server: Server;
  // the eviction pool: ascending idle score, candidates at the end are evicted first
  readonly #poolKeys: (string | undefined)[] = new Array<string | undefined>(
    EVICTION_POOL_SIZE,
  ).fill(undefined);
  readonly #poolIdle = new Float64Array(EVICTION_POOL_SIZE);
  readonly #poolDb = new Int32Array(EVICTION_POOL_SIZE);
  #nextDb = 0;
  #background: NodeJS.Immediate | undefined = undefined;
  readonly #sampleVisitor: (key: string, stamp: number, expireAt: number) => void;
  #sampleDb = 0;
  #sampleNow = 0;

  constructor(server: Server) {
    this.#server = server;
    this.startup = getHeapStatistics().used_heap_size;
    this.peak = this.startup;
    this.#sampleVisitor = (key, stamp, expireAt) => this.#poolInsert(key, stamp, expireAt);
    const config = server.config;
    const read = (): void => {
      this.maxmemory = config.number('maxmemory');
      this.#policy = POLICIES[config.string('maxmemory-policy')] ?? POLICIES.noeviction!;
      this.lfu = this.#policy.lfu;
      this.ownIntegers = this.maxmemory !== 0 && (this.#policy.lru || this.#policy.lfu);
      this.#samples = Math.max(1, config.number('maxmemory-samples') || 5);
      this.#tenacity = config.string('maxmemory-eviction-tenacity')
        ? config.number('maxmemory-eviction-tenacity')
        : 10;
      this.lfuLogFactor = config.string('lfu-log-factor') ? config.number('lfu-log-factor') : 10;
      this.lfuDecayTime = config.string('lfu-decay-time') ? config.number('lfu-decay-time') : 1;
    };
    read();
    for (const name of [
      'maxmemory-policy',
      'maxmemory-samples',
      'maxmemory-eviction-tenacity',
      'lfu-log-factor',
      'lfu-decay-time',
    ])
      config.onChange(name, read);
    config.onChange('maxmemory', () => {
      read();
      // updateMaxmemory: CONFIG SET maxmemory below the memory in use warns and starts the
      // eviction timer at once (the next turn of the event loop), as redis-server does
      if (this.maxmemory === 0 || !this.#server.databases) return;
      const used = this.usedMemory();
      if (this.maxmemory < used)
        this.#server.logger.warning(
          `WARNING: the new maxmemory value set via CONFIG SET (${this.maxmemory}) is smaller than the current memory usage (${used}). This will result in key eviction and/or the inability to accept new write commands depending on the maxmemory-policy.`,
        );
      this.#startBackground();
    });
  }

  /** The policy's name is an LRU one (its stamps are saved as RDB IDLE opcodes). */
  get savesIdle(): boolean {
    return this.#policy.lru;
  }

  /** The policy's name is an LFU one (its stamps are saved as RDB FREQ opcodes). */
  get savesFrequency(): boolean {
    return this.#policy.lfu;
  }

  /**
   * used_memory: the startup heap plus the databases' account, collections changed in place
   * re-estimated first. O(collections changed since the last call).
   */
  usedMemory(): number {
    for (const db of this.#server.databases) db.refreshCharges();
    const used = this.startup + this.dataset;
    if (used > this.peak) this.peak = used;
    return used;
  }

  /**
   * processCommand's maxmemory step, for the dispatcher to call before each command while
   * `maxmemory` is set: evicts as the policy says, then refuses the command with -OOM when memory
   * is still over the limit and the command may grow it (denyoom, EXEC of a queue holding one, any
   * command but EXEC/DISCARD/QUIT/RESET inside MULTI). Returns true when it replied (refused).
   */
  rejects(client: Client, command: Command, argv: string[]): boolean {
    const outOfMemory = this.performEvictions() === EvictionResult.FAIL;
    this.outOfMemory = outOfMemory;
    if (!outOfMemory) return false;
    const name = command.meta.name;
    const server = this.#server;
    const denyOom = (queued: Command, queuedArgv: string[]) =>
      (server.commandFlags(queued, queuedArgv) & CommandFlag.DENYOOM) !== 0;
    let deny = denyOom(command, argv);
    const multi = client.multi;
    if (multi) {
      if (name === 'exec') {
        for (const queued of multi.commands) if (denyOom(queued.command, queued.argv)) deny = true;
      } else if (name !== 'discard' && name !== 'quit' && name !== 'reset') deny = true;
    }
    if (!deny) return false;
    command.rejectedCalls++;
    if (multi && name === 'exec') {
      // rejectCommand -> execCommandAbort: the transaction is discarded
      client.multi = undefined;
      server.unwatchAll(client);
      server.errorReply(client, EXECABORT_OOM_ERROR);
      return true;
    }
    if (multi) multi.dirty = true;
    server.errorReply(client, OOM_ERROR);
    return true;
  }

  /**
   * performEvictions(): while used memory is over maxmemory, evicts the best key the policy
   * finds, within maxmemory-eviction-tenacity's time limit (past it, eviction continues in the
   * background and the result is RUNNING). FAIL when over the limit with nothing to evict.
   */
  performEvictions(): EvictionResult {
    const server = this.#server;
    const limit = this.maxmemory;
    if (limit === 0) return EvictionResult.OK;
    // isSafeToPerformEvictions: not while clients are paused (CLIENT PAUSE WRITE/ALL), nor on
    // a replica that leaves memory to its master (replica-ignore-maxmemory, the default)
    if (server.pause !== undefined && server.clock.now() < server.pause.until)
      return EvictionResult.OK;
    if (server.replicaOf !== undefined && server.config.bool('replica-ignore-maxmemory'))
      return EvictionResult.OK;
    let used = this.usedMemory();
    if (used <= limit) return this.#settle(EvictionResult.OK);
    if (this.#policy.kind === 'none') return this.#settle(EvictionResult.FAIL);
    const timeLimit = evictionTimeLimitMicros(this.#tenacity);
    const start = performance.now();
    let freedKeys = 0;
    while (used > limit) {
      const victim = this.#selectVictim();
      if (victim === undefined) return this.#settle(EvictionResult.FAIL);
      const [db, key] = victim;
      const freed = db.evict(key);
      if (freed < 0) continue;
      used -= freed;
      server.stats.evictedKeys++;
      server.notify('e', 'evicted', key, db);
      server.hooks.propagate?.(db.index, [server.deletionCommand('eviction'), key]);
      freedKeys++;
      if (freedKeys % 16 === 0 && (performance.now() - start) * 1000 > timeLimit) {
        if (used > limit) {
          this.#startBackground();
          return this.#settle(EvictionResult.RUNNING);
        }
      }
    }
    return this.#settle(EvictionResult.OK);
  }

  /** INFO stats current_eviction_exceeded_time (ms). */
  currentExceededMs(): number {
    return this.#exceededSince === 0 ? 0 : Math.round(performance.now() - this.#exceededSince);
  }

  /** Stops the background eviction (server shutdown). */
  close(): void {
    if (this.#background !== undefined) clearImmediate(this.#background);
    this.#background = undefined;
  }

  #settle(result: EvictionResult): EvictionResult {
    if (result === EvictionResult.OK) {
      if (this.#exceededSince !== 0) {
        this.totalExceededMs += performance.now() - this.#exceededSince;
        this.#exceededSince = 0;
      }
    } else if (this.#exceededSince === 0) this.#exceededSince = performance.now();
    return result;
  }

  #startBackground(): void {
    if (this.#background !== undefined) return;
    const step = (): void => {
      this.#background = undefined;
      // evictionTimeProc: continues while the last call ran out of time
      if (this.performEvictions() === EvictionResult.RUNNING && this.#background === undefined)
        this.#startBackground();
    };
    this.#background = setImmediate(step);
    this.#background.unref();
  }

  /** The database and key to evict next, or undefined when the policy finds nothing. */
  #selectVictim(): [Database, string] | undefined {
    const databases = this.#server.databases;
    const policy = this.#policy;
    if (policy.kind === 'random') {
      for (let i = 0; i < databases.length; i++) {
        this.#nextDb = (this.#nextDb + 1) % databases.length;
        const db = databases[this.#nextDb]!;
        const key = db.randomKeyForEviction(!policy.allKeys);
        if (key !== undefined) return [db, key];
      }
      return undefined;
    }
    const keys = this.#poolKeys;
    for (;;) {
      let total = 0;
      this.#sampleNow = this.#server.now();
      for (let i = 0; i < databases.length; i++) {
        const db = databases[i]!;
        const candidates = policy.allKeys ? db.size : db.expiresCount;
        if (candidates === 0) continue;
        this.#sampleDb = i;
        db.sampleForEviction(this.#samples, !policy.allKeys, this.#sampleVisitor);
        total += candidates;
      }
      if (total === 0) return undefined;
      // the best candidate is at the end; entries whose key is gone are dropped
      for (let k = EVICTION_POOL_SIZE - 1; k >= 0; k--) {
        const key = keys[k];
        if (key === undefined) continue;
        const db = databases[this.#poolDb[k]!]!;
        keys[k] = undefined;
        if (db.stampOf(key) !== undefined) return [db, key];
      }
    }
  }

  /** evictionPoolPopulate's insertion of one sampled key, by its idle score. */
  #poolInsert(key: string, stamp: number, expireAt: number): void {
    const policy = this.#policy;
    const now = this.#sampleNow;
    let idle: number;
    if (policy.kind === 'ttl') idle = -expireAt;
    else if (policy.lfu) idle = 255 - lfuCounter(stamp, now, this.lfuDecayTime);
    else idle = idleMilliseconds(stamp, now);
    const keys = this.#poolKeys;
    const scores = this.#poolIdle;
    const dbs = this.#poolDb;
    const dbIndex = this.#sampleDb;
    let k = 0;
    while (k < EVICTION_POOL_SIZE && keys[k] !== undefined && scores[k]! < idle) k++;
    if (k < EVICTION_POOL_SIZE && keys[k] === key && dbs[k] === dbIndex) return;
    if (k === 0 && keys[EVICTION_POOL_SIZE - 1] !== undefined) return; // worse than all, pool full
    if (k < EVICTION_POOL_SIZE && keys[k] === undefined) {
      // an empty slot: insert here
    } else if (keys[EVICTION_POOL_SIZE - 1] === undefined) {
      // free space on the right: shift right from k
      for (let j = EVICTION_POOL_SIZE - 1; j > k; j--) {
        keys[j] = keys[j - 1];
        scores[j] = scores[j - 1]!;
        dbs[j] = dbs[j - 1]!;
      }
    } else {
      // full: drop the best-to-keep on the left, shift left up to k - 1
      k--;
      for (let j = 0; j < k; j++) {
        keys[j] = keys[j + 1];
        scores[j] = scores[j + 1]!;
        dbs[j] = dbs[j + 1]!;
      }
    }
    keys[k] = key;
    scores[k] = idle;
    dbs[k] = dbIndex;
  }

  /** Throws when the pool is not sorted or has holes before entries (model tests). */
  checkInvariants(): void {
    let previous = -Infinity;
    let ended = false;
    for (let k = 0; k < EVICTION_POOL_SIZE; k++) {
      const key = this.#poolKeys[k];
      if (key === undefined) {
        ended = true;
        continue;
      }
      if (ended) throw new Error(`pool entry ${k} after an empty slot`);
      const score = this.#poolIdle[k]!;
      if (score < previous) throw new Error(`pool not sorted at ${k}`);
      previous = score;
    }
  }
}
