import { randomBytes } from 'node:crypto';
import type { Client } from '../client.js';
import { ReplyError } from '../errors.js';
import { ByteWriter } from '../persistence/byte-writer.js';
import { CommandStream, writeCommand } from '../persistence/resp-commands.js';
import type {
  PropagationTarget,
  ReplicaRdbOutput,
  ReplicationSaveInfo,
  Server,
} from '../server.js';
import { parseInt64 } from '../util/numbers.js';
import { ReplicationBacklog } from './backlog.js';
import { ReplicationReplica } from './replica.js';

/**
 * The master side of replication, as redis-server 7.0 does it: replicas (redis-server's own, or
 * `redis-cli --rdb`) connect, announce themselves with REPLCONF and ask for PSYNC; they get an
 * RDB of the dataset (+FULLRESYNC <replid> <offset>) or, when they were in sync before and the
 * backlog still holds what they missed, only that (+CONTINUE), then every propagated write, as
 * the AOF gets it, in the order the writes ran. They acknowledge their offset once a second
 * (REPLCONF ACK), which is what WAIT counts.
 *
 * The RDB is the dataset as it is at the PSYNC, made in memory a slice per event-loop turn as
 * BGSAVE makes its file (Persistence.replicaRdb, copy-before-write instead of redis-server's
 * fork); the writes made meanwhile wait in the replica's queue and follow it. Its transfer does
 * not count against the replica client-output-buffer-limit (redis-server sends it from the file
 * beside the output buffer): the replica's connection takes that class at its first ACK, after
 * it loaded the RDB, and one that never acknowledges is cut at repl-timeout.
 *
 * @example
 * ```ts
 * const master = ReplicationMaster.of(server);
 * master.sync(client, ['PSYNC', '?', '-1']); // +FULLRESYNC <replid> 0, then the RDB
 * ```
 */
export class ReplicationMaster implements PropagationTarget {
  readonly #server: Server;
  /**
   * master_replid (while byor is a replica: its master's), and master_replid2 with
   * second_repl_offset: the history byor continues since it was promoted (its old master's ID,
   * valid up to that offset)
   */
  replid = randomBytes(20).toString('hex');
  replid2 = '0'.repeat(40);
  secondOffset = -1;
  /** created when the first replica asks for a full sync; from then on every write is fed */
  backlog: ReplicationBacklog | undefined = undefined;
  readonly #links = new Map<Client, ReplicaLink>();
  /** REPLCONF options of clients that did not ask for PSYNC yet */
  readonly #announced = new WeakMap<Client, Announcement>();
  /** the stream's bytes since the last flush (sent to the replicas on a microtask) */
  readonly #pending = new ByteWriter(16 * 1024);
  #flushQueued = false;
  /** SELECT when the database changes, MULTI/EXEC around a transaction's writes */
  readonly #stream = new CommandStream();
  /** the offset the last write of each client reached (redis-server's c->woff, for WAIT) */
  readonly #writeOffsets = new WeakMap<Client, number>();
  #offsetSeen = 0;
  /** WAIT clients, and whether a REPLCONF GETACK is to go out */
  readonly #waiting = new Set<Waiter>();
  #ackRequested = false;
  #cron: NodeJS.Timeout | undefined = undefined;
  #lastPing = 0;
  /** when the last replica left (ms), for repl-backlog-ttl */
  #noReplicasSince = 0;
  fullSyncs = 0;
  partialSyncsOk = 0;
  partialSyncsErr = 0;
  /** FAILOVER (master_failover_state) and what it waits for */
  failoverState: 'no-failover' | 'waiting-for-sync' | 'failover-in-progress' = 'no-failover';
  #failover: Failover | undefined = undefined;

