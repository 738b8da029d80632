/**
 * `byor-cli bench` flags: redis-benchmark's (`-c -n -d -P -r -t -q --csv -l --threads`), plus the
 * connection flags, which may also come before `bench`.
 */
import { UsageError } from '../errors.js';

/**
 * What `byor-cli bench` runs. Defaults are redis-benchmark's ({@link parseBenchArgs}).
 *
 * @example
 * ```ts
 * const options: BenchOptions = parseBenchArgs(['-t', 'set', '-P', '16'], defaults);
 * ```
 */
export interface BenchOptions {
  /** `-h`. Default `127.0.0.1`. */
  host: string;
  /** `-p`. Default 6379. */
  port: number;
  /** `-s`: unix socket path. */
  socket: string | undefined;
  /** `--user` */
  user: string | undefined;
  /** `-a` */
  password: string | undefined;
  /** `--dbnum`. Default 0. */
  db: number;
  /** `-3` for RESP3. Default 2. */
  protocol: 2 | 3;
  /** `-c`: parallel connections. Default 50. */
  clients: number;
  /** `-n`: total requests. Default 100,000. */
  requests: number;
  /** `-d`: bytes of the SET/GET value. Default 3. */
  dataSize: number;
  /** `-r`: random keys below this number (`__rand_int__`); 0 keeps the placeholder. Default 0. */
  keyspace: number;
  /** `-P`: requests per write (pipelining). Default 1. */
  pipeline: number;
  /** `-q`: one line per test. */
  quiet: boolean;
  /** `--csv`: CSV output. */
  csv: boolean;
  /** `-l`: run the tests forever. */
  loop: boolean;
  /** `-t`: the tests to run, or undefined for all. */
  tests: string[] | undefined;
  /** `--threads`: worker threads generating the load. Default 1 (the main thread). */
  threads: number;
  /** `--precision`: decimals of the latencies in milliseconds. Default 3. */
  precision: number;
  /** `--progress yes|no`; undefined: a live progress bar when stdout is a terminal. */
  progress: boolean | undefined;
  /** A command to benchmark instead of the standard tests. */
  command: string[];
  /** `--help` */
  help: boolean;
}

/** The connection part of the options given before `bench`. */
export interface BenchConnectionDefaults {
  host: string;
  port: number;
  socket: string | undefined;
  user: string | undefined;
  password: string | undefined;
  db: number;
  protocol: 2 | 3 | undefined;
}

const VALUE_FLAGS = new Set([
  '-h',
  '-p',
  '-s',
  '-a',
  '--user',
  '-c',
  '-n',
  '-d',
  '--dbnum',
  '-k',
  '-r',
  '-P',
  '-t',
  '--threads',
  '--precision',
  '--progress',
]);

function integer(flag: string, text: string, min: number): number {
  const value = Number(text);
  if (text.trim() === '' || !Number.isInteger(value) || value < min) {
    throw new UsageError(
      `Invalid value for bench ${flag}: '${text}' (an integer from ${min} is expected)`,
    );
  }
  return value;
}

/**
 * Reads the flags after `bench` (and the command to benchmark, if any). Throws
 * {@link UsageError} for a bad flag. O(arguments).
 *
 * @param args - the arguments after `bench`
 * @param defaults - host, port, password... given before `bench`
 *
 * @example
 * ```ts
 * parseBenchArgs(['-c', '10', '-n', '1000', '-t', 'set,get'], defaults).clients; // 10
 * ```
 */
