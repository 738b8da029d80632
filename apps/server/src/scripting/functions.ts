import { performance } from 'node:perf_hooks';
import { splitArgs } from '@byor/protocol';
import { errorTable } from './convert.js';
import type { ScriptEngine } from './engine.js';
import { LuaError, LuaFunction, LuaKilled, LuaTable, type LuaValue } from './lua/value.js';
import { SCRIPT_FLAG_NAMES } from './scripts.js';

/** A function registered by a library (redis.register_function). */
export interface RegisteredFunction {
  readonly name: string;
  readonly fn: LuaFunction;
  readonly description: string | undefined;
  /** flag names, in the order given */
  readonly flags: readonly string[];
  readonly library: FunctionLibrary;
}

/** A library loaded with FUNCTION LOAD. */
export interface FunctionLibrary {
  readonly name: string;
  readonly code: string;
  readonly functions: Map<string, RegisteredFunction>;
}

const NAME = /^[A-Za-z0-9_]+$/;

/**
 * Function libraries (functions.c / function_lua.c): FUNCTION LOAD compiles a library and runs
 * it with a load-time `redis` table that only registers functions; FCALL finds them by name.
 */
export class FunctionRegistry {
  readonly libraries = new Map<string, FunctionLibrary>();
  /**
   * Every library's functions by lower-cased name: FCALL finds a function whatever the case
   * (functions.c's functionDictType compares names case-insensitively; a library's own names,
   * and library names, are case-sensitive).
   */
  readonly #functions = new Map<string, RegisteredFunction>();
  readonly #engine: ScriptEngine;

  constructor(engine: ScriptEngine) {
    this.#engine = engine;
  }

  /** FUNCTION LOAD: returns the library name, or the error reply text. */
  load(code: string, replace: boolean): { name: string } | string {
    // functionExtractLibMetaData, then the name's check, then the engine
    if (!code.startsWith('#!')) return 'ERR Missing library metadata';
    const end = code.indexOf('\n');
    if (end < 0) return 'ERR Invalid library metadata';
    const shebang = code.slice(0, end);
    const parts = splitArgs(Buffer.from(shebang, 'latin1'));
    if (parts === undefined || parts.length === 0) return 'ERR Invalid library metadata';
    const engineName = (parts[0] ?? '').slice(2);
    let name: string | undefined;
    for (const part of parts.slice(1)) {
      if (part.slice(0, 5).toLowerCase() === 'name=') {
        if (name !== undefined)
          return 'ERR Invalid metadata value, name argument was given multiple times';
        name = part.slice(5);
      } else return `ERR Invalid metadata value given: ${part}`;
    }
    if (name === undefined) return 'ERR Library name was not given';
    if (!NAME.test(name))
      return 'ERR Library names can only contain letters, numbers, or underscores(_) and must be at least one character long';
    if (engineName.toLowerCase() !== 'lua') return `ERR Engine '${engineName}' not found`;
    const existing = this.libraries.get(name);
    if (existing && !replace) return `ERR Library '${name}' already exists`;

    const lua = this.#engine.functionLua;
    const body = code.slice(shebang.length);
    const main = lua.load(body, '@user_function');
    if (typeof main === 'string') return `ERR Error compiling function: ${main}`;

    const library: FunctionLibrary = { name, code, functions: new Map() };
    const registerError = this.#run(lua.G, main, library);
    if (registerError !== undefined) return `ERR Error registering functions: ${registerError}`;
    if (library.functions.size === 0) return 'ERR No functions registered';
    for (const fname of library.functions.keys()) {
      const owner = this.find(fname);
      if (owner && owner.library.name !== name) return `ERR Function ${fname} already exists`;
    }
    if (existing) this.#remove(existing);
    this.#link(library);
    return { name };
  }

  /** The function FCALL `name` runs (any case), or undefined. */
  find(name: string): RegisteredFunction | undefined {
    return this.#functions.get(name.toLowerCase());
  }