  private constructor(server: Server) {
    this.#server = server;
    server.replicationSaveInfo = () => replicationSaveInfo(server);
    server.hooks.clientClosed.push((client) => this.#clientClosed(client));
    server.hooks.afterCommand.push((client) => {
      const offset = this.offset;
      if (offset !== this.#offsetSeen) {
        this.#offsetSeen = offset;
        this.#writeOffsets.set(client, offset);
      }
    });
    server.hooks.shutdown.push(() => this.stop());
    server.config.onChange('repl-backlog-size', (value) => this.backlog?.resize(Number(value)));
    for (const name of ['min-replicas-to-write', 'min-replicas-max-lag'])
      server.config.onChange(name, () => this.#refreshGoodReplicas());
  }

  /** The stream's position: its offset and database (-1 until a write names one). */
  streamPosition(): { offset: number; db: number } {
    this.#flush();
    return { offset: this.offset, db: this.#stream.selectedDb };
  }

  /**
   * loadDataFromDisk on a master: the history of the RDB it started from becomes its second ID
   * (its replicas continue with PSYNC), and a backlog continues that history's offsets.
   */
  continueHistory(saved: ReplicationSaveInfo): void {
    const server = this.#server;
    this.replid2 = saved.replid;
    this.secondOffset = saved.offset + 1;
    this.backlog = new ReplicationBacklog(server.config.number('repl-backlog-size'), saved.offset);
    this.#stream.selectedDb = -1;
    server.addPropagationTarget(this);
    this.#noReplicasSince = server.now();
    this.#startCron();
  }

  /** The replication state of a server, created on first use. O(1). */
  static of(server: Server): ReplicationMaster {
    let master = instances.get(server);
    if (!master) {
      master = new ReplicationMaster(server);
      instances.set(server, master);
    }
    return master;
  }

  /** The replication state of a server if anything used it yet. */
  static existing(server: Server): ReplicationMaster | undefined {
    return instances.get(server);
  }

  /** master_repl_offset: bytes of the replication stream so far, those not yet sent included. */
  get offset(): number {
    return (this.backlog?.offset ?? 0) + this.#pending.length;
  }

  /** The replicas attached, in the order they came. */
  get replicas(): ReplicaLink[] {
    return [...this.#links.values()];
  }

  // ---- the stream -----------------------------------------------------------------------------

  /** PropagationTarget: a write, after a SELECT when its database is not the stream's. */
  feed(dbIndex: number, argv: readonly string[]): void {
    this.#stream.feed(this.#pending, dbIndex, argv);
    this.#queueFlush();
  }

  /** PropagationTarget: a transaction starts or ends (MULTI before its first write, EXEC after). */
  transaction(start: boolean): void {
    if (this.#stream.transaction(this.#pending, start)) this.#queueFlush();
  }

  /** True while byor is itself a replica: its replicas get its master's stream, passed on. */
  get chained(): boolean {
    return this.#server.replicaOf !== undefined;
  }

  /** Bytes of the master's stream that byor (a replica) applied, for its own replicas. */
  feedRaw(bytes: Uint8Array): void {
    if (this.backlog === undefined) return;
    this.#pending.bytes(bytes);
    this.#queueFlush();
  }

  /**
   * byor (a replica) starts applying its master's stream at `offset` of history `replid`: the
   * backlog keeps it from there (createReplicationBacklog on a replica), so that replicas of
   * byor, and its old master after a FAILOVER to byor, can continue from it.
   */
  chainFrom(replid: string, offset: number): void {
    if (this.backlog !== undefined) return;
    this.replid = replid;
    this.backlog = new ReplicationBacklog(this.#server.config.number('repl-backlog-size'), offset);
  }

  /**
   * byor's master continued with a new replication ID (it was promoted, or took over by
   * FAILOVER): ours follows, and our replicas are disconnected to learn it (they continue, with
   * the old ID as our second one), as redis-server's disconnectSlaves there.
   */
  historyRenamed(replid: string): void {
    if (this.backlog === undefined) return;
    this.replid2 = this.replid;
    this.secondOffset = this.offset + 1;
    this.replid = replid;
    this.#disconnectSlaves();
  }

  /**
   * byor, a master, starts following one (REPLICAOF host port, FAILOVER): its replicas and its
   * backlog stay; from now on they get the new master's stream as byor applies it (feedRaw),
   * not the writes it makes.
   */
  becomeReplica(): void {
    this.#flush();
    if (this.backlog !== undefined) this.#server.removePropagationTarget(this);
  }

  /** A command of the stream's own (PING, REPLCONF GETACK): not a write of any database. */
  #feedOwn(argv: readonly string[]): void {
    // a replica's replicas get its master's stream only (their offsets are the master's)
    if (this.backlog === undefined || this.chained) return;
    writeCommand(this.#pending, argv);
    this.#queueFlush();
  }

  #queueFlush(): void {
    if (this.#flushQueued) return;
    this.#flushQueued = true;
    queueMicrotask(this.#flush);
  }

  /** The pending bytes into the backlog and to every replica (in order, after its RDB). */
  readonly #flush = (): void => {
    this.#flushQueued = false;
    const out = this.#pending;
    const backlog = this.backlog;
    if (out.length === 0 || backlog === undefined) return;
    const bytes = Buffer.from(out.view());
    out.reset();
    backlog.append(bytes);
    for (const link of this.#links.values()) {
      if (link.state === 'online' && link.streamOnAck !== true) link.client.conn?.write(bytes);
      else link.queued.push(bytes);
    }
  };

  // ---- commands -------------------------------------------------------------------------------

  /**
   * REPLCONF option value [option value ...] (redis-server's replconfCommand). ACK and GETACK
   * have no reply.
   */
  replconf(client: Client, argv: string[]): void {
    const server = this.#server;
    for (let j = 1; j < argv.length; j += 2) {
      const option = (argv[j] ?? '').toLowerCase();
      const value = argv[j + 1] ?? '';
      if (option === 'listening-port') {
        const port = parseInt64(value);
        if (port === undefined) {
          server.errorReply(client, ReplyError.NOT_INTEGER);
          return;
        }
        this.#announcement(client).port = Number(port);
      } else if (option === 'ip-address') {
        if (value.length >= NET_HOST_STR_LEN) {
          server.errorReply(
            client,
            `ERR REPLCONF ip-address provided by replica instance is too long: ${value.length} bytes`,
          );
          return;
        }
        this.#announcement(client).address = value;
      } else if (option === 'capa') {
        const capability = value.toLowerCase();
        if (capability === 'eof' || capability === 'psync2')
          this.#announcement(client).capabilities.add(capability);
      } else if (option === 'ack') {
        const link = this.#links.get(client);
        const offset = parseInt64(value);
        if (link !== undefined && offset !== undefined) this.#acknowledged(link, Number(offset));
        return;
      } else if (option === 'getack') {
        return;
      } else if (option === 'rdb-only') {
        const only = parseInt64(value);
        if (only === undefined) {
          server.errorReply(client, ReplyError.NOT_INTEGER);
          return;
        }
        if (only !== 0 && only !== 1) {
          server.errorReply(client, 'ERR value is out of range, value must between 0 and 1');
          return;
        }
        this.#announcement(client).rdbOnly = value === '1';
      } else if (option === 'rdb-filter-only') {
        // what the RDB includes: no data, and the functions when named (redis-cli --functions-rdb)
        const filters = value.split(/\s+/).filter(Boolean);
        const unknown = filters.find((filter) => filter.toLowerCase() !== 'functions');
        if (unknown !== undefined) {
          server.errorReply(client, `ERR Unsupported rdb-filter-only option: ${unknown}`);
          return;
        }
        this.#announcement(client).parts = { data: false, functions: filters.length !== 0 };
      } else {
        server.errorReply(client, `ERR Unrecognized REPLCONF option: ${argv[j]}`);
        return;
      }
    }
    client.w.ok();
  }

  /** SYNC, or PSYNC replid offset (redis-server's syncCommand). */
  sync(client: Client, argv: string[]): void {
    const server = this.#server;
    if (client.replica) return;
    const announcement = this.#announcement(client);
    if ((argv[0] ?? '').toLowerCase() === 'psync' && (argv[3] ?? '').toLowerCase() === 'failover') {
      // the master fails over to this replica: it becomes the master, then answers the PSYNC
      server.logger.warning(`Failover request received for replid ${argv[1] ?? ''}.`);
      const replica = ReplicationReplica.existing(server);
      if (server.replicaOf === undefined || replica === undefined) {
        server.errorReply(client, "ERR PSYNC FAILOVER can't be sent to a master.");
        return;
      }
      if ((argv[1] ?? '').toLowerCase() !== replica.replid) {
        server.errorReply(client, 'ERR PSYNC FAILOVER replid must match my replid.');
        return;
      }
      replica.unfollow();
      server.logger.notice(
        `MASTER MODE enabled (failover request from '${server.describeClient(client)}')`,
      );
    }
    if (server.replicaOf !== undefined && !server.replicaLinkUp) {
      server.errorReply(client, "NOMASTERLINK Can't SYNC while not connected with my master");
      return;
    }
    if (client.w.length !== 0) {
      server.errorReply(client, 'ERR SYNC and PSYNC are invalid with pending output');
      return;
    }
    if (announcement.parts !== undefined && !announcement.capabilities.has('eof')) {
      server.errorReply(client, 'ERR Filtered replica requires EOF capability');
      return;
    }
    const name = this.#replicaName(client, announcement);
    server.logger.notice(`Replica ${name} asks for synchronization`);
    const psync = (argv[0] ?? '').toLowerCase() === 'psync';
    if (psync) {
      const from = parseInt64(argv[2] ?? '');
      if (from === undefined) {
        server.errorReply(client, ReplyError.NOT_INTEGER);
        server.logger.warning(`Replica ${name} asks for synchronization but with a wrong offset`);
        return;
      }
      if (this.#tryContinue(client, argv[1] ?? '', Number(from), announcement, name)) return;
      if ((argv[1] ?? '')[0] !== '?') this.partialSyncsErr++;
    }
    this.#fullSync(client, announcement, name, psync);
  }

  /** masterTryPartialResynchronization: +CONTINUE and the backlog from `from` on, if it can. */
  #tryContinue(
    client: Client,
    replid: string,
    from: number,
    announcement: Announcement,
    name: string,
  ): boolean {
    const logger = this.#server.logger;
    const known =
      replid.toLowerCase() === this.replid ||
      (replid.toLowerCase() === this.replid2 && from <= this.secondOffset);
    if (!known) {
      if (replid[0] === '?') logger.notice(`Full resync requested by replica ${name}`);
      else
        logger.notice(
          `Partial resynchronization not accepted: Replication ID mismatch (Replica asked for '${replid}', my replication IDs are '${this.replid}' and '${this.replid2}')`,
        );
      return false;
    }
    this.#flush();
    const backlog = this.backlog;
    if (backlog === undefined || !backlog.covers(from)) {
      logger.notice(
        `Unable to partial resync with replica ${name} for lack of backlog (Replica request was: ${from}).`,
      );
      return false;
    }
    const link = this.#attach(client, announcement, name);
    const missed = backlog.since(from);
    client.w.simple(
      announcement.capabilities.has('psync2') ? `CONTINUE ${this.replid}` : 'CONTINUE',
    );
    this.#sendAfterReplies(link, [missed], false);
    this.partialSyncsOk++;
    logger.notice(
      `Partial resynchronization request from ${name} accepted. Sending ${missed.length} bytes of backlog starting from offset ${from}.`,
    );
    return true;
  }

  #fullSync(client: Client, announcement: Announcement, name: string, psync: boolean): void {
    const server = this.#server;
    const persistence = server.persistence;
    if (persistence === undefined) {
      server.errorReply(client, 'ERR this server has no persistence to make an RDB with');
      return;
    }
    this.fullSyncs++;
    this.#flush();
    // a replica (sync() lets one in only with its link up) has had its master's history in the
    // backlog since its stream started (chainFrom): its replicas share that ID and its offsets
    const upstream = this.chained ? ReplicationReplica.existing(server) : undefined;
    if (this.backlog === undefined) {
      this.replid = randomBytes(20).toString('hex');
      this.backlog = new ReplicationBacklog(server.config.number('repl-backlog-size'), 0);
      server.addPropagationTarget(this);
      server.logger.notice(
        `Replication backlog created, my new replication IDs are '${this.replid}' and '${this.replid2}'`,
      );
    }
    const link = this.#attach(client, announcement, name);
    link.state = 'wait_bgsave';
    // the next write names its database: the replica does not know which one the stream is in
    // (a passed-on stream cannot say it: the RDB does, with repl-stream-db)
    this.#stream.selectedDb = -1;
    if (psync) client.w.simple(`FULLRESYNC ${this.replid} ${this.offset}`);
    server.logger.notice('Starting BGSAVE for SYNC with target: replicas sockets');
    const replication =
      upstream === undefined
        ? undefined
        : { streamDb: upstream.streamDb, replid: this.replid, offset: this.offset };
    // the RDB is the dataset as it is now; the stream from here on waits in link.queued
    link.abandon = persistence.replicaRdb(
      announcement.parts ?? WHOLE_RDB,
      this.#rdbTransfer(link, announcement),
      replication,
    );
  }

  /**
   * Where a replica's RDB goes as it is made. One that announced `capa eof` gets it as it comes,
   * between EOF marks (redis-server's diskless transfer): only what its connection has not sent
   * yet is held, and making the RDB waits while that is over 16 MB (or cuts the replica after
   * repl-timeout). Others get `$<length>` first, so the RDB is held whole until its end.
   */
  #rdbTransfer(link: ReplicaLink, announcement: Announcement): ReplicaRdbOutput {
    const server = this.#server;
    const client = link.client;
    const current = () => (this.#links.get(client) === link ? client.conn : undefined);
    // a random 40-character mark before the RDB and after it
    const mark = announcement.capabilities.has('eof') ? randomBytes(20).toString('hex') : undefined;
    const eof =
      mark === undefined
        ? undefined
        : { header: Buffer.from(`$EOF:${mark}\r\n`, 'latin1'), end: Buffer.from(mark, 'latin1') };
    const held: Buffer[] = [];
    let ended = false;
    if (eof !== undefined) {
      // after the +FULLRESYNC reply (the first bytes may be made before it is sent)
      queueMicrotask(() => {
        const conn = current();
        if (conn === undefined || ended) return;
        // still wait_bgsave in INFO, as redis-server's diskless transfer; no newlines now
        link.streamingRdb = true;
        conn.write(eof.header);
        for (const chunk of held) conn.write(chunk);
        held.length = 0;
      });
    }
    return {
      write: (chunk) => {
        if (link.streamingRdb !== true) held.push(chunk);
        else current()?.write(chunk);
      },
      get pendingBytes() {
        return link.streamingRdb === true ? (current()?.outputBufferBytes ?? 0) : 0;
      },
      drained: () =>
        new Promise<void>((resolve) => {
          const since = server.now();
          const poll = () => {
            const conn = current();
            if (conn === undefined || conn.outputBufferBytes < RDB_RESUME_BYTES) {
              resolve();
            } else if (server.now() - since > server.config.number('repl-timeout') * 1000) {
              server.logger.warning(`Disconnecting timedout replica (full sync): ${link.name}`);
              conn.close(false);
              resolve();
            } else setTimeout(poll, 10);
          };
          poll();
        }),
      end: (error) => {
        ended = true;
        link.abandon = undefined;
        const conn = current();
        if (conn === undefined) return;
        if (error !== undefined) {
          server.logger.warning(`Background RDB for SYNC failed: ${error.message}`);
          conn.close(false);
          return;
        }
        let first: Buffer[];
        if (eof === undefined) {
          const length = held.reduce((sum, chunk) => sum + chunk.length, 0);
          first = [Buffer.from(`$${length}\r\n`, 'latin1'), ...held];
        } else if (link.streamingRdb === true) first = [eof.end];
        else first = [eof.header, ...held, eof.end];
        held.length = 0;
        this.#sendAfterReplies(
          link,
          first,
          announcement.rdbOnly,
          eof === undefined ? 'length' : 'eof',
        );
      },
    };
  }

  /**
   * Sends `first` (the RDB, or the backlog a replica missed) after the replies of the batch being
   * run, then the stream fed meanwhile, and puts the replica online; an rdb-only client (redis-cli
   * --rdb) is closed after its RDB instead. A microtask runs once the batch's replies are with the
   * connection.
   */
  #sendAfterReplies(
    link: ReplicaLink,
    first: Buffer[],
    rdbOnly: boolean,
    rdb?: 'length' | 'eof',
  ): void {
    const server = this.#server;
    const client = link.client;
    queueMicrotask(() => {
      const conn = client.conn;
      if (conn === undefined || this.#links.get(client) !== link) return;
      for (const bytes of first) conn.write(bytes);
      if (rdbOnly) {
        this.#links.delete(client);
        conn.close(true);
      } else {
        link.state = 'online';
        // its timeout counts from here: loading the RDB may take it a while
        link.ackTime = server.now();
        this.#refreshGoodReplicas();
        // after an RDB between EOF marks the stream waits for the replica's first ACK: it finds
        // the mark at the end of what it reads, so nothing may follow it before then
        if (rdb === 'eof') {
          link.streamOnAck = true;
          server.logger.notice(
            `Streamed RDB transfer with replica ${link.name} succeeded (socket). Waiting for REPLCONF ACK from slave to enable streaming`,
          );
          return;
        }
        this.#startStream(link);
      }
      if (rdb !== undefined)
        server.logger.notice(`Synchronization with replica ${link.name} succeeded`);
    });
  }

  /** The stream fed since the replica's sync began follows, and then every write as it comes. */
  #startStream(link: ReplicaLink): void {
    link.streamOnAck = false;
    const conn = link.client.conn;
    for (const bytes of link.queued) conn?.write(bytes);
    link.queued.length = 0;
  }

  #attach(client: Client, announcement: Announcement, name: string): ReplicaLink {
    const link: ReplicaLink = {
      client,
      name,
      address: announcement.address ?? client.conn?.remoteAddress ?? '',
      port: announcement.port,
      state: 'send_bulk',
      ackOffset: 0,
      ackTime: this.#server.now(),
      acknowledged: false,
      queued: [],
    };
    client.replica = true;
    client.conn?.setIdleExempt(true);
    // the pings keep their period from the first replica on: redis-server pings on its cron's
    // count of seconds, not as a replica attaches
    if (this.#links.size === 0) this.#lastPing = this.#server.now();
    this.#links.set(client, link);
    this.#noReplicasSince = 0;
    this.#startCron();
    return link;
  }

  #acknowledged(link: ReplicaLink, offset: number): void {
    if (offset > link.ackOffset) link.ackOffset = offset;
    link.ackTime = this.#server.now();
    if (this.#server.minReplicasToWrite !== 0) this.#refreshGoodReplicas();
    if (!link.acknowledged) {
      // the RDB is loaded: from here on the stream is bound by the replica's output limits
      link.acknowledged = true;
      link.client.conn?.setOutputClass('replica');
    }
    if (link.streamOnAck === true && link.state === 'online') {
      this.#startStream(link);
      this.#server.logger.notice(`Synchronization with replica ${link.name} succeeded`);
    }
    if (this.#waiting.size !== 0) this.#serveWaiting();
  }

  /** The replicas online whose acknowledged offset reached `offset`. */
  acknowledgedBy(offset: number): number {
    let count = 0;
    for (const link of this.#links.values())
      if (link.state === 'online' && link.ackOffset >= offset) count++;
    return count;
  }

  /** The offset the last write of `client` reached (0 before any). */
  writeOffset(client: Client): number {
    return this.#writeOffsets.get(client) ?? 0;
  }

  /**
   * WAIT that must block: the client waits for `replicas` acknowledgements of its last write;
   * every replica is asked for one (REPLCONF GETACK, in the stream). `reply` answers it.
   */
  wait(client: Client, replicas: number, reply: (count: number) => void): Waiter {
    const waiter: Waiter = { client, offset: this.writeOffset(client), replicas, reply };
    this.#waiting.add(waiter);
    if (!this.#ackRequested) {
      this.#ackRequested = true;
      queueMicrotask(() => {
        this.#ackRequested = false;
        if (this.#links.size !== 0) this.#feedOwn(['REPLCONF', 'GETACK', '*']);
      });
    }
    return waiter;
  }

  /** A WAIT that ended (served, timed out, its client gone). */
  stopWaiting(waiter: Waiter): void {
    this.#waiting.delete(waiter);
  }

  #serveWaiting(): void {
    for (const waiter of [...this.#waiting]) {
      const count = this.acknowledgedBy(waiter.offset);
      if (count < waiter.replicas) continue;
      this.#waiting.delete(waiter);
      waiter.reply(count);
    }
  }

  /**
   * byor, a replica, loaded its master's RDB (a full sync: a history not ours): its replicas are
   * disconnected and its backlog dropped; they sync again, from the new history that byor then
   * passes on.
   */
  disconnectReplicas(): void {
    const server = this.#server;
    this.#flush();
    this.#disconnectSlaves();
    if (this.backlog !== undefined) {
      server.removePropagationTarget(this);
      this.backlog = undefined;
    }
    this.replid2 = '0'.repeat(40);
    this.secondOffset = -1;
    this.#stopCron();
  }

  /**
   * byor stops following a master (REPLICAOF NO ONE): its stream starts a new history
   * (shiftReplicationId), and its replicas may continue: they know the old ID, valid up to here.
   * byor's own writes go to them from now on.
   */
  newHistory(): void {
    const server = this.#server;
    this.#flush();
    if (this.backlog !== undefined) {
      this.replid2 = this.replid;
      this.secondOffset = this.offset + 1;
      this.#stream.selectedDb = -1;
      server.addPropagationTarget(this);
    }
    this.replid = randomBytes(20).toString('hex');
    server.logger.notice(
      `Setting secondary replication ID to ${this.replid2}, valid up to offset: ${this.secondOffset}. New replication ID is ${this.replid}`,
    );
    // they reconnect and continue (+CONTINUE with the new ID)
    this.#disconnectSlaves();
  }

  /** redis-server's disconnectSlaves: every replica's connection closes (it reconnects, PSYNC). */
  #disconnectSlaves(): void {
    for (const link of [...this.#links.values()]) link.client.conn?.close(false);
  }

  // ---- FAILOVER ------------------------------------------------------------------------------

  /**
   * FAILOVER [TO host port [FORCE]] [TIMEOUT ms] [ABORT] (redis-server's failoverCommand): writes
   * are paused, and once a replica (that one) acknowledged the whole stream, byor becomes its
   * replica with PSYNC ... FAILOVER, which makes it the master; then writes resume (answered
   * READONLY, byor being a replica now). Replies OK at once; INFO master_failover_state follows it.
   */
  failover(client: Client, argv: string[]): void {
    const server = this.#server;
    let abort = false;
    let timeout = 0;
    let host: string | undefined;
    let port = 0;
    let force = false;
    for (let j = 1; j < argv.length; j++) {
      const word = (argv[j] ?? '').toLowerCase();
      if (word === 'abort' && argv.length === 2) abort = true;
      else if (word === 'timeout' && j + 1 < argv.length && timeout <= 0) {
        const value = parseInt64(argv[j + 1] ?? '');
        if (value === undefined) {
          server.errorReply(client, ReplyError.NOT_INTEGER);
          return;
        }
        if (value <= 0) {
          server.errorReply(client, 'ERR FAILOVER timeout must be greater than 0');
          return;
        }
        timeout = Number(value);
        j++;
      } else if (word === 'to' && j + 2 < argv.length && host === undefined) {
        const value = parseInt64(argv[j + 2] ?? '');
        if (value === undefined) {
          server.errorReply(client, ReplyError.NOT_INTEGER);
          return;
        }
        host = argv[j + 1] ?? '';
        port = Number(value);
        j += 2;
      } else if (word === 'force' && !force) force = true;
      else {
        server.errorReply(client, ReplyError.SYNTAX);
        return;
      }
    }
    if (abort) {
      if (this.failoverState === 'no-failover') {
        server.errorReply(client, 'ERR No failover in progress.');
        return;
      }
      this.#abortFailover('Failover manually aborted');
      client.w.ok();
      return;
    }
    const refusal =
      this.failoverState !== 'no-failover'
        ? 'ERR FAILOVER already in progress.'
        : server.replicaOf !== undefined
          ? 'ERR FAILOVER is not valid when server is a replica.'
          : this.#links.size === 0
            ? 'ERR FAILOVER requires connected replicas.'
            : force && (timeout === 0 || host === undefined)
              ? 'ERR FAILOVER with force option requires both a timeout and target HOST and IP.'
              : undefined;
    if (refusal !== undefined) {
      server.errorReply(client, refusal);
      return;
    }
    if (host !== undefined) {
      const target = this.#findReplica(host, port);
      if (target === undefined) {
        server.errorReply(client, 'ERR FAILOVER target HOST and PORT is not a replica.');
        return;
      }
      if (target.state !== 'online') {
        server.errorReply(client, 'ERR FAILOVER target replica is not online.');
        return;
      }
      server.logger.notice(`FAILOVER requested to ${host}:${port}.`);
    } else server.logger.notice('FAILOVER requested to any replica.');
    const now = server.now();
    this.failoverState = 'waiting-for-sync';
    const failover: Failover = {
      host,
      port,
      force,
      endTime: timeout === 0 ? 0 : now + timeout,
      timer: setInterval(() => this.#updateFailover(), 10),
    };
    failover.timer.unref();
    this.#failover = failover;
    server.pauseClients(now + (timeout === 0 ? 2 ** 31 - 1 : timeout + 1000), true);
    this.#feedOwn(['REPLCONF', 'GETACK', '*']);
    client.w.ok();
  }

  #findReplica(host: string, port: number): ReplicaLink | undefined {
    for (const link of this.#links.values())
      if (link.address === host && link.port === port) return link;
    return undefined;
  }

  /** updateFailoverStatus: a replica caught up (or the time is up): fail over to it. */
  #updateFailover(): void {
    const failover = this.#failover;
    if (failover === undefined || this.failoverState !== 'waiting-for-sync') return;
    const server = this.#server;
    this.#flush();
    if (failover.endTime !== 0 && server.now() >= failover.endTime) {
      if (failover.force && failover.host !== undefined) {
        server.logger.notice(
          `FAILOVER to ${failover.host}:${failover.port} time out exceeded, failing over.`,
        );
        this.#failOverTo(failover.host, failover.port);
      } else this.#abortFailover('Replica never caught up before timeout');
      return;
    }
    const offset = this.offset;
    const target =
      failover.host !== undefined
        ? this.#findReplica(failover.host, failover.port)
        : [...this.#links.values()].find(
            (link) => link.state === 'online' && link.ackOffset === offset,
          );
    if (target === undefined || target.ackOffset !== offset) return;
    server.logger.notice(
      `Failover target ${target.address}:${target.port} is synced, failing over.`,
    );
    this.#failOverTo(target.address, target.port);
  }

  #failOverTo(host: string, port: number): void {
    this.failoverState = 'failover-in-progress';
    const failover = this.#failover;
    if (failover !== undefined) clearInterval(failover.timer);
    // our own history, continued by the target once it is the master
    ReplicationReplica.of(this.#server).follow(host, port, true);
  }

  /** The target answered PSYNC ... FAILOVER: byor is its replica now; writes resume. */
  failoverDone(): void {
    if (this.failoverState === 'no-failover') return;
    this.#server.logger.notice('Failover to the new master succeeded.');
    this.#endFailover();
  }

  /** abortFailover: back to a master taking writes (a replica again no more). */
  #abortFailover(reason: string): void {
    const server = this.#server;
    server.logger.warning(`FAILOVER aborted: ${reason}`);
    const inProgress = this.failoverState === 'failover-in-progress';
    this.#endFailover();
    if (inProgress) ReplicationReplica.existing(server)?.unfollow();
  }

  /** The target refused PSYNC ... FAILOVER. */
  failoverRejected(): void {
    if (this.failoverState === 'failover-in-progress')
      this.#abortFailover('Failover target rejected psync request');
  }

  #endFailover(): void {
    const failover = this.#failover;
    if (failover !== undefined) clearInterval(failover.timer);
    this.#failover = undefined;
    this.failoverState = 'no-failover';
    this.#server.unpauseClients();
  }

  // ---- replicas coming and going --------------------------------------------------------------

  #announcement(client: Client): Announcement {
    let announcement = this.#announced.get(client);
    if (!announcement) {
      announcement = { port: 0, capabilities: new Set(), rdbOnly: false };
      this.#announced.set(client, announcement);
    }
    return announcement;
  }

  /** replicationGetSlaveName: the address it announced (or its own) and its listening port. */
  #replicaName(client: Client, announcement: Announcement): string {
    const address = announcement.address ?? client.conn?.remoteAddress;
    if (address === undefined) return `client id #${client.id}`;
    if (announcement.port === 0) return `${address}:<unknown-replica-port>`;
    return address.includes(':')
      ? `[${address}]:${announcement.port}`
      : `${address}:${announcement.port}`;
  }

  #clientClosed(client: Client): void {
    for (const waiter of this.#waiting) if (waiter.client === client) this.#waiting.delete(waiter);
    const link = this.#links.get(client);
    if (link === undefined) return;
    link.abandon?.();
    this.#links.delete(client);
    this.#server.logger.warning(`Connection with replica ${link.name} lost.`);
    if (this.#links.size === 0) this.#noReplicasSince = this.#server.now();
    this.#refreshGoodReplicas();
  }

  /** Once a second while replicas or the backlog exist: pings, timeouts, the backlog's TTL. */
  #startCron(): void {
    if (this.#cron !== undefined) return;
    this.#cron = setInterval(() => this.#tick(), 1000);
    this.#cron.unref();
  }

  /** The server stopped: the timer ends, and so do the RDBs being made. */
  stop(): void {
    this.#stopCron();
    if (this.#failover !== undefined) clearInterval(this.#failover.timer);
    this.#failover = undefined;
    for (const link of this.#links.values()) link.abandon?.();
  }

  #stopCron(): void {
    if (this.#cron !== undefined) clearInterval(this.#cron);
    this.#cron = undefined;
  }

  /** refreshGoodSlavesCount: replicas online whose last ACK is at most min-replicas-max-lag old. */
  #refreshGoodReplicas(): void {
    const server = this.#server;
    const now = server.now();
    const maxLag = server.minReplicasMaxLag * 1000;
    let good = 0;
    for (const link of this.#links.values())
      if (link.state === 'online' && now - link.ackTime <= maxLag) good++;
    server.goodReplicas = good;
  }

  #tick(): void {
    const server = this.#server;
    const config = server.config;
    const now = server.now();
    this.#refreshGoodReplicas();
    const period = config.number('repl-ping-replica-period') * 1000;
    if (this.#links.size !== 0 && now - this.#lastPing >= period) {
      this.#lastPing = now;
      // (lower-case, as redis-server's shared.ping)
      this.#feedOwn(['ping']);
    }
    // a replica waiting for its RDB gets a newline each second (its own timeout counts from
    // the last byte it read; the newlines are not part of the stream)
    for (const link of this.#links.values())
      if (link.state === 'wait_bgsave' && link.streamingRdb !== true)
        link.client.conn?.write(NEWLINE);
    const timeout = config.number('repl-timeout') * 1000;
    for (const link of [...this.#links.values()]) {
      // (an RDB being streamed has its own timeout: see #rdbTransfer)
      if (link.state !== 'online' || now - link.ackTime <= timeout) continue;
      // one that never acknowledged its RDB is cut too: its output has no limit until then
      server.logger.warning(
        `Disconnecting timedout replica (${link.acknowledged ? 'streaming' : 'full'} sync): ${link.name}`,
      );
      link.client.conn?.close(false);
    }
    const ttl = config.number('repl-backlog-ttl') * 1000;
    // a replica keeps its backlog (its master's history), as redis-server's replicas do
    if (
      !this.chained &&
      this.#links.size === 0 &&
      this.backlog !== undefined &&
      ttl > 0 &&
      now - this.#noReplicasSince >= ttl
    ) {
      // freeReplicationBacklog: a new replication ID too, since the history is gone
      this.#flush();
      server.removePropagationTarget(this);
      this.backlog = undefined;
      this.replid = randomBytes(20).toString('hex');
      server.logger.notice(
        `Replication backlog freed after ${ttl / 1000} seconds without connected replicas.`,
      );
      this.#stopCron();
    }
  }
}

/** One replica attached. */
export interface ReplicaLink {
  readonly client: Client;
  /** as logs name it: address:listening-port */
  readonly name: string;
  /** the address it announced (REPLCONF ip-address) or the one it connected from */
  readonly address: string;
  /** REPLCONF listening-port (0 when not announced) */
  readonly port: number;
  /** wait_bgsave while its RDB is made, send_bulk until it (or the backlog) is queued, online */
  state: 'wait_bgsave' | 'send_bulk' | 'online';
  /** its RDB is being sent as it is made (between EOF marks) */
  streamingRdb?: boolean;
  /** online after an RDB between EOF marks: the stream waits in `queued` for its first ACK */
  streamOnAck?: boolean;
  /** abandons the RDB being made for it (it left) */
  abandon?: (() => void) | undefined;
  /** REPLCONF ACK: the offset it acknowledged, and when (ms) */
  ackOffset: number;
  ackTime: number;
  acknowledged: boolean;
  /** stream bytes fed while its RDB waits to be queued */
  readonly queued: Buffer[];
}

/** A WAIT client. */
export interface Waiter {
  readonly client: Client;
  readonly offset: number;
  readonly replicas: number;
  readonly reply: (count: number) => void;
}

/** A FAILOVER under way. */
interface Failover {
  readonly host: string | undefined;
  readonly port: number;
  readonly force: boolean;
  /** ms; 0: no timeout */
  readonly endTime: number;
  readonly timer: NodeJS.Timeout;
}

/** What a client said with REPLCONF before PSYNC. */
interface Announcement {
  port: number;
  address?: string;
  readonly capabilities: Set<string>;
  rdbOnly: boolean;
  /** REPLCONF rdb-filter-only: the parts of the RDB it wants (no data, maybe the functions) */
  parts?: { data: boolean; functions: boolean };
}

const NEWLINE = Buffer.from('\n', 'latin1');

/** The RDB a replica gets unless it filters it (REPLCONF rdb-filter-only). */
const WHOLE_RDB = { data: true, functions: true };
/** a streamed RDB is made on once its replica's unsent bytes are below this */
const RDB_RESUME_BYTES = 4 << 20;

/** NET_HOST_STR_LEN: the longest REPLCONF ip-address is one byte shorter. */
const NET_HOST_STR_LEN = 256;

/**
 * rdbPopulateSaveInfo: what an RDB saved now stands for. A replica: its master's history, up to
 * the offset it applied, while it has one (linked, or cached after a lost link); a master: its
 * own, while it keeps a backlog (no backlog, no history a replica could continue).
 */
export function replicationSaveInfo(server: Server): ReplicationSaveInfo | undefined {
  if (server.replicaOf !== undefined) {
    const replica = ReplicationReplica.existing(server);
    if (replica === undefined || replica.offset < 0 || replica.replid === '?') return undefined;
    return { streamDb: replica.streamDb, replid: replica.replid, offset: replica.offset };
  }
  const master = ReplicationMaster.existing(server);
  if (master?.backlog === undefined) return undefined;
  const { offset, db } = master.streamPosition();
  return { streamDb: db < 0 ? 0 : db, replid: master.replid, offset };
}

const instances = new WeakMap<Server, ReplicationMaster>();
