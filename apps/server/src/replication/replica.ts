import {
  closeSync,
  fsyncSync,
  ftruncateSync,
  openSync,
  renameSync,
  rmSync,
  writeSync,
} from 'node:fs';
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import { RequestParser, RespWriter } from '@byor/protocol';
import type { Client, MasterLink } from '../client.js';
import { Database, detachedHost } from '../keyspace.js';
import { ScriptEngine } from '../scripting/engine.js';
import type { FunctionRegistry } from '../scripting/functions.js';
import type { ReplicationSaveInfo, Server } from '../server.js';
import { ReplicationMaster, replicationSaveInfo } from './master.js';

/** ROLE's names of the link's states (redis-server's repl_state). */
export type LinkState = 'connect' | 'connecting' | 'handshake' | 'sync' | 'connected';

/** Bytes of an RDB sent with an EOF mark (`$EOF:<40 bytes>\r\n ... <the 40 bytes>`). */
const EOF_MARK_LENGTH = 40;

/**
 * The replica side of replication, as redis-server 7.0's: REPLICAOF host port (or `replicaof`
 * in the config) makes byor follow a master (redis-server, or another byor). It connects, says
 * PING, AUTH when `masterauth` is set, REPLCONF listening-port and capa eof psync2, then PSYNC:
 * the first time (or when the master cannot continue) it gets an RDB (sent with a length or, as
 * redis-server's diskless sync does, between EOF marks), empties its databases and loads it; then
 * it runs every command of the master's stream through the master's client (replies discarded,
 * keys never expired for it) and acknowledges its offset once a second and on REPLCONF GETACK.
 * A lost link is retried every second with PSYNC <replid> <offset + 1>, which the master answers
 * +CONTINUE when its backlog still holds what was missed.
 *
 * While it follows a master, byor's own clients may not write (replica-read-only yes, the
 * default: "-READONLY You can't write against a read only replica."), keys with a TTL are not
 * expired by byor (the master's DEL does it; they read as missing once due). Replicas of byor
 * get the master's stream passed on, as byor applied it (ReplicationMaster.feedRaw).
 *
 * @example
 * ```ts
 * ReplicationReplica.of(server).follow('127.0.0.1', 6379); // REPLICAOF 127.0.0.1 6379
 * ReplicationReplica.of(server).unfollow(); // REPLICAOF NO ONE
 * ```
 */
export class ReplicationReplica {
  readonly #server: Server;
  host = '';
  port = 0;
  state: LinkState | 'none' = 'none';
  /** the master's replication ID and our offset in its stream (-1 before the first sync) */
  replid = '?';
  offset = -1;
  /** ms of the last byte from the master; of the link going down (0: never up) */
  lastIo = 0;
  downSince = 0;
  /** an RDB being received: its size (-1 with an EOF mark) and the bytes so far */
  transferSize = 0;
  transferRead = 0;
  #socket: Socket | undefined = undefined;
  #input: Buffer = Buffer.alloc(0);
  /** the handshake's replies still expected, in order: each gets the reply line */
  #expecting: ((line: string) => void)[] = [];
  #eofMark: Buffer | undefined = undefined;
  /** the last bytes of an RDB sent with an EOF mark, where the mark may begin */
  #eofTail: Buffer = Buffer.alloc(0);
  #chunks: Buffer[] = [];
  /**
   * The file an RDB is received into (repl-diskless-load disabled, the default, as
   * redis-server's temp-<time>.<pid>.rdb): written as it comes, renamed to dbfilename, loaded
   * from there. Undefined when the RDB is received into memory (see #disklessLoad).
   */
  #transferFile: { readonly path: string; readonly fd: number } | undefined = undefined;
  #parser: RequestParser | undefined = undefined;
  #client: Client | undefined = undefined;
  #cron: NodeJS.Timeout | undefined = undefined;
  /** the stream's bytes received since it started; those that commands were parsed from */
  #received = 0;
  #applied = 0;
  /** bytes of commands run but not counted in `offset` yet (a transaction before its EXEC) */
  #unacknowledged = 0;
  /** the next PSYNC is a FAILOVER's (byor was the master, the target takes over) */
  #failover = false;
  /** the database the master's stream was in when the link was lost (or the RDB says) */
  #streamDb = 0;
  /** the stream's bytes not yet passed on to our replicas, from stream position #rawStart */
  #raw: Buffer[] = [];
  #rawStart = 0;

