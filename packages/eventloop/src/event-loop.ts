/**
 * EventLoop: the public face of the connection loop. Node already runs the event loop itself
 * (book chapters 5-6 build one on poll()); what this adds on top of node:net is the server side
 * of it: listeners sharing one client count, pipelined frames with one write per batch,
 * backpressure and limits, idle timeouts, a timer service, counters and a graceful close.
 */
import { lstatSync, chmodSync, unlinkSync } from 'node:fs';
import { createServer } from 'node:net';
import { type Clock, systemClock } from './clock.js';
import type { Connection } from './connection.js';
import { kDestroy, kShutdown } from './connection.js';
import { ClosedError, InvalidOptionError, ListenError } from './errors.js';
import {
  type LoopLimits,
  type ResolvedLimits,
  CloseReason,
  applyLimits,
  defaultLimits,
} from './limits.js';
import { type ListenAddress, Listener, type ListenerHandlers } from './listener.js';
import { LoopCore } from './loop-core.js';
import type { LoopStats } from './stats.js';
import { TimerService } from './timer-service.js';

/**
 * Options of {@link EventLoop}: the limits (see {@link LoopLimits}, changeable later with
 * `configure`) plus what is fixed for the loop's life.
 */
export interface EventLoopOptions extends LoopLimits {
  /** The time source for idle timeouts, soft output limits and timers. Default `Date.now()`. */
  readonly clock?: Clock;
  /** tcp-keepalive, in milliseconds: TCP keepalive probes' initial delay; 0 = off. Default 300000. */
  readonly tcpKeepAlive?: number;
  /** How long `close()` waits for pending replies to flush before destroying sockets. Default 5000 ms. */
  readonly shutdownTimeout?: number;
  /**
   * Read every connection into one reused 64 KiB buffer (Node's `onread`) instead of a fresh
   * Buffer per read through the socket's stream: less CPU and garbage per read. A decoder with
   * `detach()` copies only what a read leaves unconsumed; one without gets a copy of each read.
   * Falls back to 'data' events on a Node that lacks the internals it uses. Default true.
   */
  readonly sharedReadBuffer?: boolean;
  /**
   * Receives what a handler or a timer threw (a {@link HandlerError} for handlers: the
   * connection is closed first) and errors of listening servers. Without it, a handler or
   * timer throw is rethrown as an uncaught exception and a server error becomes a warning.
   */
  readonly onError?: (error: unknown) => void;
}

/** Options of {@link EventLoop.close}. */
export interface CloseOptions {
  /** Override of `shutdownTimeout` for this close, in milliseconds. */
  readonly timeout?: number;
}

/**
 * A protocol-agnostic connection loop over node:net (TCP and Unix sockets): decoders and
 * handlers per listener, in-order replies with one socket write per batch, pause / resume for
 * blocking commands, Redis's client limits, idle timeouts, a timer service and counters.
 *
 * @typeParam S - the app-owned state of each connection
 *
 * @example
 * ```ts
 * const loop = new EventLoop<{ name: string }>({ idleTimeout: 300_000 });
 * await loop.listen({ port: 6379 }, {
 *   codec: { createDecoder: () => new RequestParser() },
 *   createState: () => ({ name: '' }),
 *   onFrame: (argv, connection) => connection.write(Buffer.from('+PONG\r\n')),
 * });
 * process.on('SIGTERM', () => void loop.close());
 * ```
 */
export class EventLoop<S = unknown> {
  readonly #core: LoopCore<S>;
  readonly #listeners = new Set<Listener>();
  readonly #shutdownTimeout: number;
  #closing: Promise<void> | undefined = undefined;

