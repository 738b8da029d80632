import type { Client } from '../client.js';
import type { Server } from '../server.js';
import { ReplyError, subcommandSyntaxError } from '../errors.js';
import { ScriptEngine } from '../scripting/engine.js';
import { LuaTable } from '../scripting/lua/value.js';
import { SCRIPT_FLAG_NAMES, ScriptFlag } from '../scripting/scripts.js';
import { globMatch } from '../util/glob.js';
import { parseInt64 } from '../util/numbers.js';
import { LAZYFREE_THRESHOLD } from '../lazyfree.js';
import type { HandlerTable } from './types.js';

/**
 * Scripting commands (eval.c, functions.c): EVAL, EVALSHA, EVAL_RO, EVALSHA_RO, SCRIPT
 * LOAD/EXISTS/FLUSH/KILL, FUNCTION LOAD/LIST/DELETE/FLUSH/STATS/KILL/DUMP/RESTORE, FCALL and
 * FCALL_RO. The Lua engine lives in src/scripting.
 */
export const ScriptingReply = {
  KEYS_NEGATIVE: "ERR Number of keys can't be negative",
  KEYS_TOO_MANY: "ERR Number of keys can't be greater than number of args",
  BAD_NUMKEYS: 'ERR Bad number of keys provided',
  NOSCRIPT: 'NOSCRIPT No matching script. Please use EVAL.',
  RO_WRITE_FLAG: 'ERR Can not execute a script with write flag using *_ro command.',
  FUNCTION_NOT_FOUND: 'ERR Function not found',
  LIBRARY_NOT_FOUND: 'ERR Library not found',
  SCRIPT_FLUSH_OPTION: 'ERR SCRIPT FLUSH only support SYNC|ASYNC option',
  FUNCTION_FLUSH_OPTION: 'ERR FUNCTION FLUSH only supports SYNC|ASYNC option',
} as const;

/** KEYS/ARGV tables from argv[from..]. */
function stringTable(argv: readonly string[], from: number, to: number): LuaTable {
  return new LuaTable(argv.slice(from, to));
}

/** numkeys of EVAL/FCALL; undefined when an error was replied. */
function numKeysArg(client: Client, argv: string[], badNumber: string): number | undefined {
  const value = parseInt64(argv[2] ?? '');
  if (value === undefined) {
    client.server.errorReply(client, badNumber);
    return undefined;
  }
  if (value > argv.length - 3) {
    client.server.errorReply(client, ScriptingReply.KEYS_TOO_MANY);
    return undefined;
  }
  if (value < 0) {
    client.server.errorReply(client, ScriptingReply.KEYS_NEGATIVE);
    return undefined;
  }
  return Number(value);
}

function evalGeneric(
  client: Client,
  argv: string[],
  bySha: boolean,
  readOnlyCommand: boolean,
): void {
  const server = client.server;
  const numKeys = numKeysArg(client, argv, ReplyError.NOT_INTEGER);
  if (numKeys === undefined) return;
  const engine = ScriptEngine.of(server);
  const body = argv[1] ?? '';
  let script;
  if (bySha) {
    script = body.length === 40 ? engine.scripts.get(body) : undefined;
    if (!script) {
      server.errorReply(client, ScriptingReply.NOSCRIPT);
      return;
    }
  } else {
    const added = engine.scripts.add(body);
    if (typeof added === 'string') {
      server.errorReply(client, added);
      return;
    }
    script = added;
  }
  const flags = script.flags;
  if (
    flags !== undefined &&
    !(flags & ScriptFlag.NO_WRITES) &&
    !mayRunWrites(client, readOnlyCommand)
  )
    return;
  const readOnly = readOnlyCommand || (flags !== undefined && (flags & ScriptFlag.NO_WRITES) !== 0);
  engine.run(client, engine.evalLua, script.fn, [], {
    name: script.sha,
    isEval: true,
    readOnly,
    keys: argv.slice(3, 3 + numKeys),
    allowOom: flags !== undefined && (flags & ScriptFlag.ALLOW_OOM) !== 0,
    globals: [
      ['KEYS', stringTable(argv, 3, 3 + numKeys)],
      ['ARGV', stringTable(argv, 3 + numKeys, argv.length)],
    ],
  });
}

/**
 * scriptPrepareForRun for a script that may write (flags without no-writes, or a function): not
 * on a read-only replica, not with a *_RO command, not without enough good replicas. False when
 * an error was replied.
 */
function mayRunWrites(client: Client, readOnlyCommand: boolean): boolean {
  const server = client.server;
  const refusal = server.writeRefusal();
  if (refusal?.startsWith('READONLY')) {
    server.errorReply(client, 'READONLY Can not run script with write flag on readonly replica');
    return false;
  }
  if (readOnlyCommand) {
    server.errorReply(client, ScriptingReply.RO_WRITE_FLAG);
    return false;
  }
  if (refusal !== undefined) {
    server.errorReply(client, refusal);
    return false;
  }
  return true;
}

