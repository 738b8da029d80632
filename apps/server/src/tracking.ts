import type { Client } from './client.js';
import type { Command } from './commands/types.js';
import { CommandFlag } from './commands/spec.js';
import { commandKeys } from './commands/keyspecs.js';
import type { Database } from './keyspace.js';
import type { Server } from './server.js';
import { ScriptEngine } from './scripting/engine.js';

/**
 * Client-side caching (redis-server 7.0's tracking.c): the tracking table of keys read by
 * tracking clients, the prefix table of BCAST clients, and the invalidation messages sent when
 * a key changes: RESP3 `invalidate` pushes, or `__redis__:invalidate` pub/sub messages to a
 * RESP2 client that another client REDIRECTs to.
 *
 * The table ignores databases, as Redis's does: a key read in db 0 is invalidated by a write to
 * the same name in db 1. A client's own invalidations (not NOLOOP) follow the reply of the command
 * that caused them; BCAST invalidations are batched and sent just before a batch's replies leave
 * (Redis sends them in beforeSleep).
 *
 * @see https://redis.io/docs/latest/develop/reference/client-side-caching/
 */

/** A tracking client's flags (redis-server's CLIENT_TRACKING_* bits). */
export const TrackingFlag = {
  ON: 1 << 0,
  BCAST: 1 << 1,
  OPTIN: 1 << 2,
  OPTOUT: 1 << 3,
  /** CLIENT CACHING yes (OPTIN) or no (OPTOUT) was given for the next command */
  CACHING: 1 << 4,
  NOLOOP: 1 << 5,
  BROKEN_REDIR: 1 << 6,
} as const;

/** The error texts of CLIENT TRACKING and CLIENT CACHING, as redis-server 7.0 writes them. */
export const TrackingReply = {
  PREFIX_NEEDS_BCAST: 'ERR PREFIX option requires BCAST mode to be enabled',
  BCAST_SWITCH:
    "ERR You can't switch BCAST mode on/off before disabling tracking for this client, and then re-enabling it with a different mode.",
  BCAST_OPT: 'ERR OPTIN and OPTOUT are not compatible with BCAST',
  OPTIN_AND_OPTOUT: "ERR You can't specify both OPTIN mode and OPTOUT mode",
  OPT_SWITCH:
    "ERR You can't switch OPTIN/OPTOUT mode before disabling tracking for this client, and then re-enabling it with a different mode.",
  SINGLE_REDIRECT: 'ERR A client can only redirect to a single other client',
  NO_REDIRECT_CLIENT: 'ERR The client ID you want redirect to does not exist',
  CACHING_NOT_TRACKING:
    'ERR CLIENT CACHING can be called only when the client is in tracking mode with OPTIN or OPTOUT mode enabled',
  CACHING_YES: 'ERR CLIENT CACHING YES is only valid when tracking is enabled in OPTIN mode.',
  CACHING_NO: 'ERR CLIENT CACHING NO is only valid when tracking is enabled in OPTOUT mode.',
} as const;

/** The prefix overlap errors (checkPrefixCollisionsOrReply). */
export function prefixOverlapError(prefix: string, other: string, existing: boolean): string {
  return existing
    ? `ERR Prefix '${prefix}' overlaps with an existing prefix '${other}'. Prefixes for a single client must not overlap.`
    : `ERR Prefix '${prefix}' overlaps with another provided prefix '${other}'. Prefixes for a single client must not overlap.`;
}

/** The tracking state of one client. */
export class ClientTracking {
  /** {@link TrackingFlag} bits */
  flags = 0;
  /** REDIRECT client id, 0 for none */
  redirect = 0;
  /** BCAST prefixes */
  readonly prefixes = new Set<string>();
  /** the previous command was a CLIENT subcommand (CACHING survives it, as ASKING does) */
  previousWasClient = false;
}

/** One key of the tracking table: the ids of clients that may cache it. */
class TableEntry {
  readonly ids = new Set<number>();
  /** position in the key array (random eviction) */
  at: number;
  constructor(at: number) {
    this.at = at;
  }
}

