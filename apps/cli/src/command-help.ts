/**
 * The prompt's knowledge of commands, built from the server's `COMMAND DOCS` as redis-cli builds
 * it: the argument syntax of each command and subcommand (`key value [NX|XX] [GET] ...`), its
 * summary, version and group. It drives `help <command>`, `help @<group>`, tab completion and the
 * grey argument hints shown while typing.
 */
import { ErrorReply, SimpleString, splitArgs, type RespValue } from '@byor/protocol';

/**
 * One command (or subcommand, `CONFIG GET`) or one group (`@string`) of a {@link CommandHelp}.
 *
 * @example
 * ```ts
 * const set = help.entries.find((entry: HelpEntry) => entry.name === 'SET');
 * set?.params; // 'key value [NX|XX] [GET] ...'
 * ```
 */
export interface HelpEntry {
  /** `command` or `group` */
  readonly kind: 'command' | 'group';
  /** the words that name it, upper case: `['CONFIG', 'GET']`, or `['@string']` */
  readonly words: readonly string[];
  /** the words joined by a space */
  readonly name: string;
  /** the argument syntax: `key value [NX|XX] ...` (empty for a group) */
  readonly params: string;
  /** one line: what it does */
  readonly summary: string;
  /** the version that introduced it, when known */
  readonly since: string | undefined;
  /** its group: `string`, `generic`, `server`... */
  readonly group: string;
}

/** A map, or RESP2's flat array of key, value, key, value..., as [key, value] pairs. */
function pairs(value: RespValue): [string, RespValue][] {
  const out: [string, RespValue][] = [];
  if (value instanceof Map) {
    for (const [key, item] of value) out.push([text(key), item]);
  } else if (Array.isArray(value)) {
    for (let i = 0; i + 1 < value.length; i += 2) out.push([text(value[i]!), value[i + 1]!]);
  }
  return out;
}

function text(value: RespValue): string {
  if (typeof value === 'string') return value;
  if (value instanceof SimpleString) return value.value;
  if (typeof value === 'number') return String(value);
  return '';
}

function list(value: RespValue): RespValue[] {
  if (Array.isArray(value)) return value;
  if (value instanceof Set) return [...value];
  return [];
}

/** `""` for an empty name or token, as redis-cli shows it. */
function orEmpty(name: string): string {
  return name === '' ? '""' : name;
}

/**
 * The syntax of one argument of COMMAND DOCS (redis-cli `cliAddArgument`):
 * `[TOKEN name [name ...]]` for an optional, repeated, tokenised one; `a|b` for oneof,
 * `a b` for a block.
 */
function argumentSyntax(spec: RespValue): string {
  let name = '';
  let type = '';
  let token: string | undefined;
  let optional = false;
  let multiple = false;
  let multipleToken = false;
  let children: RespValue[] = [];
  for (const [key, value] of pairs(spec)) {
    if (key === 'name') name = text(value);
    else if (key === 'type') type = text(value);
    else if (key === 'token') token = orEmpty(text(value));
    else if (key === 'arguments') children = list(value);
    else if (key === 'flags') {
      for (const flag of list(value)) {
        const flagName = text(flag);
        if (flagName === 'optional') optional = true;
        else if (flagName === 'multiple') multiple = true;
        else if (flagName === 'multiple_token') multipleToken = true;
      }
    }
  }
  let repeated = '';
  if (type === 'oneof') repeated = children.map(argumentSyntax).join('|');
  else if (type === 'block') repeated = children.map(argumentSyntax).join(' ');
  else if (type !== 'pure-token') repeated = orEmpty(name);
  let tokenPart = token ?? '';
  if (tokenPart !== '' && type !== 'pure-token') tokenPart += ' ';
  let out = optional ? '[' : '';
  out += tokenPart + repeated;
  if (multiple) out += ` [${multipleToken ? tokenPart : ''}${repeated} ...]`;
  if (optional) out += ']';
  return out;
}

function commandEntry(words: string[], spec: RespValue, into: HelpEntry[]): void {
  let params = '';
  let summary = '';
  let since: string | undefined;
  let group = '';
  let subcommands: [string, RespValue][] = [];
  for (const [key, value] of pairs(spec)) {
    if (key === 'summary') summary = text(value);
    else if (key === 'since') since = text(value);
    else if (key === 'group') group = text(value);
    else if (key === 'arguments') params = list(value).map(argumentSyntax).join(' ');
    else if (key === 'subcommands') subcommands = pairs(value);
  }
  into.push({ kind: 'command', words, name: words.join(' '), params, summary, since, group });
  for (const [fullName, subSpec] of subcommands) {
    const bar = fullName.indexOf('|');
    const sub = (bar === -1 ? fullName : fullName.slice(bar + 1)).toUpperCase();
    commandEntry([words[0]!, sub], subSpec, into);
  }
}

