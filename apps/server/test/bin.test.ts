import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { RawClient } from './helpers/raw-client.js';
import { freePort, hasRedisServer } from '@byor/test-oracle';

/**
 * byor-server as a process: redis-server's flags, config files, logs and signals. Runs the built
 * binary (turbo builds the server before its tests), as users run it.
 */
const BIN_PATH = join(import.meta.dirname, '..', 'dist', 'bin.js');
if (!existsSync(BIN_PATH))
  throw new Error(`${BIN_PATH} is missing: build the server first (pnpm turbo run test builds it)`);
const BIN = [BIN_PATH];

function runSync(args: string[], input?: string) {
  return spawnSync(process.execPath, [...BIN, ...args], {
    encoding: 'utf8',
    input,
    timeout: 30_000,
  });
}

const children: ChildProcess[] = [];
afterEach(() => {
  for (const child of children.splice(0)) child.kill('SIGKILL');
});

/** Starts the binary and resolves once it logs "Ready to accept connections". */
function start(args: string[]): Promise<{ child: ChildProcess; output: () => string }> {
  // no save points: a shutdown must not leave a dump.rdb in the checkout
  const child = spawn(process.execPath, [...BIN, ...args, '--save', ''], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let output = '';
  return new Promise((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('Ready to accept connections')) resolve({ child, output: () => output });
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => reject(new Error(`exited with ${code}: ${output}`)));
  });
}

function exited(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) =>
    child.exitCode !== null ? resolve(child.exitCode) : child.once('exit', (code) => resolve(code)),
  );
}

