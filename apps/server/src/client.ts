import type { RespWriter } from '@byor/protocol';
import type { Database } from './keyspace.js';
import type { Server } from './server.js';
import type { Command } from './commands/types.js';

/** What a client needs from its network connection (an @byor/eventloop Connection, adapted). */
export interface ClientConnection {
  readonly remoteAddress: string;
  readonly remotePort: number;
  readonly localAddress: string;
  readonly localPort: number;
  /** true for a Unix socket connection */
  readonly unix: boolean;
  /** bytes received but not yet parsed (CLIENT LIST qbuf) */
  readonly queryBufferBytes: number;
  /** bytes of replies not yet written to the socket (CLIENT LIST omem) */
  readonly outputBufferBytes: number;
  /**
   * ms of the connection's last read or write (CLIENT LIST idle, as redis-server's
   * readQueryFromClient and writeToClient set it), when it keeps one; else each command sets the
   * client's own
   */
  readonly lastInteraction?: number;
  /** queues bytes for the socket; sent at the end of the current batch */
  write(bytes: Uint8Array): void;
  /** closes now, or once pending replies are written */
  close(afterFlush: boolean): void;
  /** stops/starts delivering further commands (a blocked client) */
  pause(): void;
  resume(): void;
  /** the output-buffer limit class */
  setOutputClass(kind: 'normal' | 'pubsub' | 'replica'): void;
  /** exempts the connection from the idle timeout (blocked and pubsub clients) */
  setIdleExempt(exempt: boolean): void;
}

/** Where a client's bytes come from: its connection, or a replica's link to its master. */
export type ClientEndpoint = Pick<
  ClientConnection,
  'remoteAddress' | 'remotePort' | 'localAddress' | 'localPort' | 'unix' | 'queryBufferBytes'
>;

/** A replica's link to its master, as the master's client shows it (CLIENT LIST flags=M). */
export interface MasterLink extends ClientEndpoint {
  /** drops the link (CLIENT KILL): the replica connects again and continues with PSYNC */
  close(): void;
}

/** A transaction being queued between MULTI and EXEC. */
export interface MultiState {
  readonly commands: { readonly command: Command; readonly argv: string[] }[];
  /** a queued command was refused (unknown, wrong arity...): EXEC answers EXECABORT */
  dirty: boolean;
}

/** CLIENT REPLY mode. */
export type ReplyMode = 'on' | 'off' | 'skip';

/**
 * One connected client (or an internal one, for scripts): its database, protocol version,
 * name, authentication, transaction and subscription state. Command handlers receive it and write
 * their reply through `client.w`.
 */
export class Client {
  readonly id: number;
  readonly server: Server;
  readonly conn: ClientConnection | undefined;
  /** where this command's reply goes (the server's batch writer for network clients) */
  w: RespWriter;
  db: Database;
  resp: 2 | 3 = 2;
  name = '';
  libName = '';
  libVersion = '';
  authenticated: boolean;
  readonly createdAt: number;
  /** ms of the last command, for a client whose connection keeps no time of its own */
  lastInteraction: number;
  /** its connection keeps the time of its last read or write (ClientConnection.lastInteraction) */
  readonly connectionTracksInteraction: boolean;
  /** the command being executed, lower-case full name (for errors, CLIENT LIST cmd=) */
  lastCommand = 'NULL';
  multi: MultiState | undefined = undefined;
  /** keys this client WATCHes: "db\0key" entries; set to true when one of them changed */
  readonly watched = new Set<string>();
  /** watched keys that were already expired (not yet reclaimed) when WATCHed (wk->expired) */
  readonly watchedExpired = new Set<string>();
  watchDirty = false;
  readonly channels = new Set<string>();
  readonly patterns = new Set<string>();
  readonly shardChannels = new Set<string>();
  replyMode: ReplyMode = 'on';
  /** CLIENT NO-EVICT / NO-TOUCH */
  noEvict = false;
  noTouch = false;
  /** MONITOR */
  monitor = false;
  /** a replica: it asked for SYNC / PSYNC and gets the replication stream (replication/master.ts) */
  replica = false;
  /**
   * set on a replica's master client (redis-server's CLIENT_MASTER): the link its commands
   * arrive on. Such a client has no `conn`: its replies go nowhere.
   */
  masterLink: MasterLink | undefined = undefined;
  /** the client that replays the AOF (redis-server's CLIENT_ID_AOF) */
  aofLoader = false;
  /** set when the client must be disconnected once its replies are written (QUIT, errors) */
  closing = false;
  /**
   * set with `closing` when the client passed its output-buffer hard limit in a command: it is
   * closed without its pending replies, as redis-server frees such a client (CLIENT_CLOSE_ASAP)
   */
  dropOutput = false;
  /** set while EXEC (or a script) runs this client's commands: blocking commands must not block */
  denyBlocking = false;
  /** set while the client waits on a blocking command */
  blocked: BlockedState | undefined = undefined;
  /**
   * set while CLIENT PAUSE holds the client's command back (redis-server's BLOCKED_POSTPONE): it
   * counts as blocked in INFO and CLIENT LIST
   */
  postponed = false;

