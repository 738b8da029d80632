/**
 * The state every connection of a loop shares: clock, timers, counters, limits, the idle list,
 * the table of live connections and the queue of deferred flushes. Kept apart from the public
 * {@link EventLoop} facade so that connections reach it without widening the public surface.
 *
 * @internal
 */
import type { Socket } from 'node:net';
import type { Clock } from './clock.js';
import { Connection, kDeferred, kDestroy, kFlush, kIdleEntry } from './connection.js';
import { HandlerError } from './errors.js';
import { type IdleEntry, IdleList } from './idle-list.js';
import { CloseReason, type ResolvedLimits } from './limits.js';
import type { Listener, ListenerHandlers } from './listener.js';
import { SHARED_READ_BYTES } from './shared-read.js';
import { MutableStats } from './stats.js';
import type { TimerHandle, TimerService } from './timer-service.js';

/** A loop that is not busy holds one reply to a lone read in this many (see holdsLoneReply). */
const PROBE_READS = 16;

/** Redis's reply to a client over maxclients. */
export const MAX_CLIENTS_REPLY = Buffer.from('-ERR max number of clients reached\r\n', 'latin1');

/** @internal */
export class LoopCore<S> {
  readonly clock: Clock;
  readonly timers: TimerService;
  readonly limits: ResolvedLimits;
  readonly tcpKeepAlive: number;
  /** The buffer every connection reads into, or undefined for a Buffer per read ('data'). */
  readonly readBuffer: Buffer | undefined;
  /**
   * Views `readBuffer[0, n)` made earlier, one slot per `n & 63`: a client sending commands of
   * one size (the same command, fixed-width keys) gets the same view on every read instead of a
   * new Buffer object (a typed array made per read was the largest item of JS self time at one
   * command per read).
   */
  readonly #readViews: (Buffer | undefined)[] = new Array<Buffer | undefined>(64).fill(undefined);
  readonly stats = new MutableStats();
  readonly connections = new Map<number, Connection<S>>();
  readonly idle = new IdleList<Connection<S>>();
  closing = false;
  readonly #onError: ((error: unknown) => void) | undefined;
  #nextId = 1;
  #idleTimer: TimerHandle | undefined = undefined;
  #deferred: Connection<S>[] = [];
  #deferredScheduled = false;
  /** Connections whose batch replies go out at the end of this turn of the loop. */
  readonly #turnEnd: Connection<S>[] = [];
  /**
   * The last turn-end flush wrote to several connections: the loop reads many sockets per turn,
   * and a read of one frame waits for the turn's end too (see {@link LoopCore.holdsLoneReply}).
   */
  #busy = false;
  /** Reads of one frame answered at once since the last probe. */
  #loneReplies = 0;
  /** The clock read once for the turn-end flushes, 0 otherwise. */
  turnTime = 0;
  #emptyWaiters: (() => void)[] = [];

  constructor(
    clock: Clock,
    timers: TimerService,
    limits: ResolvedLimits,
    tcpKeepAlive: number,
    onError: ((error: unknown) => void) | undefined,
    sharedReadBuffer: boolean,
  ) {
    this.clock = clock;
    this.timers = timers;
    this.limits = limits;
    this.tcpKeepAlive = tcpKeepAlive;
    this.readBuffer = sharedReadBuffer ? Buffer.allocUnsafeSlow(SHARED_READ_BYTES) : undefined;
    this.#onError = onError;
  }

  /** `readBuffer[0, nread)`, as a view made earlier when one of that length is cached. O(1). */
  readView(nread: number): Buffer {
    const slot = nread & 63;
    let view = this.#readViews[slot];
    if (view === undefined || view.length !== nread) {
      view = this.readBuffer!.subarray(0, nread);
      this.#readViews[slot] = view;
    }
    return view;
  }