describe('byor-server binary', () => {
  it('--version and --help', () => {
    const version = runSync(['--version']);
    expect(version.status).toBe(0);
    expect(version.stdout).toMatch(/^byor-server v=\d+\.\d+\.\d+ redis=7\.0\.\d+/);
    const help = runSync(['--help']);
    expect(help.status).toBe(0);
    expect(help.stdout).toContain('Usage: byor-server [/path/to/redis.conf] [options] [-]');
  });

  it('refuses a directive redis-server does not know, naming it', () => {
    const result = runSync(['--port', '0', '--no-such-directive', 'x']);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('\'no-such-directive "x"\'');
    expect(result.stderr).toContain('Bad directive or wrong number of arguments');
  });

  it('refuses a bad config file line, naming the line', () => {
    const dir = mkdtempSync(join(tmpdir(), 'byor-conf-'));
    try {
      const file = join(dir, 'redis.conf');
      writeFileSync(file, '# comment\nport 0\nmaxclients abc\n');
      const result = runSync([file]);
      expect(result.status).toBe(1);
      expect(result.stderr).toContain('at line 3');
      expect(result.stderr).toContain(">>> 'maxclients abc'");
      expect(result.stderr).toContain("argument couldn't be parsed into an integer");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  // both write the block to stderr
  it.skipIf(!hasRedisServer)(
    'refuses bad command-line options with the line and text redis-server gives',
    () => {
      const cases = [
        ['--port', '7041', '--maxclients', 'abc'],
        ['--maxclients', 'a"b\\c d'],
        ['--port 7041', '--maxclients', 'abc'],
        ['--maxmemory', '--port', '7041'],
        ['--save', '--maxclients', 'abc'],
        ['--loglevel', 'notice', 'verbose'],
        ['--rename-command', 'nosuch', 'x'],
        ['--rename-command', 'get', 'set'],
        ['--rename-command', 'get'],
        ['--rename-command', 'get', 'fetch', '--rename-command', 'fetch', 'get', '--port', 'x'],
      ];
      for (const args of cases) {
        const theirs = spawnSync('redis-server', args, { encoding: 'utf8', timeout: 5_000 });
        const ours = runSync(args);
        expect(theirs.stderr).toContain('FATAL CONFIG FILE ERROR');
        expect(`${args.join(' ')}\n${ours.stderr}`).toBe(`${args.join(' ')}\n${theirs.stderr}`);
        expect(ours.status).toBe(1);
      }
      // a subcommand: redis-server 7.0.15 fails an assertion and crashes; byor refuses it
      const subcommand = runSync(['--rename-command', 'config|get', 'x']);
      expect(subcommand.stderr).toContain('No such command in rename-command');
    },
  );

  it.skipIf(!hasRedisServer)(
    'includes every file a pattern matches, in order, as redis-server (conf.d/*.conf)',
    async () => {
      const dir = mkdtempSync(join(tmpdir(), 'byor-include-'));
      try {
        mkdirSync(join(dir, 'conf.d'));
        writeFileSync(join(dir, 'conf.d', 'a.conf'), 'maxmemory 5mb\nmaxclients 66\n');
        writeFileSync(join(dir, 'conf.d', 'b.conf'), 'maxclients 77\n');
        writeFileSync(join(dir, 'conf.d', '.hidden.conf'), 'maxclients 88\n');
        const main = join(dir, 'main.conf');
        // a pattern that matches nothing is no line at all
        writeFileSync(main, `include ${dir}/conf.d/*.conf\ninclude ${dir}/none/*.conf\n`);
        const answers: string[][] = [];
        for (const command of [[process.execPath, ...BIN], ['redis-server']]) {
          const port = await freePort();
          const child = spawn(command[0]!, [...command.slice(1), main, '--port', String(port)], {
            stdio: 'ignore',
          });
          children.push(child);
          let client: RawClient | undefined;
          for (let tries = 0; client === undefined && tries < 100; tries++) {
            client = await RawClient.connect(port).catch(async () => {
              await new Promise((resolve) => setTimeout(resolve, 50));
              return undefined;
            });
          }
          answers.push([
            await client!.call('CONFIG', 'GET', 'maxmemory'),
            await client!.call('CONFIG', 'GET', 'maxclients'),
          ]);
          client!.close();
          child.kill('SIGKILL');
        }
        expect(answers[1]?.[1]).toContain('77');
        expect(answers[0]).toEqual(answers[1]);
        // a bad line of an included file: its line in the files read together
        writeFileSync(join(dir, 'conf.d', 'c.conf'), 'maxclients abc\n');
        const theirs = spawnSync('redis-server', [main], { encoding: 'utf8', timeout: 5_000 });
        expect(runSync([main]).stderr).toBe(theirs.stderr);
        expect(theirs.stderr).toContain('at line 4');
        // a file that cannot be read
        const missing = join(dir, 'missing.conf');
        writeFileSync(main, `include ${missing}\n`);
        const refused = spawnSync('redis-server', [main], { encoding: 'utf8', timeout: 5_000 });
        const message = `Fatal error, can't open config file '${missing}': No such file or directory`;
        expect(refused.stdout).toContain(message);
        const ours = runSync([main]);
        expect(ours.stderr).toContain(message);
        expect(ours.status).toBe(1);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  );

  it('starts with a directive it does not implement yet, warning about it', async () => {
    const port = await freePort();
    const { child, output } = await start(['--port', String(port), '--maxmemory-clients', '10mb']);
    expect(output()).toMatch(/directive 'maxmemory-clients' .* not implement/);
    child.kill('SIGTERM');
    const code = await exited(child);
    expect(code, output()).toBe(0);
  });

  it('reads a config file and stdin, logs version, port and pid, exits cleanly on SIGTERM and SIGINT', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'byor-conf-'));
    try {
      const port = await freePort();
      const file = join(dir, 'redis.conf');
      writeFileSync(file, `port ${port}\nrequirepass "s3 cret"\n`);
      const { child, output } = await start([file, '--databases', '4']);
      expect(output()).toContain(`port=${port}`);
      expect(output()).toContain(`pid=${child.pid}`);
      expect(output()).toMatch(/byor version=\d+\.\d+\.\d+/);
      const client = await RawClient.connect(port);
      expect(await client.call('GET', 'a')).toBe('-NOAUTH Authentication required.\r\n');
      expect(await client.call('AUTH', 's3 cret')).toBe('+OK\r\n');
      expect(await client.call('SELECT', '4')).toBe('-ERR DB index is out of range\r\n');
      expect(await client.call('CONFIG', 'GET', 'databases')).toBe(
        '*2\r\n$9\r\ndatabases\r\n$1\r\n4\r\n',
      );
      client.close();
      child.kill('SIGINT');
      expect(await exited(child)).toBe(0);
      expect(output()).toContain('Received SIGINT scheduling shutdown');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('marks its log lines S while it follows a master, M otherwise, as redis-server', async () => {
    const [port, nobody] = [await freePort(), await freePort()];
    const { child, output } = await start(['--port', String(port)]);
    const client = await RawClient.connect(port);
    expect(await client.call('REPLICAOF', '127.0.0.1', String(nobody))).toBe('+OK\r\n');
    expect(await client.call('REPLICAOF', 'NO', 'ONE')).toBe('+OK\r\n');
    const lines = (text: string) =>
      output()
        .split('\n')
        .filter((line) => line.includes(text));
    for (const line of lines('Ready to accept connections')) expect(line).toMatch(/^\d+:M /);
    for (const line of lines(`REPLICAOF 127.0.0.1:${nobody} enabled`))
      expect(line).toMatch(/^\d+:S /);
    for (const line of lines('MASTER MODE enabled')) expect(line).toMatch(/^\d+:M /);
    expect(lines('enabled (user request')).toHaveLength(2);
    client.close();
    child.kill('SIGTERM');
    expect(await exited(child)).toBe(0);
  });

  it('SHUTDOWN stops the process', async () => {
    const port = await freePort();
    const { child } = await start(['--port', String(port)]);
    const client = await RawClient.connect(port);
    client.sendOnly('SHUTDOWN', 'NOSAVE');
    expect(await exited(child)).toBe(0);
    client.close();
  });

  // the bundle, not the sources: a wait loop with no side effect was once dropped by the build
  it('DEBUG SLEEP holds the server for its time, and SLOWLOG records it', async () => {
    const port = await freePort();
    await start(['--port', String(port), '--enable-debug-command', 'yes']);
    const client = await RawClient.connect(port);
    const other = await RawClient.connect(port);
    await client.call('CONFIG', 'SET', 'slowlog-log-slower-than', '100000');
    const started = performance.now();
    const sleeping = client.call('DEBUG', 'SLEEP', '0.2');
    // another client's command waits for the sleep to end
    expect(await other.call('PING')).toBe('+PONG\r\n');
    const pinged = performance.now() - started;
    expect(await sleeping).toBe('+OK\r\n');
    expect(pinged).toBeGreaterThanOrEqual(190);
    expect(await client.call('SLOWLOG', 'LEN')).toBe(':1\r\n');
    client.close();
    other.close();
  });
});

/** Whether process `pid` is alive. */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function until(condition: () => boolean, what: string): Promise<void> {
  for (let waited = 0; !condition(); waited += 20) {
    if (waited > 10_000) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('daemonize and pidfile, as redis-server 7.0', () => {
  /**
   * Runs `command` with `--daemonize yes`: how the command ended, whether the daemon wrote its
   * pid and served, and the lines of its log from SHUTDOWN on (the server's name made neutral).
   */
  async function daemon(command: string[], input?: string): Promise<string[]> {
    const dir = mkdtempSync(join(tmpdir(), 'byor-daemon-'));
    try {
      const port = await freePort();
      const pidFile = join(dir, 'server.pid');
      const log = join(dir, 'server.log');
      const args = ['--port', String(port), '--daemonize', 'yes', '--save', ''];
      const started = performance.now();
      const run = spawnSync(
        command[0]!,
        [...command.slice(1), ...args, '--pidfile', pidFile, '--logfile', log, '--dir', dir],
        {
          encoding: 'utf8',
          input,
          timeout: 30_000,
        },
      );
      const out = [`exit ${run.status}, output '${run.stdout}'`];
      expect(performance.now() - started).toBeLessThan(5_000);
      await until(
        () => existsSync(pidFile) && readFileSync(pidFile, 'utf8').endsWith('\n'),
        'the pid file',
      );
      const pid = Number(readFileSync(pidFile, 'utf8'));
      out.push(`pid file names a live process: ${alive(pid)}`);
      await until(() => readFileSync(log, 'utf8').includes('Ready to accept connections'), 'ready');
      const client = await RawClient.connect(port);
      out.push(`served: ${await client.call('PING')}`);
      client.sendOnly('SHUTDOWN', 'NOSAVE');
      await until(() => !alive(pid), 'the daemon to exit');
      out.push(`pid file after shutdown: ${existsSync(pidFile)}`);
      const lines = readFileSync(log, 'utf8').split('\n');
      const from = lines.findIndex((line) => line.includes('User requested shutdown'));
      for (const line of lines.slice(from).filter(Boolean))
        out.push(line.replace(/^.*?[#*] /, '').replace(/^(Redis|byor) is now/, '<server> is now'));
      client.close();
      return out;
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  const redisServer = spawnSync('redis-server', ['--version']).status === 0;

  it('starts a daemon and exits 0, the daemon writes its pid file and removes it on SHUTDOWN', async () => {
    const ours = await daemon([process.execPath, ...BIN]);
    expect(ours).toContain('pid file after shutdown: false');
    expect(ours).toContain('Removing the pid file.');
    if (redisServer) expect(ours).toEqual(await daemon(['redis-server']));
  });

  it('hands a configuration read from stdin to the daemon', async () => {
    const ours = await daemon([process.execPath, ...BIN, '-'], 'maxmemory 1mb\n');
    expect(ours).toContain('served: +PONG\r\n');
  });

  it('writes a pidfile without daemonizing too, and removes it on SIGTERM', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'byor-pid-'));
    try {
      const pidFile = join(dir, 'byor.pid');
      const port = await freePort();
      const { child, output } = await start(['--port', String(port), '--pidfile', pidFile]);
      expect(readFileSync(pidFile, 'utf8')).toBe(`${child.pid}\n`);
      child.kill('SIGTERM');
      expect(await exited(child)).toBe(0);
      expect(existsSync(pidFile)).toBe(false);
      expect(output()).toMatch(/Removing the pid file\.\n.*byor is now ready to exit/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
