import { createServer, type Server as NetServer, type Socket } from 'node:net';
import { ProtocolError, RequestParser } from '@byor/protocol';
import type { Client, ClientConnection } from './client.js';
import { ReplyError } from './errors.js';
import type { NetworkControl, Server } from './server.js';

const DENIED =
  "-DENIED Redis is running in protected mode because protected mode is enabled and no password is set for the default user. In this mode connections are only accepted from the loopback interface. If you want to connect from external computers to Redis you may adopt one of the following solutions: 1) Just disable protected mode sending the command 'CONFIG SET protected-mode no' from the loopback interface by connecting to Redis from the same host the server is running, however MAKE SURE Redis is not publicly accessible from internet if you do so. Use CONFIG REWRITE to make this change permanent. 2) Alternatively you can just disable the protected mode by editing the Redis configuration file, and setting the protected mode option to 'no', and then restarting the server. 3) If you started the server manually just for testing, restart it with the '--protected-mode no' option. 4) Set up an authentication password for the default user. NOTE: You only need to do one of the above things in order for the server to start accepting connections from the outside.\r\n";

function isLoopback(address: string): boolean {
  return (
    address === '127.0.0.1' ||
    address === '::1' ||
    address === '::ffff:127.0.0.1' ||
    address.startsWith('127.')
  );
}

/** One client connection over node:net: read buffer -> parser -> server -> one write per batch. */
class Connection implements ClientConnection {
  readonly socket: Socket;
  readonly parser: RequestParser;
  client!: Client;
  readonly remoteAddress: string;
  readonly remotePort: number;
  readonly localAddress: string;
  readonly localPort: number;
  readonly unix: boolean;
  paused = false;
  closed = false;
  outputClass: 'normal' | 'pubsub' | 'replica' = 'normal';
  idleExempt = false;
  softLimitSince = 0;
  /** the command held back by CLIENT PAUSE */
  held: string[] | undefined = undefined;
  readonly #network: Network;

  constructor(socket: Socket, network: Network, unix: boolean, maxBulkLength: number) {
    this.socket = socket;
    this.#network = network;
    this.unix = unix;
    this.parser = new RequestParser({ maxBulkLength });
    this.remoteAddress = normalizeAddress(socket.remoteAddress ?? '');
    this.remotePort = socket.remotePort ?? 0;
    this.localAddress = unix
      ? (network.unixPath ?? '')
      : normalizeAddress(socket.localAddress ?? '');
    this.localPort = socket.localPort ?? 0;
  }

  get queryBufferBytes(): number {
    return this.parser.bufferedBytes;
  }
  get outputBufferBytes(): number {
    return this.socket.writableLength;
  }

  write(bytes: Uint8Array): void {
    if (this.closed) return;
    this.#network.bytesOut += bytes.length;
    this.socket.write(Buffer.from(bytes)); // a copy: callers reuse their writers
    this.#network.checkOutputLimits(this);
  }

  close(afterFlush: boolean): void {
    if (this.closed) return;
    this.closed = true;
    if (afterFlush) this.socket.end();
    else this.socket.destroy();
  }

  pause(): void {
    this.paused = true;
  }

  resume(): void {
    if (!this.paused) return;
    this.paused = false;
    setImmediate(() => this.#network.drain(this));
  }

  setOutputClass(kind: 'normal' | 'pubsub' | 'replica'): void {
    this.outputClass = kind;
  }

  setIdleExempt(exempt: boolean): void {
    this.idleExempt = exempt;
  }
}

function normalizeAddress(address: string): string {
  return address.startsWith('::ffff:') ? address.slice(7) : address;
}

/**
 * The server's network side: listeners on the configured addresses, connections feeding the
 * server core, one socket write per batch of pipelined replies, and the limits redis-server
 * applies (maxclients, client-query-buffer-limit, client-output-buffer-limit, timeout).
 */
export class Network implements NetworkControl {
  readonly #server: Server;
  readonly #listeners: NetServer[] = [];
  readonly #connections = new Set<Connection>();
  readonly #timers = new Set<NodeJS.Timeout>();
  #cron: NodeJS.Timeout | undefined;
  #pauseTimer: NodeJS.Timeout | undefined;
  host = '127.0.0.1';
  unixPath: string | undefined;
  bytesIn = 0;
  bytesOut = 0;
  readonly closed: Promise<void>;
  #resolveClosed!: () => void;
  #closing: Promise<void> | undefined;