/** One BCAST prefix: its clients and the keys modified since the last broadcast. */
class PrefixState {
  readonly clients = new Set<Client>();
  /** key -> the client that modified it last (undefined: no client), for NOLOOP */
  readonly keys = new Map<string, Client | undefined>();
}

/** A message for the running client, sent after its reply (trackingHandlePendingKeyInvalidations). */
interface PendingMessage {
  readonly client: Client;
  /** a key, or undefined for the flush message (null: every key) */
  readonly key: string | undefined;
}

/** Read-only script commands are not tracked themselves, only through what their script reads. */
const READONLY_SCRIPT_COMMANDS = new Set(['eval_ro', 'evalsha_ro', 'fcall_ro']);
/** The evictions one pass may do, times the passes that did not get under the limit plus one. */
const EVICTION_EFFORT = 100;

const PUSH_INVALIDATE = '>2\r\n$10\r\ninvalidate\r\n';
const MESSAGE_INVALIDATE = '*3\r\n$7\r\nmessage\r\n$20\r\n__redis__:invalidate\r\n';
const NULL2 = '$-1\r\n';
const NULL3 = '_\r\n';

const instances = new WeakMap<Server, Tracking>();

/**
 * The tracking tables of one server, attached to its hooks on first use.
 *
 * @example
 * ```ts
 * const tracking = Tracking.of(server);
 * tracking.enable(client, 0, TrackingFlag.BCAST, ['user:']);
 * tracking.stats(); // { clients: 1, keys: 0, items: 0, prefixes: 1 }
 * ```
 */
export class Tracking {
  readonly #server: Server;
  readonly #states = new Map<Client, ClientTracking>();
  #trackingClients = 0;
  /** key -> client ids; keys also listed in #keys for random eviction */
  readonly #table = new Map<string, TableEntry>();
  readonly #keys: string[] = [];
  #totalItems = 0;
  /** BCAST prefixes, kept sorted as Redis's radix tree iterates them */
  readonly #prefixes = new Map<string, PrefixState>();
  #sortedPrefixes: string[] = [];
  #pendingBroadcast = false;
  #broadcastTimer: NodeJS.Immediate | undefined = undefined;
  readonly #pending: PendingMessage[] = [];
  /** the network client whose batch is being processed (its replies are in server.writer) */
  #batchClient: Client | undefined = undefined;
  #batchClientReset = false;
  #evictionPasses = 0;
  #limitTimer: NodeJS.Immediate | undefined = undefined;
  #maxKeys: number;

