/**
 * byor-cli's command line, read the way redis-cli reads its own: flags first (`-h host`, `-p 6380`,
 * `--raw`), then the first word that is not a flag starts the command, whose arguments are never
 * read as flags (`byor-cli INCRBY counter -1`). `byor-cli [flags] bench [bench flags]` runs the
 * load generator instead.
 */
import { type BenchOptions, parseBenchArgs } from './bench/options.js';
import { UsageError } from './errors.js';
import { OutputFormats, type OutputFormat } from './format.js';
import { parseRedisUri } from './uri.js';

/**
 * What byor-cli does once connected: the `mode` of {@link CliOptions}.
 *
 * @example
 * ```ts
 * if (parseCliArgs(['--scan']).mode === CliModes.SCAN) console.log('listing keys');
 * ```
 */
export const CliModes = {
  /** run the command given on the command line (`-r` times) */
  COMMAND: 'command',
  /** the interactive prompt, or commands read line by line from stdin */
  REPL: 'repl',
  /** `--pipe`: mass insertion from stdin */
  PIPE: 'pipe',
  /** `--scan`: every key matching `--pattern` */
  SCAN: 'scan',
  /** `--bigkeys`: the biggest key of each type */
  BIGKEYS: 'bigkeys',
  /** `--hotkeys`: the most used keys (OBJECT FREQ, with an LFU policy) */
  HOTKEYS: 'hotkeys',
  /** `--memkeys`: the keys using the most memory */
  MEMKEYS: 'memkeys',
  /** `--latency`: PING round trips */
  LATENCY: 'latency',
  /** `--latency-history`: PING round trips, a line per interval */
  LATENCY_HISTORY: 'latency-history',
  /** `--intrinsic-latency <seconds>`: this machine's scheduling latency, no server */
  INTRINSIC_LATENCY: 'intrinsic-latency',
  /** `--stat`: a line of server figures per interval */
  STAT: 'stat',
  /** `--rdb <file>`: a snapshot of the dataset from the server */
  RDB: 'rdb',
  /** `--functions-rdb <file>`: a snapshot of the functions alone */
  FUNCTIONS_RDB: 'functions-rdb',
  /** `--replica`: the server's replication stream, a command per line */
  REPLICA: 'replica',
  /** `bench`: the load generator */
  BENCH: 'bench',
  /** `--help` */
  HELP: 'help',
  /** `--version` */
  VERSION: 'version',
} as const;

/** One of {@link CliModes}. */
export type CliMode = (typeof CliModes)[keyof typeof CliModes];

/**
 * Everything the command line says. Defaults are redis-cli's ({@link defaultCliOptions}).
 *
 * @example
 * ```ts
 * const options: CliOptions = { ...defaultCliOptions(), port: 6380, command: ['PING'], mode: 'command' };
 * ```
 */
