import { createHash } from 'node:crypto';
import type { Client } from '../client.js';
import { arityRefuses, CommandFlag } from '../commands/spec.js';
import { scriptCommandAllowed, scriptPermissionError } from '../acl/acl.js';
import type { Command } from '../commands/types.js';
import { OOM_ERROR } from '../eviction.js';
import { countedErrorTable, errorTable, ReplyReader } from './convert.js';
import type { LuaInterpreter } from './lua/interpreter.js';
import {
  LuaError,
  LuaTable,
  formatG,
  formatNumber,
  type LuaResults,
  type LuaValue,
  type NativeFunction,
} from './lua/value.js';

/** Error texts of the redis library (script_lua.c), each written once. */
export const ScriptError = {
  NO_ARGS: 'Please specify at least one argument for this redis lib call',
  BAD_ARG_TYPE: 'Lua redis lib command arguments must be strings or integers',
  UNKNOWN_COMMAND: 'Unknown Redis command called from script',
  WRONG_ARITY: 'Wrong number of args calling Redis command from script',
  NOSCRIPT: 'This Redis command is not allowed from script',
  READ_ONLY: 'Write commands are not allowed from read-only scripts.',
  WRONG_ARGS: 'wrong number of arguments',
  RESP_VERSION: 'RESP version must be 2 or 3.',
  SETRESP_ARGS: 'redis.setresp() requires one argument.',
  LOG_ARGS: 'redis.log() requires two arguments or more.',
  LOG_LEVEL_TYPE: 'First argument must be a number (log level).',
  LOG_LEVEL: 'Invalid debug level.',
  SET_REPL_ARGS: 'redis.set_repl() requires two arguments.',
  SET_REPL_FLAGS: 'Invalid replication flags. Use REPL_AOF, REPL_REPLICA, REPL_ALL or REPL_NONE.',
  ACL_CHECK: 'Invalid command passed to redis.acl_check_cmd()',
  REGISTER_ONLY_AT_LOAD: 'redis.register_function can only be called on FUNCTION LOAD command',
} as const;

/** The script being run, as the redis library sees it. */
export interface ScriptCallContext {
  /** the internal client commands run as */
  readonly scriptClient: Client;
  /** EVAL_RO, FCALL_RO or the no-writes flag */
  readonly readOnly: boolean;
  /** set once a write command was called (SCRIPT KILL then answers UNKILLABLE) */
  wrote: boolean;
  /** redis.setresp */
  resp: 2 | 3;
  /** redis.set_repl */
  replication: number;
  /** declared allow-oom: denyoom commands run whatever the memory */
  readonly allowOom: boolean;
}

/** What the redis library needs from the scripting engine. */
export interface RedisLibHost {
  readonly lua: LuaInterpreter;
  /** the running script, or undefined (at FUNCTION LOAD time) */
  current(): ScriptCallContext | undefined;
  /** runs a checked command for the script client; returns the reply text */
  execute(context: ScriptCallContext, command: Command, argv: string[]): string;
  lookup(argv: readonly string[]): Command | undefined;
  /** why a write may not run now (Server.writeRefusal) */
  writeRefusal(): string | undefined;
  /**
   * scriptVerifyOOM's server side: maxmemory is set, the command that started the script found
   * memory over it (pre_command_oom_state), and no master's command runs it
   */
  outOfMemory(): boolean;
  /** a command the script called was refused (Server.scriptCallRejected) */
  rejected(message: string, command: Command | undefined): void;
  log(level: number, message: string): void;
  /** DEBUG SET-DISABLE-DENY-SCRIPTS: commands flagged noscript may be called too */
  noscriptAllowed(): boolean;
  readonly version: string;
  readonly versionNum: number;
}

const REPL_AOF = 1;
const REPL_REPLICA = 2;

/** SHA1 in lowercase hex of latin1 text (script ids, redis.sha1hex). */
export function sha1hex(text: string): string {
  return createHash('sha1').update(Buffer.from(text, 'latin1')).digest('hex');
}

/** Raises an error table as luaPushError + luaError do. */
function raise(message: string, line: number): never {
  throw new LuaError(errorTable(message), line);
}

/**
 * Builds the `redis` table: call, pcall, error_reply, status_reply, sha1hex, log, setresp,
 * set_repl, replicate_commands, breakpoint, debug, acl_check_cmd and the constants.
 */
