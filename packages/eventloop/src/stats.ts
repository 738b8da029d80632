/**
 * The loop's counters, named after the INFO fields they feed.
 */

/**
 * Counters of an {@link EventLoop}, updated in place (read them any time; do not write them).
 *
 * @example
 * ```ts
 * const { connectedClients, bytesReceived } = loop.stats;
 * ```
 */
export interface LoopStats {
  /** connected_clients: open connections now, across listeners. */
  readonly connectedClients: number;
  /** total_connections_received: connections accepted since start (rejected ones included). */
  readonly totalConnectionsReceived: number;
  /** rejected_connections: connections refused because of maxclients. */
  readonly rejectedConnections: number;
  /** total_net_input_bytes: bytes read from clients. */
  readonly bytesReceived: number;
  /** total_net_output_bytes: bytes handed to sockets for clients. */
  readonly bytesSent: number;
  /** total_commands_processed: frames given to handlers. */
  readonly framesProcessed: number;
  /** client_query_buffer_limit_disconnections. */
  readonly queryBufferLimitDisconnections: number;
  /** client_output_buffer_limit_disconnections. */
  readonly outputBufferLimitDisconnections: number;
  /** Clients closed by the idle timeout. */
  readonly idleDisconnections: number;
}

/** The mutable counters behind {@link LoopStats}. Monomorphic: all fields set here. @internal */
export class MutableStats implements LoopStats {
  connectedClients = 0;
  totalConnectionsReceived = 0;
  rejectedConnections = 0;
  bytesReceived = 0;
  bytesSent = 0;
  framesProcessed = 0;
  queryBufferLimitDisconnections = 0;
  outputBufferLimitDisconnections = 0;
  idleDisconnections = 0;
}
