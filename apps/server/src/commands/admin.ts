import type { Client } from '../client.js';
import { ReplyError } from '../errors.js';
import { globMatch } from '../util/glob.js';
import { parseInt64 } from '../util/numbers.js';
import { is } from './args.js';
import { commandHasKeys, commandKeys, type KeyReference } from './keyspecs.js';
import { arityRefuses, CommandFlag, encodeResp, type RespNode } from './spec.js';
import type { Command, HandlerTable } from './types.js';
import { generateInfo } from '../info.js';
import { estimateMemoryUsage } from '../memory.js';
import { debugIntrospection, debugSyntaxError } from './introspection.js';
import { objectRefcount } from './keys.js';
import { serializedLength } from './persistence.js';
import { ListValue } from '../types/list.js';

/**
 * Server administration: CONFIG, INFO, COMMAND, SLOWLOG, DEBUG (SLEEP, OBJECT; the rest in
 * introspection.ts), MEMORY USAGE, TIME, MONITOR, SHUTDOWN.
 */

function configGet(client: Client, argv: string[]): void {
  const pairs = client.server.config.match(argv.slice(2));
  client.w.mapHeader(pairs.length);
  for (const [name, value] of pairs) {
    client.w.bulk(name);
    client.w.bulk(value);
  }
}

function configSet(client: Client, argv: string[]): void {
  if (argv.length % 2 !== 0) {
    client.server.errorReply(client, "ERR wrong number of arguments for 'config|set' command");
    return;
  }
  const pairs: [string, string][] = [];
  for (let i = 2; i < argv.length; i += 2) pairs.push([argv[i] ?? '', argv[i + 1] ?? '']);
  const error = client.server.config.setMany(
    pairs,
    protectedAllowed(client, 'enable-protected-configs'),
  );
  if (error) client.server.errorReply(client, error);
  else client.w.ok();
}

function configResetstat(client: Client): void {
  client.server.resetStats();
  client.w.ok();
}

function configRewrite(client: Client): void {
  const error = client.server.rewriteConfig();
  if (error) client.server.errorReply(client, error);
  else client.w.ok();
}

function info(client: Client, argv: string[]): void {
  client.w.verbatim(
    generateInfo(
      client.server,
      argv.slice(1).map((s) => s.toLowerCase()),
    ),
  );
}

function time(client: Client): void {
  const micros = client.server.nowMicros();
  client.w.arrayHeader(2);
  client.w.bulk(String(Math.floor(micros / 1e6)));
  client.w.bulk(String(micros % 1e6));
}

function lastsave(client: Client): void {
  client.w.integer(client.server.lastSave);
}

function monitor(client: Client): void {
  if (client.monitor) return;
  client.monitor = true;
  client.server.addMonitor(client);
  client.w.ok();
}

function shutdown(client: Client, argv: string[]): void {
  let save: boolean | undefined;
  let now = false;
  let force = false;
  let abort = false;
  for (let i = 1; i < argv.length; i++) {
    const arg = (argv[i] ?? '').toLowerCase();
    if (arg === 'nosave') save = false;
    else if (arg === 'save') save = true;
    else if (arg === 'now') now = true;
    else if (arg === 'force') force = true;
    else if (arg === 'abort') abort = true;
    else {
      client.server.errorReply(client, ReplyError.SYNTAX);
      return;
    }
  }
  if (abort && (save !== undefined || now || force)) {
    client.server.errorReply(client, ReplyError.SYNTAX);
    return;
  }
  if (abort) {
    client.server.errorReply(client, 'ERR No shutdown in progress.');
    return;
  }
  const error = client.server.shutdownFromCommand({ save, now, force });
  if (error) client.server.errorReply(client, error);
}

