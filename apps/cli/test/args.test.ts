import { describe, expect, it } from 'vitest';
import { parseCliArgs } from '../src/args.js';
import { parseBenchArgs } from '../src/bench/options.js';
import { UsageError } from '../src/errors.js';
import { parseRedisUri } from '../src/uri.js';

describe('parseCliArgs', () => {
  it('defaults to the prompt on 127.0.0.1:6379', () => {
    const options = parseCliArgs([]);
    expect(options.mode).toBe('repl');
    expect([options.host, options.port, options.db]).toEqual(['127.0.0.1', 6379, 0]);
    expect(options.output).toBeUndefined();
  });

  it('stops reading flags at the command, whose arguments may start with a dash', () => {
    const options = parseCliArgs(['-p', '6380', '-n', '2', 'INCRBY', 'counter', '-1']);
    expect(options.mode).toBe('command');
    expect(options.port).toBe(6380);
    expect(options.db).toBe(2);
    expect(options.command).toEqual(['INCRBY', 'counter', '-1']);
  });

  it.each([
    [['--raw'], 'raw'],
    [['--no-raw'], 'standard'],
    [['--csv'], 'csv'],
    [['--json'], 'json'],
    [['--quoted-json'], 'quoted-json'],
    [['--raw', '--csv'], 'csv'],
  ])('%j selects the %s format', (flags, format) => {
    expect(parseCliArgs([...flags, 'PING']).output).toBe(format);
  });

  it.each([
    [['--pipe'], 'pipe'],
    [['--scan'], 'scan'],
    [['--bigkeys'], 'bigkeys'],
    [['--memkeys'], 'memkeys'],
    [['--memkeys-samples', '5'], 'memkeys'],
    [['--latency'], 'latency'],
    [['--latency-history'], 'latency-history'],
    [['--stat'], 'stat'],
    [['--rdb', 'dump.rdb'], 'rdb'],
    [['--help'], 'help'],
    [['--version'], 'version'],
    [['-v'], 'version'],
    [['-h'], 'help'],
  ])('%j is the %s mode', (flags, mode) => {
    expect(parseCliArgs(flags).mode).toBe(mode);
  });

  it('reads the connection, repeat and delimiter flags', () => {
    const options = parseCliArgs([
      '-h',
      'cache',
      '-p',
      '7000',
      '-a',
      'pw',
      '--user',
      'alice',
      '-r',
      '5',
      '-i',
      '0.5',
      '-3',
      '-x',
      '-d',
      ',',
      '-D',
      ';',
      '-e',
      '--proto',
      'byor',
      '--show-pushes',
      'no',
      '--pattern',
      'user:*',
      '--count',
      '100',
      '--pipe-timeout',
      '0',
      'GET',
    ]);
    expect(options).toMatchObject({
      host: 'cache',
      port: 7000,
      password: 'pw',
      user: 'alice',
      repeat: 5,
      interval: 0.5,
      protocol: 3,
      stdinLastArg: true,
      bulkDelimiter: ',',
      replyDelimiter: ';',
      exitOnError: true,
      wire: 'byor',
      showPushes: false,
      pattern: 'user:*',
      count: 100,
      pipeTimeout: 0,
      command: ['GET'],
    });
  });

  it('takes the password from REDISCLI_AUTH unless -a gives one', () => {
    expect(parseCliArgs([], { REDISCLI_AUTH: 'env' }).password).toBe('env');
    expect(parseCliArgs(['-a', 'flag'], { REDISCLI_AUTH: 'env' }).password).toBe('flag');
    expect(parseCliArgs([], { BYORCLI_AUTH: 'mine', REDISCLI_AUTH: 'env' }).password).toBe('mine');
  });

  it('applies -u, and later flags override it', () => {
    const options = parseCliArgs(['-u', 'redis://bob:s3cret@db.local:6390/4', '-n', '1']);
    expect(options).toMatchObject({
      host: 'db.local',
      port: 6390,
      user: 'bob',
      password: 's3cret',
      db: 1,
    });
  });

  it('unquotes --quoted-pattern with the splitter it is given', () => {
    const split = (line: string): string[] | undefined =>
      line === '"a\\x00b"' ? ['a\x00b'] : undefined;
    expect(parseCliArgs(['--quoted-pattern', '"a\\x00b"', '--scan'], {}, split).pattern).toBe(
      'a\x00b',
    );
    expect(() => parseCliArgs(['--quoted-pattern', 'x', '--scan'], {}, split)).toThrow(
      'Invalid quoted string specified for --quoted-pattern.',
    );
  });

  it('hands everything after bench to the load generator', () => {
    const options = parseCliArgs(['-p', '7000', 'bench', '-c', '10', '-n', '500', '-t', 'set,get']);
    expect(options.mode).toBe('bench');
    expect(options.bench).toMatchObject({
      port: 7000,
      clients: 10,
      requests: 500,
      tests: ['set', 'get'],
    });
  });

  it.each([
    [['-p', 'x'], "Invalid value for -p: 'x' (an integer from 0 is expected)"],
    [['-p', '70000'], "Invalid value for -p: '70000' (an integer from 0 is expected)"],
    [['-n', '-1'], "Invalid value for -n: '-1' (an integer from 0 is expected)"],
    [['-p'], "Unrecognized option or bad number of args for: '-p'"],
    [['--frobnicate'], "Unrecognized option or bad number of args for: '--frobnicate'"],
    [['-2', '-3'], 'Options -2 and -3 are mutually exclusive.'],
    [['-x', '-X', 'tag'], 'Options -x and -X are mutually exclusive.'],
    [['--scan', '--stat'], 'Options --scan and --stat cannot be used together.'],
    [['--proto', 'http'], "Unknown --proto 'http' (valid: 'resp', 'byor')"],
    [['--show-pushes', 'maybe'], "Unknown --show-pushes value 'maybe' (valid: '[y]es', '[n]o')"],
    [['--cluster', 'info'], 'byor-cli does not support the cluster manager (--cluster).'],
    [['--tls'], 'byor-cli does not support TLS (--tls).'],
    [['-i', 'soon'], "Invalid value for -i: 'soon' (a number of seconds is expected)"],
  ])('%j is refused: %s', (flags, message) => {
    expect(() => parseCliArgs(flags)).toThrow(UsageError);
    expect(() => parseCliArgs(flags)).toThrow(message);
  });
});

