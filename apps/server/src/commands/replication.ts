import type { Client } from '../client.js';
import { ReplyError } from '../errors.js';
import { parseInt64 } from '../util/numbers.js';
import type { Handler, HandlerTable } from './types.js';

/**
 * What a standalone redis-server with no replicas, no cluster and no modules answers: ROLE, WAIT,
 * REPLICAOF NO ONE, the cluster commands' "cluster support disabled", MODULE LIST. byor does not
 * replicate: REPLICAOF with a master, SYNC and PSYNC get a clear error instead of a silent no.
 */

const CLUSTER_DISABLED = 'ERR This instance has cluster support disabled';
const MODULE_NOT_ALLOWED =
  'ERR MODULE command not allowed. If the enable-module-command option is set to "local", you can run it from a local connection, otherwise you need to set this option in the configuration file, and then restart the server.';
const NO_REPLICATION = 'ERR byor does not implement replication';

const clusterDisabled: Handler = (client) => client.server.errorReply(client, CLUSTER_DISABLED);

/** ROLE: a master with no replicas. */
function role(client: Client): void {
  const w = client.w;
  w.arrayHeader(3);
  w.bulk('master');
  w.integer(0);
  w.arrayHeader(0);
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
  if (replicas <= 0 || client.denyBlocking) {
    client.w.integer(0);
    return;
  }
  const deadline = timeout === 0 ? 0 : Math.floor(server.now()) + Number(timeout);
  server.blockClient(
    client,
    [],
    deadline,
    () => false,
    () => client.w.integer(0),
  );
}

/** REPLICAOF / SLAVEOF: NO ONE is what this server already is; a master cannot be followed. */
function replicaof(client: Client, argv: string[]): void {
  const host = argv[1] ?? '';
  const port = argv[2] ?? '';
  if (host.toLowerCase() === 'no' && port.toLowerCase() === 'one') {
    client.w.ok();
    return;
  }
  const n = parseInt64(port);
  if (n === undefined || n < 0 || n > 65535) {
    client.server.errorReply(client, 'ERR Invalid master port');
    return;
  }
  client.server.errorReply(client, NO_REPLICATION);
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
  failover(client, argv) {
    const abort = argv.length === 2 && (argv[1] ?? '').toLowerCase() === 'abort';
    client.server.errorReply(
      client,
      abort ? 'ERR No failover in progress.' : 'ERR FAILOVER requires connected replicas.',
    );
  },
  sync: (client) => client.server.errorReply(client, NO_REPLICATION),
  psync: (client) => client.server.errorReply(client, NO_REPLICATION),
  replconf(client, argv) {
    if (argv.length % 2 === 0) client.server.errorReply(client, ReplyError.SYNTAX);
    else client.w.ok();
  },
  readonly: clusterDisabled,
  readwrite: clusterDisabled,
  asking: clusterDisabled,
  ...Object.fromEntries(CLUSTER_SUBCOMMANDS.map((sub) => [`cluster|${sub}`, clusterDisabled])),
  'module|list': (client) => client.w.arrayHeader(0),
  'module|load': (client) => client.server.errorReply(client, MODULE_NOT_ALLOWED),
  'module|loadex': (client) => client.server.errorReply(client, MODULE_NOT_ALLOWED),
  'module|unload': (client) => client.server.errorReply(client, MODULE_NOT_ALLOWED),
};