  /** A socket arrived on `listener`: refuse it over maxclients, else make its Connection. */
  accept(socket: Socket, handlers: ListenerHandlers<unknown, S>, listener: Listener): void {
    if (this.closing) {
      socket.destroy();
      return;
    }
    if (this.stats.connectedClients >= this.limits.maxClients) {
      this.stats.rejectedConnections++;
      socket.on('error', ignore);
      // accepted paused: read (and drop) what the client sends, so that closing with unread
      // bytes does not turn the FIN into a reset that could discard the reply
      socket.resume();
      socket.end(handlers.rejectReply ?? MAX_CLIENTS_REPLY);
      socket.once('finish', () => socket.destroy());
      return;
    }
    this.stats.totalConnectionsReceived++;
    this.stats.connectedClients++;
    const connection = new Connection<S>(this, this.#nextId++, socket, handlers, listener);
    this.connections.set(connection.id, connection);
    if (!connection.closed) handlers.onConnect?.(connection);
  }

  /** Queues a connection for the flush that runs on the next microtask. */
  defer(connection: Connection<S>): void {
    this.#deferred.push(connection);
    if (!this.#deferredScheduled) {
      this.#deferredScheduled = true;
      queueMicrotask(this.#runDeferred);
    }
  }

  /**
   * Whether the reply to a read of one frame waits for the end of the turn (else it is written at
   * once). It waits while other connections' replies wait already (free: the turn's flush is
   * scheduled), and in a busy loop, where the last turn end wrote to several connections: many
   * clients with a request each (redis-benchmark -P 1 -c 50), whose replies, written one by
   * one, each woke its client while the server still had sockets to read (a wake-up across CPUs
   * is the dearest part of a write in a VM), where redis-server writes them all in beforeSleep.
   * A lone request-response client is answered at once, as a setImmediate per request costs
   * it ~5%; one read in {@link PROBE_READS} waits anyway, to notice when the loop gets busy.
   */
  holdsLoneReply(): boolean {
    if (this.#busy || this.#turnEnd.length !== 0) return true;
    if (++this.#loneReplies < PROBE_READS) return false;
    this.#loneReplies = 0;
    return true;
  }

  /**
   * Queues a connection's batch output for the write at the end of this turn of the event loop
   * (setImmediate runs after every I/O callback of the poll phase): all the turn's reads are
   * handled before the first reply wakes a client. O(1).
   */
  flushAtTurnEnd(connection: Connection<S>): void {
    const queue = this.#turnEnd;
    queue.push(connection);
    if (queue.length === 1) setImmediate(this.#runTurnEnd);
  }

  readonly #runTurnEnd = (): void => {
    const queue = this.#turnEnd;
    this.#busy = queue.length > 1;
    this.turnTime = this.clock.now();
    let index = 0;
    try {
      for (; index < queue.length; index++) queue[index]![kFlush]();
    } finally {
      // a close hook that threw: the connections after it are written on the next turn
      queue.splice(0, index + 1 > queue.length ? queue.length : index + 1);
      this.turnTime = 0;
      if (queue.length > 0) setImmediate(this.#runTurnEnd);
    }
  };

  readonly #runDeferred = (): void => {
    const queue = this.#deferred;
    let index = 0;
    try {
      // The queue may grow while it runs (a resumed client wakes another): keep going.
      for (; index < queue.length; index++) queue[index]![kDeferred]();
    } finally {
      queue.splice(0, index + 1 > queue.length ? queue.length : index + 1);
      this.#deferredScheduled = false;
      if (queue.length > 0) {
        this.#deferredScheduled = true;
        queueMicrotask(this.#runDeferred);
      }
    }
  };

  /** Bookkeeping when a connection closed (called once per connection). */
  connectionClosed(connection: Connection<S>, reason: CloseReason): void {
    this.connections.delete(connection.id);
    this.stats.connectedClients--;
    this.idle.remove(connection[kIdleEntry]);
    if (reason === CloseReason.QUERY_BUFFER_LIMIT) this.stats.queryBufferLimitDisconnections++;
    else if (reason === CloseReason.OUTPUT_BUFFER_LIMIT) {
      this.stats.outputBufferLimitDisconnections++;
    } else if (reason === CloseReason.IDLE) this.stats.idleDisconnections++;
    if (this.connections.size === 0 && this.#emptyWaiters.length > 0) {
      for (const resolve of this.#emptyWaiters.splice(0)) resolve();
    }
  }

  /** Resolves when no connection is left. */
  whenEmpty(): Promise<void> {
    if (this.connections.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.#emptyWaiters.push(resolve));
  }

  /** A handler threw: report it through onError, or rethrow it. */
  handlerFailed(id: number, error: unknown): void {
    const wrapped = new HandlerError(id, { cause: error });
    if (this.#onError === undefined) throw wrapped;
    this.#onError(wrapped);
  }

  /** Reports an error that has no caller to throw to (a listening server's error). */
  reportError(error: unknown): void {
    if (this.#onError !== undefined) this.#onError(error);
    else process.emitWarning(error instanceof Error ? error : new Error(String(error)));
  }

  /** Records an interaction in the idle list (when an idle timeout is set). O(1). */
  touchIdle(entry: IdleEntry<Connection<S>>, exempt: boolean, now: number): void {
    if (this.limits.idleTimeout === 0 || exempt) return;
    this.idle.touch(entry, now);
    if (this.#idleTimer === undefined) this.#armIdle();
  }

  /** Re-reads the idle timeout after `configure()`. */
  idleTimeoutChanged(): void {
    if (this.#idleTimer !== undefined) this.timers.cancel(this.#idleTimer);
    this.#idleTimer = undefined;
    if (this.limits.idleTimeout === 0) {
      for (let head = this.idle.head; head !== null; head = this.idle.head) this.idle.remove(head);
      return;
    }
    if (this.idle.size === 0) {
      const live = [...this.connections.values()].filter((connection) => !connection.idleExempt);
      live.sort((a, b) => a.lastInteraction - b.lastInteraction);
      for (const connection of live) {
        this.idle.touch(connection[kIdleEntry], connection.lastInteraction);
      }
    }
    this.#armIdle();
  }

  /** One timer, at the deadline of the connection idle the longest. */
  #armIdle(): void {
    const head = this.idle.head;
    if (head === null || this.limits.idleTimeout === 0 || this.closing) {
      this.#idleTimer = undefined;
      return;
    }
    // Redis closes when idle time > timeout: the first due millisecond is since + timeout + 1.
    this.#idleTimer = this.timers.schedule(
      head.since + this.limits.idleTimeout + 1,
      this.#sweepIdle,
    );
  }

  readonly #sweepIdle = (): void => {
    this.#idleTimer = undefined;
    const timeout = this.limits.idleTimeout;
    if (timeout > 0) {
      const now = this.clock.now();
      for (let head = this.idle.head; head !== null && now - head.since > timeout;) {
        head.owner[kDestroy](CloseReason.IDLE);
        head = this.idle.head;
      }
    }
    this.#armIdle();
  };

  /** Stops the idle timer (shutdown). */
  stopIdle(): void {
    if (this.#idleTimer !== undefined) this.timers.cancel(this.#idleTimer);
    this.#idleTimer = undefined;
  }
}

function ignore(): void {}