  /** Waiting on keys or held back by CLIENT PAUSE: INFO blocked_clients, CLIENT LIST's b flag. */
  get isBlocked(): boolean {
    return this.blocked !== undefined || this.postponed;
  }

  constructor(
    id: number,
    server: Server,
    conn: ClientConnection | undefined,
    writer: RespWriter,
    now: number,
  ) {
    this.id = id;
    this.server = server;
    this.conn = conn;
    this.w = writer;
    this.db = server.db(0);
    this.authenticated = !server.requiresAuth();
    this.createdAt = now;
    this.lastInteraction = now;
    this.connectionTracksInteraction = conn?.lastInteraction !== undefined;
  }

  /** Its connection, or its link to the master; undefined for an internal client (scripts). */
  get endpoint(): ClientEndpoint | undefined {
    return this.conn ?? this.masterLink;
  }

  /** `host:port` of the peer (CLIENT LIST addr, CLIENT KILL ADDR): '' for an internal client. */
  get addr(): string {
    const peer = this.endpoint;
    if (peer === undefined) return '';
    return peer.unix ? `${peer.localAddress}:0` : `${peer.remoteAddress}:${peer.remotePort}`;
  }

  /** `host:port` of our end (CLIENT LIST laddr, CLIENT KILL LADDR). */
  get laddr(): string {
    const peer = this.endpoint;
    if (peer === undefined) return '';
    return peer.unix ? `${peer.localAddress}:0` : `${peer.localAddress}:${peer.localPort}`;
  }

  /** Number of pub/sub subscriptions (channels + patterns + shard channels). */
  get subscriptionCount(): number {
    return this.channels.size + this.patterns.size + this.shardChannels.size;
  }

  /** True when a RESP2 client is in subscriber mode (only (P|S)SUBSCRIBE, PING, QUIT, RESET allowed). */
  get inPubSubContext(): boolean {
    return this.resp === 2 && this.subscriptionCount > 0;
  }

  /** Writes an error reply (the full text, e.g. "ERR syntax error"). */
  error(text: string): void {
    this.w.error(text);
  }
}

/** What a blocked client waits for. */
export interface BlockedState {
  /** the keys it waits on, in its database */
  readonly keys: readonly string[];
  /** absolute deadline in ms, or 0 for none */
  readonly deadline: number;
  /**
   * Re-runs the command when `readyKey`, one of the keys, may be ready (the key Redis serves
   * from: with several keys, the one that became ready); returns true when it was served.
   */
  readonly retry: (readyKey: string) => boolean;
  /** replies when the timeout passes */
  readonly timeout: () => void;
  /** timer handle, if any */
  timer: unknown;
  /** the blocking command (INFO commandstats counts it failed when its wait ends in an error) */
  readonly command: Command | undefined;
  /** its arguments (SLOWLOG logs it when its wait ends) */
  readonly argv: readonly string[];
}