/** C `strcmp` order on the names, as redis-cli sorts its help table. */
function byName(a: HelpEntry, b: HelpEntry): number {
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

/** The book's binary protocol (`--proto byor`): its ten commands. */
const BOOK_COMMANDS: readonly (readonly [string, string, string])[] = [
  ['SET', 'key value', 'Set the string value of a key'],
  ['GET', 'key', 'Get the value of a key'],
  ['DEL', 'key', 'Delete a key'],
  ['KEYS', '', 'List every key'],
  ['ZADD', 'key score member', 'Add a member to a sorted set, or update its score'],
  ['ZREM', 'key member', 'Remove a member from a sorted set'],
  ['ZSCORE', 'key member', 'Get the score of a member of a sorted set'],
  [
    'ZQUERY',
    'key score member offset limit',
    'List members from the first (score, member) pair at or after the one given',
  ],
  ['PEXPIRE', 'key milliseconds', 'Set a key time to live in milliseconds'],
  ['PTTL', 'key', 'Get the time to live of a key in milliseconds'],
];

/**
 * Commands, their syntax and groups, from the server.
 *
 * @example
 * ```ts
 * const help = CommandHelp.fromDocs(await connection.send(['COMMAND', 'DOCS']));
 * help.hint('SET k');   // ' value [NX|XX] [GET] [EX seconds|...]'
 * help.complete('inc'); // ['INCR', 'INCRBY', 'INCRBYFLOAT']
 * ```
 */
export class CommandHelp {
  readonly #entries: HelpEntry[];

  /** Builds the table from entries (sorted by name). O(n log n). */
  constructor(entries: readonly HelpEntry[]) {
    this.#entries = [...entries].sort(byName);
  }

  /**
   * From a `COMMAND DOCS` reply (RESP2 or RESP3): every command, subcommand and group.
   * O(size of the reply).
   *
   * @example
   * ```ts
   * CommandHelp.fromDocs(await connection.send(['COMMAND', 'DOCS'])).entries.length; // ~400
   * ```
   */
  static fromDocs(reply: RespValue): CommandHelp {
    const entries: HelpEntry[] = [];
    for (const [name, spec] of pairs(reply)) commandEntry([name.toUpperCase()], spec, entries);
    return new CommandHelp(withGroups(entries));
  }

  /**
   * From a `COMMAND` reply, for servers without COMMAND DOCS: names and arity only, arguments
   * shown as `key arg ...options...` as redis-cli does. O(size of the reply).
   *
   * @example
   * ```ts
   * CommandHelp.fromCommandTable(await connection.send(['COMMAND']));
   * ```
   */
  static fromCommandTable(reply: RespValue): CommandHelp {
    const entries: HelpEntry[] = [];
    for (const row of list(reply)) {
      const fields = list(row);
      const name = text(fields[0] ?? null).toUpperCase();
      const arity = fields[1];
      const firstKey = fields[3];
      if (name === '' || typeof arity !== 'number') continue;
      let args = Math.abs(arity) - 1;
      let params = '';
      if (firstKey === 1 && args > 0) {
        params += 'key ';
        args--;
      }
      params += 'arg '.repeat(Math.max(0, args));
      if (arity < 0) params += '...options...';
      entries.push({
        kind: 'command',
        words: [name],
        name,
        params: params.trimEnd(),
        summary: 'Help not available',
        since: undefined,
        group: 'generic',
      });
    }
    return new CommandHelp(withGroups(entries));
  }

  /**
   * The ten commands of the book's binary protocol (`--proto byor`), which has no COMMAND DOCS.
   *
   * @example
   * ```ts
   * CommandHelp.book().hint('zadd z'); // ' score member'
   * ```
   */
  static book(): CommandHelp {
    return new CommandHelp(
      withGroups(
        BOOK_COMMANDS.map(([name, params, summary]) => ({
          kind: 'command' as const,
          words: [name],
          name,
          params,
          summary,
          since: undefined,
          group: 'book',
        })),
      ),
    );
  }

  /** Every entry, sorted by name. */
  get entries(): readonly HelpEntry[] {
    return this.#entries;
  }

  /**
   * The grey hint shown after what was typed (redis-cli 7.0's `hintsCallback`): the syntax of
   * the command with the longest matching name, without the arguments already typed (up to the
   * first optional one), with a leading space unless the line ends with one. O(entries).
   *
   * @param line - the line as typed, a latin1 string
   * @returns the hint, or undefined
   *
   * @example
   * ```ts
   * help.hint('SET');     // ' key value [NX|XX] ...'
   * help.hint('SET k ');  // 'value [NX|XX] ...'
   * ```
   */
  hint(line: string): string | undefined {
    const argv = splitArgs(Buffer.from(line, 'latin1'));
    if (argv === undefined || argv.length === 0) return undefined;
    const entry = this.#longestMatch(argv);
    if (entry === undefined) return undefined;
    let hint = entry.params;
    let toRemove = argv.length - entry.words.length;
    let at = 0;
    while (toRemove > 0 && at < hint.length) {
      if (hint[at] === '[') break;
      if (hint[at] === ' ') toRemove--;
      at++;
    }
    hint = hint.slice(at);
    const last = line.charCodeAt(line.length - 1);
    const endsWithSpace = last === 32 || (last >= 9 && last <= 13);
    return endsWithSpace ? hint : ' ' + hint;
  }

  #longestMatch(argv: readonly string[]): HelpEntry | undefined {
    let best: HelpEntry | undefined;
    for (const entry of this.#entries) {
      if (entry.kind !== 'command') continue;
      const words = entry.words;
      if (words.length > argv.length || (best !== undefined && words.length <= best.words.length)) {
        continue;
      }
      let match = true;
      for (let i = 0; i < words.length; i++) {
        if (words[i] !== argv[i]!.toUpperCase()) {
          match = false;
          break;
        }
      }
      if (match) best = entry;
    }
    return best;
  }

  /**
   * Tab completion (redis-cli's `completionCallback`): the names starting with what was typed,
   * case-insensitively, as whole lines; after `help `, group names too. O(entries).
   *
   * @example
   * ```ts
   * help.complete('hel');       // ['HELLO']
   * help.complete('help @str'); // ['help @string']
   * ```
   */
  complete(line: string): string[] {
    let start = 0;
    let groups = false;
    if (line.slice(0, 5).toLowerCase() === 'help ') {
      start = 5;
      while (start < line.length && line[start] === ' ') start++;
      groups = true;
    }
    const typed = line.slice(start).toUpperCase();
    const head = line.slice(0, start);
    const matches: string[] = [];
    for (const entry of this.#entries) {
      if (entry.kind === 'group' && !groups) continue;
      if (entry.name.toUpperCase().startsWith(typed)) matches.push(head + entry.name);
    }
    return matches;
  }

  /**
   * The text `help ...` prints (redis-cli's `cliOutputHelp`): for `@group`, every command of
   * the group; otherwise every command whose name starts with the words given (`help config`
   * lists CONFIG and its subcommands). Colours are ANSI escapes, as redis-cli prints them.
   * O(entries).
   *
   * @example
   * ```ts
   * process.stdout.write(help.describe(['set']));
   * ```
   */
  describe(args: readonly string[]): string {
    let out = '';
    const group = args[0]?.startsWith('@') === true ? args[0].slice(1).toLowerCase() : undefined;
    for (const entry of this.#entries) {
      if (entry.kind !== 'command') continue;
      if (group !== undefined) {
        if (entry.group.toLowerCase() === group) out += describeEntry(entry, false);
        continue;
      }
      if (args.length > entry.words.length) continue;
      let match = true;
      for (let i = 0; i < args.length; i++) {
        if (args[i]!.toUpperCase() !== entry.words[i]) {
          match = false;
          break;
        }
      }
      if (match) out += describeEntry(entry, true);
    }
    return out + '\r\n';
  }
}

