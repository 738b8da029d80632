import { performance } from 'node:perf_hooks';
import { RespWriter } from '@byor/protocol';
import type { Client } from '../client.js';
import { arityRefuses, CommandFlag } from '../commands/spec.js';
import type { Command } from '../commands/types.js';
import { sanitize } from '../errors.js';
import type { Server } from '../server.js';
import { alreadyCounted, writeLuaReply } from './convert.js';
import { LuaInterpreter } from './lua/interpreter.js';
import { bitLibrary } from './lua/lib/bit.js';
import { cjsonLibrary } from './lua/lib/cjson.js';
import { cmsgpackLibrary } from './lua/lib/cmsgpack.js';
import { structLibrary } from './lua/lib/struct.js';
import type { LuaFunction } from './lua/value.js';
import {
  LuaError,
  LuaKilled,
  LuaTable,
  formatNumber,
  type LuaResults,
  type LuaValue,
} from './lua/value.js';
import { FunctionRegistry } from './functions.js';
import { redisLibrary, type ScriptCallContext } from './redis-lib.js';
import { ScriptCache } from './scripts.js';

/** Replies of the scripting engine, each written once (redis-server 7.0's texts). */
export const BusyError = {
  EVAL: 'BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.',
  FUNCTION:
    'BUSY Redis is busy running a script. You can only call FUNCTION KILL or SHUTDOWN NOSAVE.',
  NOTBUSY: 'NOTBUSY No scripts in execution right now.',
  UNKILLABLE:
    'UNKILLABLE Sorry the script already executed write commands against the dataset. You can either wait the script termination or kill the server in a hard way using the SHUTDOWN NOSAVE command.',
  KILLED: 'Script killed by user with SCRIPT KILL...',
} as const;

/** Version 7.0.15 as redis.REDIS_VERSION_NUM reports it (0x00MMmmpp). */
function versionNumber(version: string): number {
  const [major = 0, minor = 0, patch = 0] = version.split('.').map(Number);
  return (major << 16) | (minor << 8) | patch;
}

/** One script run: EVAL's body or a function, its caller and its state. */
export class ScriptRun implements ScriptCallContext {
  wrote = false;
  resp: 2 | 3 = 2;
  replication = 3;
  killed = false;
  /** the threshold passed: other clients are answered BUSY while it runs in slices */
  busy = false;
  readonly startedAt: number;
  sliceStartedAt = 0;
  /** where the count hook last ran (the line SCRIPT KILL reports) */
  line = 0;
  /** the EVAL, FCALL... running it (its failure is counted when its error was counted before) */
  readonly command: Command | undefined;
  /** its arguments (FUNCTION STATS shows them) */
  readonly argv: readonly string[];
  constructor(
    readonly engine: ScriptEngine,
    readonly caller: Client,
    readonly scriptClient: Client,
    readonly lua: LuaInterpreter,
    /** EVAL: the sha; FCALL: the function name */
    readonly name: string,
    readonly isEval: boolean,
    readonly readOnly: boolean,
    /** may be suspended (not inside MULTI/EXEC, not for an internal caller) */
    readonly yieldable: boolean,
    /** the keys the EVAL or FCALL declared (client tracking remembers them on a read) */
    readonly keys: readonly string[],
    /** declared allow-oom */
    readonly allowOom = false,
  ) {
    this.startedAt = performance.now();
    this.command = engine.server.currentCommand;
    this.argv = engine.server.currentArgv;
  }
}

const engines = new WeakMap<Server, ScriptEngine>();

/** Slice length once a script is busy: it yields to the event loop this often. */
const SLICE_MS = 10;

/**
 * The scripting engine of one server: the Lua interpreters (one for EVAL scripts, one for
 * function libraries, as redis-server keeps two), running scripts atomically, and the
 * busy-script protocol.
 *
 * A script runs synchronously: nothing else runs in between. Past `busy-reply-threshold` ms
 * (lua-time-limit) the count hook suspends it (compiled Lua functions are generators) and the
 * engine resumes it in slices of {@link SLICE_MS} ms from the event loop; in between, other clients'
 * commands are answered BUSY (except SCRIPT KILL, FUNCTION KILL, SHUTDOWN NOSAVE and the other
 * allow-busy commands), the caller's connection is paused, and active expiry is off.
 */
