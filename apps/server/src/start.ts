import { Acl } from './acl/acl.js';
import { Config } from './config/config.js';
import { Network } from './network.js';
import { silentLogger, type Logger } from './logger.js';
import { Server, type Clock } from './server.js';
import { allCommands } from './commands/index.js';
import { listeningInProcess } from './commands/migrate.js';
import { scriptCommandFlags } from './commands/scripting.js';
import { attachPersistence } from './persistence/persistence.js';
import { ReplicationMaster } from './replication/master.js';
import { ReplicationReplica } from './replication/replica.js';

/** Options of {@link startServer}. */
export interface StartServerOptions {
  /** TCP port; 0 picks a free one. Default 6379 (or the config's `port`). */
  port?: number;
  /** address(es) to bind, space-separated as redis.conf's `bind`. Default "127.0.0.1 -::1". */
  host?: string;
  /** any redis.conf directives, e.g. `{ requirepass: 's3cret', databases: 4 }` */
  config?: Readonly<Record<string, string | number | boolean>> | Config;
  /** a redis.conf file to read first */
  configFile?: string;
  /** time source for TTLs and timeouts (default Date.now) */
  clock?: Clock;
  /** where log lines go (default: none for an embedded server) */
  logger?: Logger;
  /**
   * Called once the server listens, before it loads its data files (byor-server logs its
   * start-up lines there); the promise resolves when they are loaded.
   */
  onListening?: (server: Server) => void;
}

/** A running server. */
export interface RunningServer {
  /** the bound TCP port */
  readonly port: number;
  /** the address it listens on (the first bind address) */
  readonly host: string;
  /** `redis://host:port` */
  readonly url: string;
  /** the server core, for in-process access (the testing helpers build on it) */
  readonly server: Server;
  /** stops accepting, flushes replies, closes every connection */
  close(): Promise<void>;
  /** settles when the server has stopped (close(), SHUTDOWN, a fatal error) */
  readonly closed: Promise<void>;
}

/**
 * Starts a byor server in this process.
 *
 * @example
 * ```ts
 * const server = await startServer({ port: 0 });
 * const redis = new Redis(server.port); // ioredis, node-redis, redis-cli: any client
 * await server.close();
 * ```
 */
export async function startServer(options: StartServerOptions = {}): Promise<RunningServer> {
  let config: Config;
  if (options.config instanceof Config) {
    config = options.config;
  } else {
    config = options.configFile ? Config.fromArgv([options.configFile]) : new Config();
    for (const [name, value] of Object.entries(options.config ?? {})) {
      config.setFromCode(name, typeof value === 'boolean' ? (value ? 'yes' : 'no') : String(value));
    }
  }
  if (options.port !== undefined) config.setFromCode('port', String(options.port));
  if (options.host !== undefined) config.setFromCode('bind', options.host);
  const clock = options.clock ?? { now: () => Date.now() };
  const logger = options.logger ?? silentLogger();
  const server = new Server(config, logger, clock, allCommands);
  server.hooks.scriptFlags = scriptCommandFlags;
  // `user` directives and `aclfile` apply now (a bad rule refuses to start, as redis-server);
  // without them the ACLs are set up when first used
  if (config.users.length !== 0 || config.string('aclfile') !== '') Acl.attach(server);
  const network = new Network(server);
  // as redis-server: listening first, so that a client connected while the data loads gets
  // LOADING rather than a refused connection
  await network.listen();
  listeningInProcess(server, network.closed, network.portChanged);
  options.onListening?.(server);
  try {
    await attachPersistence(server, options, network.closed);
  } catch (error) {
    await network.close();
    throw error;
  }
  // the replication history of the RDB loaded: a replica offers it to its master, a master
  // lets its replicas continue it
  const saved = server.loadedReplication;
  if (saved !== undefined) {
    if (config.string('replicaof') !== '') ReplicationReplica.of(server).continueHistory(saved);
    else ReplicationMaster.of(server).continueHistory(saved);
  }
  // replication's timers and links end with the server (SHUTDOWN or close())
  void network.closed.finally(() => {
    ReplicationReplica.existing(server)?.stop();
    ReplicationMaster.existing(server)?.stop();
  });
  // `replicaof host port` in the config: follow that master once the port is known
  const master = config.string('replicaof');
  if (master !== '') {
    const [masterHost = '', masterPort = '0'] = master.split(' ');
    ReplicationReplica.of(server).follow(masterHost, Number(masterPort));
  }
  const host = network.host;
  return {
    port: server.port,
    host,
    url: `redis://${host.includes(':') ? `[${host}]` : host}:${server.port}`,
    server,
    close: () => network.close(),
    closed: network.closed,
  };
}