export interface CliOptions {
  /** `-h`. Default `127.0.0.1`. */
  host: string;
  /** `-p`. Default 6379. */
  port: number;
  /** `-s`: a unix socket path, used instead of host and port. */
  socket: string | undefined;
  /** `--user`: ACL user name for `AUTH user password`. */
  user: string | undefined;
  /** `-a` / `--pass` / `REDISCLI_AUTH`. */
  password: string | undefined;
  /** `--askpass`: read the password from the terminal. */
  askPassword: boolean;
  /** `-n`. Default 0. */
  db: number;
  /** `-3` (3), `-2` (2), or undefined: RESP2, or RESP3 for `--json` when the server has it. */
  protocol: 2 | 3 | undefined;
  /** `--proto resp|byor`: RESP (default) or the book's binary protocol. */
  wire: 'resp' | 'byor';
  /** `-r`: how many times to run the command; negative runs it forever. Default 1. */
  repeat: number;
  /** `-i`: seconds to wait between runs (and between SCAN calls, --stat lines...). Default 0. */
  interval: number;
  /** `-x`: read the last argument from stdin. */
  stdinLastArg: boolean;
  /** `-X tag`: read the argument equal to `tag` from stdin. */
  stdinTag: string | undefined;
  /** `--raw`, `--no-raw`, `--csv`, `--json`, `--quoted-json`; undefined: standard on a TTY, raw otherwise. */
  output: OutputFormat | undefined;
  /** `-d`: raw format, between the elements of a reply. Default `\n`. */
  bulkDelimiter: string;
  /** `-D`: raw format, after each reply. Default `\n`. */
  replyDelimiter: string;
  /** `-e`: exit with status 1 when a command fails. */
  exitOnError: boolean;
  /** `-c`: follow -MOVED and -ASK redirections to the node they name (redis-cli's cluster mode) */
  cluster: boolean;
  /** `--show-pushes y|n`; undefined: shown when stdout is a terminal. */
  showPushes: boolean | undefined;
  /** `--quoted-input`: command-line arguments are read with the prompt's quoting rules. */
  quotedInput: boolean;
  /** `--no-auth-warning` */
  noAuthWarning: boolean;
  /** `--verbose` */
  verbose: boolean;
  /** What to do. */
  mode: CliMode;
  /** `--pattern` / `--quoted-pattern`. Default `*`. */
  pattern: string;
  /** `--count`: the COUNT of each SCAN call of --scan, --bigkeys, --memkeys. */
  count: number | undefined;
  /** `--pipe-timeout` in seconds; 0 waits forever. Default 30. */
  pipeTimeout: number;
  /** `--memkeys-samples`: the SAMPLES of MEMORY USAGE. */
  memkeysSamples: number | undefined;
  /** `--rdb <file>` (`-` for stdout). */
  rdbFile: string | undefined;
  /** `--eval <file>`: the command is EVAL of the file's script, keys before a lone `,`. */
  evalFile: string | undefined;
  /** `--intrinsic-latency <seconds>`: how long it runs (atoi's reading, as redis-cli). */
  intrinsicSeconds: number;
  /** The command and its arguments, as typed. */
  command: string[];
  /** `bench` flags, when the mode is `bench`. */
  bench: BenchOptions | undefined;
}

/**
 * The options before any flag is read: 127.0.0.1:6379, database 0, the prompt. O(1).
 *
 * @example
 * ```ts
 * defaultCliOptions().port; // 6379
 * ```
 */
export function defaultCliOptions(): CliOptions {
  return {
    host: '127.0.0.1',
    port: 6379,
    socket: undefined,
    user: undefined,
    password: undefined,
    askPassword: false,
    db: 0,
    protocol: undefined,
    wire: 'resp',
    repeat: 1,
    interval: 0,
    stdinLastArg: false,
    stdinTag: undefined,
    output: undefined,
    bulkDelimiter: '\n',
    replyDelimiter: '\n',
    exitOnError: false,
    cluster: false,
    showPushes: undefined,
    quotedInput: false,
    noAuthWarning: false,
    verbose: false,
    mode: CliModes.REPL,
    pattern: '*',
    count: undefined,
    pipeTimeout: 30,
    memkeysSamples: undefined,
    rdbFile: undefined,
    evalFile: undefined,
    intrinsicSeconds: 0,
    command: [],
    bench: undefined,
  };
}

/** Flags followed by a value. */
const VALUE_FLAGS = new Set([
  '-h',
  '-p',
  '-s',
  '-a',
  '--pass',
  '--user',
  '-u',
  '-r',
  '-i',
  '-n',
  '-X',
  '-d',
  '-D',
  '--proto',
  '--show-pushes',
  '--pattern',
  '--quoted-pattern',
  '--count',
  '--pipe-timeout',
  '--memkeys-samples',
  '--rdb',
  '--functions-rdb',
  '--eval',
  '--intrinsic-latency',
]);

/** redis-cli flags byor-cli does not implement, refused with a clear line instead of ignored. */
const UNSUPPORTED = new Map<string, string>([
  ['--cluster', 'the cluster manager (--cluster)'],
  ['--tls', 'TLS (--tls)'],
  ['--ldb', 'the Lua debugger (--ldb)'],
  ['--ldb-sync-mode', 'the Lua debugger (--ldb-sync-mode)'],
  ['--latency-dist', '--latency-dist'],
  ['--lru-test', '--lru-test'],
]);

/**
 * An integer flag value, or a {@link UsageError} naming the flag. O(1).
 *
 * @example
 * ```ts
 * integerFlag('-n', '3', 0); // 3
 * ```
 */
