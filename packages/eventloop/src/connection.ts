/**
 * Connection: one client socket, its decoder, its pending output and its place in the idle list.
 *
 * The read path (book chapters 5-6): each 'data' chunk goes into the decoder (which owns the
 * buffering); then frames are handed to the handler one by one until the decoder needs more
 * bytes, the handler pauses the connection (a blocked command), or it closes. Replies written
 * meanwhile are appended to the pending output, and the batch ends with `onBatchEnd` and ONE
 * socket write. When the read brought several frames (a pipelining client), that write waits
 * until every read of this turn of the event loop was handled (setImmediate: Node's check phase,
 * after the poll phase's I/O callbacks), as redis-server writes replies in beforeSleep: writing
 * per read made each write wake the client at once, and where the client and the server share
 * fewer cores than they need, the woken client preempted the server (twice the context switches
 * per batch, 5-20% more CPU per pipelined command). A read of one frame with a small reply is
 * answered at once unless the loop is busy (LoopCore.holdsLoneReply): a setImmediate per request
 * cost a single request-response client ~5% of its rate, while with many such clients each
 * reply written at once woke its client while other sockets waited to be read. Writes made
 * outside a batch (a blocked client woken by another client, a timer, a worker result) queue the
 * connection for a flush on the next microtask, so a burst of them still costs one write per
 * connection.
 *
 * Hot path notes: no allocation per frame (the loop is a `while` over `decoder.next()`), one
 * clock read per read batch and one per flush, counters in plain fields. Every field is set in
 * the constructor so that all connections share one hidden class.
 */
import type { Socket } from 'node:net';
import type { Decoder } from './codec.js';
import { IdleEntry } from './idle-list.js';
import { CloseReason, OutputClass } from './limits.js';
import type { Listener, ListenerHandlers } from './listener.js';
import type { LoopCore } from './loop-core.js';
import { OutputBuffer } from './output-buffer.js';
import { readIntoSharedBuffer } from './shared-read.js';

/**
 * The largest reply to a read of one frame that may wait for the end of the turn in a busy loop
 * (see LoopCore.holdsLoneReply); a larger one goes out at once.
 */
const LONE_REPLY_HELD_BYTES = 1024;

/** @internal The loop's entry points into a connection, kept off the public surface. */
export const kDeferred = Symbol('deferred');
/** @internal */
export const kFlush = Symbol('flush');
/** @internal */
export const kShutdown = Symbol('shutdown');
/** @internal */
export const kDestroy = Symbol('destroy');
/** @internal */
export const kIdleEntry = Symbol('idleEntry');

/** Socket errors that mean the client went away rather than something broke. */
function isPeerGone(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === 'ECONNRESET' || code === 'EPIPE' || code === 'ECONNABORTED';
}

/**
 * One client connection of an {@link EventLoop}: its addresses and times, the app's `state`,
 * `write()` for replies, `pause()` / `resume()` for blocking commands, and two ways to close.
 *
 * @typeParam S - the app-owned state (see `ListenerHandlers.createState`)
 *
 * @example
 * ```ts
 * onFrame(argv, connection) {
 *   if (argv[0] === 'QUIT') {
 *     connection.write(Buffer.from('+OK\r\n'));
 *     connection.closeAfterFlush();
 *   }
 * }
 * ```
 */
export class Connection<S = unknown> {
  /** An increasing integer, unique in the loop (CLIENT ID). */
  readonly id: number;
  /** The listener that accepted the connection. */
  readonly listener: Listener;
  /** `tcp` or `unix`. */
  readonly transport: 'tcp' | 'unix';
  /** The client's IP address ('' on a Unix socket). */
  readonly remoteAddress: string;
  /** The client's port (0 on a Unix socket). */
  readonly remotePort: number;
  /** The local IP address, or the socket path for a Unix socket. */
  readonly localAddress: string;
  /** The local port (0 on a Unix socket). */
  readonly localPort: number;
  /** When the connection was accepted (clock milliseconds). */
  readonly createdAt: number;
  /** The app-owned state slot, set by `createState` when the connection is accepted. */
  state: S;