/** What a script's declared flags make of its command (scriptFlagsToCmdFlags). */
export interface ScriptCommandFlags {
  /** CMD_WRITE: unless no-writes */
  readonly writes: boolean;
  /** CMD_DENYOOM: unless no-writes or allow-oom */
  readonly denyOom: boolean;
}

/**
 * evalGetCommandFlags / fcallGetCommandFlags: what the flags a script declares (a shebang's, a
 * function's) make of its command. Undefined when it declares none (EVAL without a shebang, a
 * script or function not found) or `name` is no script command: the command's own flags apply.
 */
export function scriptCommandFlags(
  server: Server,
  name: string,
  argv: string[],
): ScriptCommandFlags | undefined {
  let bits: number;
  if (name === 'fcall' || name === 'fcall_ro') {
    const fn = ScriptEngine.of(server).functions.find(argv[1] ?? '');
    if (fn === undefined) return undefined;
    bits = 0;
    for (const flag of fn.flags) bits |= SCRIPT_FLAG_NAMES[flag] ?? 0;
  } else if (name === 'eval' || name === 'eval_ro' || name === 'evalsha' || name === 'evalsha_ro') {
    const scripts = ScriptEngine.of(server).scripts;
    const body = argv[1] ?? '';
    const script = name.startsWith('evalsha') ? scripts.get(body) : scripts.add(body);
    if (script === undefined || typeof script === 'string' || script.flags === undefined)
      return undefined;
    bits = script.flags;
  } else return undefined;
  return {
    writes: (bits & ScriptFlag.NO_WRITES) === 0,
    denyOom: (bits & (ScriptFlag.NO_WRITES | ScriptFlag.ALLOW_OOM)) === 0,
  };
}

function fcallGeneric(client: Client, argv: string[], readOnlyCommand: boolean): void {
  const server = client.server;
  const engine = ScriptEngine.of(server);
  const fn = engine.functions.find(argv[1] ?? '');
  if (!fn) {
    server.errorReply(client, ScriptingReply.FUNCTION_NOT_FOUND);
    return;
  }
  const numKeys = numKeysArg(client, argv, ScriptingReply.BAD_NUMKEYS);
  if (numKeys === undefined) return;
  const noWrites = fn.flags.includes('no-writes');
  if (!noWrites && !mayRunWrites(client, readOnlyCommand)) return;
  engine.run(
    client,
    engine.functionLua,
    fn.fn,
    [stringTable(argv, 3, 3 + numKeys), stringTable(argv, 3 + numKeys, argv.length)],
    {
      name: fn.name,
      isEval: false,
      readOnly: readOnlyCommand || noWrites,
      keys: argv.slice(3, 3 + numKeys),
      allowOom: fn.flags.includes('allow-oom'),
    },
  );
}

function scriptLoad(client: Client, argv: string[]): void {
  const added = ScriptEngine.of(client.server).scripts.add(argv[2] ?? '');
  if (typeof added === 'string') client.server.errorReply(client, added);
  else client.w.bulk(added.sha);
}

function scriptExists(client: Client, argv: string[]): void {
  const scripts = ScriptEngine.of(client.server).scripts;
  client.w.arrayHeader(argv.length - 2);
  for (let i = 2; i < argv.length; i++) client.w.integer(scripts.get(argv[i] ?? '') ? 1 : 0);
}

/**
 * SYNC|ASYNC argument of SCRIPT FLUSH / FUNCTION FLUSH, or nothing for what
 * lazyfree-lazy-user-flush says: whether redis-server would free in the background, undefined
 * when an error was replied.
 */
function flushMode(client: Client, argv: string[], error: string): boolean | undefined {
  if (argv.length === 2) return client.server.config.bool('lazyfree-lazy-user-flush');
  const mode = (argv[2] ?? '').toLowerCase();
  if (argv.length === 3 && (mode === 'sync' || mode === 'async')) return mode === 'async';
  client.server.errorReply(client, error);
  return undefined;
}

/** freeLuaScriptsAsync / freeFunctionsAsync: a flush of more than the threshold is lazy. */
function countLazyFlush(client: Client, async: boolean, entries: number): void {
  if (async && entries > LAZYFREE_THRESHOLD) client.server.stats.lazyfreedObjects += entries;
}

function scriptFlush(client: Client, argv: string[]): void {
  const async = flushMode(client, argv, ScriptingReply.SCRIPT_FLUSH_OPTION);
  if (async === undefined) return;
  const scripts = ScriptEngine.of(client.server).scripts;
  countLazyFlush(client, async, scripts.size);
  scripts.flush();
  client.w.ok();
}

function scriptKill(client: Client): void {
  ScriptEngine.of(client.server).kill(client, true);
}

function scriptDebug(client: Client, argv: string[]): void {
  const mode = (argv[2] ?? '').toLowerCase();
  if (mode === 'no') client.w.ok();
  else if (mode === 'yes' || mode === 'sync')
    client.server.errorReply(client, 'ERR The Lua debugger is not available in byor');
  else client.server.errorReply(client, 'ERR Use SCRIPT DEBUG YES/SYNC/NO');
}

