import {
  CloseReason,
  EventLoop,
  type Connection,
  type Listener,
  type ListenerHandlers,
  type TimerHandle,
} from '@byor/eventloop';
import { BinaryRequestParser, BinaryWriter, ProtocolError } from '@byor/protocol';
import { PrefetchingParser } from './pipeline-prefetch.js';
import {
  bindAddresses,
  bindFailureReason,
  listenErrorCode,
  skipsOptional,
  tryBinding,
  type BindAddress,
} from './listen-addresses.js';
import { ListenFailedError } from './errors.js';
import { BookProtocol } from './book.js';
import type { Client, ClientConnection } from './client.js';
import type { Config } from './config/config.js';
import type { NetworkControl, Server } from './server.js';

const DENIED = Buffer.from(
  "-DENIED Redis is running in protected mode because protected mode is enabled and no password is set for the default user. In this mode connections are only accepted from the loopback interface. If you want to connect from external computers to Redis you may adopt one of the following solutions: 1) Just disable protected mode sending the command 'CONFIG SET protected-mode no' from the loopback interface by connecting to Redis from the same host the server is running, however MAKE SURE Redis is not publicly accessible from internet if you do so. Use CONFIG REWRITE to make this change permanent. 2) Alternatively you can just disable the protected mode by editing the Redis configuration file, and setting the protected mode option to 'no', and then restarting the server. 3) If you started the server manually just for testing, restart it with the '--protected-mode no' option. 4) Set up an authentication password for the default user. NOTE: You only need to do one of the above things in order for the server to start accepting connections from the outside.\r\n",
  'latin1',
);

/** A batch's replies are handed to the connection once they reach this size. */
const FLUSH_EARLY_BYTES = 64 * 1024;

function isLoopback(address: string): boolean {
  return address === '::1' || address.startsWith('127.');
}

/** A TCP listener of `port` and `bind`, with what it binds. */
interface TcpListener {
  readonly listener: Listener;
  readonly address: BindAddress;
  readonly port: number;
}

/** A listener's key in Network's table. */
function endpoint(host: string, port: number): string {
  return `${host} ${port}`;
}

/** Where a client of this process reaches a listener bound to `host`. */
function connectableHost(host: string): string {
  return host === '0.0.0.0' ? '127.0.0.1' : host === '::' ? '::1' : host;
}

function normalizeAddress(address: string): string {
  return address.startsWith('::ffff:') ? address.slice(7) : address;
}

/** A client's view of its @byor/eventloop connection. */
class LoopConnection implements ClientConnection {
  readonly #connection: Connection<Client>;
  readonly remoteAddress: string;
  readonly remotePort: number;
  readonly localAddress: string;
  readonly localPort: number;
  readonly unix: boolean;
  /** the command held back while CLIENT PAUSE lasts */
  held: string[] | undefined = undefined;

  readonly #network: Network;

  constructor(connection: Connection<Client>, network: Network, unixPath: string | undefined) {
    this.#connection = connection;
    this.#network = network;
    this.unix = connection.transport === 'unix';
    this.remoteAddress = this.unix ? (unixPath ?? '') : normalizeAddress(connection.remoteAddress);
    this.remotePort = connection.remotePort;
    this.localAddress = this.unix ? (unixPath ?? '') : normalizeAddress(connection.localAddress);
    this.localPort = connection.localPort;
  }

  get queryBufferBytes(): number {
    return this.#connection.queryBufferBytes;
  }
  get outputBufferBytes(): number {
    return this.#connection.outputBytes;
  }
  get lastInteraction(): number {
    return this.#connection.lastInteraction;
  }
  get connection(): Connection<Client> {
    return this.#connection;
  }
  write(bytes: Uint8Array): void {
    this.#network.deliver(this.#connection, bytes);
  }
  close(afterFlush: boolean): void {
    if (afterFlush) this.#connection.closeAfterFlush();
    else this.#connection.close();
  }
  pause(): void {
    this.#connection.pause();
  }
  resume(): void {
    this.#connection.resume();
  }
  setOutputClass(kind: 'normal' | 'pubsub' | 'replica'): void {
    this.#connection.outputClass = kind;
  }
  setIdleExempt(exempt: boolean): void {
    this.#connection.idleExempt = exempt;
  }
}

