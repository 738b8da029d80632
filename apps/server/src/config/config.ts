import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ConfigError } from '../errors.js';
import { commandMetaTable } from '../commands/byor-meta.js';
import { sdsRepr } from '../util/repr.js';
import { strerror } from '../util/strerror.js';
import { globMatch } from '../util/glob.js';
import { splitArgs } from '@byor/protocol';
import {
  BYOR_DEFAULTS,
  REDIS_DEFAULTS,
  HIDDEN_DEFAULTS,
  isHiddenDirective,
  isProtectedDirective,
  directive,
  directiveNames,
  formatNotifyFlags,
  validate,
  type DirectiveSpec,
} from './directives.js';

/** Output-buffer limits of one client class (client-output-buffer-limit), in bytes and seconds. */
export interface BufferLimit {
  hard: number;
  soft: number;
  softSeconds: number;
}

/**
 * The server's configuration: redis.conf directives by name, with redis-server's parsing,
 * CONFIG GET / SET semantics and error texts. Values are kept as the canonical text CONFIG GET
 * prints; typed getters read the ones the server acts on.
 */
export class Config {
  readonly #values = new Map<string, string>();
  readonly #listeners = new Map<string, ((value: string) => void)[]>();
  /** directives that appeared in the configuration but have no effect in byor yet */
  readonly unimplemented = new Set<string>();
  /** `user` directives, each the username followed by its ACL rules, in file order */
  readonly users: string[][] = [];
  /** the config file this server was started with (CONFIG REWRITE writes it back) */
  configFile: string | undefined;