  readonly #core: LoopCore<S>;
  readonly #socket: Socket;
  readonly #handlers: ListenerHandlers<unknown, S>;
  readonly #decoder: Decoder<unknown>;
  /** The decoder can copy its unconsumed bytes out of the shared read buffer. */
  readonly #detachable: boolean;
  readonly #output: OutputBuffer;
  readonly #idleEntry: IdleEntry<Connection<S>>;
  #lastInteraction: number;
  #outputClass: OutputClass;
  #idleExempt: boolean;
  /** Frame delivery held back by `pause()`. */
  #paused: boolean;
  /** Inside a read batch: writes are flushed at its end, not deferred. */
  #inBatch: boolean;
  /** Queued for the loop's deferred flush. */
  #queued: boolean;
  /** Queued for the flush at the end of this turn of the event loop. */
  #flushQueued: boolean;
  /**
   * Blocked on output: the client does not read its replies, so the loop stopped handling its
   * frames and reading its socket until the output drains.
   */
  #outputBlocked: boolean;
  /** No more frames: close once the output is flushed. */
  #closing: boolean;
  /** The socket was ended (FIN sent); writes are dropped. */
  #ended: boolean;
  #closed: boolean;
  #closeReason: CloseReason;
  #softLimitSince: number;
  /** The clock read when the current read arrived, reused by its flush; 0 outside a read. */
  #readTime: number;
  #bytesReceived: number;
  #bytesSent: number;
  #framesProcessed: number;

