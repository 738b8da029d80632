import { compileLua } from './compiler.js';
import { LuaSyntaxError } from './lexer.js';
import { createHelpers, Runtime, type Helpers } from './runtime.js';
import { baseLibrary, rawToString } from './lib/base.js';
import { mathLibrary } from './lib/math.js';
import { stringLibrary } from './lib/string.js';
import { tableLibrary } from './lib/table.js';
import type { LuaFunction } from './value.js';
import {
  CoroutineYield,
  LuaTable,
  PreemptSignal,
  type LuaResults,
  type LuaValue,
} from './value.js';

type ChunkFactory = (R: Runtime, H: Helpers, G: LuaTable) => LuaFunction;

/**
 * A Lua 5.1 interpreter: the globals, the standard libraries Redis loads (base, coroutine,
 * string, table, math) and a compiler from Lua source to JavaScript generator functions.
 *
 * @example
 * const lua = new LuaInterpreter();
 * const main = lua.load('return 1 + 1', '@user_script');
 * lua.callSync(main as LuaFunction, []); // [2]
 */
export class LuaInterpreter {
  readonly R = new Runtime();
  readonly H: Helpers;
  readonly G = new LuaTable();
  /** compiled chunks by source and name: loading the same code again reuses the JS function */
  readonly #factories = new Map<string, ChunkFactory>();

  constructor() {
    this.H = createHelpers(this.R);
    const host = {
      R: this.R,
      H: this.H,
      load: (source: string, chunkName: string) => this.load(source, chunkName),
      tostring: (value: LuaValue) => this.tostring(value),
    };
    baseLibrary(host, this.G);
    const string = stringLibrary(host, this.G);
    tableLibrary(host, this.G);
    mathLibrary(host, this.G);
    const meta = new LuaTable();
    meta.set('__index', string);
    this.R.stringMeta = meta;
  }

  /**
   * Compiles a chunk. `chunkName` follows Lua: "@user_script" names errors "user_script:1:",
   * anything else is shown as [string "..."]. Returns the main function, or Lua's syntax error
   * message. O(n) in the source length (cached by source).
   */
  load(source: string, chunkName: string): LuaFunction | string {
    const shown =
      chunkName.startsWith('@') || chunkName.startsWith('=') ? chunkName.slice(1) : chunkName;
    const cacheKey = `${shown}\0${source}`;
    let factory = this.#factories.get(cacheKey);
    if (factory === undefined) {
      let js: string;
      try {
        js = compileLua(source, shown).source;
      } catch (error) {
        if (error instanceof LuaSyntaxError) return error.message;
        throw error;
      }
      // compiled Lua runs as generated JavaScript: that is the point of this compiler
      try {
        // eslint-disable-next-line @typescript-eslint/no-implied-eval
        factory = new Function('R', 'H', 'G', js) as ChunkFactory;
      } catch (error) {
        // a compiler bug, not the script's: report it as a syntax error rather than fail
        return `${shown}:0: internal compiler error (${(error as Error).message})`;
      }
      if (this.#factories.size > 1000) this.#factories.clear();
      this.#factories.set(cacheKey, factory);
    }
    return factory(this.R, this.H, this.G);
  }

  /** Calls a function to completion (preemption requests are ignored). */
  callSync(fn: LuaValue, args: LuaValue[]): LuaResults {
    return this.H.callSync(fn, args);
  }

  /**
   * Starts a call that may be suspended: step() runs it until it ends (returns its results) or
   * the hook asks for a pause (returns undefined; call step() again later).
   */
  start(fn: LuaFunction, args: LuaValue[]): { step(): LuaResults | undefined } {
    const generator = fn.g(...args);
    const R = this.R;
    return {
      step(): LuaResults | undefined {
        const result = generator.next();
        if (result.done) return result.value;
        if (result.value instanceof PreemptSignal) return undefined;
        if (result.value instanceof CoroutineYield)
          throw R.error('attempt to yield from outside a coroutine');
        return undefined;
      },
    };
  }

  /** tostring(), with __tostring. */
  tostring(value: LuaValue): string {
    const handler = this.H.metamethod(value, '__tostring');
    if (handler !== undefined) {
      const result = this.H.callSync(handler, [value])[0];
      if (typeof result !== 'string' && typeof result !== 'number')
        throw this.R.error("'__tostring' must return a string");
      return rawToString(result);
    }
    return rawToString(value);
  }
}