function describeEntry(entry: HelpEntry, withGroup: boolean): string {
  let out = `\r\n  \x1b[1m${entry.name}\x1b[0m \x1b[90m${entry.params}\x1b[0m\r\n`;
  out += `  \x1b[33msummary:\x1b[0m ${entry.summary}\r\n`;
  if (entry.since !== undefined) out += `  \x1b[33msince:\x1b[0m ${entry.since}\r\n`;
  if (withGroup) out += `  \x1b[33mgroup:\x1b[0m ${entry.group}\r\n`;
  return out;
}

function withGroups(commands: HelpEntry[]): HelpEntry[] {
  const groups = new Set<string>();
  for (const entry of commands) if (entry.group !== '') groups.add(entry.group);
  const out = [...commands];
  for (const group of groups) {
    const name = `@${group}`;
    out.push({
      kind: 'group',
      words: [name],
      name,
      params: '',
      summary: '',
      since: undefined,
      group,
    });
  }
  return out;
}

/**
 * Asks the server for its commands: COMMAND DOCS, else COMMAND, else nothing. O(1) round trips.
 *
 * @example
 * ```ts
 * const help = await loadCommandHelp((argv) => connection.send(argv));
 * ```
 */
export async function loadCommandHelp(
  send: (argv: string[]) => Promise<RespValue>,
): Promise<CommandHelp> {
  const docs = await send(['COMMAND', 'DOCS']);
  if (!(docs instanceof ErrorReply) && (docs instanceof Map || Array.isArray(docs))) {
    return CommandHelp.fromDocs(docs);
  }
  const table = await send(['COMMAND']);
  if (Array.isArray(table)) return CommandHelp.fromCommandTable(table);
  return new CommandHelp([]);
}

/**
 * The text of a bare `help` (redis-cli's `cliOutputGenericHelp`). O(1).
 *
 * @example
 * ```ts
 * process.stdout.write(genericHelp('1.0.0'));
 * ```
 */
export function genericHelp(version: string): string {
  return (
    `byor-cli ${version}\n` +
    'To get help about Redis commands type:\n' +
    '      "help @<group>" to get a list of commands in <group>\n' +
    '      "help <command>" for help on <command>\n' +
    '      "help <tab>" to get a list of possible help topics\n' +
    '      "quit" to exit\n' +
    '\n' +
    'To set byor-cli preferences:\n' +
    '      ":set hints" enable online hints\n' +
    '      ":set nohints" disable online hints\n' +
    'Set your preferences in ~/.byorclirc\n'
  );
}