  /** @internal Connections are made by the loop when it accepts a socket. */
  constructor(
    core: LoopCore<S>,
    id: number,
    socket: Socket,
    handlers: ListenerHandlers<unknown, S>,
    listener: Listener,
  ) {
    const now = core.clock.now();
    this.id = id;
    this.listener = listener;
    this.transport = listener.isUnix ? 'unix' : 'tcp';
    this.remoteAddress = socket.remoteAddress ?? '';
    this.remotePort = socket.remotePort ?? 0;
    this.localAddress = listener.isUnix
      ? (listener.address as string)
      : (socket.localAddress ?? '');
    this.localPort = socket.localPort ?? 0;
    this.createdAt = now;
    this.state = undefined as S;
    this.#core = core;
    this.#socket = socket;
    this.#handlers = handlers;
    this.#decoder = handlers.codec.createDecoder();
    this.#detachable = typeof this.#decoder.detach === 'function';
    this.#output = new OutputBuffer();
    this.#idleEntry = new IdleEntry<Connection<S>>(this);
    this.#lastInteraction = now;
    this.#outputClass = OutputClass.NORMAL;
    this.#idleExempt = false;
    this.#paused = false;
    this.#inBatch = false;
    this.#queued = false;
    this.#flushQueued = false;
    this.#outputBlocked = false;
    this.#closing = false;
    this.#ended = false;
    this.#closed = false;
    this.#closeReason = CloseReason.PEER;
    this.#softLimitSince = -1;
    this.#readTime = 0;
    this.#bytesReceived = 0;
    this.#bytesSent = 0;
    this.#framesProcessed = 0;

    if (this.transport === 'tcp') {
      socket.setNoDelay(true);
      if (core.tcpKeepAlive > 0) socket.setKeepAlive(true, core.tcpKeepAlive);
    }
    const shared = core.readBuffer;
    if (shared === undefined || !readIntoSharedBuffer(socket, shared, this.#onSharedRead)) {
      socket.on('data', this.#onData);
    }
    socket.on('end', this.#onEnd);
    socket.on('error', this.#onError);
    socket.on('close', this.#onClose);
    socket.on('drain', this.#onDrain);
    socket.on('finish', this.#onFinish);
    core.touchIdle(this.#idleEntry, this.#idleExempt, now);
    this.state = handlers.createState(this);
    socket.resume(); // accepted paused (pauseOnConnect): reading starts now
  }

  /**
   * When the client last sent bytes or was sent replies (clock milliseconds). O(1).
   *
   * @example
   * ```ts
   * const idleSeconds = Math.floor((clock.now() - connection.lastInteraction) / 1000);
   * ```
   */
  get lastInteraction(): number {
    return this.#lastInteraction;
  }

  /**
   * Bytes received and not yet decoded into frames: CLIENT LIST's `qbuf`. O(1).
   *
   * @example
   * ```ts
   * `qbuf=${connection.queryBufferBytes}`;
   * ```
   */
  get queryBufferBytes(): number {
    return this.#decoder.bufferedBytes;
  }

  /**
   * Reply bytes not yet handed to the kernel (pending here and buffered in the socket):
   * CLIENT LIST's `omem`, and what the output-buffer limits measure. O(1).
   *
   * @example
   * ```ts
   * `omem=${connection.outputBytes}`;
   * ```
   */
  get outputBytes(): number {
    return this.#output.pendingBytes + this.#socket.writableLength;
  }

  /**
   * Bytes read from this client. O(1).
   *
   * @example
   * ```ts
   * `tot-net-in=${connection.bytesReceived}`;
   * ```
   */
  get bytesReceived(): number {
    return this.#bytesReceived;
  }

  /**
   * Reply bytes handed to this client's socket. O(1).
   *
   * @example
   * ```ts
   * `tot-net-out=${connection.bytesSent}`;
   * ```
   */
  get bytesSent(): number {
    return this.#bytesSent;
  }

  /**
   * Frames handed to `onFrame` for this client. O(1).
   *
   * @example
   * ```ts
   * `tot-cmds=${connection.framesProcessed}`;
   * ```
   */
  get framesProcessed(): number {
    return this.#framesProcessed;
  }

  /**
   * The output class that picks the client-output-buffer-limit (normal, pubsub, replica).
   * Default normal. O(1).
   *
   * @example
   * ```ts
   * connection.outputClass = OutputClass.PUBSUB; // after SUBSCRIBE
   * ```
   */
  get outputClass(): OutputClass {
    return this.#outputClass;
  }

  set outputClass(value: OutputClass) {
    this.#outputClass = value;
    this.#softLimitSince = -1;
  }

  /**
   * True to exempt the connection from the idle timeout (Redis exempts blocked, pubsub and
   * replica clients). Clearing it counts as an interaction. Default false. O(1).
   *
   * @example
   * ```ts
   * connection.idleExempt = true; // while blocked in BLPOP
   * ```
   */
  get idleExempt(): boolean {
    return this.#idleExempt;
  }

  set idleExempt(value: boolean) {
    if (value === this.#idleExempt) return;
    this.#idleExempt = value;
    if (value) {
      this.#core.idle.remove(this.#idleEntry);
    } else if (!this.#closed) {
      this.#lastInteraction = this.#core.clock.now();
      this.#core.touchIdle(this.#idleEntry, false, this.#lastInteraction);
    }
  }

  /**
   * True while frame delivery is paused. O(1).
   *
   * @example
   * ```ts
   * if (!connection.paused) connection.pause();
   * ```
   */
  get paused(): boolean {
    return this.#paused;
  }

  /**
   * True once the connection will take no more frames (closing or closed). O(1).
   *
   * @example
   * ```ts
   * if (connection.closing) return; // do not start work for it
   * ```
   */
  get closing(): boolean {
    return this.#closing;
  }

  /**
   * True once the connection is closed and gone from the loop. O(1).
   *
   * @example
   * ```ts
   * if (!waiter.connection.closed) waiter.connection.write(reply);
   * ```
   */
  get closed(): boolean {
    return this.#closed;
  }

  /**
   * Appends reply bytes to the pending output (copied: the caller may reuse its buffer). No
   * system call: inside a batch the loop writes once at its end, outside one on the next
   * microtask. Ignored once the connection is closed. O(bytes).
   *
   * @example
   * ```ts
   * connection.write(Buffer.from('+PONG\r\n'));
   * ```
   */
  write(bytes: Uint8Array): void {
    if (this.#ended || this.#closed) return;
    this.#output.append(bytes);
    if (!this.#inBatch && !this.#queued) {
      this.#queued = true;
      this.#core.defer(this);
    }
  }

  /**
   * Holds back frame delivery after the current frame (a blocked command): bytes keep arriving
   * into the decoder (and count towards the query buffer limit) but no frame is handled until
   * `resume()`, so replies stay in order. O(1).
   *
   * @example
   * ```ts
   * connection.pause();
   * waitForList(key, () => { connection.write(reply); connection.resume(); });
   * ```
   */
  pause(): void {
    this.#paused = true;
  }

  /**
   * Resumes frame delivery: the frames buffered meanwhile are handled on the next microtask,
   * as one batch with one write. O(1).
   *
   * @example
   * ```ts
   * connection.resume();
   * ```
   */
  resume(): void {
    if (!this.#paused) return;
    this.#paused = false;
    if (!this.#closed && !this.#queued) {
      this.#queued = true;
      this.#core.defer(this);
    }
  }

  /**
   * Closes the connection now: pending output is dropped and the socket destroyed; `onClose`
   * runs with reason `server`. Idempotent. O(1).
   *
   * @example
   * ```ts
   * victim.close(); // CLIENT KILL
   * ```
   */
  close(): void {
    this.#destroy(CloseReason.SERVER, undefined);
  }

  /**
   * Takes no more frames, flushes the pending output (including what is written during the
   * current batch), then closes: QUIT. `onClose` runs with reason `server`. Idempotent. O(1).
   *
   * @example
   * ```ts
   * connection.write(Buffer.from('+OK\r\n'));
   * connection.closeAfterFlush();
   * ```
   */
  closeAfterFlush(): void {
    this.#beginClosing(CloseReason.SERVER);
  }

  /** @internal Runs what was deferred: frames after a resume, then a flush. */
  [kDeferred](): void {
    this.#queued = false;
    if (this.#closed) return;
    if (!this.#paused && !this.#closing && !this.#outputBlocked) this.#runBatch(false);
    else this.#flush();
  }

  /** @internal The end of the loop's turn: the batches' replies go out. */
  [kFlush](): void {
    this.#flushQueued = false;
    this.#flush();
  }

  /** @internal Graceful shutdown: no more frames, flush, end. */
  [kShutdown](): void {
    this.#beginClosing(CloseReason.SHUTDOWN);
  }

  /** @internal Closes now with `reason`. */
  [kDestroy](reason: CloseReason, error?: unknown): void {
    this.#destroy(reason, error);
  }

  /** @internal */
  get [kIdleEntry](): IdleEntry<Connection<S>> {
    return this.#idleEntry;
  }

  /**
   * A read into the loop's shared buffer: handled like a chunk, then the decoder copies out
   * what it still needs (a frame cut by the end of the read), since the next read of any
   * connection overwrites the buffer. A decoder without `detach()` gets a copy to keep.
   */
  readonly #onSharedRead = (nread: number, buffer: Buffer): void => {
    if (this.#detachable) {
      this.#onData(this.#core.readView(nread));
      if (!this.#closed && this.#decoder.bufferedBytes > 0) this.#decoder.detach!();
    } else {
      this.#onData(Buffer.copyBytesFrom(buffer, 0, nread));
    }
  };

  readonly #onData = (chunk: Buffer): void => {
    const clock = this.#core.clock;
    if (clock.hold === undefined) {
      this.#handleData(chunk);
      return;
    }
    clock.hold();
    try {
      this.#handleData(chunk);
    } finally {
      clock.release!();
    }
  };

  #handleData(chunk: Buffer): void {
    const core = this.#core;
    const length = chunk.length;
    this.#bytesReceived += length;
    core.stats.bytesReceived += length;
    if (this.#closing) return; // QUIT or a protocol error: input is discarded
    this.#decoder.push(chunk);
    const now = core.clock.now();
    this.#lastInteraction = now;
    core.touchIdle(this.#idleEntry, this.#idleExempt, now);
    if (!this.#paused && !this.#outputBlocked) {
      // one clock read per read: the batch's flush takes the same time (a clock read costs
      // more than a small command on some virtual machines)
      this.#readTime = now;
      try {
        this.#runBatch(true);
      } finally {
        this.#readTime = 0;
      }
    }
    if (!this.#closed && this.#decoder.bufferedBytes > core.limits.queryBufferLimit) {
      this.#destroy(CloseReason.QUERY_BUFFER_LIMIT, undefined);
    }
  }

  /**
   * Hands decoded frames to the handler until the decoder needs bytes, the connection pauses or
   * closes, or the batch's output passes `readPauseBytes`; then the batch hook and one flush. A
   * batch cut short by its output size continues at once if the socket took the bytes, else
   * when it drains. `atTurnEnd`: a read's batch of several frames leaves its flush to the end of
   * the loop's turn; a deferred one (after a resume) flushes at once, as writes outside a batch
   * do.
   */
  #runBatch(atTurnEnd: boolean): void {
    const decoder = this.#decoder;
    const handlers = this.#handlers;
    const output = this.#output;
    const pauseAt = this.#core.limits.readPauseBytes;
    for (;;) {
      let frames = 0;
      let decoding = false;
      let protocolError = false;
      let full = false;
      this.#inBatch = true;
      try {
        while (!this.#paused && !this.#closing) {
          decoding = true;
          const frame = decoder.next();
          decoding = false;
          if (frame === undefined) break;
          frames++;
          handlers.onFrame(frame, this);
          if (pauseAt > 0 && output.pendingBytes > pauseAt) {
            full = true;
            break;
          }
        }
      } catch (error) {
        if (!decoding) {
          this.#handlerFailed(error, frames);
          return;
        }
        protocolError = true;
        this.#beginClosing(CloseReason.PROTOCOL_ERROR);
        if (handlers.onProtocolError === undefined) {
          this.#inBatch = false;
          this.#count(frames);
          this.#destroy(CloseReason.PROTOCOL_ERROR, error);
          return;
        }
        try {
          handlers.onProtocolError(error, this);
        } catch (hookError) {
          this.#handlerFailed(hookError, frames);
          return;
        }
      }
      this.#count(frames);
      if ((frames > 0 || protocolError) && handlers.onBatchEnd !== undefined && !this.#closed) {
        try {
          handlers.onBatchEnd(this);
        } catch (error) {
          this.#handlerFailed(error, 0);
          return;
        }
      }
      this.#inBatch = false;
      if (
        !full &&
        atTurnEnd &&
        (frames > 1 ||
          (frames === 1 &&
            output.pendingBytes <= LONE_REPLY_HELD_BYTES &&
            this.#core.holdsLoneReply()))
      ) {
        if (!this.#flushQueued) {
          this.#flushQueued = true;
          this.#core.flushAtTurnEnd(this);
        }
        return;
      }
      // Output past readPauseBytes: write now, and go on only if the socket took it all.
      this.#flush();
      if (!full || this.#closed || this.#outputBlocked) return;
      // The socket took this batch's output: go on with the frames still buffered.
    }
  }

  #count(frames: number): void {
    this.#framesProcessed += frames;
    this.#core.stats.framesProcessed += frames;
  }

  #handlerFailed(error: unknown, frames: number): void {
    this.#inBatch = false;
    this.#count(frames);
    this.#destroy(CloseReason.HANDLER_ERROR, error);
    this.#core.handlerFailed(this.id, error);
  }

  /** One socket write of everything pending, then the output limits. */
  #flush(): void {
    if (this.#closed) return;
    const output = this.#output;
    if (output.pendingBytes > 0 && !this.#ended) {
      const core = this.#core;
      const written = output.flush(this.#socket);
      this.#bytesSent += written;
      core.stats.bytesSent += written;
      const now = this.#readTime || core.turnTime || core.clock.now();
      this.#lastInteraction = now;
      core.touchIdle(this.#idleEntry, this.#idleExempt, now);
      const buffered = this.#socket.writableLength;
      if (buffered > 0) {
        this.#checkOutput(buffered, now);
        if (this.#closed) return;
      } else {
        this.#softLimitSince = -1;
      }
    }
    if (this.#closing && !this.#ended) {
      this.#ended = true;
      this.#socket.end(); // 'finish' destroys the socket once the output is written
    }
  }

  /** client-output-buffer-limit, and read pausing for clients that do not read. */
  #checkOutput(buffered: number, now: number): void {
    const core = this.#core;
    const limit = core.limits.outputBufferLimits[this.#outputClass];
    if (limit.hardBytes > 0 && buffered > limit.hardBytes) {
      this.#destroy(CloseReason.OUTPUT_BUFFER_LIMIT, undefined);
      return;
    }
    if (limit.softBytes > 0 && buffered > limit.softBytes) {
      if (this.#softLimitSince < 0) {
        this.#softLimitSince = now;
      } else if (now - this.#softLimitSince > limit.softSeconds * 1000) {
        this.#destroy(CloseReason.OUTPUT_BUFFER_LIMIT, undefined);
        return;
      }
    } else {
      this.#softLimitSince = -1;
    }
    const pauseAt = core.limits.readPauseBytes;
    if (pauseAt > 0 && buffered > pauseAt && !this.#outputBlocked) {
      this.#outputBlocked = true;
      this.#socket.pause();
    }
  }

  #beginClosing(reason: CloseReason): void {
    if (this.#closing || this.#closed) return;
    this.#closing = true;
    this.#closeReason = reason;
    if (!this.#inBatch && !this.#queued) {
      this.#queued = true;
      this.#core.defer(this);
    }
  }

  #destroy(reason: CloseReason, error: unknown): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#closing = true;
    this.#inBatch = false;
    this.#output.discard();
    this.#socket.destroy();
    this.#core.connectionClosed(this, reason);
    this.#handlers.onClose?.(this, reason, error);
  }

  readonly #onEnd = (): void => {
    // The client closed its side. Like Redis, stop taking its frames; what was already
    // written still goes out before the socket closes.
    if (this.#closing) return;
    this.#closing = true;
    this.#closeReason = CloseReason.PEER;
    this.#flush();
  };

  readonly #onError = (error: Error): void => {
    this.#destroy(isPeerGone(error) ? CloseReason.PEER : CloseReason.ERROR, error);
  };

  readonly #onClose = (): void => {
    this.#destroy(this.#closeReason, undefined);
  };

  readonly #onDrain = (): void => {
    this.#softLimitSince = -1;
    if (this.#outputBlocked) {
      this.#outputBlocked = false;
      this.#socket.resume();
      // Frames that arrived meanwhile wait in the decoder: handle them on the next microtask.
      if (!this.#closed && !this.#queued) {
        this.#queued = true;
        this.#core.defer(this);
      }
    }
  };

  readonly #onFinish = (): void => {
    this.#socket.destroy();
  };
}
