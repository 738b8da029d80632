/**
 * The prompt, driven through a real pseudo-terminal (Python's pty module, via test/helpers/pty.ts):
 * prompt, history across sessions, completion, hints, quoting, help, MULTI, SUBSCRIBE and MONITOR
 * until Ctrl-C, reconnection.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, type RunningServer } from '@byor/server';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { isSensitiveCommand } from '../src/repl.js';
import { Connection } from '../src/connection.js';
import { BYOR_CLI } from './helpers/cli.js';
import { PtySession, plain, ptyAvailable } from './helpers/pty.js';
import { redisServerBinary, startRedisServer } from '@byor/test-oracle';

describe('isSensitiveCommand', () => {
  it.each([
    [['AUTH', 'pw'], true],
    [['auth', 'user', 'pw'], true],
    [['ACL', 'SETUSER', 'bob', '>pw'], true],
    [['CONFIG', 'SET', 'requirepass', 'pw'], true],
    [['CONFIG', 'SET', 'maxmemory', '1mb'], false],
    [['HELLO', '3', 'AUTH', 'user', 'pw'], true],
    [['HELLO', '3', 'SETNAME', 'n', 'AUTH', 'user', 'pw'], true],
    [['HELLO', '3'], false],
    [['MIGRATE', 'h', '1', '', '0', '10', 'AUTH', 'pw', 'KEYS', 'a'], true],
    [['MIGRATE', 'h', '1', '', '0', '10', 'KEYS', 'AUTH', 'x'], false],
    [['GET', 'auth'], false],
  ])('%j: %s', (argv, expected) => {
    expect(isSensitiveCommand(argv)).toBe(expected);
  });
});

describe.skipIf(!ptyAvailable())('the prompt on a terminal', () => {
  let byor: RunningServer;
  let dir: string;
  let connection: Connection;
  const sessions: PtySession[] = [];

  const open = (args: string[] = [], env: Record<string, string> = {}): PtySession => {
    const session = new PtySession(process.execPath, [BYOR_CLI, '-p', String(byor.port), ...args], {
      HOME: dir,
      BYORCLI_HISTFILE: join(dir, 'history'),
      ...env,
    });
    sessions.push(session);
    return session;
  };

  beforeAll(async () => {
    byor = await startServer({ port: 0 });
    connection = await Connection.open({ port: byor.port });
    dir = mkdtempSync(join(tmpdir(), 'byor-cli-repl-'));
  });
  afterEach(async () => {
    for (const session of sessions.splice(0)) await session.close();
  });
  afterAll(async () => {
    connection.close();
    await byor.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('shows host:port, prints replies in the human format, follows SELECT and MULTI', async () => {
    const cli = open();
    const prompt = `127.0.0.1:${byor.port}> `;
    await cli.waitFor(prompt);
    expect(await cli.command('SET greeting "hello world"')).toBe('OK');
    expect(await cli.command('GET greeting')).toBe('"hello world"');
    expect(await cli.command('RPUSH l a b')).toBe('(integer) 2');
    expect(await cli.command('LRANGE l 0 -1')).toBe('1) "a"\n2) "b"');
    expect(await cli.command('SELECT 2', /\[2\]> $/)).toBe('OK');
    expect(await cli.command('MULTI', /\[2\]\(TX\)> $/)).toBe('OK');
    expect(await cli.command('INCR c', /\(TX\)> $/)).toBe('QUEUED');
    expect(await cli.command('EXEC', /\[2\]> $/)).toBe('1) (integer) 1');
    expect(await cli.command('SELECT 0', new RegExp(`${byor.port}> $`))).toBe('OK');
    expect(await cli.command('NOSUCH')).toMatch(/^\(error\) ERR unknown command 'NOSUCH'/);
    expect(await cli.command('3 INCR r')).toBe('(integer) 1\n(integer) 2\n(integer) 3');
    cli.type('quit\r');
    expect(await cli.close()).toBe(0);
  });

  it('reads arguments with redis-cli quoting rules', async () => {
    const cli = open();
    await cli.waitFor('> ');
    expect(await cli.command('SET q "a\\x41\\tb" ')).toBe('OK');
    expect(await cli.command('GET q')).toBe('"aA\\tb"');
    expect(await cli.command("SET q 'it\\'s'")).toBe('OK');
    expect(await cli.command('GET q')).toBe('"it\'s"');
    expect(await cli.command('GET "unbalanced')).toBe('Invalid argument(s)');
    expect(await cli.command('SET é ü')).toBe('OK');
    expect(await connection.send(['GET', '\xc3\xa9'])).toBe('\xc3\xbc');
  });

  it('help, help @group, and the hint of a command as it is typed', async () => {
    const cli = open();
    await cli.waitFor('> ');
    const help = await cli.command('help get');
    expect(help).toContain('GET key');
    expect(help).toContain('summary: Get the value of a key');
    expect(help).toContain('group: string');
    expect(await cli.command('help')).toContain(
      '"help @<group>" to get a list of commands in <group>',
    );
    // the hint shows once COMMAND DOCS is loaded: type, then look for the grey text
    const from = cli.output.length;
    cli.type('SET k');
    await cli.waitFor('value [NX|XX] [GET]', from);
    expect(cli.output.slice(from)).toContain('\x1b[0;90;49m value [NX|XX] [GET]');
    cli.type(' v\r');
    await cli.waitFor(/OK\n.*> $/, from);
    expect(await cli.command(':set nohints')).toBe('');
    const quiet = cli.output.length;
    cli.type('GET k');
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(cli.output.slice(quiet)).not.toContain('\x1b[0;90;49m');
    cli.type('\r');
    await cli.waitFor('"v"', quiet);
  });

  it('completes command names with Tab', async () => {
    const cli = open();
    await cli.waitFor('> ');
    await cli.command('HELP SET'); // COMMAND DOCS is loaded by then
    const from = cli.output.length;
    cli.type('incrbyf\t');
    await cli.waitFor('INCRBYFLOAT', from);
    cli.type(' f 1.5\r');
    await cli.waitFor('"1.5"', from);
  });

  it('keeps history across sessions, without secrets', async () => {
    writeFileSync(join(dir, 'history'), 'ECHO older\n');
    const first = open();
    await first.waitFor('> ');
    await first.command('SET h 1');
    await first.command('AUTH s3cret');
    first.type('\x04'); // Ctrl-D
    expect(await first.close()).toBe(0);
    const saved = readFileSync(join(dir, 'history'), 'utf8');
    expect(saved).toBe('ECHO older\nSET h 1\n');
    const second = open();
    await second.waitFor('> ');
    const from = second.output.length;
    second.type('\x1b[A'); // Up: the last command
    await second.waitFor('SET h 1', from);
    second.type('\x1b[A\r'); // Up again: the one before
    await second.waitFor('"older"', from);
  });

  it('Ctrl-C clears the line, and on an empty line leaves', async () => {
    const cli = open();
    await cli.waitFor('> ');
    let from = cli.output.length;
    cli.type('GET something');
    await cli.waitFor('something', from);
    cli.type('\x03');
    await new Promise((resolve) => setTimeout(resolve, 300));
    from = cli.output.length;
    cli.type('PING\r');
    await cli.waitFor('PONG', from);
    expect(plain(cli.output.slice(from))).not.toContain('something');
    cli.type('\x03');
    expect(await cli.close()).toBe(0);
  });

  it('SUBSCRIBE prints messages until Ctrl-C, then the prompt is back', async () => {
    const cli = open();
    await cli.waitFor('> ');
    const from = cli.output.length;
    cli.type('SUBSCRIBE news\r');
    await cli.waitFor(
      'Reading messages... (press Ctrl-C to quit)\n1) "subscribe"\n2) "news"\n3) (integer) 1',
      from,
    );
    await connection.send(['PUBLISH', 'news', 'extra! extra!']);
    await cli.waitFor('1) "message"\n2) "news"\n3) "extra! extra!"', from);
    cli.type('\x03');
    await cli.waitFor(/> $/, cli.output.length - 30);
    expect(await cli.command('PING')).toBe('PONG');
  });

  it('MONITOR streams commands until Ctrl-C', async () => {
    const cli = open();
    await cli.waitFor('> ');
    const from = cli.output.length;
    cli.type('MONITOR\r');
    await cli.waitFor('OK', from);
    await connection.send(['ECHO', 'watched']);
    await cli.waitFor(/\d+\.\d+ \[0 [^\]]+\] "ECHO" "watched"/, from);
    cli.type('\x03');
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(await cli.command('PING')).toBe('PONG');
  });

  it('reconnects after the server dropped the connection', async () => {
    const cli = open(['--no-raw']);
    await cli.waitFor('> ');
    expect(await cli.command('CLIENT SETNAME victim')).toBe('OK');
    await connection.send(['CLIENT', 'KILL', 'SKIPME', 'yes', 'TYPE', 'normal']);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(await cli.command('PING')).toBe('PONG');
    expect(await cli.command('CLIENT GETNAME')).toBe('(nil)');
  });

  it('says when the server is down, shows not connected, and recovers when it is back', async () => {
    const server = await startServer({ port: 0 });
    const port = server.port;
    const cli = new PtySession(process.execPath, [BYOR_CLI, '-p', String(port)], {
      HOME: dir,
      BYORCLI_HISTFILE: '/dev/null',
    });
    sessions.push(cli);
    await cli.waitFor(`127.0.0.1:${port}> `);
    await server.close();
    let down = await cli.command('PING', /not connected> $/);
    // a PING typed before the CLI saw the close goes out on the dead connection, as with
    // redis-cli: "Server closed the connection", then the next command tries to connect
    if (down.includes('Error: Server closed the connection')) {
      down = await cli.command('PING', /not connected> $/);
    }
    expect(down).toContain(`Could not connect to Redis at 127.0.0.1:${port}: Connection refused`);
    const again = await startServer({ port });
    try {
      expect(await cli.command('PING', new RegExp(`${port}> $`))).toBe('PONG');
    } finally {
      cli.type('quit\r');
      await cli.close();
      await again.close();
    }
  });

  it('prints how long a slow command took', async () => {
    const cli = open();
    await cli.waitFor('> ');
    expect(await cli.command('BLPOP nothing 0.6')).toMatch(/^\(nil\)\n\(0\.\d\ds\)$/);
  });

  it('Ctrl-C abandons a blocked command', async () => {
    const cli = open();
    await cli.waitFor('> ');
    const from = cli.output.length;
    cli.type('BLPOP nothing 0\r');
    await new Promise((resolve) => setTimeout(resolve, 400));
    cli.type('\x03');
    await cli.waitFor(/> $/, from + 10);
    expect(await cli.command('PING')).toBe('PONG');
  });
});

describe.skipIf(!ptyAvailable() || redisServerBinary() === undefined)(
  'RESP3 pushes on the prompt',
  () => {
    it('prints client-side caching invalidations as redis-cli does', async () => {
      const redis = await startRedisServer();
      const dir = mkdtempSync(join(tmpdir(), 'byor-cli-push-'));
      const cli = new PtySession(process.execPath, [BYOR_CLI, '-p', String(redis.port), '-3'], {
        HOME: dir,
        BYORCLI_HISTFILE: '/dev/null',
      });
      const other = await Connection.open({ port: redis.port });
      try {
        await cli.waitFor('> ');
        expect(await cli.command('CLIENT TRACKING on')).toBe('OK');
        expect(await cli.command('GET tracked')).toBe('(nil)');
        const from = cli.output.length;
        await other.send(['SET', 'tracked', '1']);
        await cli.waitFor("-> invalidate: 'tracked'", from);
        expect(await cli.command('PING')).toBe('PONG');
      } finally {
        other.close();
        cli.type('quit\r');
        await cli.close();
        await redis.stop();
        rmSync(dir, { recursive: true, force: true });
      }
    });
  },
);