  private constructor(server: Server) {
    this.#server = server;
    this.#maxKeys = server.config.number('tracking-table-max-keys');
    server.config.onChange('tracking-table-max-keys', (value) => {
      this.#maxKeys = Number(value);
      this.#scheduleLimit();
    });
    const hooks = server.hooks;
    hooks.keyModified.push(this.#keyModified);
    hooks.served.push(this.#flushPending);
    hooks.afterCommand.push(this.#afterCommand);
    hooks.clientClosed.push((client) => this.disable(client));
    hooks.flushed.push(() => this.invalidateAll());
    hooks.beforeReply.push(this.#beforeReply);
    hooks.shutdown.push(() => this.#stopTimers());
    hooks.clientInfo = { ...hooks.clientInfo, tracking: (client) => this.#clientInfo(client) };
  }

  /**
   * The tracking tables of a server, created (and attached to its hooks) on first use. O(1).
   *
   * @example
   * ```ts
   * Tracking.of(client.server).enable(client, 0, 0, []);
   * ```
   */
  static of(server: Server): Tracking {
    let tracking = instances.get(server);
    if (!tracking) {
      tracking = new Tracking(server);
      instances.set(server, tracking);
    }
    return tracking;
  }

  /**
   * The tracking tables of a server if any client ever enabled tracking. O(1).
   *
   * @example
   * ```ts
   * const keys = Tracking.peek(server)?.stats().keys ?? 0;
   * ```
   */
  static peek(server: Server): Tracking | undefined {
    return instances.get(server);
  }

  /**
   * A client's tracking state, or undefined when it never enabled tracking. O(1).
   *
   * @example
   * ```ts
   * const on = ((tracking.state(client)?.flags ?? 0) & TrackingFlag.ON) !== 0;
   * ```
   */
  state(client: Client): ClientTracking | undefined {
    return this.#states.get(client);
  }

  /**
   * INFO figures: tracking clients, keys in the table, client ids across its keys, BCAST prefixes.
   * O(1).
   *
   * @example
   * ```ts
   * const { clients, keys, items, prefixes } = tracking.stats();
   * ```
   */
  stats(): { clients: number; keys: number; items: number; prefixes: number } {
    return {
      clients: this.#trackingClients,
      keys: this.#table.size,
      items: this.#totalItems,
      prefixes: this.#prefixes.size,
    };
  }

  /**
   * Checks CLIENT TRACKING ON's prefixes against each other and the client's own
   * (checkPrefixCollisionsOrReply). Returns the errors to reply and whether to go on: redis-server
   * 7.0 goes on (and also answers OK) when the overlap is between two given prefixes past the first.
   * O(n * (n + m)) for n given and m existing prefixes.
   *
   * @example
   * ```ts
   * tracking.checkPrefixes(client, ['a', 'ab']); // { errors: ["ERR Prefix 'a' overlaps ..."], proceed: false }
   * ```
   */
  checkPrefixes(client: Client, prefixes: readonly string[]): { error?: string; proceed: boolean } {
    const existing = this.#states.get(client)?.prefixes;
    for (let i = 0; i < prefixes.length; i++) {
      const prefix = prefixes[i] ?? '';
      if (existing) {
        for (const other of [...existing].sort()) {
          if (overlaps(other, prefix))
            return { error: prefixOverlapError(prefix, other, true), proceed: false };
        }
      }
      for (let j = i + 1; j < prefixes.length; j++) {
        const other = prefixes[j] ?? '';
        if (overlaps(prefix, other))
          return { error: prefixOverlapError(prefix, other, false), proceed: i !== 0 };
      }
    }
    return { proceed: true };
  }

  /**
   * CLIENT TRACKING ON (enableTracking): `options` are {@link TrackingFlag} BCAST, OPTIN, OPTOUT,
   * NOLOOP bits; BCAST without prefixes tracks every key (the empty prefix). The caller has checked
   * the options. O(p) for p prefixes.
   *
   * @example
   * ```ts
   * tracking.enable(client, 0, TrackingFlag.OPTIN | TrackingFlag.NOLOOP, []);
   * ```
   */
  enable(client: Client, redirect: number, options: number, prefixes: readonly string[]): void {
    let state = this.#states.get(client);
    if (!state) this.#states.set(client, (state = new ClientTracking()));
    if (!(state.flags & TrackingFlag.ON)) {
      if (this.#trackingClients++ === 0) this.#server.hooks.beforeCommand.push(this.#beforeCommand);
    }
    state.flags =
      (state.flags & TrackingFlag.CACHING) |
      TrackingFlag.ON |
      (options & (TrackingFlag.OPTIN | TrackingFlag.OPTOUT | TrackingFlag.NOLOOP));
    state.redirect = redirect;
    if (options & TrackingFlag.BCAST) {
      state.flags |= TrackingFlag.BCAST;
      if (prefixes.length === 0) this.#addPrefix(client, state, '');
      for (const prefix of prefixes) this.#addPrefix(client, state, prefix);
    }
  }

  #addPrefix(client: Client, state: ClientTracking, prefix: string): void {
    let entry = this.#prefixes.get(prefix);
    if (!entry) {
      this.#prefixes.set(prefix, (entry = new PrefixState()));
      this.#sortedPrefixes = [...this.#prefixes.keys()].sort();
    }
    entry.clients.add(client);
    state.prefixes.add(prefix);
  }

  /**
   * CLIENT TRACKING OFF, RESET and disconnection (disableTracking). The client's ids stay in the
   * tracking table until their keys are invalidated, as in Redis. O(p) for p prefixes.
   *
   * @example
   * ```ts
   * tracking.disable(client);
   * ```
   */
  disable(client: Client): void {
    const state = this.#states.get(client);
    if (!state) return;
    if (state.flags & TrackingFlag.BCAST) {
      for (const prefix of state.prefixes) {
        const entry = this.#prefixes.get(prefix);
        if (!entry) continue;
        entry.clients.delete(client);
        if (entry.clients.size === 0) {
          this.#prefixes.delete(prefix);
          this.#sortedPrefixes = [...this.#prefixes.keys()].sort();
        }
      }
    }
    this.#states.delete(client);
    if (state.flags & TrackingFlag.ON) {
      if (--this.#trackingClients === 0) {
        const hooks = this.#server.hooks.beforeCommand;
        const at = hooks.indexOf(this.#beforeCommand);
        if (at >= 0) hooks.splice(at, 1);
      }
    }
  }

  /**
   * Remembers that `client` may cache `keys` (trackingRememberKeys), unless OPTIN/OPTOUT and
   * CLIENT CACHING say otherwise. O(k).
   *
   * @example
   * ```ts
   * tracking.remember(client, ['user:1']);
   * ```
   */
  remember(client: Client, keys: readonly string[]): void {
    const state = this.#states.get(client);
    if (!state) return;
    const caching = (state.flags & TrackingFlag.CACHING) !== 0;
    if (
      (state.flags & TrackingFlag.OPTIN && !caching) ||
      (state.flags & TrackingFlag.OPTOUT && caching)
    )
      return;
    for (const key of keys) {
      let entry = this.#table.get(key);
      if (!entry) {
        entry = new TableEntry(this.#keys.length);
        this.#keys.push(key);
        this.#table.set(key, entry);
      }
      const size = entry.ids.size;
      entry.ids.add(client.id);
      if (entry.ids.size !== size) this.#totalItems++;
    }
  }

  /**
   * A key changed (trackingInvalidateKey): clients that may cache it are told and forgotten; with
   * `broadcast`, the key is also queued for the BCAST prefixes it matches. `by` is the client that
   * changed it (NOLOOP). O(c) for c clients caching the key, plus O(p) prefixes when broadcasting.
   *
   * @example
   * ```ts
   * tracking.invalidateKey(undefined, 'user:1', true);
   * ```
   */
  invalidateKey(by: Client | undefined, key: string, broadcast: boolean): void {
    if (broadcast && this.#prefixes.size !== 0) this.#rememberForBroadcast(by, key);
    const entry = this.#table.get(key);
    if (!entry) return;
    const server = this.#server;
    const running = this.#runningClient();
    for (const id of entry.ids) {
      const target = server.clients.get(id);
      if (!target) continue;
      const state = this.#states.get(target);
      if (!state || !(state.flags & TrackingFlag.ON) || state.flags & TrackingFlag.BCAST) continue;
      if (state.flags & TrackingFlag.NOLOOP && target === by) continue;
      // the running client's invalidations follow its reply
      if (target === running) this.#pending.push({ client: target, key });
      else this.#send(target, state, key);
    }
    this.#removeKey(key, entry);
  }

  #removeKey(key: string, entry: TableEntry): void {
    this.#totalItems -= entry.ids.size;
    this.#table.delete(key);
    // swap-remove from the key array: O(1)
    const keys = this.#keys;
    const last = keys.pop();
    if (last !== undefined && last !== key) {
      keys[entry.at] = last;
      const moved = this.#table.get(last);
      if (moved) moved.at = entry.at;
    }
  }

  #rememberForBroadcast(by: Client | undefined, key: string): void {
    for (const [prefix, entry] of this.#prefixes) {
      if (!key.startsWith(prefix)) continue;
      entry.keys.set(key, by);
      this.#pendingBroadcast = true;
    }
    // sent before the replies of this batch leave (beforeReply), or on the next turn of the
    // event loop when no reply follows (a key expired by the cron)
    if (this.#pendingBroadcast && this.#broadcastTimer === undefined)
      this.#broadcastTimer = setImmediate(() => {
        this.#broadcastTimer = undefined;
        this.broadcast();
      });
  }

  /**
   * FLUSHDB / FLUSHALL (trackingInvalidateKeysOnFlush): every tracking client is sent a null
   * invalidation (every key), and the table is emptied. O(c + k).
   *
   * @example
   * ```ts
   * tracking.invalidateAll();
   * ```
   */
  invalidateAll(): void {
    if (this.#trackingClients !== 0) {
      const running = this.#runningClient();
      for (const [client, state] of this.#states) {
        if (!(state.flags & TrackingFlag.ON)) continue;
        if (client === running) this.#pending.push({ client, key: undefined });
        else this.#send(client, state, undefined);
      }
    }
    this.#table.clear();
    this.#keys.length = 0;
    this.#totalItems = 0;
  }

  /**
   * Sends the BCAST invalidations queued since the last call, one message per prefix with its
   * keys in byte order (trackingBroadcastInvalidationMessages). O(p * (k + c)).
   *
   * @example
   * ```ts
   * tracking.broadcast();
   * ```
   */
  broadcast(): void {
    if (!this.#pendingBroadcast) return;
    this.#pendingBroadcast = false;
    for (const prefix of this.#sortedPrefixes) {
      const entry = this.#prefixes.get(prefix);
      if (!entry || entry.keys.size === 0) continue;
      const keys = [...entry.keys.keys()].sort();
      const common = arrayOf(keys);
      for (const client of entry.clients) {
        const state = this.#states.get(client);
        if (!state) continue;
        if (state.flags & TrackingFlag.NOLOOP) {
          const own = keys.filter((key) => entry.keys.get(key) !== client);
          if (own.length !== 0) this.#sendRaw(client, state, arrayOf(own));
        } else this.#sendRaw(client, state, common);
      }
      entry.keys.clear();
    }
  }

  /**
   * Evicts random keys of the tracking table while it holds more than `tracking-table-max-keys`
   * (trackingLimitUsedSlots): their clients are told as if the keys changed. Each pass tries at most
   * 100 keys times the passes in a row that could not get under the limit. O(effort).
   *
   * @example
   * ```ts
   * tracking.limitUsedSlots();
   * ```
   */
  limitUsedSlots(): void {
    const max = this.#maxKeys;
    if (max <= 0 || this.#table.size <= max) {
      this.#evictionPasses = 0;
      return;
    }
    let effort = EVICTION_EFFORT * (this.#evictionPasses + 1);
    while (effort-- > 0 && this.#keys.length !== 0) {
      const key = this.#keys[Math.floor(Math.random() * this.#keys.length)] ?? '';
      this.invalidateKey(undefined, key, false);
      if (this.#table.size <= max) {
        this.#evictionPasses = 0;
        return;
      }
    }
    this.#evictionPasses++;
  }

  /** Checks the table's limit once the current work is done (redis-server's cron does it). */
  #scheduleLimit(): void {
    if (this.#limitTimer !== undefined || this.#trackingClients === 0) return;
    this.#limitTimer = setImmediate(() => {
      this.#limitTimer = undefined;
      if (this.#trackingClients === 0) return;
      this.limitUsedSlots();
      // beforeSleep runs it on every turn of the event loop: the next turn takes more keys
      if (this.#maxKeys > 0 && this.#table.size > this.#maxKeys) this.#scheduleLimit();
    });
  }

  #stopTimers(): void {
    if (this.#broadcastTimer !== undefined) clearImmediate(this.#broadcastTimer);
    if (this.#limitTimer !== undefined) clearImmediate(this.#limitTimer);
    this.#broadcastTimer = this.#limitTimer = undefined;
  }

  /**
   * The client whose command is running, for which invalidations wait until its reply is
   * written: a network client in call(), or the network client whose script is running.
   */
  #runningClient(): Client | undefined {
    const current = this.#server.currentClient;
    if (current === undefined) return undefined;
    return current.conn !== undefined ? current : this.#batchClient;
  }

  /** sendTrackingMessage for one key, or the null "every key" message. */
  #send(client: Client, state: ClientTracking, key: string | undefined): void {
    let value: string;
    if (key !== undefined) value = `*1\r\n$${key.length}\r\n${key}\r\n`;
    else value = client.resp === 3 ? NULL3 : NULL2;
    this.#sendRaw(client, state, value);
  }

  /** sendTrackingMessage with the value already encoded. */
  #sendRaw(client: Client, state: ClientTracking, value: string): void {
    let target = client;
    let redirected = false;
    if (state.redirect !== 0) {
      const redirect = this.#server.clients.get(state.redirect);
      if (!redirect) {
        state.flags |= TrackingFlag.BROKEN_REDIR;
        if (client.resp === 3)
          this.#write(client, `>2\r\n$21\r\ntracking-redir-broken\r\n:${state.redirect}\r\n`);
        return;
      }
      target = redirect;
      redirected = true;
    }
    if (target.resp === 3) this.#write(target, PUSH_INVALIDATE + value);
    else if (redirected && target.subscriptionCount > 0)
      this.#write(target, MESSAGE_INVALIDATE + value);
  }

  /** Queues bytes for a client, in order with the replies it is being sent. */
  #write(client: Client, text: string): void {
    // a push: sent under CLIENT REPLY OFF too (CLIENT_PUSHING)
    const bytes = Buffer.from(text, 'latin1');
    const server = this.#server;
    if (client === server.currentClient) client.w.raw(bytes);
    else if (client === this.#batchClient) server.writer.raw(bytes);
    else client.conn?.write(bytes);
  }

  /** processCommand: the start of a network client's command (CACHING lifetime, table limit). */
  readonly #beforeCommand = (client: Client, argv: string[]): undefined => {
    this.#batchClient = client;
    if (!this.#batchClientReset) {
      // the batch's replies are in server.writer until this synchronous run of work ends
      this.#batchClientReset = true;
      queueMicrotask(this.#resetBatchClient);
    }
    const state = this.#states.get(client);
    if (state) {
      // resetClient: CACHING lasts for the next command (or transaction), and CLIENT commands
      if (!client.multi && !state.previousWasClient) state.flags &= ~TrackingFlag.CACHING;
      state.previousWasClient = isClientCommand(this.#server, argv);
    }
    this.limitUsedSlots();
    return undefined;
  };

  readonly #resetBatchClient = (): void => {
    this.#batchClient = undefined;
    this.#batchClientReset = false;
  };

  readonly #keyModified = (_db: Database, key: string): void => {
    if (this.#table.size === 0 && this.#prefixes.size === 0) return;
    // NOLOOP compares with the client whose command runs (a script's caller, a client served)
    this.invalidateKey(this.#runningClient(), key, true);
  };

  readonly #afterCommand = (client: Client, command: Command, argv: string[]): void => {
    if (this.#trackingClients !== 0) this.#rememberCommandKeys(client, command, argv);
    const server = this.#server;
    if (server.currentClient !== undefined) return;
    // the outermost call ended: its reply is written, the invalidations it caused follow
    this.#flushPending();
    if (this.#maxKeys > 0 && this.#table.size > this.#maxKeys) this.#scheduleLimit();
  };

  /** trackingHandlePendingKeyInvalidations: a command's reply is written, its own invalidations follow. */
  readonly #flushPending = (): void => {
    if (this.#pending.length === 0) return;
    const pending = this.#pending.splice(0);
    for (const message of pending) {
      const state = this.#states.get(message.client);
      if (state && state.flags & TrackingFlag.ON) this.#send(message.client, state, message.key);
    }
  };

  #rememberCommandKeys(client: Client, command: Command, argv: string[]): void {
    const meta = command.meta;
    const server = this.#server;
    if (meta.flags & CommandFlag.READONLY && !READONLY_SCRIPT_COMMANDS.has(meta.name)) {
      const caller = server.currentClient;
      if (client.conn === undefined && caller !== undefined && caller !== client) {
        // a script's read: redis-server remembers the keys its caller declared, from then on
        const state = this.#states.get(caller);
        const run = ScriptEngine.existing(server)?.running;
        if (
          state &&
          state.flags & TrackingFlag.ON &&
          !(state.flags & TrackingFlag.BCAST) &&
          run?.caller === caller &&
          run.keys.length !== 0
        )
          this.remember(caller, run.keys);
        return;
      }
      const state = this.#states.get(client);
      if (!state || !(state.flags & TrackingFlag.ON) || state.flags & TrackingFlag.BCAST) return;
      if (meta.flags & CommandFlag.PUBSUB) return;
      this.#rememberArgs(client, command, argv);
    }
  }

  #rememberArgs(client: Client, command: Command, argv: string[]): void {
    const references = commandKeys(command.meta, argv);
    if (references.length === 0) return;
    this.remember(
      client,
      references.map((reference) => argv[reference.pos] ?? ''),
    );
  }

  readonly #beforeReply = (): void => {
    if (this.#pendingBroadcast) this.broadcast();
  };

  /**
   * Throws when the tables disagree with each other: the key array and the table, the item count,
   * the sorted prefix list, BCAST clients and their prefixes, the tracking client count. O(n).
   *
   * @example
   * ```ts
   * tracking.checkInvariants();
   * ```
   */
  checkInvariants(): void {
    const fail = (what: string): never => {
      throw new Error(`tracking invariant: ${what}`);
    };
    if (this.#keys.length !== this.#table.size) fail('key array size');
    let items = 0;
    for (const [key, entry] of this.#table) {
      if (this.#keys[entry.at] !== key) fail(`key position of ${key}`);
      if (entry.ids.size === 0) fail(`empty entry ${key}`);
      items += entry.ids.size;
    }
    if (items !== this.#totalItems) fail('total items');
    const sorted = [...this.#prefixes.keys()].sort();
    if (sorted.join('\0') !== this.#sortedPrefixes.join('\0')) fail('sorted prefixes');
    let on = 0;
    for (const [client, state] of this.#states) {
      if (state.flags & TrackingFlag.ON) on++;
      for (const prefix of state.prefixes)
        if (!this.#prefixes.get(prefix)?.clients.has(client)) fail(`prefix ${prefix}`);
    }
    for (const [prefix, entry] of this.#prefixes) {
      if (entry.clients.size === 0) fail(`prefix ${prefix} without clients`);
      for (const client of entry.clients)
        if (!this.#states.get(client)?.prefixes.has(prefix)) fail(`client of ${prefix}`);
    }
    if (on !== this.#trackingClients) fail('tracking clients');
  }

  /** CLIENT LIST's tracking flags (t, R, B) and redir= of a client, or undefined when off. */
  #clientInfo(client: Client): { flags: string; redirect: number } | undefined {
    const state = this.#states.get(client);
    if (!state || !(state.flags & TrackingFlag.ON)) return undefined;
    let flags = 't';
    if (state.flags & TrackingFlag.BROKEN_REDIR) flags += 'R';
    if (state.flags & TrackingFlag.BCAST) flags += 'B';
    return { flags, redirect: state.redirect };
  }
}

/** Either is a prefix of the other (stringCheckPrefix). */
function overlaps(a: string, b: string): boolean {
  return a.length <= b.length ? b.startsWith(a) : a.startsWith(b);
}

/** A RESP array of bulk strings. */
function arrayOf(keys: readonly string[]): string {
  let out = `*${keys.length}\r\n`;
  for (const key of keys) out += `$${key.length}\r\n${key}\r\n`;
  return out;
}

/** The command is a CLIENT subcommand (redis-server compares the command's proc). */
function isClientCommand(server: Server, argv: readonly string[]): boolean {
  if (argv.length < 2 || (argv[0] ?? '').toLowerCase() !== 'client') return false;
  return server.command('client')?.subcommands?.has((argv[1] ?? '').toLowerCase()) ?? false;
}

/**
 * INFO's tracking figures for a server (zeros until a client enables tracking). O(1).
 *
 * @example
 * ```ts
 * trackingStats(server).clients; // INFO tracking_clients
 * ```
 */
export function trackingStats(server: Server): {
  clients: number;
  keys: number;
  items: number;
  prefixes: number;
} {
  return Tracking.peek(server)?.stats() ?? { clients: 0, keys: 0, items: 0, prefixes: 0 };
}
