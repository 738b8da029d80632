import type { Client } from './client.js';
import type { Server } from './server.js';
import { globMatch } from './util/glob.js';

/**
 * Pub/sub (pubsub.c) and keyspace notifications (notify.c): channel, pattern and shard-channel
 * registries, message delivery in RESP2 arrays or RESP3 pushes, and the "notify-keyspace-events"
 * flags. Messages are encoded once per protocol version per publish.
 */
const NOTIFY = {
  K: 1 << 0,
  E: 1 << 1,
  g: 1 << 2,
  $: 1 << 3,
  l: 1 << 4,
  s: 1 << 5,
  h: 1 << 6,
  z: 1 << 7,
  x: 1 << 8,
  e: 1 << 9,
  t: 1 << 10,
  m: 1 << 11,
  d: 1 << 12,
  n: 1 << 13,
} as const;
const NOTIFY_ALL =
  NOTIFY.g |
  NOTIFY.$ |
  NOTIFY.l |
  NOTIFY.s |
  NOTIFY.h |
  NOTIFY.z |
  NOTIFY.x |
  NOTIFY.e |
  NOTIFY.t |
  NOTIFY.d;

/** notify-keyspace-events text -> flag bits. */
export function parseNotifyFlags(text: string): number {
  let flags = 0;
  for (const c of text) {
    if (c === 'A') flags |= NOTIFY_ALL;
    else flags |= NOTIFY[c as keyof typeof NOTIFY] ?? 0;
  }
  return flags;
}

type ChannelKind = 'channel' | 'pattern' | 'shard';

function bulk(text: string): string {
  return `$${text.length}\r\n${text}\r\n`;
}

export class PubSub {
  readonly #server: Server;
  readonly channels = new Map<string, Set<Client>>();
  readonly patterns = new Map<string, Set<Client>>();
  readonly shardChannels = new Map<string, Set<Client>>();
  #notifyFlags = 0;

  constructor(server: Server) {
    this.#server = server;
    const config = server.config;
    this.#notifyFlags = parseNotifyFlags(config.string('notify-keyspace-events'));
    config.onChange(
      'notify-keyspace-events',
      (value) => (this.#notifyFlags = parseNotifyFlags(value)),
    );
    server.hooks.clientClosed.push((client) => {
      this.unsubscribeAll(client, 'channel', false);
      this.unsubscribeAll(client, 'pattern', false);
      this.unsubscribeAll(client, 'shard', false);
    });
  }

  /** True when key-miss notifications are wanted (lookups check this before notifying). */
  get wantsKeyMiss(): boolean {
    return (
      (this.#notifyFlags & NOTIFY.m) !== 0 && (this.#notifyFlags & (NOTIFY.K | NOTIFY.E)) !== 0
    );
  }

  #registry(kind: ChannelKind): Map<string, Set<Client>> {
    return kind === 'channel'
      ? this.channels
      : kind === 'pattern'
        ? this.patterns
        : this.shardChannels;
  }

  #clientSet(client: Client, kind: ChannelKind): Set<string> {
    return kind === 'channel'
      ? client.channels
      : kind === 'pattern'
        ? client.patterns
        : client.shardChannels;
  }