export class ScriptEngine {
  readonly server: Server;
  readonly evalLua: LuaInterpreter;
  readonly functionLua: LuaInterpreter;
  /** the script client commands of scripts run as (redis-server's lua_client) */
  readonly scriptClient: Client;
  /** EVAL scripts by sha1 */
  readonly scripts: ScriptCache;
  /** FUNCTION libraries */
  readonly functions: FunctionRegistry;
  #run: ScriptRun | undefined = undefined;
  readonly #busyHook = (client: Client, argv: string[]): string | undefined =>
    this.#rejectWhileBusy(client, argv);
  #savedActiveExpire = true;
  readonly #writer = new RespWriter(1024);

  private constructor(server: Server) {
    this.server = server;
    this.scriptClient = server.createClient(undefined);
    this.scriptClient.w = this.#writer;
    this.scriptClient.denyBlocking = true;
    this.scriptClient.name = '';
    this.evalLua = this.#createInterpreter('user_script');
    this.functionLua = this.#createInterpreter('user_function');
    this.scripts = new ScriptCache(this);
    this.functions = new FunctionRegistry(this);
  }

  /** The engine of a server (created on first use). */
  static of(server: Server): ScriptEngine {
    let engine = engines.get(server);
    if (!engine) {
      engine = new ScriptEngine(server);
      engines.set(server, engine);
    }
    return engine;
  }

  /** The engine of a server if one was created (no scripts, no functions otherwise). */
  static existing(server: Server): ScriptEngine | undefined {
    return engines.get(server);
  }

  /** The running script, if any (busy or not). */
  get running(): ScriptRun | undefined {
    return this.#run;
  }