/** client-output-buffer-limit, client-query-buffer-limit, maxclients and timeout as loop limits. */
function loopLimits(config: Config) {
  const limit = (kind: 'normal' | 'replica' | 'pubsub') => {
    const { hard, soft, softSeconds } = config.bufferLimit(kind);
    return { hardBytes: hard, softBytes: soft, softSeconds };
  };
  return {
    maxClients: config.number('maxclients'),
    queryBufferLimit: config.number('client-query-buffer-limit'),
    idleTimeout: config.number('timeout') * 1000,
    outputBufferLimits: {
      normal: limit('normal'),
      replica: limit('replica'),
      pubsub: limit('pubsub'),
    },
  };
}

/**
 * The server's network side on @byor/eventloop: listeners on the configured addresses (TCP,
 * Unix socket), RESP decoding with @byor/protocol, commands into the server core, one socket write
 * per batch of pipelined replies, and the limits redis-server applies.
 */
export class Network implements NetworkControl {
  readonly #server: Server;
  readonly loop: EventLoop<Client>;
  readonly #paused = new Set<LoopConnection>();
  #pauseTimer: TimerHandle | undefined;
  #cron: TimerHandle | undefined;
  host = '127.0.0.1';
  /** testing: close every new connection at once */
  refuseConnections = false;
  /** testing: hold every reply back this many milliseconds (order kept) */
  replyDelayMs = 0;
  readonly closed: Promise<void>;
  #resolveClosed!: () => void;
  #closing: Promise<void> | undefined;
  #unixPath: string | undefined;