export function integerFlag(
  flag: string,
  text: string,
  min: number,
  max = Number.MAX_SAFE_INTEGER,
): number {
  const value = Number(text);
  if (text.trim() === '' || !Number.isInteger(value) || value < min || value > max) {
    throw new UsageError(
      `Invalid value for ${flag}: '${text}' (an integer from ${min} is expected)`,
    );
  }
  return value;
}

function numberFlag(flag: string, text: string): number {
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value) || value < 0) {
    throw new UsageError(`Invalid value for ${flag}: '${text}' (a number of seconds is expected)`);
  }
  return value;
}

/** C-style unquoting of `--quoted-pattern`: the prompt's rules for one argument. */
function unquote(text: string, splitOne: (line: string) => string[] | undefined): string {
  const parts = splitOne(text);
  if (parts?.length !== 1) {
    throw new UsageError('Invalid quoted string specified for --quoted-pattern.');
  }
  return parts[0]!;
}

/**
 * Reads byor-cli's command line (without `node` and the script). Throws {@link UsageError} with
 * the line to print for a bad flag. O(arguments).
 *
 * @param argv - the arguments, e.g. `process.argv.slice(2)`
 * @param env - the environment (for `REDISCLI_AUTH`)
 * @param splitLine - the prompt's argument splitter, for `--quoted-pattern`
 *
 * @example
 * ```ts
 * const options = parseCliArgs(['-p', '6380', '--raw', 'GET', 'k']);
 * options.port;    // 6380
 * options.output;  // 'raw'
 * options.command; // ['GET', 'k']
 * ```
 */