describe('parseRedisUri', () => {
  it.each([
    ['redis://', {}],
    ['redis://localhost', { host: 'localhost' }],
    ['redis://localhost:6380', { host: 'localhost', port: 6380 }],
    ['redis://:pw@h', { password: 'pw', host: 'h' }],
    ['redis://pw@h', { password: 'pw', host: 'h' }],
    [
      'redis://al%40ice:p%3Aw@h:1/3',
      { user: 'al@ice', password: 'p:w', host: 'h', port: 1, db: 3 },
    ],
    ['REDIS://h/0', { host: 'h', db: 0 }],
    ['redis://[::1]:6390', { host: '::1', port: 6390 }],
    ['redis:///5', { db: 5 }],
    ['unix:///tmp/redis.sock', { socket: '/tmp/redis.sock' }],
  ])('%s', (uri, expected) => {
    expect(parseRedisUri(uri)).toEqual(expected);
  });

  it.each([
    ['http://h', 'Invalid URI scheme'],
    ['rediss://h', 'rediss:// needs TLS, which byor-cli does not support'],
    ['redis://p%4@h', 'Incomplete URI encoding'],
    ['redis://p%zz@h', 'Illegal character in URI encoding'],
    ['redis://h:99999', 'Invalid server port.'],
    ['redis://h/x', "Invalid database number in URI: 'x'"],
  ])('%s is refused: %s', (uri, message) => {
    expect(() => parseRedisUri(uri)).toThrow(message);
  });
});

describe('parseBenchArgs', () => {
  const defaults = {
    host: '127.0.0.1',
    port: 6379,
    socket: undefined,
    user: undefined,
    password: undefined,
    db: 0,
    protocol: undefined,
  };

  it("has redis-benchmark's defaults", () => {
    expect(parseBenchArgs([], defaults)).toMatchObject({
      clients: 50,
      requests: 100_000,
      dataSize: 3,
      keyspace: 0,
      pipeline: 1,
      threads: 1,
      protocol: 2,
      tests: undefined,
      command: [],
    });
  });

  it('reads its flags and a command to benchmark', () => {
    const options = parseBenchArgs(
      [
        '-c',
        '8',
        '-n',
        '1000',
        '-d',
        '64',
        '-r',
        '100',
        '-P',
        '16',
        '--threads',
        '2',
        '-q',
        '--csv',
        '-3',
        'INCR',
        'c',
      ],
      defaults,
    );
    expect(options).toMatchObject({
      clients: 8,
      requests: 1000,
      dataSize: 64,
      keyspace: 100,
      pipeline: 16,
      threads: 2,
      quiet: true,
      csv: true,
      protocol: 3,
      command: ['INCR', 'c'],
    });
  });

  it.each([
    [['-c', '0'], "Invalid value for bench -c: '0' (an integer from 1 is expected)"],
    [['-P', 'x'], "Invalid value for bench -P: 'x' (an integer from 1 is expected)"],
    [['-k', '0'], 'byor-cli bench only keeps connections alive (-k 1).'],
    [['-n'], "Missing value for bench option '-n'"],
    [['--nope'], "Unrecognized bench option: '--nope' (see byor-cli bench --help)"],
  ])('%j is refused: %s', (flags, message) => {
    expect(() => parseBenchArgs(flags, defaults)).toThrow(message);
  });
});