  constructor(server: Server) {
    this.#server = server;
    const config = server.config;
    this.loop = new EventLoop<Client>({
      // The server's clock, read once per turn of the event loop: the connection's read, the
      // commands it carries (server.now()) and the flush share one reading instead of three (a
      // clock read is ~45 ns of CPU on the benchmark VM, a sixth of a GET's own work).
      // hold/release bracket each read: the cached time is dropped at its end, no microtask
      clock: {
        now: () => server.batchNow(),
        hold: () => server.holdBatchTime(),
        release: () => server.releaseBatchTime(),
      },
      tcpKeepAlive: config.number('tcp-keepalive') * 1000,
      shutdownTimeout: 2000,
      ...loopLimits(config),
      onError: (error) =>
        server.logger.warning(
          `Internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
        ),
    });
    server.network = this;
    this.closed = new Promise((resolve) => (this.#resolveClosed = resolve));
    server.hooks.shutdown.push(() => void this.close());
    for (const name of [
      'maxclients',
      'client-query-buffer-limit',
      'timeout',
      'client-output-buffer-limit',
    ]) {
      config.onChange(name, () => this.loop.configure(loopLimits(config)));
    }
    config.onChange('hz', () => this.#startCron());
  }

  #handlers(): ListenerHandlers<string[], Client> {
    const server = this.#server;
    const config = server.config;
    const writer = server.writer;
    const beforeReply = server.hooks.beforeReply;
    const flush = (connection: Connection<Client>) => {
      if (writer.length === 0) return;
      for (const hook of beforeReply) hook();
      this.deliver(connection, writer.view());
      writer.reset();
    };
    // the parser made for a connection, until its client is (the loop makes both in a row)
    let parser: PrefetchingParser | undefined;
    return {
      codec: {
        createDecoder: () =>
          (parser = new PrefetchingParser({ maxBulkLength: config.number('proto-max-bulk-len') })),
      },
      createState: (connection) => {
        const client = server.createClient(new LoopConnection(connection, this, this.#unixPath));
        if (parser !== undefined) parser.client = client;
        parser = undefined;
        return client;
      },
      onConnect: (connection) => {
        if (this.refuseConnections) {
          connection.close();
          return;
        }
        const conn = connection.state.conn as LoopConnection;
        const protectedMode =
          config.bool('protected-mode') &&
          config.string('requirepass') === '' &&
          config.string('bind') === '* -::*';
        if (protectedMode && !conn.unix && !isLoopback(conn.remoteAddress)) {
          server.stats.rejectedConnections++;
          connection.write(DENIED);
          connection.closeAfterFlush();
        }
      },
      onFrame: (argv, connection) => {
        const client = connection.state;
        if (client.closing) return;
        if (server.pause) {
          if (server.isPausedFor(client, argv)) {
            const conn = client.conn as LoopConnection;
            conn.held = argv;
            // processCommand names the command (CLIENT LIST's cmd=) before it postpones it
            client.lastCommand = server.lookupCommand(argv)?.meta.name ?? 'NULL';
            client.postponed = true;
            // a blocked client is exempt from the idle timeout (clientsCronHandleTimeout)
            conn.setIdleExempt(true);
            connection.pause();
            this.#paused.add(conn);
            return;
          }
        }
        writer.protocol = client.resp;
        server.execute(client, argv);
        // Big replies move to the connection as they come, so the loop sees the output grow
        // (it stops reading at readPauseBytes, and the output limits apply) instead of one
        // batch of pipelined commands piling up unbounded replies in the shared writer.
        if (writer.length >= FLUSH_EARLY_BYTES) flush(connection);
        if (client.closing) {
          if (client.dropOutput) {
            // past the output-buffer hard limit: closed without the replies (redis-server
            // frees the client, its output unwritten)
            writer.reset();
            this.#logOutputLimit(client);
            connection.close();
            return;
          }
          flush(connection);
          connection.closeAfterFlush();
        }
      },
      onBatchEnd: flush,
      onProtocolError: (error, connection) => {
        flush(connection);
        const message = ProtocolError.isInstance(error) ? error.message : String(error);
        writer.error(`ERR ${message}`);
        flush(connection);
        server.logger.verbose(
          `Protocol error (${message}) from client: ${server.describeClient(connection.state)}`,
        );
        connection.closeAfterFlush();
      },
      onClose: (connection, reason) => {
        if (reason === CloseReason.OUTPUT_BUFFER_LIMIT) this.#logOutputLimit(connection.state);
        this.#paused.delete(connection.state.conn as LoopConnection);
        server.removeClient(connection.state);
      },
    };
  }

  /** redis-server's warning for a client closed at its output-buffer limit. */
  #logOutputLimit(client: Client): void {
    this.#server.logger.warning(
      `Client ${this.#server.describeClient(client)} closed for overcoming of output buffer limits.`,
    );
  }

  /** The book's binary protocol: its own codec and writer, the same keyspace. */
  #bookHandlers(): ListenerHandlers<string[], Client> {
    const server = this.#server;
    const book = new BookProtocol(server);
    const writer = new BinaryWriter();
    const flush = (connection: Connection<Client>) => {
      if (writer.length === 0) return;
      connection.write(writer.view());
      writer.reset();
    };
    return {
      codec: { createDecoder: () => new BinaryRequestParser() },
      createState: (connection) =>
        server.createClient(new LoopConnection(connection, this, undefined)),
      onFrame: (argv) => book.handle(argv, writer),
      onBatchEnd: flush,
      onProtocolError: (_error, connection) => {
        flush(connection);
        connection.close();
      },
      onClose: (connection) => server.removeClient(connection.state),
    };
  }

  async listen(): Promise<void> {
    const server = this.#server;
    const config = server.config;
    const handlers = this.#handlers();
    this.#tcpHandlers = handlers;
    let port = config.number('port');
    const backlog = config.number('tcp-backlog');
    // redis-server listens on no TCP port with `port 0`; byor picks a free one (startServer's
    // port: 0), and CONFIG SET port 0 stops listening as redis-server does
    for (const address of bindAddresses(config.string('bind'))) {
      try {
        // port 0: the first listener's port is the others' too
        port = await this.#bindAt(address, port);
        if (this.#tcp.size === 1) this.host = connectableHost(address.host);
      } catch (error) {
        const code = listenErrorCode(error);
        this.#cannotListen(address, port, bindFailureReason(code, (error as Error).message));
        if (address.optional && skipsOptional(code)) continue;
        await this.loop.close();
        throw new ListenFailedError(`Failed listening on port ${port} (TCP), aborting.`, {
          cause: error,
        });
      }
    }
    server.port = port;
    const unix = config.string('unixsocket');
    if (this.#tcp.size === 0 && !unix) {
      await this.loop.close();
      throw new ListenFailedError('Configured to not listen anywhere, exiting.');
    }
    const bookPort = config.number('byor-port');
    if (bookPort > 0) {
      const host = bindAddresses(config.string('bind'))[0]?.host ?? '127.0.0.1';
      await this.loop.listen({ port: bookPort, host, backlog }, this.#bookHandlers());
    }
    if (unix) {
      this.#unixPath = unix;
      const mode = config.number('unixsocketperm');
      await this.loop.listen(
        mode ? { path: unix, mode, backlog } : { path: unix, backlog },
        handlers,
      );
    }
    config.onApply(['port', 'bind'], (setting) => this.#rebind(setting));
    this.#startCron();
  }

  /** The TCP listeners of `port` and `bind`, by endpoint ("host port"). */
  readonly #tcp = new Map<string, TcpListener>();
  #tcpHandlers: ListenerHandlers<string[], Client> | undefined;
  /** hooks told the new port once a CONFIG SET moved it (MIGRATE's servers of this process) */
  readonly portChanged: ((before: number, after: number) => void)[] = [];

  /**
   * CONFIG SET port / bind (redis-server's changeListenPort and applyBind). The listeners of the
   * addresses no longer named close first (their connections stay), as redis-server closes its
   * sockets before it binds the new ones, so that `*` can become `127.0.0.1` on the same port;
   * an address still named keeps its listener; port 0 closes them all. Then the new addresses
   * are bound. When one cannot be, the reason of the error reply is returned (logged as
   * redis-server logs it) and the closed listeners are bound again. See listen-addresses.ts for
   * why a child process tries the new addresses first.
   */
  #rebind(setting: string): string | undefined {
    const server = this.#server;
    const config = server.config;
    const port = config.number('port');
    const addresses = port === 0 ? [] : bindAddresses(config.string('bind'));
    const wanted = new Set(addresses.map((address) => endpoint(address.host, port)));
    const stale: TcpListener[] = [];
    for (const [key, entry] of this.#tcp) {
      if (wanted.has(key)) continue;
      this.#tcp.delete(key);
      stale.push(entry);
      // a listening socket is released at once: its port is free for the trial below
      void entry.listener.close();
    }
    const fresh = addresses.filter((address) => !this.#tcp.has(endpoint(address.host, port)));
    const codes = tryBinding(
      fresh.map((address) => address.host),
      port,
    );
    const usable: BindAddress[] = [];
    for (const [index, address] of fresh.entries()) {
      const code = codes[index] ?? '';
      if (code === '') {
        usable.push(address);
        continue;
      }
      this.#cannotListen(address, port, bindFailureReason(code));
      if (address.optional && skipsOptional(code)) continue;
      server.logger.warning(
        `Failed applying new configuration. Possibly related to new ${setting} setting. Restoring previous settings.`,
      );
      for (const entry of stale) void this.#listenAt(entry.address, entry.port);
      return setting === 'port'
        ? 'Unable to listen on this port. Check server logs.'
        : 'Failed to bind to specified addresses.';
    }
    const before = server.port;
    server.port = port;
    const first = addresses[0];
    if (first !== undefined) this.host = connectableHost(first.host);
    if (before !== port) for (const hook of this.portChanged) hook(before, port);
    for (const address of usable) void this.#listenAt(address, port);
    return undefined;
  }

  /**
   * Binds one TCP address with the client handlers and keeps its listener; resolves with the
   * port it bound (the one picked for port 0).
   */
  async #bindAt(address: BindAddress, port: number): Promise<number> {
    const listener = await this.loop.listen(
      {
        port,
        host: address.host,
        backlog: this.#server.config.number('tcp-backlog'),
        ipv6Only: address.host.includes(':'),
      },
      this.#tcpHandlers!,
    );
    const info = listener.address;
    const bound = typeof info === 'object' ? info.port : port;
    this.#tcp.set(endpoint(address.host, bound), { listener, address, port: bound });
    return bound;
  }

  /** {@link #bindAt} once the reply went out (CONFIG SET): a failure is logged. */
  async #listenAt(address: BindAddress, port: number): Promise<void> {
    try {
      await this.#bindAt(address, port);
    } catch (error) {
      this.#cannotListen(
        address,
        port,
        bindFailureReason(listenErrorCode(error), (error as Error).message),
      );
    }
  }

  #cannotListen(address: BindAddress, port: number, reason: string): void {
    this.#server.logger.warning(
      `Warning: Could not create server TCP listening socket ${address.shown}:${port}: ${reason}`,
    );
  }