  /**
   * Creates a loop with no listener yet. O(1).
   *
   * @throws {InvalidOptionError} when a limit is out of range
   * @example
   * ```ts
   * const loop = new EventLoop({ maxClients: 1000, queryBufferLimit: 64 << 20 });
   * ```
   */
  constructor(options: EventLoopOptions = {}) {
    const limits: ResolvedLimits = defaultLimits();
    applyLimits(limits, options);
    const tcpKeepAlive = options.tcpKeepAlive ?? 300_000;
    if (!(tcpKeepAlive >= 0)) {
      throw new InvalidOptionError('tcpKeepAlive', tcpKeepAlive, 'a number >= 0');
    }
    const shutdownTimeout = options.shutdownTimeout ?? 5000;
    if (!(shutdownTimeout >= 0)) {
      throw new InvalidOptionError('shutdownTimeout', shutdownTimeout, 'a number >= 0');
    }
    this.#shutdownTimeout = shutdownTimeout;
    const clock = options.clock ?? systemClock;
    const timers = new TimerService(
      options.onError === undefined ? { clock } : { clock, onError: options.onError },
    );
    this.#core = new LoopCore<S>(
      clock,
      timers,
      limits,
      tcpKeepAlive,
      options.onError,
      options.sharedReadBuffer ?? true,
    );
  }

  /**
   * The loop's timer service (deadlines on the loop's clock). O(1).
   *
   * @example
   * ```ts
   * loop.timers.schedule(loop.clock.now() + 1000, () => unblock(client));
   * ```
   */
  get timers(): TimerService {
    return this.#core.timers;
  }

  /**
   * The loop's clock. O(1).
   *
   * @example
   * ```ts
   * const now = loop.clock.now();
   * ```
   */
  get clock(): Clock {
    return this.#core.clock;
  }

  /**
   * The counters, updated in place. O(1).
   *
   * @example
   * ```ts
   * `connected_clients:${loop.stats.connectedClients}`;
   * ```
   */
  get stats(): LoopStats {
    return this.#core.stats;
  }

  /**
   * The limits in force (as resolved from the options and `configure`). O(1).
   *
   * @example
   * ```ts
   * `maxclients ${loop.limits.maxClients}`; // CONFIG GET maxclients
   * ```
   */
  get limits(): Readonly<ResolvedLimits> {
    return this.#core.limits;
  }

  /**
   * The number of open connections. O(1).
   *
   * @example
   * ```ts
   * loop.connectionCount; // 12
   * ```
   */
  get connectionCount(): number {
    return this.#core.connections.size;
  }

  /**
   * True once `close()` was called. O(1).
   *
   * @example
   * ```ts
   * if (!loop.closed) await loop.close();
   * ```
   */
  get closed(): boolean {
    return this.#closing !== undefined;
  }

  /**
   * The open connections, oldest first (CLIENT LIST). O(1) to start, O(n) to walk.
   *
   * @example
   * ```ts
   * for (const connection of loop.connections()) console.log(connection.id);
   * ```
   */
  connections(): IterableIterator<Connection<S>> {
    return this.#core.connections.values();
  }

  /**
   * The open connection with this id, or undefined (CLIENT KILL ID). O(1).
   *
   * @example
   * ```ts
   * loop.connection(42)?.close();
   * ```
   */
  connection(id: number): Connection<S> | undefined {
    return this.#core.connections.get(id);
  }

  /**
   * The listeners currently bound. O(1).
   *
   * @example
   * ```ts
   * for (const listener of loop.listeners()) console.log(listener.address);
   * ```
   */
  listeners(): IterableIterator<Listener> {
    return this.#listeners.values();
  }

  /**
   * Changes limits while running (CONFIG SET maxclients, timeout, client-output-buffer-limit,
   * client-query-buffer-limit). A lower maxclients only affects new connections. O(n) when the
   * idle timeout goes from 0 to a value (every connection joins the idle list), else O(1).
   *
   * @throws {InvalidOptionError} when a limit is out of range (nothing is changed)
   * @example
   * ```ts
   * loop.configure({ idleTimeout: 60_000, outputBufferLimits: { pubsub: { hardBytes: 0, softBytes: 0, softSeconds: 0 } } });
   * ```
   */
  configure(limits: LoopLimits): void {
    const core = this.#core;
    const before = core.limits.idleTimeout;
    applyLimits(core.limits, limits);
    if (core.limits.idleTimeout !== before) core.idleTimeoutChanged();
  }

  /**
   * Binds a TCP port or a Unix socket and serves it with `handlers`. Several listeners share the
   * loop's client count, limits, timers and counters.
   *
   * @throws {ListenError} (rejects) when the address cannot be bound; `cause` has the system error
   * @throws {ClosedError} (rejects) after `close()`
   * @example
   * ```ts
   * const resp = await loop.listen({ port: 6379 }, respHandlers);
   * const unix = await loop.listen({ path: '/tmp/byor.sock', mode: 0o700 }, respHandlers);
   * ```
   */
  async listen<F>(address: ListenAddress, handlers: ListenerHandlers<F, S>): Promise<Listener> {
    if (this.#closing !== undefined) throw new ClosedError('the event loop');
    const core = this.#core;
    // accepted paused: the connection picks how it reads (a shared buffer, or 'data') and resumes
    const server = createServer({ allowHalfOpen: false, pauseOnConnect: true });
    const generic = handlers as ListenerHandlers<unknown, S>;
    const listener = new Listener(server, 'path' in address ? address.path : undefined, () =>
      this.#listeners.delete(listener),
    );
    server.on('connection', (socket) => core.accept(socket, generic, listener));
    const description = 'path' in address ? address.path : `${address.host ?? '*'}:${address.port}`;
    if ('path' in address) removeStaleSocket(address.path);
    try {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        const options =
          'path' in address
            ? { path: address.path, backlog: address.backlog ?? 511 }
            : {
                port: address.port,
                backlog: address.backlog ?? 511,
                ...(address.host === undefined ? {} : { host: address.host }),
                ...(address.ipv6Only === true ? { ipv6Only: true } : {}),
              };
        server.listen(options, () => {
          server.off('error', reject);
          resolve();
        });
      });
      if ('path' in address && address.mode !== undefined) chmodSync(address.path, address.mode);
    } catch (error) {
      server.close();
      throw new ListenError(description, { cause: error });
    }
    server.on('error', (error) => core.reportError(error));
    void listener.address; // cache the bound address while the server is listening
    if (this.#closing !== undefined) {
      server.close();
      throw new ClosedError('the event loop');
    }
    this.#listeners.add(listener);
    return listener;
  }

  /**
   * Graceful shutdown: stops accepting on every listener, stops handing frames, flushes pending
   * replies and closes each connection once its output is written; connections still open after
   * the timeout are destroyed. Cancels every timer. Resolves when every socket and server handle
   * is gone. Idempotent. O(n).
   *
   * @example
   * ```ts
   * await loop.close({ timeout: 1000 });
   * ```
   */
  close(options: CloseOptions = {}): Promise<void> {
    this.#closing ??= this.#shutdown(options.timeout ?? this.#shutdownTimeout);
    return this.#closing;
  }

  async #shutdown(timeout: number): Promise<void> {
    const core = this.#core;
    core.closing = true;
    core.stopIdle();
    const closed: Promise<void>[] = [];
    for (const listener of [...this.#listeners]) {
      closed.push(listener.whenClosed);
      void listener.close();
    }
    for (const connection of [...core.connections.values()]) connection[kShutdown]();
    if (core.connections.size > 0) {
      let timer: NodeJS.Timeout | undefined;
      const expired = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, timeout);
      });
      await Promise.race([core.whenEmpty(), expired]);
      clearTimeout(timer);
      for (const connection of [...core.connections.values()]) {
        connection[kDestroy](CloseReason.SHUTDOWN);
      }
    }
    core.timers.close();
    await Promise.all(closed);
    this.#listeners.clear();
  }
}

/** Redis unlinks a leftover socket file before binding; only a socket, never another file. */
function removeStaleSocket(path: string): void {
  try {
    if (lstatSync(path).isSocket()) unlinkSync(path);
  } catch {
    // absent (the usual case) or not ours to remove: listen() reports the real problem
  }
}