function slowlogGet(client: Client, argv: string[]): void {
  let count = 10;
  if (argv.length === 3) {
    const parsed = parseInt64(argv[2] ?? '');
    if (parsed === undefined || parsed < -1 || typeof parsed !== 'number') {
      client.server.errorReply(client, 'ERR count should be greater than or equal to -1');
      return;
    }
    count = parsed === -1 ? Infinity : parsed;
  }
  const entries = client.server.slowlog.slice(0, count);
  client.w.arrayHeader(entries.length);
  for (const entry of entries) {
    client.w.arrayHeader(6);
    client.w.integer(entry.id);
    client.w.integer(entry.time);
    client.w.integer(entry.microseconds);
    client.w.arrayHeader(entry.argv.length);
    for (const arg of entry.argv) client.w.bulk(arg);
    client.w.bulk(entry.peer);
    client.w.bulk(entry.name);
  }
}

/**
 * allowProtectedAction: whether enable-debug-command or enable-module-command (`directive`)
 * lets `client` run DEBUG or MODULE: yes, or local and it came from a loopback address or a
 * Unix socket (an internal client counts as local).
 */
export function protectedAllowed(client: Client, directive: string): boolean {
  const setting = client.server.config.string(directive);
  if (setting === 'yes') return true;
  if (setting !== 'local') return false;
  const conn = client.conn;
  return (
    conn === undefined ||
    conn.unix ||
    ['127.0.0.1', '::1', '::ffff:127.0.0.1'].includes(conn.remoteAddress)
  );
}

/** MODULE's subcommands the enable-module-command directive guards (CMD_PROTECTED). */
const PROTECTED_MODULE = new Set(['module|load', 'module|loadex', 'module|unload']);

/**
 * processCommand's CMD_PROTECTED check: the refusal of DEBUG or MODULE LOAD / LOADEX / UNLOAD
 * for `client`, or undefined when it may run `name` (a full command name).
 */
export function protectedRefusal(client: Client, name: string): string | undefined {
  if (name === 'debug')
    return protectedAllowed(client, 'enable-debug-command') ? undefined : ReplyError.DEBUG_DISABLED;
  if (PROTECTED_MODULE.has(name) && !protectedAllowed(client, 'enable-module-command'))
    return ReplyError.MODULE_DISABLED;
  return undefined;
}

/** The cell DEBUG SLEEP waits on (nothing ever notifies it). */
const SLEEP_CELL = new Int32Array(new SharedArrayBuffer(4));

function debug(client: Client, argv: string[]): void {
  if (!protectedAllowed(client, 'enable-debug-command')) {
    client.server.errorReply(client, ReplyError.DEBUG_DISABLED);
    return;
  }
  const sub = (argv[1] ?? '').toLowerCase();
  if (sub === 'sleep' && argv.length === 3) {
    // DEBUG SLEEP blocks the whole server, as redis-server's usleep: Atomics.wait suspends the
    // thread without spinning (an empty wait loop is code a bundler may drop as side-effect free)
    const milliseconds = Math.max(0, Number(argv[2]) * 1000);
    if (milliseconds > 0) Atomics.wait(SLEEP_CELL, 0, 0, milliseconds);
    client.w.ok();
  } else if (sub === 'object' && argv.length === 3) {
    // dictFind: not an access, no statistics, and a key past its TTL is still there
    const key = argv[2] ?? '';
    const value = client.db.find(key);
    if (value === undefined) {
      client.server.errorReply(client, ReplyError.NO_SUCH_KEY);
      return;
    }
    const encoding =
      typeof value === 'string' ? client.db.stringEncoding(key, value) : value.encoding();
    const length = serializedLength(client.server, value);
    let extra = '';
    if (value instanceof ListValue) {
      // the quicklist's own fields (debug.c)
      const counts = value.nodeCounts();
      const bytes = value.nodeBytes().reduce((sum, size) => sum + size, 0);
      const { fill, compress } = value.quicklistOptions;
      extra =
        ` ql_nodes:${counts.length} ql_avg_node:${(value.length / counts.length).toFixed(2)}` +
        ` ql_listpack_max:${fill} ql_compressed:${compress !== 0 ? 1 : 0}` +
        ` ql_uncompressed_size:${bytes}`;
    }
    client.w.simple(
      `Value at:0x0 refcount:${objectRefcount(client, key, value)} encoding:${encoding} serializedlength:${length} lru:${client.db.stampOf(key) ?? 0} lru_seconds_idle:${client.db.idleSeconds(key) ?? 0}${extra}`,
    );
  } else if (!debugIntrospection(client, argv)) debugSyntaxError(client, argv);
}