export function parseCliArgs(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>> = {},
  splitLine: (line: string) => string[] | undefined = (line) => [line],
): CliOptions {
  const options = defaultCliOptions();
  let modeFlag: CliMode | undefined;
  const setMode = (mode: CliMode): void => {
    if (modeFlag !== undefined && modeFlag !== mode) {
      throw new UsageError(`Options --${modeFlag} and --${mode} cannot be used together.`);
    }
    modeFlag = mode;
  };
  let explicitResp2 = false;
  let i = 0;
  for (; i < argv.length; i++) {
    const flag = argv[i]!;
    if (!flag.startsWith('-') || flag === '-') break;
    if (flag === '--') {
      i++;
      break;
    }
    const unsupported = UNSUPPORTED.get(flag);
    if (unsupported !== undefined) {
      throw new UsageError(`byor-cli does not support ${unsupported}.`);
    }
    let value = '';
    if (VALUE_FLAGS.has(flag)) {
      if (i === argv.length - 1) {
        if (flag === '-h') {
          options.mode = CliModes.HELP;
          return options;
        }
        throw new UsageError(`Unrecognized option or bad number of args for: '${flag}'`);
      }
      value = argv[++i]!;
    }
    switch (flag) {
      case '-h':
        options.host = value;
        break;
      case '-p':
        options.port = integerFlag('-p', value, 0, 65535);
        break;
      case '-s':
        options.socket = value;
        break;
      case '-a':
      case '--pass':
        options.password = value;
        break;
      case '--user':
        options.user = value;
        break;
      case '--askpass':
        options.askPassword = true;
        break;
      case '-u': {
        const uri = parseRedisUri(value);
        if (uri.host !== undefined) options.host = uri.host;
        if (uri.port !== undefined) options.port = uri.port;
        if (uri.socket !== undefined) options.socket = uri.socket;
        if (uri.user !== undefined) options.user = uri.user;
        if (uri.password !== undefined) options.password = uri.password;
        if (uri.db !== undefined) options.db = uri.db;
        break;
      }
      case '-r':
        options.repeat = integerFlag('-r', value, Number.MIN_SAFE_INTEGER);
        break;
      case '-i':
        options.interval = numberFlag('-i', value);
        break;
      case '-n':
        options.db = integerFlag('-n', value, 0);
        break;
      case '-2':
        explicitResp2 = true;
        options.protocol = 2;
        break;
      case '-3':
        options.protocol = 3;
        break;
      case '--proto':
        if (value !== 'resp' && value !== 'byor') {
          throw new UsageError(`Unknown --proto '${value}' (valid: 'resp', 'byor')`);
        }
        options.wire = value;
        break;
      case '-x':
        options.stdinLastArg = true;
        break;
      case '-X':
        options.stdinTag = value;
        break;
      case '-d':
        options.bulkDelimiter = value;
        break;
      case '-D':
        options.replyDelimiter = value;
        break;
      case '-c':
        options.cluster = true;
        break;
      case '-e':
        options.exitOnError = true;
        break;
      case '--raw':
        options.output = OutputFormats.RAW;
        break;
      case '--no-raw':
        options.output = OutputFormats.STANDARD;
        break;
      case '--csv':
        options.output = OutputFormats.CSV;
        break;
      case '--json':
        options.output = OutputFormats.JSON;
        break;
      case '--quoted-json':
        options.output = OutputFormats.QUOTED_JSON;
        break;
      case '--quoted-input':
        options.quotedInput = true;
        break;
      case '--show-pushes':
        if (/^y/i.test(value)) options.showPushes = true;
        else if (/^n/i.test(value)) options.showPushes = false;
        else
          throw new UsageError(`Unknown --show-pushes value '${value}' (valid: '[y]es', '[n]o')`);
        break;
      case '--no-auth-warning':
        options.noAuthWarning = true;
        break;
      case '--verbose':
        options.verbose = true;
        break;
      case '--pipe':
        setMode(CliModes.PIPE);
        break;
      case '--pipe-timeout':
        options.pipeTimeout = integerFlag('--pipe-timeout', value, 0);
        break;
      case '--scan':
        setMode(CliModes.SCAN);
        break;
      case '--pattern':
        options.pattern = value;
        break;
      case '--quoted-pattern':
        options.pattern = unquote(value, splitLine);
        break;
      case '--count':
        options.count = integerFlag('--count', value, 1);
        break;
      case '--bigkeys':
        setMode(CliModes.BIGKEYS);
        break;
      case '--memkeys':
        setMode(CliModes.MEMKEYS);
        break;
      case '--hotkeys':
        setMode(CliModes.HOTKEYS);
        break;
      case '--memkeys-samples':
        setMode(CliModes.MEMKEYS);
        options.memkeysSamples = integerFlag('--memkeys-samples', value, 0);
        break;
      case '--latency':
        setMode(CliModes.LATENCY);
        break;
      case '--latency-history':
        setMode(CliModes.LATENCY_HISTORY);
        break;
      case '--stat':
        setMode(CliModes.STAT);
        break;
      case '--intrinsic-latency':
        setMode(CliModes.INTRINSIC_LATENCY);
        // atoi: the leading digits, 0 without any
        options.intrinsicSeconds = Number.parseInt(value, 10) || 0;
        break;
      case '--rdb':
        if (modeFlag === CliModes.FUNCTIONS_RDB)
          throw new UsageError('Option --functions-rdb and --rdb are mutually exclusive.');
        setMode(CliModes.RDB);
        options.rdbFile = value;
        break;
      case '--functions-rdb':
        if (modeFlag === CliModes.RDB)
          throw new UsageError('Option --functions-rdb and --rdb are mutually exclusive.');
        setMode(CliModes.FUNCTIONS_RDB);
        options.rdbFile = value;
        break;
      case '--eval':
        options.evalFile = value;
        break;
      case '--replica':
      case '--slave':
        setMode(CliModes.REPLICA);
        break;
      case '--help':
        options.mode = CliModes.HELP;
        return options;
      case '-v':
      case '--version':
        options.mode = CliModes.VERSION;
        return options;
      default:
        throw new UsageError(`Unrecognized option or bad number of args for: '${flag}'`);
    }
  }
  if (explicitResp2 && options.protocol === 3) {
    throw new UsageError('Options -2 and -3 are mutually exclusive.');
  }
  if (options.stdinLastArg && options.stdinTag !== undefined) {
    throw new UsageError('Options -x and -X are mutually exclusive.');
  }
  if (options.password === undefined) {
    const fromEnv = env['BYORCLI_AUTH'] ?? env['REDISCLI_AUTH'];
    if (fromEnv !== undefined) options.password = fromEnv;
  }
  const rest = argv.slice(i);
  if (rest[0]?.toLowerCase() === 'bench' && modeFlag === undefined) {
    options.mode = CliModes.BENCH;
    options.bench = parseBenchArgs(rest.slice(1), options);
    return options;
  }
  options.command = rest;
  if (modeFlag !== undefined) options.mode = modeFlag;
  else
    options.mode =
      rest.length > 0 || options.evalFile !== undefined ? CliModes.COMMAND : CliModes.REPL;
  return options;
}