  constructor(server: Server) {
    this.#server = server;
    server.network = this;
    this.closed = new Promise((resolve) => (this.#resolveClosed = resolve));
    server.hooks.shutdown.push(() => {
      void this.close();
    });
  }

  async listen(): Promise<void> {
    const config = this.#server.config;
    const addresses = config.string('bind').split(' ').filter(Boolean);
    let port = config.number('port');
    let bound = 0;
    for (const raw of addresses.length ? addresses : ['*']) {
      const optional = raw.startsWith('-');
      const address = optional ? raw.slice(1) : raw;
      const host = address === '*' ? '0.0.0.0' : address === '::*' ? '::' : address;
      try {
        const listener = await this.#listenOne({ port, host });
        const info = listener.address();
        if (info && typeof info === 'object' && port === 0) port = info.port;
        if (bound === 0)
          this.host = host === '0.0.0.0' ? '127.0.0.1' : host === '::' ? '::1' : host;
        bound++;
      } catch (error) {
        if (
          optional &&
          ['EADDRNOTAVAIL', 'EAFNOSUPPORT'].includes((error as NodeJS.ErrnoException).code ?? '')
        )
          continue;
        await this.close();
        throw error;
      }
    }
    this.#server.port = port;
    const unix = config.string('unixsocket');
    if (unix) {
      this.unixPath = unix;
      await this.#listenOne({ path: unix }, true);
    }
    this.#startCron();
  }

  #listenOne(
    address: { port: number; host: string } | { path: string },
    unix = false,
  ): Promise<NetServer> {
    return new Promise((resolve, reject) => {
      const listener = createServer({ noDelay: true }, (socket) => this.#accept(socket, unix));
      listener.once('error', reject);
      listener.listen({ ...address, backlog: this.#server.config.number('tcp-backlog') }, () => {
        listener.off('error', reject);
        this.#listeners.push(listener);
        resolve(listener);
      });
    });
  }

  #accept(socket: Socket, unix: boolean): void {
    const server = this.#server;
    const config = server.config;
    socket.setNoDelay(true);
    const keepAlive = config.number('tcp-keepalive');
    if (keepAlive > 0 && !unix) socket.setKeepAlive(true, keepAlive * 1000);
    if (this.#closing || server.shuttingDown) {
      socket.destroy();
      return;
    }
    if (this.#connections.size >= config.number('maxclients')) {
      server.stats.rejectedConnections++;
      socket.end(`-${ReplyError.MAX_CLIENTS}\r\n`);
      return;
    }
    const remote = normalizeAddress(socket.remoteAddress ?? '');
    if (
      !unix &&
      config.bool('protected-mode') &&
      config.string('requirepass') === '' &&
      config.string('bind') === '* -::*' &&
      !isLoopback(remote)
    ) {
      server.stats.rejectedConnections++;
      socket.end(DENIED);
      return;
    }
    const conn = new Connection(socket, this, unix, config.number('proto-max-bulk-len'));
    conn.client = server.createClient(conn);
    this.#connections.add(conn);
    socket.on('data', (chunk: Buffer) => {
      this.bytesIn += chunk.length;
      conn.parser.push(chunk);
      if (conn.parser.bufferedBytes > config.number('client-query-buffer-limit')) {
        server.logger.warning(
          `Closing client that reached max query buffer length: ${server.describeClient(conn.client)}`,
        );
        conn.close(false);
        return;
      }
      this.drain(conn);
    });
    socket.on('error', () => {
      /* reset by peer and similar: 'close' follows */
    });
    socket.on('close', () => {
      conn.closed = true;
      this.#connections.delete(conn);
      server.removeClient(conn.client);
    });
  }

  /** Runs every complete command buffered for a connection, then writes all replies at once. */
  drain(conn: Connection): void {
    const server = this.#server;
    const client = conn.client;
    const writer = server.writer;
    writer.protocol = client.resp;
    while (!conn.paused && !conn.closed && !client.closing) {
      let argv: string[] | undefined;
      if (conn.held) {
        argv = conn.held;
        conn.held = undefined;
      } else {
        try {
          argv = conn.parser.next();
        } catch (error) {
          if (!ProtocolError.isInstance(error)) throw error;
          writer.error(`ERR ${error.message}`);
          client.closing = true;
          server.logger.verbose(
            `Protocol error (${error.message}) from client: ${server.describeClient(client)}`,
          );
          break;
        }
      }
      if (argv === undefined) break;
      if (server.pause) {
        const command = server.command(argv[0] ?? '');
        if (command && server.isPausedFor(command)) {
          conn.held = argv;
          conn.paused = true;
          this.#pausedConnections.add(conn);
          break;
        }
      }
      server.execute(client, argv);
      writer.protocol = client.resp;
    }
    if (writer.length !== 0) {
      const out = Buffer.from(writer.view());
      writer.reset();
      if (!conn.closed) {
        this.bytesOut += out.length;
        conn.socket.write(out);
        this.checkOutputLimits(conn);
      }
    }
    if (client.closing) conn.close(true);
  }
  readonly #pausedConnections = new Set<Connection>();

  /** client-output-buffer-limit: hard limit closes at once, soft limit after its seconds. */
  checkOutputLimits(conn: Connection): void {
    const limits = this.#server.config.bufferLimit(conn.outputClass);
    const pending = conn.socket.writableLength;
    if (limits.hard > 0 && pending >= limits.hard) {
      this.#dropForOutput(conn);
      return;
    }
    if (limits.soft > 0 && pending >= limits.soft) {
      const now = this.#server.clock.now();
      if (conn.softLimitSince === 0) conn.softLimitSince = now;
      else if (now - conn.softLimitSince >= limits.softSeconds * 1000) this.#dropForOutput(conn);
    } else {
      conn.softLimitSince = 0;
    }
  }

  #dropForOutput(conn: Connection): void {
    this.#server.logger.warning(
      `Client ${this.#server.describeClient(conn.client)} scheduled to be closed ASAP for overcoming of output buffer limits.`,
    );
    conn.close(false);
  }