export function redisLibrary(host: RedisLibHost): LuaTable {
  const { R } = host.lua;
  const lib = new LuaTable();
  const set = (name: string, fn: NativeFunction): void => lib.set(name, fn);
  const reader = new ReplyReader();

  const command = (raiseError: boolean, args: LuaValue[]): LuaResults => {
    const line = R.l;
    const context = host.current();
    if (args.length === 0) raise(ScriptError.NO_ARGS, line);
    const argv: string[] = new Array<string>(args.length);
    for (let i = 0; i < args.length; i++) {
      const arg = args[i];
      if (typeof arg === 'string') argv[i] = arg;
      else if (typeof arg === 'number') argv[i] = formatG(arg, 17, false);
      else raise(ScriptError.BAD_ARG_TYPE, line);
    }
    if (context === undefined) raise('ERR redis.call is not allowed from this context', line);
    const cmd = host.lookup(argv);
    // scriptCall's refusals: counted now (and as a rejected call of the command), not again
    // when the script's reply is the error
    const failure = (message: string): LuaResults => {
      host.rejected(message, cmd);
      const table = countedErrorTable(message);
      if (raiseError) throw new LuaError(table, line);
      return [table];
    };
    if (cmd === undefined) return failure(ScriptError.UNKNOWN_COMMAND);
    if (arityRefuses(cmd.meta.arity, argv.length)) return failure(ScriptError.WRONG_ARITY);
    const flags = cmd.meta.flags;
    if (flags & CommandFlag.NOSCRIPT && !host.noscriptAllowed())
      return failure(ScriptError.NOSCRIPT);
    const denied = scriptPermissionError(
      context.scriptClient,
      (context as { caller?: Client }).caller,
      cmd,
      argv,
    );
    if (denied !== undefined) return failure(denied);
    // scriptVerifyWriteCommandAllow: a may-replicate command (PUBLISH, PFCOUNT) counts as a write
    if (context.readOnly && flags & (CommandFlag.WRITE | CommandFlag.MAY_REPLICATE))
      return failure(ScriptError.READ_ONLY);
    if (flags & CommandFlag.WRITE) {
      // scriptVerifyWriteCommandAllow: a read-only replica, not enough good replicas
      const refusal = host.writeRefusal();
      if (refusal !== undefined) return failure(`-${refusal}`);
    }
    // scriptVerifyOOM: over maxmemory, a command that may grow memory is refused until the
    // script's first write (after it, stopping halfway would break the script's atomicity)
    if (flags & CommandFlag.DENYOOM && !context.wrote && !context.allowOom && host.outOfMemory())
      return failure(`-${OOM_ERROR}`);
    if (flags & CommandFlag.WRITE) context.wrote = true;
    const text = host.execute(context, cmd, argv);
    const value = reader.read(text);
    if (raiseError && value instanceof LuaTable && typeof value.hash.get('err') === 'string')
      throw new LuaError(value, line);
    return [value];
  };

  set('call', (...args) => command(true, args));
  set('pcall', (...args) => command(false, args));

  set('error_reply', (...args) => {
    const text = args[0];
    if (args.length !== 1 || typeof text !== 'string') raise(ScriptError.WRONG_ARGS, R.l);
    return [errorTable(text.startsWith('-') ? text : `-${text}`)];
  });
  set('status_reply', (...args) => {
    const text = args[0];
    if (args.length !== 1 || (typeof text !== 'string' && typeof text !== 'number'))
      raise(ScriptError.WRONG_ARGS, R.l);
    const table = new LuaTable();
    table.set('ok', typeof text === 'number' ? formatNumber(text) : text);
    return [table];
  });
  set('sha1hex', (...args) => {
    const text = args[0];
    if (args.length !== 1) raise(ScriptError.WRONG_ARGS, R.l);
    const input =
      typeof text === 'string' ? text : typeof text === 'number' ? formatNumber(text) : '';
    return [sha1hex(input)];
  });
  set('log', (...args) => {
    if (args.length < 2) raise(ScriptError.LOG_ARGS, R.l);
    const level = args[0];
    if (typeof level !== 'number') raise(ScriptError.LOG_LEVEL_TYPE, R.l);
    if (level < 0 || level > 3) raise(ScriptError.LOG_LEVEL, R.l);
    const parts: string[] = [];
    for (let i = 1; i < args.length; i++) {
      const part = args[i];
      if (typeof part === 'string') parts.push(part);
      else if (typeof part === 'number') parts.push(formatNumber(part));
    }
    host.log(Math.trunc(level), parts.join(' '));
    return [];
  });
  set('setresp', (...args) => {
    if (args.length !== 1) raise(ScriptError.SETRESP_ARGS, R.l);
    const version = args[0];
    if (version !== 2 && version !== 3) raise(ScriptError.RESP_VERSION, R.l);
    const context = host.current();
    if (context) context.resp = version;
    return [];
  });
  set('set_repl', (...args) => {
    if (args.length !== 1) raise(ScriptError.SET_REPL_ARGS, R.l);
    const flags = args[0];
    if (typeof flags !== 'number' || (flags & ~(REPL_AOF | REPL_REPLICA)) !== 0)
      raise(ScriptError.SET_REPL_FLAGS, R.l);
    const context = host.current();
    if (context) context.replication = flags;
    return [];
  });
  set('replicate_commands', () => [true]);
  set('breakpoint', () => [false]);
  set('debug', () => []);
  set('acl_check_cmd', (...args) => {
    if (args.length === 0) raise(ScriptError.NO_ARGS, R.l);
    const argv = args.map((arg) =>
      typeof arg === 'number' ? formatNumber(arg) : typeof arg === 'string' ? arg : '',
    );
    const cmd = host.lookup(argv);
    if (cmd === undefined) raise(ScriptError.ACL_CHECK, R.l);
    const context = host.current();
    const caller = (context as { caller?: Client } | undefined)?.caller;
    return [!context || scriptCommandAllowed(context.scriptClient, caller, cmd, argv)];
  });
  lib.set('LOG_DEBUG', 0);
  lib.set('LOG_VERBOSE', 1);
  lib.set('LOG_NOTICE', 2);
  lib.set('LOG_WARNING', 3);
  lib.set('REPL_NONE', 0);
  lib.set('REPL_AOF', REPL_AOF);
  lib.set('REPL_SLAVE', REPL_REPLICA);
  lib.set('REPL_REPLICA', REPL_REPLICA);
  lib.set('REPL_ALL', REPL_AOF | REPL_REPLICA);
  lib.set('REDIS_VERSION', host.version);
  lib.set('REDIS_VERSION_NUM', host.versionNum);
  return lib;
}
