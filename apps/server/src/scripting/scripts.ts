import type { LuaFunction } from './lua/value.js';
import type { ScriptEngine } from './engine.js';
import { sha1hex } from './redis-lib.js';

/** Flags a script declares in its `#!lua flags=...` shebang. */
export const ScriptFlag = {
  NO_WRITES: 1 << 0,
  ALLOW_OOM: 1 << 1,
  ALLOW_STALE: 1 << 2,
  NO_CLUSTER: 1 << 3,
  ALLOW_CROSS_SLOT_KEYS: 1 << 4,
} as const;

/** Flag names as shebangs and register_function spell them. */
export const SCRIPT_FLAG_NAMES: Readonly<Record<string, number>> = {
  'no-writes': ScriptFlag.NO_WRITES,
  'allow-oom': ScriptFlag.ALLOW_OOM,
  'allow-stale': ScriptFlag.ALLOW_STALE,
  'no-cluster': ScriptFlag.NO_CLUSTER,
  'allow-cross-slot-keys': ScriptFlag.ALLOW_CROSS_SLOT_KEYS,
};

/** A cached EVAL script. */
export interface EvalScript {
  readonly sha: string;
  readonly body: string;
  readonly fn: LuaFunction;
  /** ScriptFlag bits from the shebang; undefined without one */
  readonly flags: number | undefined;
}

/**
 * Parses a `#!lua flags=a,b` shebang: [flags, length of the shebang line] or an error text.
 * Scripts without a shebang return [undefined, 0].
 */
export function parseShebang(body: string): [number | undefined, number] | string {
  if (!body.startsWith('#!')) return [undefined, 0];
  const end = body.indexOf('\n');
  const line = end < 0 ? body : body.slice(0, end);
  const parts = line.split(' ').filter((part) => part !== '');
  if (parts[0] !== '#!lua') return `ERR Unexpected engine in script shebang: ${parts[0] ?? ''}`;
  let flags = 0;
  for (const part of parts.slice(1)) {
    if (!part.startsWith('flags=')) return `ERR Unknown lua shebang option: ${part}`;
    for (const name of part.slice(6).split(',')) {
      if (name === '') continue;
      const bit = SCRIPT_FLAG_NAMES[name];
      if (bit === undefined) return `ERR Unexpected flag in script shebang: ${name}`;
      flags |= bit;
    }
  }
  return [flags, line.length];
}

/** The EVAL script cache (SCRIPT LOAD / EXISTS / FLUSH): sha1 of the body -> compiled script. */
export class ScriptCache {
  readonly #scripts = new Map<string, EvalScript>();
  readonly #engine: ScriptEngine;
  /** bytes of script bodies (INFO used_memory_scripts_eval) */
  bodyBytes = 0;

  constructor(engine: ScriptEngine) {
    this.#engine = engine;
  }

  get size(): number {
    return this.#scripts.size;
  }

  get(sha: string): EvalScript | undefined {
    return this.#scripts.get(sha.toLowerCase());
  }

  /** Compiles and caches a body; returns the script or the error reply text. O(body). */
  add(body: string, sha = sha1hex(body)): EvalScript | string {
    const cached = this.#scripts.get(sha);
    if (cached) return cached;
    const shebang = parseShebang(body);
    if (typeof shebang === 'string') return shebang;
    const [flags, skip] = shebang;
    // the shebang line is not Lua; its newline stays so line numbers match the body
    const source = skip > 0 ? body.slice(skip) : body;
    const fn = this.#engine.evalLua.load(source, '@user_script');
    if (typeof fn === 'string') return `ERR Error compiling script (new function): ${fn}`;
    const script: EvalScript = { sha, body, fn, flags };
    this.#scripts.set(sha, script);
    this.bodyBytes += body.length;
    return script;
  }

  flush(): void {
    this.#scripts.clear();
    this.bodyBytes = 0;
  }
}