function memoryUsage(client: Client, argv: string[]): void {
  if (argv.length !== 3 && !(argv.length === 5 && is(argv[3], 'SAMPLES'))) {
    client.server.errorReply(client, ReplyError.SYNTAX);
    return;
  }
  const value = client.db.lookup(argv[2] ?? '');
  if (value === undefined) client.w.nil();
  else client.w.integer(estimateMemoryUsage(argv[2] ?? '', value));
}

/** COMMAND INFO entry for a command, with only the subcommands byor implements. */
function infoNode(command: Command): RespNode {
  const info = command.meta.info;
  if (!command.subcommands || info.t !== '*') return info;
  const items = [...info.v];
  items[9] = { t: '*', v: [...command.subcommands.values()].map((sub) => sub.meta.info) };
  return { t: '*', v: items };
}

function docsNode(command: Command): RespNode {
  const docs = command.meta.docs() ?? { t: '%', v: [] };
  if (!command.subcommands || docs.t !== '%') return docs;
  return {
    t: '%',
    v: docs.v.map(([k, v]): readonly [RespNode, RespNode] => {
      if (k.t === '$' && k.v === 'subcommands' && v.t === '%') {
        const names = new Set(
          [...(command.subcommands?.values() ?? [])].map((sub) => sub.meta.name),
        );
        return [k, { t: '%', v: v.v.filter(([name]) => name.t === '$' && names.has(name.v)) }];
      }
      return [k, v];
    }),
  };
}

function command(client: Client): void {
  const commands = client.server.commands();
  client.w.arrayHeader(commands.length);
  for (const cmd of commands)
    client.w.raw(Buffer.from(encodeResp(infoNode(cmd), client.resp), 'latin1'));
}

function commandCount(client: Client): void {
  client.w.integer(client.server.commands().length);
}

function commandInfo(client: Client, argv: string[]): void {
  const names = argv.length > 2 ? argv.slice(2) : client.server.commands().map((c) => c.meta.name);
  client.w.arrayHeader(names.length);
  for (const name of names) {
    const found = lookupFullName(client, name);
    if (found) client.w.raw(Buffer.from(encodeResp(infoNode(found), client.resp), 'latin1'));
    else client.w.nil();
  }
}

function lookupFullName(client: Client, name: string): Command | undefined {
  const [parent, sub] = name.toLowerCase().split('|');
  const command = client.server.command(parent ?? '');
  if (sub === undefined) return command;
  return command?.subcommands?.get(sub);
}

function commandDocs(client: Client, argv: string[]): void {
  const all = argv.length <= 2;
  const found = (all ? client.server.commands().map((c) => c.meta.name) : argv.slice(2))
    .map((name) => [name.toLowerCase(), lookupFullName(client, name)] as const)
    .filter((entry): entry is readonly [string, Command] => entry[1] !== undefined);
  client.w.mapHeader(found.length);
  for (const [name, cmd] of found) {
    client.w.bulk(name);
    client.w.raw(Buffer.from(encodeResp(docsNode(cmd), client.resp), 'latin1'));
  }
}