  /** FUNCTION STATS' functions_count: the functions of every library. */
  get functionCount(): number {
    let count = 0;
    for (const library of this.libraries.values()) count += library.functions.size;
    return count;
  }

  /**
   * Adds `library` and its functions. Of two names of one library that differ only in case, FCALL
   * finds the one registered first.
   */
  #link(library: FunctionLibrary): void {
    this.libraries.set(library.name, library);
    for (const fn of library.functions.values()) {
      const key = fn.name.toLowerCase();
      if (!this.#functions.has(key)) this.#functions.set(key, fn);
    }
  }

  /** Runs a library's body with the load-time redis table; returns an error text or undefined. */
  #run(G: LuaTable, main: LuaFunction, library: FunctionLibrary): string | undefined {
    const lua = this.#engine.functionLua;
    const R = lua.R;
    const runtimeRedis = G.get('redis');
    const loadRedis = new LuaTable();
    const fail = (message: string): never => {
      throw new LuaError(errorTable(message), R.l);
    };
    // luaRegisterFunctionReadArgs: a string or a number is a string (lua_isstring)
    const text = (value: LuaValue): string | undefined =>
      typeof value === 'string'
        ? value
        : typeof value === 'number'
          ? lua.tostring(value)
          : undefined;
    let loading = true;
    loadRedis.set('register_function', (...args: LuaValue[]) => {
      if (!loading) fail('redis.register_function can only be called on FUNCTION LOAD command');
      let name: string | undefined;
      let callback: LuaFunction | undefined;
      let description: string | undefined;
      let flagBits = 0;
      if (args.length < 1 || args.length > 2)
        fail('wrong number of arguments to redis.register_function');
      if (args.length === 1) {
        const table = args[0];
        if (!(table instanceof LuaTable))
          fail(
            'calling redis.register_function with a single argument is only applicable to Lua table (representing named arguments).',
          );
        const named = table as LuaTable;
        const entries: [LuaValue, LuaValue][] = [
          ...named.arr.map((value, i): [LuaValue, LuaValue] => [i + 1, value]),
          ...named.hash,
        ];
        for (const [rawKey, value] of entries) {
          if (value === undefined) continue;
          const key = text(rawKey);
          if (key === undefined)
            fail('named argument key given to redis.register_function is not a string');
          const lower = (key as string).toLowerCase();
          if (lower === 'function_name') {
            name = text(value);
            if (name === undefined)
              fail('function_name argument given to redis.register_function must be a string');
          } else if (lower === 'description') {
            description = text(value);
            if (description === undefined)
              fail('description argument given to redis.register_function must be a string');
          } else if (lower === 'callback') {
            if (!(value instanceof LuaFunction))
              fail('callback argument given to redis.register_function must be a function');
            callback = value as LuaFunction;
          } else if (lower === 'flags') {
            if (!(value instanceof LuaTable))
              fail(
                'flags argument to redis.register_function must be a table representing function flags',
              );
            const flags = value as LuaTable;
            // luaRegisterFunctionReadFlags: flags[1], flags[2]... until nil, any case
            for (let i = 1; flags.get(i) !== undefined; i++) {
              const flag = text(flags.get(i));
              const bit = flag === undefined ? undefined : SCRIPT_FLAG_NAMES[flag.toLowerCase()];
              if (bit === undefined) fail('unknown flag given');
              flagBits |= bit as number;
            }
          } else fail('unknown argument given to redis.register_function');
        }
        if (name === undefined) fail('redis.register_function must get a function name argument');
        if (callback === undefined) fail('redis.register_function must get a callback argument');
      } else {
        name = text(args[0]);
        if (name === undefined) fail('first argument to redis.register_function must be a string');
        if (!(args[1] instanceof LuaFunction))
          fail('second argument to redis.register_function must be a function');
        callback = args[1] as LuaFunction;
      }
      const fname = name as string;
      if (!NAME.test(fname))
        // (redis-server 7.0 says "Library names" here too)
        fail(
          'Library names can only contain letters, numbers, or underscores(_) and must be at least one character long',
        );
      if (library.functions.has(fname)) fail('Function already exists in the library');
      library.functions.set(fname, {
        name: fname,
        fn: callback as LuaFunction,
        description,
        // FUNCTION LIST shows them in redis-server's order (scripts_flags_def), each once
        flags: Object.entries(SCRIPT_FLAG_NAMES)
          .filter(([, bit]) => flagBits & bit)
          .map(([flag]) => flag),
        library,
      });
      return [];
    });
    for (const key of [
      'log',
      'LOG_DEBUG',
      'LOG_VERBOSE',
      'LOG_NOTICE',
      'LOG_WARNING',
      'REDIS_VERSION',
      'REDIS_VERSION_NUM',
    ]) {
      if (runtimeRedis instanceof LuaTable) loadRedis.set(key, runtimeRedis.get(key));
    }
    loadRedis.readonly = true;
    loadRedis.metatable = G.metatable;
    // luaEngineCreate: while the library's body runs, the globals are the load API alone (any
    // other name is a nonexistent global variable); the functions it registers see them all
    const globals = [...G.hash];
    G.hash.clear();
    G.hash.set('redis', loadRedis);
    const savedHook = R.hook;
    const started = performance.now();
    R.hook = () => {
      R.b = 1000;
      // a library's body must not run forever: FUNCTION LOAD has a 500 ms budget
      if (performance.now() - started > 500) throw new LuaKilled('FUNCTION LOAD timeout');
      return false;
    };
    try {
      lua.callSync(main, []);
      return undefined;
    } catch (error) {
      if (error instanceof LuaKilled) return 'FUNCTION LOAD timeout';
      if (error instanceof LuaError) {
        const value = error.value;
        if (value instanceof LuaTable) {
          const err = value.get('err');
          return typeof err === 'string' ? err : 'unknown error';
        }
        return `ERR ${lua.tostring(value)}`;
      }
      throw error;
    } finally {
      loading = false;
      R.hook = savedHook;
      G.hash.clear();
      for (const [key, value] of globals) G.hash.set(key, value);
    }
  }

  #remove(library: FunctionLibrary): void {
    for (const fname of library.functions.keys()) {
      const key = fname.toLowerCase();
      if (this.#functions.get(key)?.library === library) this.#functions.delete(key);
    }
    this.libraries.delete(library.name);
  }

  /** FUNCTION DELETE: false when there is no such library. */
  delete(name: string): boolean {
    const library = this.libraries.get(name);
    if (!library) return false;
    this.#remove(library);
    return true;
  }

  /**
   * FUNCTION RESTORE (libraryJoin): adds every library of `source`, a registry a payload was
   * loaded into. Without `replace` a library that exists fails the whole restore; with it, the
   * old library goes. A function name held by a library that stays fails it too. Returns the
   * error reply text, or undefined when every library was added. O(libraries + functions).
   */
  join(source: FunctionRegistry, replace: boolean): string | undefined {
    const replaced = new Set<FunctionLibrary>();
    for (const library of source.libraries.values()) {
      const old = this.libraries.get(library.name);
      if (old === undefined) continue;
      if (!replace) return `ERR Library ${library.name} already exists`;
      replaced.add(old);
    }
    for (const fn of source.#functions.values()) {
      const owner = this.find(fn.name);
      if (owner && !replaced.has(owner.library)) return `ERR Function ${fn.name} already exists`;
    }
    for (const old of replaced) this.#remove(old);
    for (const library of source.libraries.values()) this.#link(library);
    return undefined;
  }

  /** A registry of the same engine with nothing loaded (FUNCTION RESTORE loads into one first). */
  empty(): FunctionRegistry {
    return new FunctionRegistry(this.#engine);
  }

  /** FUNCTION FLUSH */
  flush(): void {
    this.libraries.clear();
    this.#functions.clear();
  }
}