function functionLoad(client: Client, argv: string[]): void {
  let replace = false;
  let i = 2;
  for (; i < argv.length - 1; i++) {
    if ((argv[i] ?? '').toLowerCase() === 'replace') replace = true;
    else {
      client.server.errorReply(client, `ERR Unknown option given: ${argv[i] ?? ''}`);
      return;
    }
  }
  if (i !== argv.length - 1) {
    client.server.errorReply(client, 'ERR Function code is missing');
    return;
  }
  const result = ScriptEngine.of(client.server).functions.load(argv[i] ?? '', replace);
  if (typeof result === 'string') client.server.errorReply(client, result);
  else {
    client.server.stats.dirty++;
    client.w.bulk(result.name);
  }
}

function functionDelete(client: Client, argv: string[]): void {
  if (!ScriptEngine.of(client.server).functions.delete(argv[2] ?? '')) {
    client.server.errorReply(client, ScriptingReply.LIBRARY_NOT_FOUND);
    return;
  }
  client.server.stats.dirty++;
  client.w.ok();
}

function functionFlush(client: Client, argv: string[]): void {
  // functionFlushCommand: more than one argument is addReplySubcommandSyntaxError
  if (argv.length > 3) {
    client.server.errorReply(client, subcommandSyntaxError(argv));
    return;
  }
  const async = flushMode(client, argv, ScriptingReply.FUNCTION_FLUSH_OPTION);
  if (async === undefined) return;
  const functions = ScriptEngine.of(client.server).functions;
  countLazyFlush(client, async, functions.functionCount);
  functions.flush();
  client.server.stats.dirty++;
  client.w.ok();
}

function functionKill(client: Client): void {
  ScriptEngine.of(client.server).kill(client, false);
}

function functionList(client: Client, argv: string[]): void {
  let withCode = false;
  let pattern: string | undefined;
  for (let i = 2; i < argv.length; i++) {
    const arg = (argv[i] ?? '').toLowerCase();
    if (arg === 'withcode' && !withCode) withCode = true;
    else if (arg === 'libraryname' && pattern === undefined) {
      if (i + 1 >= argv.length) {
        client.server.errorReply(client, 'ERR library name argument was not given');
        return;
      }
      pattern = argv[++i];
    } else {
      client.server.errorReply(client, `ERR Unknown argument ${argv[i] ?? ''}`);
      return;
    }
  }
  const w = client.w;
  const libraries = [...ScriptEngine.of(client.server).functions.libraries.values()].filter(
    (library) => pattern === undefined || globMatch(pattern, library.name),
  );
  w.arrayHeader(libraries.length);
  for (const library of libraries) {
    w.mapHeader(withCode ? 4 : 3);
    w.bulk('library_name');
    w.bulk(library.name);
    w.bulk('engine');
    w.bulk('LUA');
    w.bulk('functions');
    w.arrayHeader(library.functions.size);
    for (const fn of library.functions.values()) {
      w.mapHeader(3);
      w.bulk('name');
      w.bulk(fn.name);
      w.bulk('description');
      if (fn.description === undefined) w.nil();
      else w.bulk(fn.description);
      w.bulk('flags');
      w.setHeader(fn.flags.length);
      for (const flag of fn.flags) w.simple(flag);
    }
    if (withCode) {
      w.bulk('library_code');
      w.bulk(library.code);
    }
  }
}

function functionStats(client: Client): void {
  const engine = ScriptEngine.of(client.server);
  const run = engine.running;
  if (run?.busy && run.isEval) {
    client.server.errorReply(
      client,
      'BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.',
    );
    return;
  }
  const w = client.w;
  w.mapHeader(2);
  w.bulk('running_script');
  if (run && !run.isEval) {
    w.mapHeader(3);
    w.bulk('name');
    w.bulk(run.name);
    w.bulk('command');
    w.arrayHeader(run.argv.length);
    for (const arg of run.argv) w.bulk(arg);
    w.bulk('duration_ms');
    w.integer(Math.round(performance.now() - run.startedAt));
  } else w.nil();
  w.bulk('engines');
  w.mapHeader(1);
  w.bulk('LUA');
  w.mapHeader(2);
  w.bulk('libraries_count');
  w.integer(engine.functions.libraries.size);
  w.bulk('functions_count');
  w.integer(engine.functions.functionCount);
}

export const scriptingCommands: HandlerTable = {
  eval: (client, argv) => evalGeneric(client, argv, false, false),
  evalsha: (client, argv) => evalGeneric(client, argv, true, false),
  eval_ro: (client, argv) => evalGeneric(client, argv, false, true),
  evalsha_ro: (client, argv) => evalGeneric(client, argv, true, true),
  fcall: (client, argv) => fcallGeneric(client, argv, false),
  fcall_ro: (client, argv) => fcallGeneric(client, argv, true),
  'script|load': scriptLoad,
  'script|exists': scriptExists,
  'script|flush': scriptFlush,
  'script|kill': scriptKill,
  'script|debug': scriptDebug,
  'function|load': functionLoad,
  'function|delete': functionDelete,
  'function|flush': functionFlush,
  'function|kill': functionKill,
  'function|list': functionList,
  'function|stats': functionStats,
};
