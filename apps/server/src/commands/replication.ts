import type { Client } from '../client.js';
import { ReplyError } from '../errors.js';
import { ReplicationMaster } from '../replication/master.js';
import { ReplicationReplica } from '../replication/replica.js';
import { parseInt64 } from '../util/numbers.js';
import type { Handler, HandlerTable } from './types.js';

/**
 * Replication: as a master (replication/master.ts) SYNC, PSYNC and REPLCONF from replicas, ROLE
 * and WAIT counting them; as a replica (replication/replica.ts) REPLICAOF. And what a standalone
 * redis-server with no cluster and no modules answers: the cluster commands' "cluster support
 * disabled", MODULE LIST.
 */

const CLUSTER_DISABLED = 'ERR This instance has cluster support disabled';

const clusterDisabled: Handler = (client) => client.server.errorReply(client, CLUSTER_DISABLED);

/**
 * ROLE: master, the replication offset, and each replica online (address, port, offset); or, as
 * a replica, slave, the master's address and port, the link's state and the offset.
 */
function role(client: Client): void {
  const replica = ReplicationReplica.existing(client.server);
  if (replica?.following) {
    const w = client.w;
    w.arrayHeader(5);
    w.bulk('slave');
    w.bulk(replica.host);
    w.integer(replica.port);
    w.bulk(replica.state);
    w.integer(replica.state === 'connected' ? replica.offset : -1);
    return;
  }
  const master = ReplicationMaster.existing(client.server);
  const online = master?.replicas.filter((link) => link.state === 'online') ?? [];
  const w = client.w;
  w.arrayHeader(3);
  w.bulk('master');
  w.integer(master?.offset ?? 0);
  w.arrayHeader(online.length);
  for (const link of online) {
    w.arrayHeader(3);
    w.bulk(link.address);
    w.bulk(String(link.port));
    w.bulk(String(link.ackOffset));
  }
}

/**
 * WAIT numreplicas timeout: no replica ever acknowledges, so 0, at once when none are asked
 * for (or the client may not block), else when the timeout (ms, 0 = forever) expires.
 */
function wait(client: Client, argv: string[]): void {
  const server = client.server;
  const replicas = parseInt64(argv[1] ?? '');
  if (replicas === undefined) {
    server.errorReply(client, ReplyError.NOT_INTEGER);
    return;
  }
  const timeout = parseInt64(argv[2] ?? '');
  if (timeout === undefined) {
    server.errorReply(client, 'ERR timeout is not an integer or out of range');
    return;
  }
  if (timeout < 0) {
    server.errorReply(client, ReplyError.TIMEOUT_NEGATIVE);
    return;
  }
  if (server.replicaOf !== undefined) {
    server.errorReply(
      client,
      'ERR WAIT cannot be used with replica instances. Please also note that since Redis 4.0 if a replica is configured to be writable (which is not the default) writes to replicas are just local and are not propagated.',
    );
    return;
  }
  // redis-server counts the replicas that acknowledged the client's last write, and blocks
  // until enough of them do (or the timeout)
  const master = ReplicationMaster.existing(server);
  const acknowledged = master?.acknowledgedBy(master.writeOffset(client)) ?? 0;
  if (acknowledged >= replicas || client.denyBlocking) {
    client.w.integer(acknowledged);
    return;
  }
  const deadline = timeout === 0 ? 0 : Math.floor(server.now()) + Number(timeout);
  const waiter = master?.wait(client, Number(replicas), () =>
    server.unblockClient(client, undefined),
  );
  server.blockClient(
    client,
    [],
    deadline,
    () => false,
    () => {
      if (master === undefined || waiter === undefined) {
        client.w.integer(0);
        return;
      }
      master.stopWaiting(waiter);
      client.w.integer(master.acknowledgedBy(waiter.offset));
    },
  );
}

/**
 * REPLICAOF / SLAVEOF host port: follow that master (replication/replica.ts); NO ONE: stop
 * following and keep the data, writable.
 */
function replicaof(client: Client, argv: string[]): void {
  const server = client.server;
  const host = argv[1] ?? '';
  const port = argv[2] ?? '';
  if (host.toLowerCase() === 'no' && port.toLowerCase() === 'one') {
    if (server.replicaOf !== undefined) {
      ReplicationReplica.of(server).unfollow();
      server.logger.notice(
        `MASTER MODE enabled (user request from '${server.describeClient(client)}')`,
      );
    }
    client.w.ok();
    return;
  }
  if (client.replica) {
    server.errorReply(client, 'ERR Command is not valid when client is a replica.');
    return;
  }
  const n = parseInt64(port);
  if (n === undefined || n < 0 || n > 65535) {
    server.errorReply(client, 'ERR Invalid master port');
    return;
  }
  const current = server.replicaOf;
  if (current && current.host.toLowerCase() === host.toLowerCase() && current.port === n) {
    server.logger.notice(
      'REPLICAOF would result into synchronization with the master we are already connected with. No operation performed.',
    );
    client.w.simple('OK Already connected to specified master');
    return;
  }
  // clients blocked on keys are let go: the master's stream decides the data from now on
  for (const other of server.clients.values())
    if (other.blocked && other !== client)
      server.unblockClient(
        other,
        'UNBLOCKED force unblock from blocking operation, instance state changed (master -> replica?)',
      );
  ReplicationReplica.of(server).follow(host, Number(n));
  server.logger.notice(
    `REPLICAOF ${host}:${n} enabled (user request from '${server.describeClient(client)}')`,
  );
  client.w.ok();
}

const CLUSTER_SUBCOMMANDS = [
  'addslots',
  'addslotsrange',
  'bumpepoch',
  'count-failure-reports',
  'countkeysinslot',
  'delslots',
  'delslotsrange',
  'failover',
  'flushslots',
  'forget',
  'getkeysinslot',
  'help',
  'info',
  'keyslot',
  'links',
  'meet',
  'myid',
  'nodes',
  'replicas',
  'replicate',
  'reset',
  'saveconfig',
  'set-config-epoch',
  'setslot',
  'shards',
  'slaves',
  'slots',
] as const;

export const replicationCommands: HandlerTable = {
  role,
  wait,
  replicaof,
  slaveof: replicaof,
  failover: (client, argv) => ReplicationMaster.of(client.server).failover(client, argv),

  sync: (client, argv) => ReplicationMaster.of(client.server).sync(client, argv),
  psync: (client, argv) => ReplicationMaster.of(client.server).sync(client, argv),
  replconf(client, argv) {
    if (argv.length % 2 === 0) client.server.errorReply(client, ReplyError.SYNTAX);
    else ReplicationMaster.of(client.server).replconf(client, argv);
  },
  readonly: clusterDisabled,
  readwrite: clusterDisabled,
  asking: clusterDisabled,
  ...Object.fromEntries(CLUSTER_SUBCOMMANDS.map((sub) => [`cluster|${sub}`, clusterDisabled])),
  'module|list': (client) => client.w.arrayHeader(0),
  'module|load': (client) => client.server.errorReply(client, ReplyError.MODULE_DISABLED),
  'module|loadex': (client) => client.server.errorReply(client, ReplyError.MODULE_DISABLED),
  'module|unload': (client) => client.server.errorReply(client, ReplyError.MODULE_DISABLED),
};