  constructor() {
    for (const name of directiveNames()) {
      const spec = directive(name);
      if (!spec || spec.aliasOf) continue;
      const value = BYOR_DEFAULTS[name] ?? REDIS_DEFAULTS[name] ?? HIDDEN_DEFAULTS[name] ?? '';
      this.#values.set(
        name,
        name === 'dir'
          ? process.cwd()
          : name === 'client-output-buffer-limit'
            ? defaultBufferLimits()
            : value,
      );
    }
  }

  /**
   * Reads redis-server style arguments: `[configfile] [--directive value ...] [-]`.
   * Throws ConfigError with redis-server's message for anything it would refuse.
   */
  static fromArgv(argv: readonly string[], stdin?: () => string): Config {
    const config = new Config();
    let text = '';
    let i = 0;
    if (argv[0] !== undefined && !argv[0].startsWith('-')) {
      config.configFile = resolve(argv[0]);
      text += readConfigFiles(argv[0]);
      i = 1;
    }
    // redis-server's main(): the options become lines appended to the file's text, each
    // argument quoted as sdscatrepr quotes it (so error messages show `maxclients "abc"` on the
    // line number redis-server gives); `-` first or last reads stdin; an option name is only one
    // after a value (or a name holding its value, "--port 6380"): `--maxmemory --port` makes
    // "--port" maxmemory's value, as there
    let fromStdin = false;
    let options = '';
    let handledLast = true;
    for (; i < argv.length; i++) {
      const arg = argv[i] ?? '';
      if (arg === '-' && (i === 0 || i === argv.length - 1)) {
        fromStdin = true;
      } else if (handledLast && arg.startsWith('--')) {
        if (options.length) options += '\n';
        options += `${arg.slice(2)} `;
        const words = splitArgs(Buffer.from(arg, 'utf8'));
        if (words !== undefined && words.length === 1) {
          handledLast = false;
          // `--save` followed by another option, or last: save ""
          const next = argv[i + 1];
          if (arg.toLowerCase() === '--save' && (next === undefined || next.startsWith('--'))) {
            options += '""';
            handledLast = next !== undefined;
          }
        } else {
          handledLast = true;
        }
      } else {
        options += `${quoteForConfig(arg)} `;
        handledLast = true;
      }
    }
    if (fromStdin) text += stdin ? stdin() : readFileSync(0, 'latin1');
    config.load(`${text}\n${options}`);
    return config;
  }

  /** Applies redis.conf text; throws ConfigError naming the offending line, as redis-server does. */
  load(text: string, includeDepth = 0): void {
    const lines = text.split('\n');
    lines.forEach((rawLine, index) => {
      const line = rawLine.trim();
      if (line.length === 0 || line.startsWith('#')) return;
      const fail = (reason: string): never => {
        throw new ConfigError(
          `\n*** FATAL CONFIG FILE ERROR (Redis ${REDIS_VERSION_FOR_MESSAGES}) ***\nReading the configuration file, at line ${index + 1}\n>>> '${line}'\n${reason}`,
        );
      };
      const args = splitArgs(Buffer.from(line, 'latin1'));
      if (!args) return fail('Unbalanced quotes in configuration line');
      if (args.length === 0) return;
      const name = (args[0] ?? '').toLowerCase();
      const values = args.slice(1);
      if (name === 'include') {
        if (values.length !== 1) return fail('wrong number of arguments');
        if (includeDepth > 16) return fail('too many nested includes');
        this.load(readConfigFiles(values[0] ?? ''), includeDepth + 1);
        return;
      }
      const spec = directive(name);
      if (!spec) return fail('Bad directive or wrong number of arguments');
      if (values.length === 0 && spec.kind !== 'special') return fail('wrong number of arguments');
      // a directive of one value takes one argument (redis-server: argc != 2)
      const canonical = spec.aliasOf ?? spec.name;
      if (
        (values.length > 1 && !MULTI_ARGUMENT.has(canonical)) ||
        (canonical === 'oom-score-adj-values' && values.length !== 3)
      )
        return fail('wrong number of arguments');
      if (!spec.implemented) this.unimplemented.add(spec.aliasOf ?? spec.name);
      if (spec.name === 'user') {
        // applied when the server's ACLs are set up (src/acl), as redis-server's UsersToLoad
        this.users.push([...values]);
        return;
      }
      if (spec.name === 'rename-command') {
        if (values.length !== 2) return fail('Bad directive or wrong number of arguments');
        const refusal = this.#renameCommand(values[0] ?? '', values[1] ?? '');
        if (refusal !== undefined) return fail(refusal);
        return;
      }
      if (spec.kind === 'special' && !spec.parse && spec.name !== 'dir') {
        return; // file-only directives byor does not act on (loadmodule, sentinel): warned above
      }
      const result = this.#apply(spec, values, name === 'save' ? 'append' : 'replace');
      if ('error' in result) fail(result.error);
    });
  }

  /**
   * `rename-command <name> <new name>` in file order: the server's command table answers to the
   * new name instead (an empty one removes the command), as redis-server's does; ACL rules,
   * COMMAND LIST and INFO commandstats keep the original names.
   */
  readonly renamedCommands: [from: string, to: string][] = [];
  /** the command names as the renames so far leave them (lower case), made on the first */
  #commandNames: Set<string> | undefined;

  /** Checks and records one rename-command; returns redis-server's error text for a bad one. */
  #renameCommand(from: string, to: string): string | undefined {
    const names = (this.#commandNames ??= new Set(commandMetaTable().keys()));
    if (!names.delete(from.toLowerCase())) return 'No such command in rename-command';
    if (to !== '') {
      if (names.has(to.toLowerCase())) return 'Target command name already exists';
      names.add(to.toLowerCase());
    }
    this.renamedCommands.push([from.toLowerCase(), to.toLowerCase()]);
    return undefined;
  }

  #apply(
    spec: DirectiveSpec,
    args: readonly string[],
    mode: 'append' | 'replace',
  ): { value: string } | { error: string } {
    const result = validate(spec, args);
    if ('error' in result) return result;
    const name = spec.aliasOf ?? spec.name;
    let value = result.value;
    if (name === 'dir') {
      try {
        process.chdir(value);
      } catch (error) {
        // strerror's text, as redis-server's chdir failure
        const code = (error as NodeJS.ErrnoException).code;
        return { error: strerror(code, 'No such file or directory') };
      }
      value = process.cwd();
    }
    if (mode === 'append' && name === 'save' && this.#saveLinesSeen && value !== '') {
      const previous = this.#values.get('save') ?? '';
      value = previous ? `${previous} ${value}` : value;
    }
    if (name === 'save') this.#saveLinesSeen = true;
    if (name === 'client-output-buffer-limit') {
      // classes not named keep their current limits
      value = JSON.stringify({
        ...(JSON.parse(this.#values.get(name) ?? '{}') as object),
        ...(JSON.parse(value) as object),
      });
    }
    this.#set(name, value);
    return { value };
  }

  /** Stores a directive's value and tells its listeners. */
  #set(name: string, value: string): void {
    this.#values.set(name, value);
    this.#numbers.delete(name);
    for (const listener of this.#listeners.get(name) ?? []) listener(value);
  }
  #saveLinesSeen = false;

  /** The canonical text of a directive (aliases resolved), or undefined when unknown. */
  get(name: string): string | undefined {
    const spec = directive(name);
    if (!spec) return undefined;
    const value = this.#values.get(spec.aliasOf ?? spec.name);
    if (value === undefined) return undefined;
    return displayed(spec.aliasOf ?? spec.name, value);
  }

  /** CONFIG GET: every name matching any of the patterns, aliases included, as [name, value] pairs. */
  match(patterns: readonly string[]): [string, string][] {
    const out: [string, string][] = [];
    const seen = new Set<string>();
    for (const pattern of patterns) {
      const exact = directive(pattern);
      if (exact && !/[*?[]/.test(pattern)) {
        // an exact name is echoed as the client spelled it (CONFIG GET MAXMEMORY -> "MAXMEMORY")
        const name = pattern.toLowerCase();
        if (!seen.has(name) && this.get(name) !== undefined) {
          seen.add(name);
          out.push([pattern, this.get(name) ?? '']);
        }
        continue;
      }
      for (const name of directiveNames()) {
        if (seen.has(name) || isHiddenDirective(name) || !globMatch(pattern, name, true)) continue;
        const value = this.get(name);
        if (value === undefined) continue;
        seen.add(name);
        out.push([name, value]);
      }
    }
    return out;
  }

  /**
   * CONFIG SET with several name/value pairs, all or nothing. Returns undefined on success or the
   * full error reply text. As redis-server's configSetCommand: the names are checked first
   * (unknown, duplicate, immutable, protected: the first of these errors is the reply), then the
   * values. `allowProtected`: whether this client may set the protected directives (`dir`,
   * `dbfilename`: enable-protected-configs).
   */
  setMany(
    pairs: readonly (readonly [string, string])[],
    allowProtected = true,
  ): string | undefined {
    const seen = new Set<string>();
    const planned: [DirectiveSpec, string][] = [];
    const failed = (name: string, reason: string) =>
      `ERR CONFIG SET failed (possibly related to argument '${name}') - ${reason}`;
    let refusal: string | undefined;
    for (const [rawName, value] of pairs) {
      const spec = directive(rawName);
      if (!spec || (spec.kind === 'special' && !spec.parse && spec.name !== 'dir')) {
        refusal ??= `ERR Unknown option or number of arguments for CONFIG SET - '${rawName}'`;
        continue;
      }
      const canonical = spec.aliasOf ?? spec.name;
      if (seen.has(canonical)) refusal ??= failed(rawName, 'duplicate parameter');
      seen.add(canonical);
      if (!spec.mutable) refusal ??= failed(rawName, "can't set immutable config");
      else if (!allowProtected && isProtectedDirective(spec))
        refusal ??= failed(rawName, "can't set protected config");
      planned.push([spec, value]);
    }
    if (refusal !== undefined) return refusal;
    for (const [spec, value] of planned) {
      const result = validate(spec, [value]);
      if ('error' in result) return failed(spec.name, result.error);
    }
    const backup = new Map<string, string>();
    for (const [spec] of planned) {
      const name = spec.aliasOf ?? spec.name;
      backup.set(name, this.#values.get(name) ?? '');
    }
    for (const [spec, value] of planned) {
      const result = this.#apply(spec, [value], 'replace');
      if ('error' in result) {
        for (const [name, before] of backup) this.#restore(name, before);
        return failed(spec.name, result.error);
      }
    }
    // the apply steps of the directives whose value changed, each once, in the order registered
    const changed = [...backup].filter(([name, before]) => this.#values.get(name) !== before);
    for (const { names, apply } of this.#appliers) {
      const setting = changed.find(([name]) => names.includes(name))?.[0];
      if (setting === undefined) continue;
      const error = apply(setting);
      if (error === undefined) continue;
      // restoreBackupConfig: every value this CONFIG SET set goes back
      for (const [name, before] of backup) this.#restore(name, before);
      return failed(setting, error);
    }
    return undefined;
  }

  /** Puts a directive's stored value back as it was (its listeners told). */
  #restore(name: string, value: string): void {
    if (this.#values.get(name) === value) return;
    if (name === 'dir') process.chdir(value);
    this.#set(name, value);
  }

  readonly #appliers: {
    names: readonly string[];
    apply: (setting: string) => string | undefined;
  }[] = [];

  /**
   * A step CONFIG SET runs once it has set a new value of one of `names` (once per CONFIG SET,
   * however many of them it changes): redis-server's apply functions, which may still refuse
   * the change (binding a new port). `apply` gets the directive it runs for and returns why it
   * refuses, or undefined; on a refusal every value that CONFIG SET set is restored.
   */
  onApply(names: readonly string[], apply: (setting: string) => string | undefined): void {
    this.#appliers.push({ names, apply });
  }

  /** Calls `listener` with the new value whenever the directive changes (start-up and CONFIG SET). */
  onChange(name: string, listener: (value: string) => void): void {
    const list = this.#listeners.get(name) ?? [];
    list.push(listener);
    this.#listeners.set(name, list);
  }

  /** Sets a directive from code (startServer options); throws ConfigError when invalid. */
  setFromCode(name: string, value: string): void {
    const spec = directive(name);
    if (!spec) throw new ConfigError(`Unknown configuration directive '${name}'`);
    if (!spec.implemented) this.unimplemented.add(spec.aliasOf ?? spec.name);
    const result = this.#apply(spec, [value], 'replace');
    if ('error' in result) throw new ConfigError(`Invalid value for '${name}': ${result.error}`);
  }

  /** Directive values changed from their defaults, for CONFIG REWRITE. */
  changed(): [string, string][] {
    const out: [string, string][] = [];
    for (const [name, value] of this.#values) {
      const base =
        name === 'dir'
          ? undefined
          : (BYOR_DEFAULTS[name] ?? REDIS_DEFAULTS[name] ?? HIDDEN_DEFAULTS[name]);
      if (name === 'client-output-buffer-limit') {
        if (formatBufferLimits(value) !== formatBufferLimits(defaultBufferLimits()))
          out.push([name, formatBufferLimits(value)]);
      } else if (value !== base) {
        out.push([name, displayed(name, value)]);
      }
    }
    return out;
  }

  number(name: string): number {
    // read on hot paths (ZADD reads two limits per call): parsed once per value
    let value = this.#numbers.get(name);
    if (value === undefined) {
      value = Number(this.#values.get(name) ?? 0);
      this.#numbers.set(name, value);
    }
    return value;
  }
  /** number() results, dropped when the directive is set */
  readonly #numbers = new Map<string, number>();
  bool(name: string): boolean {
    return this.#values.get(name) === 'yes';
  }
  string(name: string): string {
    return this.#values.get(name) ?? '';
  }
  /** client-output-buffer-limit for one class */
  bufferLimit(clientClass: 'normal' | 'replica' | 'pubsub'): BufferLimit {
    const parsed = JSON.parse(
      this.#values.get('client-output-buffer-limit') ?? defaultBufferLimits(),
    ) as Record<string, StoredBufferLimit>;
    const defaults = JSON.parse(defaultBufferLimits()) as Record<string, StoredBufferLimit>;
    const [hard, soft, softSeconds] = parsed[clientClass] ?? defaults[clientClass] ?? [0, 0, 0];
    return { hard: Number(hard), soft: Number(soft), softSeconds };
  }
}

const REDIS_VERSION_FOR_MESSAGES = '7.0.15';

/** How CONFIG GET and CONFIG REWRITE show a stored value. */
function displayed(name: string, value: string): string {
  if (name === 'client-output-buffer-limit') return formatBufferLimits(value);
  if (name === 'notify-keyspace-events') return formatNotifyFlags(value);
  // kept as a number (the socket's mode), shown in octal as redis-server shows it
  if (name === 'unixsocketperm') return Number(value).toString(8);
  return value;
}

function defaultBufferLimits(): string {
  return JSON.stringify({
    normal: [0, 0, 0],
    replica: [268435456, 67108864, 60],
    pubsub: [33554432, 8388608, 60],
  });
}

/** One class's stored limits: hard and soft bytes (decimal text past 2^53), soft seconds. */
type StoredBufferLimit = [number | string, number | string, number];

function formatBufferLimits(stored: string): string {
  const parsed = JSON.parse(stored) as Record<string, StoredBufferLimit>;
  const defaults = JSON.parse(defaultBufferLimits()) as Record<string, StoredBufferLimit>;
  const merged = { ...defaults, ...parsed };
  return ['normal', 'replica', 'pubsub']
    .map(
      (name) => `${name === 'replica' ? 'slave' : name} ${(merged[name] ?? [0, 0, 0]).join(' ')}`,
    )
    .join(' ');
}

/** A path or path component with glob(3)'s special characters. */
const GLOB_PATTERN = /[*?[]/;

/**
 * The text of a configuration file, or of every file a pattern matches (`include
 * /etc/redis/conf.d/*.conf`), as redis-server's loadServerConfig reads them: the matches in
 * glob(3)'s order, one after the other (a pattern matching nothing is no text); a file that
 * cannot be read is fatal, with redis-server's message.
 */
function readConfigFiles(path: string): string {
  const paths = GLOB_PATTERN.test(path) ? globPaths(path) : [path];
  let text = '';
  for (const file of paths) {
    try {
      text += readFileSync(file, 'latin1');
    } catch (error) {
      const reason = strerror((error as NodeJS.ErrnoException).code, (error as Error).message);
      throw new ConfigError(`Fatal error, can't open config file '${file}': ${reason}`, {
        cause: error,
      });
    }
  }
  return text;
}

/**
 * glob(3) without flags: each component of the pattern matched against its directory's entries
 * (a leading dot only by a pattern with one), existing files only, sorted.
 */
function globPaths(pattern: string): string[] {
  let paths = [pattern.startsWith('/') ? '/' : ''];
  for (const part of pattern.split('/').filter(Boolean)) {
    const next: string[] = [];
    for (const base of paths) {
      if (!GLOB_PATTERN.test(part)) {
        next.push(join(base, part));
        continue;
      }
      let entries: string[];
      try {
        entries = readdirSync(base === '' ? '.' : base);
      } catch {
        continue;
      }
      for (const entry of entries) {
        if (entry.startsWith('.') && !part.startsWith('.')) continue;
        if (globMatch(part, entry)) next.push(join(base, entry));
      }
    }
    paths = next;
  }
  return paths.filter((path) => statSync(path, { throwIfNoEntry: false })?.isFile()).sort();
}

/** The directives whose line may hold several arguments (redis-server's MULTI_ARG_CONFIG...). */
const MULTI_ARGUMENT = new Set([
  'save',
  'bind',
  'replicaof',
  'client-output-buffer-limit',
  'latency-tracking-info-percentiles',
  'shutdown-on-sigint',
  'shutdown-on-sigterm',
  'oom-score-adj-values',
  'user',
  'rename-command',
  'loadmodule',
  'sentinel',
]);

/**
 * A command-line argument as redis-server's main() appends it to the configuration text
 * (sdscatrepr of its bytes: quoted, escapes for quotes, backslashes and unprintable bytes).
 */
function quoteForConfig(arg: string): string {
  return sdsRepr(Buffer.from(arg, 'utf8').toString('latin1'));
}