/** `byor-cli --help`. */
export const USAGE = `Usage: byor-cli [OPTIONS] [cmd [arg [arg ...]]]
       byor-cli [OPTIONS] bench [BENCH OPTIONS] [cmd [arg ...]]

Connection
  -h <hostname>      Server hostname (default: 127.0.0.1).
  -p <port>          Server port (default: 6379).
  -s <socket>        Server socket (overrides hostname and port).
  -a <password>      Password (also: --pass, or the REDISCLI_AUTH environment variable).
  --user <username>  ACL user for 'AUTH username password'. Needs -a.
  --askpass          Read the password from the terminal, masked.
  -u <uri>           Server URI: redis://[[user]:password@]host[:port][/db].
  -n <db>            Database number.
  -2 / -3            RESP2 / RESP3 (HELLO 3) protocol.
  --proto <resp|byor> Speak RESP (default) or the book's binary protocol (byor-server --byor-port).
  --no-auth-warning  Don't warn about a password on the command line.

Commands
  -r <repeat>        Run the command N times (negative: forever).
  -i <interval>      Seconds to wait between runs (sub-second: -i 0.1); also the interval
                     of --scan, --stat, --latency-history, --bigkeys and --memkeys.
  -x                 Read the last argument from stdin.
  -X <tag>           Read the argument equal to <tag> from stdin.
  -e                 Exit with status 1 when the command fails.
  --quoted-input     Read command-line arguments with the prompt's quoting rules.

Output
  --raw              Raw replies (the default when stdout is not a terminal).
  --no-raw           Formatted replies even when stdout is not a terminal.
  --csv              CSV output.
  --json             JSON output (RESP3 unless -2).
  --quoted-json      JSON output with ASCII-only strings.
  -d <delimiter>     Raw format: between the elements of a reply (default: \\n).
  -D <delimiter>     Raw format: after each reply (default: \\n).
  --show-pushes <yn> Print RESP3 push messages (default: yes on a terminal).

Modes
  --pipe             Mass insertion: RESP or one command per line, from stdin.
  --pipe-timeout <n> Seconds to wait for the last reply of --pipe (default: 30, 0: forever).
  --scan             List the keys matching --pattern with SCAN.
  --pattern <pat>    Key pattern of --scan, --bigkeys, --memkeys, --hotkeys (default: *).
  --quoted-pattern <pat> Same as --pattern, with the prompt's quoting rules.
  --count <n>        COUNT of each SCAN call.
  --bigkeys          The biggest key of each type (by number of elements).
  --hotkeys          The most used keys (OBJECT FREQ: needs an LFU maxmemory-policy).
  --memkeys          The biggest key of each type (by MEMORY USAGE).
  --memkeys-samples <n> SAMPLES of MEMORY USAGE for --memkeys.
  --latency          PING round trips, live (one line and exit when not on a terminal).
  --latency-history  PING round trips, a line every 15 s (or -i).
  --stat             A line of server figures every second (or -i).
  --intrinsic-latency <sec>  This machine's scheduling latency for <sec> seconds (no server:
                     run it where the server runs).
  --eval <file>      EVAL the Lua script in <file>: keys, then a lone ',', then arguments
                     (byor-cli --eval f.lua key1 key2 , arg1 arg2).
  --rdb <file>       Save a snapshot of the dataset (SYNC) to <file> ('-' for stdout).
  --functions-rdb <file>  The same with the functions alone (no keys).
  --replica          Show the server's replication stream, a command per line (CSV).

Load generator
  byor-cli bench --help        -c -n -P -d -r -t --threads, like redis-benchmark.

  --help             This help.
  --version          byor-cli's version.

Examples
  byor-cli SET greeting hello
  byor-cli -r 5 -i 0.5 INCR counter
  cat photo.jpg | byor-cli -x SET photo
  byor-cli --scan --pattern 'user:*'
  byor-cli bench -c 50 -n 100000 -t set,get

With no command, byor-cli starts its prompt. Type "help" there for help on commands.
`;
