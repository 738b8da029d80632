/**
 * A listener: one bound address (TCP port or Unix socket) with its codec and handlers. Several
 * listeners share one loop: one client count (maxclients), one timer service, one idle list.
 */
import type { AddressInfo, Server } from 'node:net';
import type { Codec } from './codec.js';
import type { Connection } from './connection.js';
import type { CloseReason } from './limits.js';

/**
 * Where a listener binds: a TCP `port` (0 picks a free one) on `host` (default all interfaces),
 * or a Unix socket `path` (a stale socket file there is removed first; `mode` sets its
 * permissions, like redis.conf's unixsocketperm). `ipv6Only` binds an IPv6 `host` (`::`) to
 * IPv6 alone, so that an IPv4 listener on the same port can sit beside it (redis-server's
 * `bind * -::*`); by default `::` also takes IPv4.
 *
 * @example
 * ```ts
 * const tcp: ListenAddress = { port: 6379, host: '127.0.0.1' };
 * const v6: ListenAddress = { port: 6379, host: '::', ipv6Only: true };
 * const unix: ListenAddress = { path: '/tmp/byor.sock', mode: 0o700 };
 * ```
 */
export type ListenAddress =
  | {
      readonly port: number;
      readonly host?: string;
      readonly backlog?: number;
      readonly ipv6Only?: boolean;
    }
  | { readonly path: string; readonly mode?: number; readonly backlog?: number };

/**
 * What a listener does with its connections. `onFrame` is the only required hook besides the
 * codec and `createState`; every hook runs synchronously on the loop.
 *
 * @typeParam F - the frames the codec decodes
 * @typeParam S - the app-owned state of each connection
 *
 * @example
 * ```ts
 * const handlers: ListenerHandlers<string[], Client> = {
 *   codec: { createDecoder: () => new RequestParser() },
 *   createState: (connection) => new Client(connection),
 *   onFrame: (argv, connection) => connection.state.execute(argv),
 *   onBatchEnd: (connection) => connection.state.flushReplies(),
 *   onProtocolError: (error, connection) => {
 *     connection.write(Buffer.from(`-ERR ${(error as Error).message}\r\n`));
 *     connection.closeAfterFlush();
 *   },
 * };
 * ```
 */
export interface ListenerHandlers<F, S> {
  /** Makes each connection's decoder. */
  readonly codec: Codec<F>;
  /** The initial `connection.state`, called once when the connection is accepted. */
  createState(connection: Connection<S>): S;
  /**
   * Handles one frame. Reply with `connection.write(bytes)` (buffered, flushed once per batch);
   * call `connection.pause()` to hold the next frames back (a blocked command) and
   * `connection.resume()` later.
   */
  onFrame(frame: F, connection: Connection<S>): void;
  /** After a connection is accepted and its state created. */
  onConnect?(connection: Connection<S>): void;
  /**
   * After the frames of one batch (one read, or a resume) were handled, just before the loop
   * flushes the connection's output: the place to move a reply buffer into `write()` once per
   * batch instead of once per frame.
   */
  onBatchEnd?(connection: Connection<S>): void;
  /**
   * The decoder threw on malformed input. Frames before the error were handled; no frame after
   * it will be. Default: close the connection. A server writes the error and calls
   * `closeAfterFlush()`.
   */
  onProtocolError?(error: unknown, connection: Connection<S>): void;
  /** After the connection closed, with the reason (and the socket or handler error if any). */
  onClose?(connection: Connection<S>, reason: CloseReason, error?: unknown): void;
  /**
   * Bytes sent to a client refused because maxclients is reached, before closing it.
   * Default: `-ERR max number of clients reached\r\n` (Redis's reply).
   */
  readonly rejectReply?: Uint8Array;
}

/**
 * One bound address of an {@link EventLoop}; `close()` stops accepting on it (its open
 * connections stay until they close or the loop closes).
 *
 * @example
 * ```ts
 * const listener = await loop.listen({ port: 0 }, handlers);
 * console.log((listener.address as AddressInfo).port);
 * await listener.close();
 * ```
 */
export class Listener {
  readonly #server: Server;
  readonly #path: string | undefined;
  #address: AddressInfo | string | undefined = undefined;
  readonly #whenClosed: Promise<void>;
  #closing = false;

  readonly #onClose: (() => void) | undefined;

  /**
   * @internal Listeners are made by `EventLoop.listen`; `path` for a Unix socket; `onClose` runs
   * once when `close()` is first called (the loop forgets it).
   */
  constructor(server: Server, path: string | undefined, onClose?: () => void) {
    this.#server = server;
    this.#path = path;
    this.#onClose = onClose;
    this.#whenClosed = new Promise<void>((resolve) => server.once('close', () => resolve()));
  }

  /** @internal Resolves when the server emitted 'close' (after its last connection closed). */
  get whenClosed(): Promise<void> {
    return this.#whenClosed;
  }

  /**
   * The bound address: `{ address, family, port }` for TCP, the path for a Unix socket. O(1).
   *
   * @example
   * ```ts
   * const { port } = listener.address as AddressInfo;
   * ```
   */
  get address(): AddressInfo | string {
    this.#address ??= this.#path ?? this.#server.address() ?? undefined;
    return this.#address ?? '';
  }

  /**
   * True for a Unix-socket listener. O(1).
   *
   * @example
   * ```ts
   * if (listener.isUnix) console.log('unix socket at', listener.address);
   * ```
   */
  get isUnix(): boolean {
    return this.#path !== undefined;
  }

  /**
   * True once `close()` was called. O(1).
   *
   * @example
   * ```ts
   * if (!listener.closed) await listener.close();
   * ```
   */
  get closed(): boolean {
    return this.#closing;
  }

  /**
   * Stops accepting connections on this address (a Unix socket file is removed); connections
   * already open stay. Resolves on the next turn, once the listening handle is released.
   * Idempotent.
   *
   * @example
   * ```ts
   * await listener.close();
   * ```
   */
  async close(): Promise<void> {
    if (!this.#closing) {
      this.#closing = true;
      this.#server.close();
      this.#onClose?.();
    }
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
}