export function parseBenchArgs(
  args: readonly string[],
  defaults: BenchConnectionDefaults,
): BenchOptions {
  const options: BenchOptions = {
    host: defaults.host,
    port: defaults.port,
    socket: defaults.socket,
    user: defaults.user,
    password: defaults.password,
    db: defaults.db,
    protocol: defaults.protocol ?? 2,
    clients: 50,
    requests: 100_000,
    dataSize: 3,
    keyspace: 0,
    pipeline: 1,
    quiet: false,
    csv: false,
    loop: false,
    tests: undefined,
    threads: 1,
    precision: 3,
    progress: undefined,
    command: [],
    help: false,
  };
  let i = 0;
  for (; i < args.length; i++) {
    const flag = args[i]!;
    if (!flag.startsWith('-') || flag === '-') break;
    let value = '';
    if (VALUE_FLAGS.has(flag)) {
      if (i === args.length - 1) throw new UsageError(`Missing value for bench option '${flag}'`);
      value = args[++i]!;
    }
    switch (flag) {
      case '-h':
        options.host = value;
        break;
      case '-p':
        options.port = integer('-p', value, 0);
        if (options.port > 65535) throw new UsageError('Invalid server port.');
        break;
      case '-s':
        options.socket = value;
        break;
      case '-a':
        options.password = value;
        break;
      case '--user':
        options.user = value;
        break;
      case '-c':
        options.clients = integer('-c', value, 1);
        break;
      case '-n':
        options.requests = integer('-n', value, 1);
        break;
      case '-d':
        options.dataSize = integer('-d', value, 1);
        break;
      case '--dbnum':
        options.db = integer('--dbnum', value, 0);
        break;
      case '-k':
        if (value !== '1')
          throw new UsageError('byor-cli bench only keeps connections alive (-k 1).');
        break;
      case '-r':
        options.keyspace = integer('-r', value, 0);
        break;
      case '-P':
        options.pipeline = integer('-P', value, 1);
        break;
      case '-t':
        options.tests = value.split(',');
        break;
      case '--threads':
        options.threads = integer('--threads', value, 1);
        break;
      case '--precision':
        options.precision = Math.min(integer('--precision', value, 0), 6);
        break;
      case '--progress':
        options.progress = /^y/i.test(value);
        break;
      case '-3':
        options.protocol = 3;
        break;
      case '-2':
        options.protocol = 2;
        break;
      case '-q':
        options.quiet = true;
        break;
      case '--csv':
        options.csv = true;
        break;
      case '-l':
        options.loop = true;
        break;
      case '--help':
        options.help = true;
        break;
      default:
        throw new UsageError(`Unrecognized bench option: '${flag}' (see byor-cli bench --help)`);
    }
  }
  options.command = args.slice(i);
  return options;
}

/** `byor-cli bench --help`. */
export const BENCH_USAGE = `Usage: byor-cli [connection flags] bench [-c clients] [-n requests] [-P pipeline] [-d size]
                   [-r keyspace] [-t tests] [--threads n] [-q] [--csv] [-l] [cmd [arg ...]]

 -h <hostname>      Server hostname (default 127.0.0.1)
 -p <port>          Server port (default 6379)
 -s <socket>        Server socket (overrides host and port)
 -a <password>      Password for Redis Auth
 --user <username>  Used to send ACL style 'AUTH username pass'. Needs -a.
 -c <clients>       Number of parallel connections (default 50)
 -n <requests>      Total number of requests (default 100000)
 -d <size>          Data size of SET/GET value in bytes (default 3)
 --dbnum <db>       SELECT the specified db number (default 0)
 -3                 Start session in RESP3 protocol mode.
 --threads <n>      Generate the load from n worker threads (default 1: the main thread).
 -k <boolean>       1=keep alive (the only mode).
 -r <keyspacelen>   Use random keys for SET/GET/INCR, random values for SADD, ZADD:
                    __rand_int__ in the command is replaced by a random number below
                    <keyspacelen>, zero-padded to 12 digits.
 -P <numreq>        Pipeline <numreq> requests. Default 1 (no pipeline).
 -q                 Quiet. Just show query/sec values
 --precision <n>    Decimals of the latencies in milliseconds (default 3)
 --csv              Output in CSV format
 --progress <yn>    Live progress bar (default: yes when stdout is a terminal)
 -l                 Loop. Run the tests forever
 -t <tests>         Only run the comma separated list of tests. The test
                    names are the same as the ones produced as output.
 --help             This help.

Examples:
 byor-cli bench                                     all the tests, 50 clients, 100000 requests
 byor-cli bench -t set,get -n 1000000 -P 16 -r 100000
 byor-cli -p 6380 bench --threads 2 -c 100 -t set
 byor-cli bench -n 10000 -r 1000 INCR 'counter:__rand_int__'
`;