  #startCron(): void {
    const server = this.#server;
    const tick = () => {
      const hz = Math.min(Math.max(server.config.number('hz'), 1), 500);
      this.#cronTick(1000 / hz);
      this.#cron = setTimeout(tick, 1000 / hz);
      this.#cron.unref?.();
    };
    this.#cron = setTimeout(tick, 100);
    this.#cron.unref?.();
  }

  #cronTick(periodMs: number): void {
    const server = this.#server;
    server.sampleStats();
    // active expiry: at most 25% of the cron period, as redis-server's slow cycle
    if (server.activeExpireEnabled) {
      const deadline = performance.now() + periodMs * 0.25;
      for (const db of server.databases) {
        if (db.expiresCount === 0) continue;
        while (db.activeExpire(256) === 256 && performance.now() < deadline) {
          /* keep going within the time budget */
        }
        if (performance.now() >= deadline) break;
      }
    }
    if (server.config.bool('activerehashing'))
      for (const db of server.databases) db.rehashStep(100);
    const timeout = server.config.number('timeout');
    if (timeout > 0) {
      const now = server.clock.now();
      for (const conn of this.#connections) {
        const client = conn.client;
        if (conn.idleExempt || client.blocked || client.subscriptionCount > 0) continue;
        if (now - client.lastInteraction > timeout * 1000) {
          server.logger.verbose('Closing idle client');
          conn.close(false);
        }
      }
    }
    for (const conn of this.#connections) if (conn.softLimitSince) this.checkOutputLimits(conn);
  }

  scheduleTimer(at: number, callback: () => void): unknown {
    const timer = setTimeout(
      () => {
        this.#timers.delete(timer);
        callback();
      },
      Math.max(0, at - this.#server.clock.now()),
    );
    this.#timers.add(timer);
    return timer;
  }

  cancelTimer(timer: unknown): void {
    clearTimeout(timer as NodeJS.Timeout);
    this.#timers.delete(timer as NodeJS.Timeout);
  }

  schedulePauseEnd(at: number): void {
    if (this.#pauseTimer) clearTimeout(this.#pauseTimer);
    this.#pauseTimer = setTimeout(
      () => this.#server.unpauseClients(),
      Math.max(0, at - this.#server.clock.now()),
    );
  }

  resumePaused(): void {
    if (this.#pauseTimer) clearTimeout(this.#pauseTimer);
    this.#pauseTimer = undefined;
    const waiting = [...this.#pausedConnections];
    this.#pausedConnections.clear();
    for (const conn of waiting) conn.resume();
  }

  netStats(): { input: number; output: number } {
    return { input: this.bytesIn, output: this.bytesOut };
  }

  resetStats(): void {
    this.bytesIn = 0;
    this.bytesOut = 0;
  }

  /** Stops accepting, lets pending replies go out (bounded), closes every connection. */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      if (this.#cron) clearTimeout(this.#cron);
      if (this.#pauseTimer) clearTimeout(this.#pauseTimer);
      for (const timer of this.#timers) clearTimeout(timer);
      this.#timers.clear();
      const listenersClosed = this.#listeners.map(
        (listener) => new Promise<void>((resolve) => listener.close(() => resolve())),
      );
      for (const conn of this.#connections) conn.close(true);
      const deadline = setTimeout(() => {
        for (const conn of this.#connections) conn.socket.destroy();
      }, 1000);
      await Promise.all([
        ...listenersClosed,
        ...[...this.#connections].map(
          (conn) =>
            new Promise<void>((resolve) =>
              conn.socket.closed ? resolve() : conn.socket.once('close', () => resolve()),
            ),
        ),
      ]);
      clearTimeout(deadline);
      this.#resolveClosed();
    })();
    return this.#closing;
  }
}