function commandList(client: Client, argv: string[]): void {
  let names: string[] = [];
  for (const cmd of client.server.commands()) {
    names.push(cmd.meta.name);
    for (const sub of cmd.subcommands?.values() ?? []) names.push(sub.meta.name);
  }
  if (argv.length === 5 && is(argv[2], 'FILTERBY')) {
    const kind = (argv[3] ?? '').toLowerCase();
    const value = argv[4] ?? '';
    if (kind === 'pattern') names = names.filter((name) => globMatch(value, name, true));
    else if (kind === 'aclcat') {
      const category = value.toLowerCase();
      names = names.filter((name) => {
        const info = lookupFullName(client, name)?.meta.info;
        const acl = info && info.t === '*' ? info.v[6] : undefined;
        return (
          acl !== undefined &&
          (acl.t === '~' || acl.t === '*') &&
          acl.v.some((c) => 'v' in c && c.v === `@${category}`)
        );
      });
    } else if (kind === 'module') names = [];
    else {
      client.server.errorReply(client, ReplyError.SYNTAX);
      return;
    }
  } else if (argv.length !== 2) {
    client.server.errorReply(client, ReplyError.SYNTAX);
    return;
  }
  client.w.arrayHeader(names.length);
  for (const name of names) client.w.bulk(name);
}

/**
 * COMMAND GETKEYS / GETKEYSANDFLAGS: the keys of a command line, found as redis-server finds them
 * (key specs, with its fallbacks). Undefined after an error reply.
 */
function keysOfCommandLine(client: Client, target: string[]): KeyReference[] | undefined {
  const server = client.server;
  let command = server.command(target[0] ?? '');
  if (command?.subcommands && target.length >= 2) {
    command = command.subcommands.get((target[1] ?? '').toLowerCase());
  }
  if (!command) {
    server.errorReply(client, 'ERR Invalid command specified');
    return undefined;
  }
  const meta = command.meta;
  if (!commandHasKeys(meta)) {
    server.errorReply(client, 'ERR The command has no key arguments');
    return undefined;
  }
  if (arityRefuses(meta.arity, target.length)) {
    server.errorReply(client, 'ERR Invalid number of arguments specified for command');
    return undefined;
  }
  const keys = commandKeys(meta, target);
  if (keys.length === 0 && !(meta.flags & CommandFlag.NO_MANDATORY_KEYS)) {
    server.errorReply(client, 'ERR Invalid arguments specified for command');
    return undefined;
  }
  return keys;
}

function commandGetkeys(client: Client, argv: string[]): void {
  const target = argv.slice(2);
  const keys = keysOfCommandLine(client, target);
  if (!keys) return;
  client.w.arrayHeader(keys.length);
  for (const key of keys) client.w.bulk(target[key.pos] ?? '');
}

function commandGetkeysandflags(client: Client, argv: string[]): void {
  const target = argv.slice(2);
  const keys = keysOfCommandLine(client, target);
  if (!keys) return;
  const w = client.w;
  w.arrayHeader(keys.length);
  for (const key of keys) {
    w.arrayHeader(2);
    w.bulk(target[key.pos] ?? '');
    w.setHeader(key.flags.length);
    for (const flag of key.flags) w.simple(flag);
  }
}

/** The HELP subcommand of a container command: redis-server's own text. */
export function helpHandler(help: RespNode): (client: Client) => void {
  return (client) => client.w.raw(Buffer.from(encodeResp(help, client.resp), 'latin1'));
}

export const adminCommands: HandlerTable = {
  'config|get': configGet,
  'config|set': configSet,
  'config|resetstat': configResetstat,
  'config|rewrite': configRewrite,
  info,
  time,
  lastsave,
  monitor,
  shutdown,
  'slowlog|get': slowlogGet,
  'slowlog|len': (client) => client.w.integer(client.server.slowlog.length),
  'slowlog|reset': (client) => {
    client.server.slowlog.length = 0;
    client.w.ok();
  },
  debug,
  'memory|usage': memoryUsage,
  command,
  'command|count': commandCount,
  'command|info': commandInfo,
  'command|docs': commandDocs,
  'command|list': commandList,
  'command|getkeys': commandGetkeys,
  'command|getkeysandflags': commandGetkeysandflags,
};