  /** The count a (un)subscribe reply carries: channels + patterns, or shard channels. */
  #count(client: Client, kind: ChannelKind): number {
    return kind === 'shard'
      ? client.shardChannels.size
      : client.channels.size + client.patterns.size;
  }

  #ack(client: Client, verb: string, name: string | undefined, kind: ChannelKind): void {
    const w = client.w;
    w.pushHeader(3);
    w.bulk(verb);
    if (name === undefined) w.nil();
    else w.bulk(name);
    w.integer(this.#count(client, kind));
  }

  #updateMode(client: Client): void {
    const subscribed = client.subscriptionCount > 0;
    client.conn?.setOutputClass(subscribed ? 'pubsub' : 'normal');
    client.conn?.setIdleExempt(subscribed || client.blocked !== undefined);
  }

  subscribe(client: Client, names: readonly string[], kind: ChannelKind): void {
    const registry = this.#registry(kind);
    const own = this.#clientSet(client, kind);
    const verb =
      kind === 'channel' ? 'subscribe' : kind === 'pattern' ? 'psubscribe' : 'ssubscribe';
    for (const name of names) {
      if (!own.has(name)) {
        own.add(name);
        let set = registry.get(name);
        if (!set) registry.set(name, (set = new Set()));
        set.add(client);
      }
      this.#ack(client, verb, name, kind);
    }
    this.#updateMode(client);
  }

  unsubscribe(client: Client, names: readonly string[], kind: ChannelKind): void {
    const verb =
      kind === 'channel' ? 'unsubscribe' : kind === 'pattern' ? 'punsubscribe' : 'sunsubscribe';
    if (names.length === 0) {
      this.unsubscribeAll(client, kind, true);
      return;
    }
    for (const name of names) {
      this.#remove(client, name, kind);
      this.#ack(client, verb, name, kind);
    }
    this.#updateMode(client);
  }

  #remove(client: Client, name: string, kind: ChannelKind): void {
    const own = this.#clientSet(client, kind);
    if (!own.delete(name)) return;
    const registry = this.#registry(kind);
    const set = registry.get(name);
    set?.delete(client);
    if (set?.size === 0) registry.delete(name);
  }

  /** Unsubscribes from everything of one kind; with `reply`, acknowledges each (or once with nil). */
  unsubscribeAll(client: Client, kind: ChannelKind, reply: boolean): void {
    const verb =
      kind === 'channel' ? 'unsubscribe' : kind === 'pattern' ? 'punsubscribe' : 'sunsubscribe';
    const own = [...this.#clientSet(client, kind)];
    for (const name of own) {
      this.#remove(client, name, kind);
      if (reply) this.#ack(client, verb, name, kind);
    }
    if (reply && own.length === 0) this.#ack(client, verb, undefined, kind);
    if (reply) this.#updateMode(client);
  }

  /** PUBLISH / SPUBLISH: delivers to subscribers and matching patterns; returns the receiver count. */
  publish(channel: string, message: string, shard = false): number {
    let receivers = 0;
    const encoded: [string | undefined, string | undefined] = [undefined, undefined];
    const kindWord = shard ? 'smessage' : 'message';
    const subscribers = (shard ? this.shardChannels : this.channels).get(channel);
    if (subscribers) {
      for (const client of subscribers) {
        const index = client.resp === 3 ? 1 : 0;
        encoded[index] ??=
          `${client.resp === 3 ? '>' : '*'}3\r\n${bulk(kindWord)}${bulk(channel)}${bulk(message)}`;
        this.#deliver(client, encoded[index]);
        receivers++;
      }
    }
    if (!shard && this.patterns.size !== 0) {
      for (const [pattern, clients] of this.patterns) {
        if (!globMatch(pattern, channel)) continue;
        const text2 = `*4\r\n${bulk('pmessage')}${bulk(pattern)}${bulk(channel)}${bulk(message)}`;
        const text3 = `>4${text2.slice(2)}`;
        for (const client of clients) {
          this.#deliver(client, client.resp === 3 ? text3 : text2);
          receivers++;
        }
      }
    }
    return receivers;
  }

  #deliver(client: Client, text: string): void {
    const bytes = Buffer.from(text, 'latin1');
    // the client running the current command gets the message in order with its own replies
    if (client === this.#server.currentClient) client.w.raw(bytes);
    else client.conn?.write(bytes);
  }

  /** notifyKeyspaceEvent: publishes __keyspace@db__:key and/or __keyevent@db__:event. */
  notify(type: string, event: string, key: string, dbIndex: number): void {
    const flags = this.#notifyFlags;
    if (flags === 0) return;
    const bit = NOTIFY[type as keyof typeof NOTIFY] ?? 0;
    if (!(flags & bit)) return;
    if (flags & NOTIFY.K) this.publish(`__keyspace@${dbIndex}__:${key}`, event);
    if (flags & NOTIFY.E) this.publish(`__keyevent@${dbIndex}__:${event}`, key);
  }
}