  #startCron(): void {
    if (this.#cron !== undefined) this.loop.timers.cancel(this.#cron);
    const hz = Math.min(Math.max(this.#server.config.number('hz'), 1), 500);
    this.#cron = this.loop.timers.every(1000 / hz, () => this.#cronTick(1000 / hz));
  }

  #cronTick(periodMs: number): void {
    const server = this.#server;
    // while the data loads, redis-server runs only whileBlockedCron (no expiry, no eviction)
    if (server.cronPaused || server.loading !== undefined) return;
    server.sampleStats();
    // active expiry: at most 25% of the cron period, as redis-server's slow cycle
    // a replica leaves expiring to its master (whose DELs come in the stream)
    if (server.activeExpireEnabled && server.replicaOf === undefined && !server.clientsPaused) {
      const deadline = performance.now() + periodMs * 0.25;
      for (const db of server.databases) {
        if (db.expiresCount === 0) continue;
        while (db.activeExpire(256) === 256 && performance.now() < deadline) {
          /* keep going within the time budget */
        }
        if (performance.now() >= deadline) break;
      }
    } else if (server.activeExpireEnabled && server.replicaOf !== undefined) {
      // but not the keys a writable replica's own clients gave a TTL (expireSlaveKeys)
      server.expireReplicaKeys();
    }
    if (server.config.bool('activerehashing'))
      for (const db of server.databases) db.rehashStep(100);
  }

  /** Sends reply bytes to a connection, now or after the testing reply delay (in order). */
  deliver(connection: Connection<Client>, bytes: Uint8Array): void {
    if (this.replyDelayMs <= 0) {
      connection.write(bytes);
      return;
    }
    const copy = Buffer.from(bytes);
    setTimeout(() => connection.write(copy), this.replyDelayMs);
  }

  /** Closes client connections (all, or those `select` picks): a dropped connection, for tests. */
  dropConnections(select: (client: Client) => boolean = () => true): number {
    let dropped = 0;
    for (const connection of [...this.loop.connections()]) {
      if (!select(connection.state)) continue;
      connection.close();
      dropped++;
    }
    return dropped;
  }

  scheduleTimer(at: number, callback: () => void): unknown {
    return this.loop.timers.schedule(at, callback);
  }

  cancelTimer(timer: unknown): void {
    this.loop.timers.cancel(timer as TimerHandle);
  }

  schedulePauseEnd(at: number): void {
    if (this.#pauseTimer !== undefined) this.loop.timers.cancel(this.#pauseTimer);
    this.#pauseTimer = this.loop.timers.schedule(at, () => this.#server.unpauseClients());
  }

  resumePaused(): void {
    if (this.#pauseTimer !== undefined) this.loop.timers.cancel(this.#pauseTimer);
    this.#pauseTimer = undefined;
    const waiting = [...this.#paused];
    this.#paused.clear();
    const server = this.#server;
    for (const conn of waiting) {
      const argv = conn.held;
      conn.held = undefined;
      const client = conn.connection.state;
      client.postponed = false;
      conn.setIdleExempt(client.subscriptionCount > 0);
      if (argv) server.replyOutOfBand(client, () => server.execute(client, argv));
      if (client.closing) conn.close(true);
      else if (!client.blocked) conn.resume();
    }
  }

  netStats(): { input: number; output: number } {
    const stats = this.loop.stats;
    return { input: stats.bytesReceived, output: stats.bytesSent };
  }

  resetStats(): void {
    /* the loop's byte counters are cumulative; INFO reports them as they are */
  }

  /** Stops accepting, lets pending replies go out, closes every connection. */
  close(): Promise<void> {
    this.#closing ??= this.loop.close().then(() => this.#resolveClosed());
    return this.#closing;
  }
}
