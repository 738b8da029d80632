import type { Client } from '../client.js';
import { ReplicationMaster } from '../replication/master.js';
import { globMatch } from '../util/glob.js';
import type { HandlerTable } from './types.js';

/** Pub/sub commands (pubsub.c). The registries and delivery live in src/pubsub.ts. */

function subscribe(client: Client, argv: string[]): void {
  client.server.pubsub.subscribe(client, argv.slice(1), 'channel');
}

function psubscribe(client: Client, argv: string[]): void {
  client.server.pubsub.subscribe(client, argv.slice(1), 'pattern');
}

function ssubscribe(client: Client, argv: string[]): void {
  client.server.pubsub.subscribe(client, argv.slice(1), 'shard');
}

function publish(client: Client, argv: string[]): void {
  client.w.integer(client.server.pubsub.publish(argv[1] ?? '', argv[2] ?? ''));
  toReplicas(client, argv);
}

function spublish(client: Client, argv: string[]): void {
  client.w.integer(client.server.pubsub.publish(argv[1] ?? '', argv[2] ?? '', true));
  toReplicas(client, argv);
}

/**
 * A message reaches the replicas' subscribers too: redis-server propagates PUBLISH and SPUBLISH
 * to its replicas, not to the AOF (unless a script said redis.set_repl(redis.REPL_NONE)).
 */
function toReplicas(client: Client, argv: string[]): void {
  const server = client.server;
  if (server.hooks.propagate === undefined) return;
  const master = ReplicationMaster.existing(server);
  if (master?.backlog !== undefined) server.propagateTo(master, client.db.index, argv);
}

function listChannels(
  client: Client,
  registry: Map<string, Set<Client>>,
  pattern: string | undefined,
): void {
  const names = [...registry.keys()].filter(
    (name) => pattern === undefined || globMatch(pattern, name),
  );
  client.w.arrayHeader(names.length);
  for (const name of names) client.w.bulk(name);
}

function numsub(client: Client, argv: string[], registry: Map<string, Set<Client>>): void {
  const names = argv.slice(2);
  // a flat array of channel, count pairs, in RESP3 too (redis-server 7.0's addReplyArrayLen)
  client.w.arrayHeader(names.length * 2);
  for (const name of names) {
    client.w.bulk(name);
    client.w.integer(registry.get(name)?.size ?? 0);
  }
}

export const pubsubCommands: HandlerTable = {
  subscribe,
  unsubscribe: (client, argv) => client.server.pubsub.unsubscribe(client, argv.slice(1), 'channel'),
  psubscribe,
  punsubscribe: (client, argv) =>
    client.server.pubsub.unsubscribe(client, argv.slice(1), 'pattern'),
  ssubscribe,
  sunsubscribe: (client, argv) => client.server.pubsub.unsubscribe(client, argv.slice(1), 'shard'),
  publish,
  spublish,
  'pubsub|channels': (client, argv) => listChannels(client, client.server.pubsub.channels, argv[2]),
  'pubsub|numsub': (client, argv) => numsub(client, argv, client.server.pubsub.channels),
  'pubsub|numpat': (client) => client.w.integer(client.server.pubsub.patterns.size),
  'pubsub|shardchannels': (client, argv) =>
    listChannels(client, client.server.pubsub.shardChannels, argv[2]),
  'pubsub|shardnumsub': (client, argv) => numsub(client, argv, client.server.pubsub.shardChannels),
};