  private constructor(server: Server) {
    this.#server = server;
    server.replicationSaveInfo = () => replicationSaveInfo(server);
    server.hooks.shutdown.push(() => this.stop());
  }

  /**
   * loadDataFromDisk on a replica: the RDB it started from names its master's history, which it
   * offers in its first PSYNC (replicationCacheMasterUsingMyself), so that a restart continues
   * with +CONTINUE instead of a full sync.
   */
  continueHistory(saved: ReplicationSaveInfo): void {
    this.#server.logger.notice(
      'Before turning into a replica, using my own master parameters to synthesize a cached master: I may be able to synchronize with the new master with just a partial transfer.',
    );
    this.replid = saved.replid;
    this.offset = saved.offset;
    this.#streamDb = saved.streamDb;
  }

  /** The replica state of a server, created on first use. O(1). */
  static of(server: Server): ReplicationReplica {
    let replica = instances.get(server);
    if (!replica) {
      replica = new ReplicationReplica(server);
      instances.set(server, replica);
    }
    return replica;
  }

  /** The replica state if anything used it yet. */
  static existing(server: Server): ReplicationReplica | undefined {
    return instances.get(server);
  }

  /** True while byor follows a master (connected or not). */
  get following(): boolean {
    return this.state !== 'none';
  }

  /** The client the master's commands run as (CLIENT LIST flags=M), while connected. */
  get masterClient(): Client | undefined {
    return this.#client;
  }

  /**
   * replicationSetMaster: follow `host:port` from now on. The databases stay as they are until
   * the master's RDB replaces them. A master turning replica offers its own history to the new
   * master (replicationCacheMasterUsingMyself: one of its replicas promoted continues it), and
   * its replicas stay: they get the new master's stream through it, or sync again after its own
   * full sync. `failover`: the PSYNC is FAILOVER's (byor hands the master role to that replica).
   */
  follow(host: string, port: number, failover = false): void {
    const server = this.#server;
    const wasMaster = server.replicaOf === undefined;
    this.#drop();
    this.host = host;
    this.port = port;
    this.#failover = failover;
    const master = ReplicationMaster.existing(server);
    if (wasMaster && master?.backlog !== undefined) {
      server.logger.notice(
        'Before turning into a replica, using my own master parameters to synthesize a cached master: I may be able to synchronize with the new master with just a partial transfer.',
      );
      this.replid = master.replid;
      this.offset = master.offset;
      master.becomeReplica();
    }
    this.state = 'connect';
    this.downSince = server.now();
    server.replicaOf = { host, port };
    server.config.setFromCode('replicaof', `${host} ${port}`);
    if (this.#cron === undefined) {
      this.#cron = setInterval(() => this.#tick(), 1000);
      this.#cron.unref();
    }
    this.#connect();
  }

  /** replicationUnsetMaster (REPLICAOF NO ONE): stop following; the data stays, writable. */
  unfollow(): void {
    const server = this.#server;
    this.#drop();
    this.state = 'none';
    server.replicaOf = undefined;
    server.config.setFromCode('replicaof', 'no one');
    // the AOF stopped for a sync that did not end comes back (replicationUnsetMaster)
    server.persistence?.afterReplicaLoad();
    // writes of our own may follow: following a master again starts with a full sync
    this.replid = '?';
    this.offset = -1;
    if (this.#cron !== undefined) clearInterval(this.#cron);
    this.#cron = undefined;
    // a new history starts here: our replicas sync from scratch
    ReplicationMaster.existing(server)?.newHistory();
  }

  /** The server stopped: the link and the retries end. */
  stop(): void {
    this.#drop();
    if (this.#cron !== undefined) clearInterval(this.#cron);
    this.#cron = undefined;
  }

  // ---- the link -------------------------------------------------------------------------------

  #connect(): void {
    const server = this.#server;
    server.logger.notice(`Connecting to MASTER ${this.host}:${this.port}`);
    this.state = 'connecting';
    // repl-timeout counts from here until the master says something
    this.lastIo = server.now();
    const socket = connect({ host: this.host, port: this.port });
    this.#socket = socket;
    this.#input = Buffer.alloc(0);
    this.#expecting = [];
    socket.setNoDelay(true);
    socket.on('connect', () => {
      if (this.#socket !== socket) return;
      server.logger.notice('MASTER <-> REPLICA sync started');
      this.lastIo = server.now();
      this.state = 'handshake';
      this.#handshake();
    });
    socket.on('data', (chunk: Buffer) => {
      if (this.#socket !== socket) return;
      this.lastIo = server.now();
      this.#onData(chunk);
    });
    socket.on('error', (error) => {
      if (this.#socket !== socket) return;
      server.logger.warning(`Error condition on socket for SYNC: ${error.message}`);
    });
    socket.on('close', () => {
      if (this.#socket !== socket) return;
      if (this.state === 'connected') server.logger.warning('Connection with master lost.');
      this.#linkDown();
    });
  }

  /** The link is gone: retried by the cron (each second) while we still follow. */
  #linkDown(): void {
    this.#drop();
    if (this.state !== 'none') {
      this.state = 'connect';
      this.downSince = this.#server.now();
    }
  }

  /** Closes the socket, forgetting the partial transfer and the stream not applied yet. */
  #drop(): void {
    this.#server.replicaLinkUp = false;
    const socket = this.#socket;
    this.#socket = undefined;
    socket?.destroy();
    this.#chunks = [];
    this.#closeTransferFile(true);
    this.#eofMark = undefined;
    this.#eofTail = Buffer.alloc(0);
    this.#parser = undefined;
    // a transaction cut short is sent again (the offset stops before its MULTI); the database the
    // stream is in is not: a continued stream goes on in it
    const client = this.#client;
    if (client !== undefined) {
      this.#streamDb = client.db.index;
      this.#server.removeClient(client);
    }
    this.#client = undefined;
    this.#expecting = [];
  }

  #send(argv: readonly string[]): void {
    const writer = new RespWriter(64);
    writer.bulkArray(argv);
    this.#socket?.write(Buffer.from(writer.view()));
  }

  /** Sends a command of the handshake; `then` gets its reply line. */
  #ask(argv: readonly string[], then: (line: string) => void): void {
    this.#send(argv);
    this.#expecting.push(then);
  }

  #handshake(): void {
    const server = this.#server;
    const config = server.config;
    const fail = (why: string) => {
      server.logger.warning(why);
      this.#linkDown();
    };
    this.#ask(['PING'], (line) => {
      // an error about authentication is fine: AUTH comes next
      if (line[0] === '-' && !/^-(NOAUTH|NOPERM|ERR operation not permitted)/.test(line)) {
        fail(`Error reply to PING from master: '${line.slice(1)}'`);
        return;
      }
      server.logger.notice('Master replied to PING, replication can continue...');
      const password = config.string('masterauth');
      if (password !== '') {
        const user = config.string('masteruser');
        this.#ask(user === '' ? ['AUTH', password] : ['AUTH', user, password], (reply) => {
          if (reply[0] === '-') fail(`Unable to AUTH to MASTER: ${reply}`);
          else this.#announce();
        });
      } else this.#announce();
    });
  }

  /** REPLCONF listening-port, ip-address, capa, then PSYNC: one at a time, as the master wants. */
  #announce(): void {
    const server = this.#server;
    const config = server.config;
    const port = config.number('replica-announce-port') || server.port;
    const address = config.string('replica-announce-ip');
    const steps: [string[], string][] = [
      [['REPLCONF', 'listening-port', String(port)], 'listening-port'],
      ...(address === ''
        ? []
        : [[['REPLCONF', 'ip-address', address], 'ip-address'] as [string[], string]]),
      [['REPLCONF', 'capa', 'eof', 'capa', 'psync2'], 'capa'],
    ];
    const next = (): void => {
      const step = steps.shift();
      if (step === undefined) {
        this.#psync();
        return;
      }
      this.#ask(step[0], (line) => {
        if (line[0] === '-')
          server.logger.notice(
            `(Non critical) Master does not understand REPLCONF ${step[1]}: ${line}`,
          );
        next();
      });
    };
    next();
  }

  #psync(): void {
    const server = this.#server;
    const continuing = this.offset >= 0 && this.replid !== '?';
    if (continuing)
      server.logger.notice(
        `Trying a partial resynchronization (request ${this.replid}:${this.offset + 1}).`,
      );
    else server.logger.notice('Partial resynchronization not possible (no cached master)');
    const psync = [
      'PSYNC',
      continuing ? this.replid : '?',
      String(continuing ? this.offset + 1 : -1),
    ];
    if (this.#failover) psync.push('FAILOVER');
    this.#ask(psync, (line) => this.#psyncReply(line));
  }

  #psyncReply(line: string): void {
    const server = this.#server;
    if (this.#failover) {
      this.#failover = false;
      const master = ReplicationMaster.existing(server);
      if (line.startsWith('+FULLRESYNC') || line.startsWith('+CONTINUE')) master?.failoverDone();
      else {
        server.logger.warning(`Failover target rejected PSYNC ... FAILOVER: ${line}`);
        master?.failoverRejected();
        return;
      }
    }
    const full = /^\+FULLRESYNC ([0-9a-fA-F]{40}) (\d+)$/.exec(line);
    if (full) {
      server.logger.notice(`Full resync from master: ${full[1]}:${full[2]}`);
      this.replid = full[1] ?? '?';
      this.offset = Number(full[2]);
      this.state = 'sync';
      this.transferSize = -2; // the $ line is still to come
      this.transferRead = 0;
      return;
    }
    const continued = /^\+CONTINUE(?: ([0-9a-fA-F]{40}))?$/.exec(line);
    if (continued) {
      server.logger.notice('Successful partial resynchronization with master.');
      if (continued[1] !== undefined && continued[1] !== this.replid) {
        server.logger.notice(`Master replication ID changed to ${continued[1]}`);
        this.replid = continued[1];
        ReplicationMaster.existing(server)?.historyRenamed(continued[1]);
      }
      this.#streamStarts();
      ReplicationMaster.of(server).chainFrom(this.replid, this.offset);
      server.logger.notice('MASTER <-> REPLICA sync: Master accepted a Partial Resynchronization.');
      return;
    }
    server.logger.warning(`Unexpected reply to PSYNC from master: ${line}`);
    this.#linkDown();
  }

  #onData(chunk: Buffer): void {
    if (this.state === 'connected') {
      this.#applyStream(chunk);
      return;
    }
    this.#input = this.#input.length === 0 ? chunk : Buffer.concat([this.#input, chunk]);
    while (this.#socket !== undefined && this.#input.length !== 0) {
      if (this.state === 'sync') {
        if (!this.#readTransfer()) return;
        continue;
      }
      if (this.state !== 'handshake') break;
      // newlines alone are the master's keepalives while it prepares the RDB
      if (this.#input[0] === 10) {
        this.#input = this.#input.subarray(1);
        continue;
      }
      const end = this.#input.indexOf('\r\n');
      if (end < 0) {
        if (this.#input.length > 64 * 1024) this.#protocolError('a reply line too long');
        return;
      }
      const line = this.#input.toString('latin1', 0, end);
      this.#input = this.#input.subarray(end + 2);
      const then = this.#expecting.shift();
      if (then === undefined) {
        this.#protocolError(`an unexpected reply (${line})`);
        return;
      }
      then(line);
    }
    if (this.#connected() && this.#input.length !== 0) {
      const rest = this.#input;
      this.#input = Buffer.alloc(0);
      this.#applyStream(rest);
    }
  }

  /** (a method: the compiler would narrow `state` across the calls that change it) */
  #connected(): boolean {
    return this.state === 'connected';
  }

  #protocolError(what: string): void {
    this.#server.logger.warning(`Protocol error from MASTER: ${what}; closing the link`);
    this.#linkDown();
  }

  /** Reads the RDB's bytes; true when the input may hold more to handle. */
  #readTransfer(): boolean {
    const server = this.#server;
    if (this.transferSize === -2) {
      if (this.#input[0] === 10) {
        this.#input = this.#input.subarray(1);
        return true;
      }
      const end = this.#input.indexOf('\r\n');
      if (end < 0) return false;
      const line = this.#input.toString('latin1', 0, end);
      this.#input = this.#input.subarray(end + 2);
      if (line[0] === '-') {
        server.logger.warning(`MASTER aborted replication with an error: ${line.slice(1)}`);
        this.#linkDown();
        return false;
      }
      const size = /^\$(\d+)$/.exec(line);
      const marked = line.startsWith('$EOF:') && line.length === 5 + EOF_MARK_LENGTH;
      if (!marked && !size) {
        this.#protocolError(`a bad RDB header (${line})`);
        return false;
      }
      const toDisk = !this.#disklessLoad();
      if (toDisk && !this.#openTransferFile()) return false;
      const where = toDisk ? 'to disk' : 'to parser';
      if (marked) {
        this.#eofMark = Buffer.from(line.slice(5), 'latin1');
        this.transferSize = -1;
        server.logger.notice(
          `MASTER <-> REPLICA sync: receiving streamed RDB from master with EOF ${where}`,
        );
      } else {
        this.transferSize = Number(size![1]);
        server.logger.notice(
          `MASTER <-> REPLICA sync: receiving ${this.transferSize} bytes from master ${where}`,
        );
      }
      return true;
    }
    if (this.transferSize >= 0) {
      const want = this.transferSize - this.transferRead;
      const take = this.#input.subarray(0, want);
      this.#input = this.#input.subarray(take.length);
      if (!this.#takeRdb(take)) return false;
      if (this.transferRead < this.transferSize) return false;
      this.#loadTransfer();
      return true;
    }
    // with an EOF mark: everything up to the mark, which may span reads (looked for in this
    // read and the end of the previous ones only: the RDB is not copied per read)
    const mark = this.#eofMark ?? Buffer.alloc(0);
    const input = this.#input;
    this.#input = Buffer.alloc(0);
    const tail = this.#eofTail;
    const window = tail.length === 0 ? input : Buffer.concat([tail, input]);
    const at = window.indexOf(mark);
    if (at < 0) {
      if (!this.#takeRdb(input)) return false;
      this.#eofTail = Buffer.from(
        window.subarray(Math.max(0, window.length - EOF_MARK_LENGTH + 1)),
      );
      return false;
    }
    // the RDB ends where the mark begins (maybe in the tail already received: taken back)
    this.#eofTail = Buffer.alloc(0);
    this.#input = window.subarray(at + EOF_MARK_LENGTH);
    if (at >= tail.length) {
      if (!this.#takeRdb(window.subarray(tail.length, at))) return false;
    } else this.#giveBackRdb(tail.length - at);
    this.#loadTransfer();
    return true;
  }

  /**
   * useDisklessLoad: whether the RDB is received into memory and loaded from there
   * (repl-diskless-load swapdb, or on-empty-db with no keys), rather than through a file.
   */
  #disklessLoad(): boolean {
    const mode = this.#server.config.string('repl-diskless-load');
    // (an embedded server that stays off the disk keeps it in memory too)
    return (
      this.#server.persistence?.onDisk === false ||
      mode === 'swapdb' ||
      (mode === 'on-empty-db' && this.#server.databases.every((db) => db.size === 0))
    );
  }

  /** Opens the file of a transfer to disk (false, the link dropped, when it cannot). */
  #openTransferFile(): boolean {
    const dir = this.#server.config.string('dir');
    // redis-server's name; another server of this process syncing in the same second adds -n
    const name = `temp-${Math.floor(Date.now() / 1000)}.${process.pid}`;
    try {
      for (let n = 0; ; n++) {
        const path = join(dir, n === 0 ? `${name}.rdb` : `${name}-${n}.rdb`);
        try {
          this.#transferFile = { path, fd: openSync(path, 'wx', 0o644) };
          return true;
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
        }
      }
    } catch (error) {
      this.#server.logger.warning(
        `Opening the temp file needed for MASTER <-> REPLICA synchronization: ${(error as Error).message}`,
      );
      this.#linkDown();
      return false;
    }
  }

  /** Closes the transfer's file; `remove`: deletes it too (a transfer given up). */
  #closeTransferFile(remove: boolean): void {
    const file = this.#transferFile;
    if (file === undefined) return;
    this.#transferFile = undefined;
    closeSync(file.fd);
    if (remove) rmSync(file.path, { force: true });
  }

  /** Bytes of the RDB received: written to the transfer's file, or kept (false: link dropped). */
  #takeRdb(bytes: Buffer): boolean {
    this.transferRead += bytes.length;
    const file = this.#transferFile;
    if (file === undefined) {
      if (bytes.length !== 0) this.#chunks.push(bytes);
      return true;
    }
    try {
      for (let done = 0; done < bytes.length;)
        done += writeSync(file.fd, bytes, done, bytes.length - done);
      return true;
    } catch (error) {
      this.#server.logger.warning(
        `Write error or short write writing to the DB dump file needed for MASTER <-> REPLICA synchronization: ${(error as Error).message}`,
      );
      this.#linkDown();
      return false;
    }
  }

  /** The last `count` bytes received were the EOF mark's beginning, not the RDB's: taken back. */
  #giveBackRdb(count: number): void {
    this.transferRead -= count;
    const file = this.#transferFile;
    if (file !== undefined) {
      ftruncateSync(file.fd, this.transferRead);
      return;
    }
    for (let left = count; left > 0;) {
      const last = this.#chunks.pop()!;
      if (last.length > left) this.#chunks.push(last.subarray(0, last.length - left));
      left -= last.length;
    }
  }

  /** readSyncBulkPayload's end: empty the databases and the functions, load the RDB. */
  #loadTransfer(): void {
    const server = this.#server;
    const persistence = server.persistence;
    const file = this.#transferFile;
    if (persistence === undefined) {
      server.logger.warning('MASTER <-> REPLICA sync: no persistence to load the RDB with');
      this.#linkDown();
      return;
    }
    // the AOF stops (rewritten once the new data is in) and a background save in progress too
    persistence.beforeReplicaLoad();
    let input: Buffer | string;
    if (file !== undefined) {
      // the file becomes the replica's dbfilename (as redis-server's rename), then loads from it
      try {
        fsyncSync(file.fd);
        this.#closeTransferFile(false);
        renameSync(file.path, persistence.rdbPath);
      } catch (error) {
        server.logger.warning(
          `Failed trying to rename the temp DB into ${server.config.string('dbfilename')} in MASTER <-> REPLICA synchronization: ${(error as Error).message}`,
        );
        rmSync(file.path, { force: true });
        this.#linkDown();
        return;
      }
      input = persistence.rdbPath;
    } else {
      input = Buffer.concat(this.#chunks);
    }
    this.#chunks = [];
    // repl-diskless-load swapdb: the RDB loads into databases of its own while the old data
    // stays, swapped in once it all loaded; the old data is kept when it does not load
    const swap = file === undefined && server.config.string('repl-diskless-load') === 'swapdb';
    if (!swap) {
      server.logger.notice('MASTER <-> REPLICA sync: Flushing old data');
      // emptyData: WATCHers fail, tracking clients are told; not counted as changes to save
      const dirty = server.stats.dirty;
      server.flushDatabase(undefined, false, server.config.bool('replica-lazy-flush'));
      server.stats.dirty = dirty;
      ScriptEngine.existing(server)?.functions.flush();
    }
    server.logger.notice('MASTER <-> REPLICA sync: Loading DB in memory');
    const host = detachedHost(server);
    const loaded = swap ? server.databases.map((db) => new Database(db.index, host)) : undefined;
    // the keys loaded are not changes to save (a load from memory is one, below)
    const dirty = server.stats.dirty;
    let functions: FunctionRegistry | undefined;
    try {
      const into = loaded && {
        databases: loaded,
        functions: () => (functions ??= ScriptEngine.of(server).functions.empty()),
      };
      this.#streamDb = persistence.loadRdbPayload(input, into).streamDb ?? 0;
    } catch (error) {
      server.logger.warning(
        `Failed trying to load the MASTER synchronization DB from ${typeof input === 'string' ? 'disk' : 'socket'}: ${(error as Error).message}`,
      );
      if (loaded !== undefined) {
        for (const db of loaded) db.flush();
        server.logger.notice('MASTER <-> REPLICA sync: Discarding temporary DB in background');
      } else for (const db of server.databases) db.flush();
      this.#removeSyncFile(input);
      // a new full sync next time (the AOF stays off until one succeeds, or REPLICAOF NO ONE)
      this.replid = '?';
      this.offset = -1;
      this.#linkDown();
      return;
    }
    if (loaded !== undefined) {
      server.logger.notice('MASTER <-> REPLICA sync: Swapping active DB with loaded DB');
      server.replaceDatabases(loaded);
      const engine = functions ? ScriptEngine.of(server) : ScriptEngine.existing(server);
      engine?.functions.flush();
      if (functions !== undefined) engine?.functions.join(functions, false);
      for (const db of loaded) db.flush();
      server.logger.notice('MASTER <-> REPLICA sync: Discarding old DB in background');
    }
    // a load from memory saved nothing: a change to save (the file of a disk load is the data)
    server.stats.dirty = dirty + (typeof input === 'string' ? 0 : 1);
    this.#removeSyncFile(input);
    // a new history: replicas of ours sync again from it
    ReplicationMaster.existing(server)?.disconnectReplicas();
    this.#streamStarts();
    ReplicationMaster.of(server).chainFrom(this.replid, this.offset);
    persistence.afterReplicaLoad();
    server.logger.notice('MASTER <-> REPLICA sync: Finished with success');
    this.#ack();
  }

  /**
   * rdb-del-sync-files: the RDB file a sync left is deleted when the replica persists nothing
   * itself (no save points, no AOF).
   */
  #removeSyncFile(input: Buffer | string): void {
    const server = this.#server;
    if (typeof input !== 'string' || !server.config.bool('rdb-del-sync-files')) return;
    if (server.config.bool('appendonly') || server.persistence?.saveParams().length) return;
    server.logger.notice(
      'Removing the RDB file obtained from the master. This replica has persistence disabled',
    );
    rmSync(input, { force: true });
  }

  /**
   * The stream follows: the master's client and its parser, in the database the stream is in
   * (after +CONTINUE the one it was in when the link was lost: the master sends no SELECT for it;
   * after a full sync the RDB's repl-stream-db, else 0).
   */
  #streamStarts(): void {
    const server = this.#server;
    const socket = this.#socket;
    const unparsed = (): number => this.#parser?.bufferedBytes ?? 0;
    const link: MasterLink = {
      remoteAddress: socket?.remoteAddress ?? this.host,
      remotePort: socket?.remotePort ?? this.port,
      localAddress: socket?.localAddress ?? '',
      localPort: socket?.localPort ?? 0,
      unix: false,
      get queryBufferBytes() {
        return unparsed();
      },
      close: () => {
        if (this.#socket !== socket) return;
        server.logger.warning('Connection with master lost.');
        this.#linkDown();
      },
    };
    const client = server.createClient(undefined, link);
    client.db = server.db(this.#streamDb);
    client.authenticated = true;
    client.denyBlocking = true;
    client.w = new RespWriter(256);
    client.name = '';
    this.#client = client;
    this.#parser = new RequestParser({ maxBulkLength: Number.MAX_SAFE_INTEGER });
    this.#received = 0;
    this.#applied = 0;
    this.#unacknowledged = 0;
    this.#raw = [];
    this.#rawStart = 0;
    this.state = 'connected';
    this.downSince = 0;
    server.replicaLinkUp = true;
  }

  /**
   * Runs the master's commands as they arrive, its offset advancing by each command's bytes (not
   * inside MULTI: a transaction is applied at its EXEC, and only then acknowledged).
   */
  #applyStream(chunk: Buffer): void {
    const server = this.#server;
    const parser = this.#parser;
    const client = this.#client;
    if (parser === undefined || client === undefined) return;
    parser.push(chunk);
    this.#raw.push(chunk);
    this.#received += chunk.length;
    for (;;) {
      let argv: string[] | undefined;
      try {
        argv = parser.next();
      } catch (error) {
        this.#protocolError((error as Error).message);
        return;
      }
      if (argv === undefined) break;
      const through = this.#received - parser.bufferedBytes;
      const name = (argv[0] ?? '').toLowerCase();
      if (argv.length === 0) {
        // an empty command: nothing to run, its bytes still count
      } else if (name === 'replconf' && (argv[1] ?? '').toLowerCase() === 'getack') {
        // the offset before this command, as redis-server's replicationSendAck
        client.lastCommand = 'replconf';
        this.#ack();
      } else {
        server.runAsMaster(client, argv);
        client.w.reset();
      }
      if (this.#client !== client) return; // the command ended the link (REPLICAOF, FLUSHALL...)
      // the command's bytes count once it ran (a transaction's, at its EXEC)
      this.#unacknowledged += through - this.#applied;
      this.#applied = through;
      if (client.multi === undefined) {
        this.offset += this.#unacknowledged;
        this.#unacknowledged = 0;
        this.#passOn(through);
      }
    }
  }

  /**
   * The stream's bytes up to position `upTo` were applied: our own replicas get them as they
   * came (redis-server's replicationFeedStreamFromMasterStream), with the master's offsets.
   */
  #passOn(upTo: number): void {
    const master = ReplicationMaster.existing(this.#server);
    const feeding = master?.backlog !== undefined;
    let length = upTo - this.#rawStart;
    // the bytes come off the front of the chunks (a chunk cut in two keeps its rest)
    while (length > 0 && this.#raw.length !== 0) {
      const first = this.#raw[0]!;
      const piece = first.length <= length ? first : first.subarray(0, length);
      if (first.length <= length) this.#raw.shift();
      else this.#raw[0] = first.subarray(length);
      if (feeding) master.feedRaw(piece);
      length -= piece.length;
      this.#rawStart += piece.length;
    }
  }

  /** The database the master's stream is in now (for an RDB we make for our own replicas). */
  get streamDb(): number {
    return this.#client?.db.index ?? this.#streamDb;
  }

  /** REPLCONF ACK <offset> to the master. */
  #ack(): void {
    if (this.state !== 'connected') return;
    this.#send(['REPLCONF', 'ACK', String(this.offset)]);
  }

  /** Once a second: reconnect, acknowledge, notice a master gone silent (repl-timeout). */
  #tick(): void {
    const server = this.#server;
    if (this.state === 'connect') {
      this.#connect();
      return;
    }
    const timeout = server.config.number('repl-timeout') * 1000;
    if (server.now() - this.lastIo > timeout) {
      server.logger.warning(
        this.state === 'connected'
          ? 'MASTER timeout: no data nor PING received...'
          : 'Timeout connecting to the MASTER...',
      );
      this.#linkDown();
      return;
    }
    this.#ack();
  }
}

const instances = new WeakMap<Server, ReplicationReplica>();