  /** A fresh interpreter with Redis's libraries and its protected globals. */
  #createInterpreter(chunk: string): LuaInterpreter {
    const lua = new LuaInterpreter();
    lua.R.chunk = chunk;
    const G = lua.G;
    G.set('cjson', cjsonLibrary(lua));
    G.set('cmsgpack', cmsgpackLibrary(lua));
    G.set('bit', bitLibrary(lua));
    G.set('struct', structLibrary(lua));
    const server = this.server;
    G.set(
      'redis',
      redisLibrary({
        lua,
        current: () => this.#run,
        execute: (context, command, argv) => this.#execute(context, command, argv),
        lookup: (argv) => server.lookupCommand(argv),
        writeRefusal: () => server.writeRefusal(),
        outOfMemory: () =>
          server.eviction.maxmemory !== 0 &&
          server.eviction.outOfMemory &&
          !server.runningMasterCommand,
        rejected: (message, command) => server.scriptCallRejected(message, command),
        log: (level, message) => {
          const logger = server.logger;
          if (level === 0) logger.debug(message);
          else if (level === 1) logger.verbose(message);
          else if (level === 2) logger.notice(message);
          else logger.warning(message);
        },
        noscriptAllowed: () => server.scriptNoscriptAllowed,
        version: server.redisVersion,
        versionNum: versionNumber(server.redisVersion),
      }),
    );
    // Redis 7 locks the globals and every library table; reading a missing global is an error
    for (const name of [
      'string',
      'table',
      'math',
      'coroutine',
      'cjson',
      'cmsgpack',
      'bit',
      'struct',
      'redis',
    ]) {
      const lib = G.get(name);
      if (lib instanceof LuaTable) lib.readonly = true;
    }
    if (lua.R.stringMeta) lua.R.stringMeta.readonly = true;
    const meta = new LuaTable();
    meta.set('__index', (...args: LuaValue[]) => {
      const key = args[1];
      const name =
        typeof key === 'string' ? key : typeof key === 'number' ? formatNumber(key) : '?';
      throw lua.R.error(`Script attempted to access nonexistent global variable '${name}'`);
    });
    meta.readonly = true;
    G.metatable = meta;
    G.readonly = true;
    return lua;
  }

  /** Runs one command for the script client and returns its reply as latin1 text. */
  #execute(context: ScriptCallContext, command: Command, argv: string[]): string {
    const client = context.scriptClient;
    const writer = this.#writer;
    writer.reset();
    writer.protocol = context.resp;
    client.resp = context.resp;
    const hooks = this.server.hooks;
    const propagate = hooks.propagate;
    // redis.set_repl(redis.REPL_NONE): the script's writes are not propagated
    if (context.replication === 0) hooks.propagate = undefined;
    try {
      this.server.call(client, command, argv);
    } finally {
      hooks.propagate = propagate;
    }
    const view = writer.view();
    const text = view.toString('latin1');
    writer.reset();
    return text;
  }

  /**
   * Runs a compiled script or function for `caller` and writes its reply (now, or once a busy
   * script ends). `globals` are set before the run (KEYS, ARGV for EVAL).
   */
  run(
    caller: Client,
    lua: LuaInterpreter,
    fn: LuaFunction,
    args: LuaValue[],
    options: {
      name: string;
      isEval: boolean;
      readOnly: boolean;
      keys: readonly string[];
      /** the script declared allow-oom */
      allowOom?: boolean;
      globals?: [string, LuaValue][];
    },
  ): void {
    const server = this.server;
    const yieldable =
      caller.conn !== undefined && !caller.denyBlocking && caller.multi === undefined;
    const scriptClient = this.scriptClient;
    scriptClient.db = caller.db;
    scriptClient.resp = 2;
    scriptClient.authenticated = true;
    const run = new ScriptRun(
      this,
      caller,
      scriptClient,
      lua,
      options.name,
      options.isEval,
      options.readOnly,
      yieldable,
      options.keys,
      options.allowOom ?? false,
    );
    const R = lua.R;
    if (options.globals) for (const [name, value] of options.globals) lua.G.set(name, value);
    this.#run = run;
    const threshold = server.config.number('busy-reply-threshold');
    R.hook = (line) => {
      R.b = 1000;
      run.line = line;
      if (run.killed) throw new LuaKilled(BusyError.KILLED);
      const now = performance.now();
      if (!run.busy) {
        if (threshold <= 0 || now - run.startedAt < threshold) return false;
        if (!run.yieldable) return false;
        return true;
      }
      return now - run.sliceStartedAt >= SLICE_MS;
    };
    R.b = 1000;
    R.l = 0;
    const savedNoYield = R.noYield;
    R.noYield = yieldable ? 0 : 1;
    // the script's writes are one unit, even when it yields and ends in a later turn
    server.beginPropagationUnit();
    let stepper: { step(): LuaResults | undefined };
    try {
      stepper = lua.start(fn, args);
    } catch (error) {
      R.noYield = savedNoYield;
      this.#finish(run, undefined, error);
      return;
    }
    const step = (): boolean => {
      let results: LuaResults | undefined;
      try {
        results = stepper.step();
      } catch (error) {
        this.#finish(run, undefined, error);
        return true;
      }
      if (results === undefined) return false;
      this.#finish(run, results, undefined);
      return true;
    };
    const done = step();
    R.noYield = savedNoYield;
    if (done) return;
    // the script passed the threshold: answer BUSY to others while it runs in slices
    this.#enterBusy(run);
    const resume = (): void => {
      if (this.#run !== run) return;
      run.sliceStartedAt = performance.now();
      if (!step()) setImmediate(resume);
    };
    setImmediate(resume);
  }

  #enterBusy(run: ScriptRun): void {
    const server = this.server;
    run.busy = true;
    server.logger.warning(
      `Slow script detected: still in execution after ${Math.round(performance.now() - run.startedAt)} milliseconds. ` +
        `You can try killing the script using the ${run.isEval ? 'SCRIPT KILL' : 'FUNCTION KILL'} command. Script name is: ${run.isEval ? `f_${run.name}` : run.name}.`,
    );
    run.caller.conn?.pause();
    server.hooks.beforeCommand.push(this.#busyHook);
    this.#savedActiveExpire = server.activeExpireEnabled;
    server.activeExpireEnabled = false;
  }

  #leaveBusy(): void {
    const server = this.server;
    const hooks = server.hooks.beforeCommand;
    const at = hooks.indexOf(this.#busyHook);
    if (at >= 0) hooks.splice(at, 1);
    server.activeExpireEnabled = this.#savedActiveExpire;
  }

  /** processCommand's check while a script is busy. */
  #rejectWhileBusy(client: Client, argv: string[]): string | undefined {
    const run = this.#run;
    if (!run?.busy || client === run.caller) return undefined;
    // (an unknown command or subcommand gets the usual error)
    const target = this.server.lookupCommand(argv);
    if (target === undefined) return undefined;
    if (arityRefuses(target.meta.arity, argv.length)) return undefined;
    const text = run.isEval ? BusyError.EVAL : BusyError.FUNCTION;
    if (target.meta.flags & CommandFlag.ALLOW_BUSY) {
      if (target.meta.name !== 'shutdown') return undefined;
      if (argv.some((arg, i) => i > 0 && arg.toLowerCase() === 'nosave')) return undefined;
    }
    if (client.multi) {
      // rejectCommand: a refused EXEC aborts the transaction, naming the reason
      if (target.meta.name === 'exec') {
        client.multi = undefined;
        this.server.unwatchAll(client);
        return `EXECABORT Transaction discarded because of: ${text}`;
      }
      client.multi.dirty = true;
    }
    return text;
  }

  /** Ends a run: writes the reply (now or out of band) and clears the busy state. */
  #finish(run: ScriptRun, results: LuaResults | undefined, error: unknown): void {
    const server = this.server;
    const caller = run.caller;
    this.#run = undefined;
    run.lua.R.hook = () => {
      run.lua.R.b = 1000;
      return false;
    };
    server.endPropagationUnit();
    // an error counted where it arose (a command's the script raised or returned) is not
    // counted again; the EVAL or FCALL still failed
    const reply = (text: string, counted: boolean): void => {
      if (counted) server.errorReplyCounted(caller, text, run.command);
      else server.errorReply(caller, text);
    };
    const write = (): void => {
      if (results !== undefined) {
        writeLuaReply(caller.w, results[0], run.resp, reply);
        return;
      }
      reply(this.#errorText(run, error), error instanceof LuaError && alreadyCounted(error.value));
    };
    if (!run.busy) {
      write();
      return;
    }
    this.#leaveBusy();
    server.replyOutOfBand(caller, write);
    caller.conn?.resume();
  }

  /** The error reply of a failed run, as luaCallFunction formats it. */
  #errorText(run: ScriptRun, error: unknown): string {
    const source = run.isEval ? '@user_script' : '@user_function';
    let value: LuaValue;
    let line: number;
    if (error instanceof LuaError) {
      value = error.value;
      line = error.line;
    } else if (error instanceof LuaKilled) {
      value = error.message;
      line = run.line || 1;
    } else if (error instanceof RangeError) {
      value = `${run.lua.R.chunk}:${run.lua.R.l}: stack overflow`;
      line = run.lua.R.l;
    } else {
      this.server.logger.warning(
        `Internal error in script: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
      );
      return `ERR Error running script ${run.isEval ? `f_${run.name}` : run.name}, internal error`;
    }
    let message: string;
    if (value instanceof LuaTable) {
      const err = value.get('err');
      message =
        typeof err === 'string' ? err : typeof err === 'number' ? formatNumber(err) : '(null)';
    } else {
      let text: string;
      try {
        text = run.lua.tostring(value);
      } catch {
        text = 'nil';
      }
      message = `ERR ${text}`;
    }
    return sanitize(`${message} script: ${run.name}, on ${source}:${line}.`);
  }

  /** SCRIPT KILL (`isEval`) or FUNCTION KILL: writes the reply. */
  kill(client: Client, isEval: boolean): void {
    const server = this.server;
    const run = this.#run;
    if (!run || run.caller === client) {
      server.errorReply(client, BusyError.NOTBUSY);
      return;
    }
    if (run.wrote) {
      server.errorReply(client, BusyError.UNKILLABLE);
      return;
    }
    if (isEval && !run.isEval) {
      server.errorReply(client, BusyError.FUNCTION);
      return;
    }
    if (!isEval && run.isEval) {
      server.errorReply(client, BusyError.EVAL);
      return;
    }
    run.killed = true;
    client.w.ok();
  }
}
