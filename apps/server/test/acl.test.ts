import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { createClient } from 'redis';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../src/index.js';
import { Config } from '../src/config/config.js';
import { Acl } from '../src/acl/acl.js';
import { aclCommandTable, ACL_CATEGORIES } from '../src/acl/commands.js';
import { Selector } from '../src/acl/selector.js';
import { RawClient } from './helpers/raw-client.js';

/** ACLs with real clients: ioredis and node-redis logging in as users, MULTI, scripts, pub/sub. */

let server: RunningServer;
let admin: Redis;
const opened: { disconnect(): void }[] = [];

function connect(options: { username?: string; password?: string } = {}): Redis {
  const client = new Redis({
    port: server.port,
    host: '127.0.0.1',
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    ...options,
  });
  opened.push(client);
  return client;
}

/** Resolves with the error message of a rejected command. */
async function errorOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('the command succeeded');
}

async function waitFor(condition: () => boolean | Promise<boolean>): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (await condition()) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error('condition not met');
}

beforeEach(async () => {
  server = await startServer({ port: 0 });
  admin = connect();
  await admin.connect();
});

afterEach(async () => {
  for (const client of opened.splice(0)) client.disconnect();
  await server.close();
});

describe('users and permissions with ioredis', () => {
  it('logs in with username and password and checks commands, keys and channels', async () => {
    await admin.call(
      'ACL',
      'SETUSER',
      'app',
      'on',
      '>s3cret',
      '~app:*',
      '&events.*',
      '+@read',
      '+@write',
      '+publish',
      '-flushall',
    );
    const app = connect({ username: 'app', password: 's3cret' });
    await app.connect();
    expect(await app.call('ACL', 'WHOAMI').catch((error: Error) => error.message)).toBe(
      "NOPERM this user has no permissions to run the 'acl|whoami' command",
    );
    expect(await app.set('app:1', 'v')).toBe('OK');
    expect(await app.get('app:1')).toBe('v');
    expect(await errorOf(app.get('other'))).toBe(
      'NOPERM this user has no permissions to access one of the keys used as arguments',
    );
    expect(await errorOf(app.flushall())).toBe(
      "NOPERM this user has no permissions to run the 'flushall' command",
    );
    expect(await app.publish('events.x', 'm')).toBe(0);
    expect(await errorOf(app.publish('other', 'm'))).toBe(
      'NOPERM this user has no permissions to access one of the channels used as arguments',
    );
  });

  it('refuses a wrong password, an unknown user and a disabled one', async () => {
    await admin.call('ACL', 'SETUSER', 'off-user', 'off', '>pw', '+@all');
    for (const [username, password] of [
      ['nobody', 'pw'],
      ['off-user', 'pw'],
    ] as const) {
      const client = connect();
      await client.connect();
      expect(await errorOf(client.call('AUTH', username, password))).toBe(
        'WRONGPASS invalid username-password pair or user is disabled.',
      );
    }
  });

  it('read and write key permissions follow the key specs', async () => {
    await admin.call('ACL', 'SETUSER', 'rw', 'on', 'nopass', '%R~src*', '%W~dst*', '+@all');
    const client = connect({ username: 'rw', password: 'x' });
    await client.connect();
    await admin.set('src', 'v');
    expect(await client.get('src')).toBe('v');
    expect(await client.call('COPY', 'src', 'dst')).toBe(1);
    expect(await errorOf(client.get('dst'))).toMatch(/^NOPERM/);
    expect(await errorOf(client.set('src', 'x'))).toMatch(/^NOPERM/);
    expect(await client.del('dst')).toBe(1);
  });

  it('selectors: a command is allowed when one selector allows all of it', async () => {
    await admin.call('ACL', 'SETUSER', 'sel', 'on', 'nopass', '+get', '~a*', '(+set ~b*)');
    const client = connect({ username: 'sel', password: 'x' });
    await client.connect();
    expect(await client.get('a1')).toBe(null);
    expect(await client.set('b1', 'v')).toBe('OK');
    expect(await errorOf(client.set('a1', 'v'))).toMatch(/^NOPERM/);
    expect(await errorOf(client.get('b1'))).toMatch(/^NOPERM/);
  });

  it('MULTI: a denied command is refused when queued and EXEC aborts', async () => {
    await admin.call('ACL', 'SETUSER', 'tx', 'on', 'nopass', '~k*', '+@all');
    const client = connect({ username: 'tx', password: 'x' });
    await client.connect();
    const results = await client
      .multi()
      .set('k1', 'v')
      .set('x1', 'v')
      .exec()
      .catch((error: Error) => error.message);
    expect(String(results)).toMatch(/EXECABORT/);
    expect(await admin.exists('k1')).toBe(0);
    const log = (await admin.call('ACL', 'LOG', '1')) as unknown[][];
    expect(log[0]?.slice(0, 10)).toEqual([
      'count',
      1,
      'reason',
      'key',
      'context',
      'multi',
      'object',
      'x1',
      'username',
      'tx',
    ]);
  });

  it('scripts run with the caller’s permissions', async () => {
    await admin.call('ACL', 'SETUSER', 'lua', 'on', 'nopass', '~k*', '+@all', '-del');
    const client = connect({ username: 'lua', password: 'x' });
    await client.connect();
    expect(await client.eval("return redis.call('set', KEYS[1], 'v')", 1, 'k1')).toBe('OK');
    expect(await errorOf(client.eval("return redis.call('set', 'x1', 'v')", 0))).toMatch(
      /can't access at least one of the keys/,
    );
    expect(await errorOf(client.eval("return redis.call('del', 'k1')", 0))).toMatch(
      /can't run this command or subcommand/,
    );
    expect(await client.eval("return redis.acl_check_cmd('del', 'k1')", 0)).toBe(null);
    expect(await client.eval("return redis.acl_check_cmd('get', 'k1')", 0)).toBe(1);
    const log = (await admin.call('ACL', 'LOG', '1')) as unknown[][];
    expect(log[0]?.slice(0, 10)).toEqual([
      'count',
      1,
      'reason',
      'command',
      'context',
      'lua',
      'object',
      'del',
      'username',
      'lua',
    ]);
  });
});

describe('node-redis', () => {
  it('HELLO 3 AUTH logs in; a wrong password fails the connection', async () => {
    await admin.call('ACL', 'SETUSER', 'nr', 'on', '>pw', 'allkeys', '+@all');
    const good = createClient({ url: `redis://nr:pw@127.0.0.1:${server.port}`, RESP: 3 });
    await good.connect();
    try {
      expect(await good.sendCommand(['ACL', 'WHOAMI'])).toBe('nr');
      expect(await good.set('k', 'v')).toBe('OK');
    } finally {
      good.destroy();
    }
    const bad = createClient({
      url: `redis://nr:wrong@127.0.0.1:${server.port}`,
      RESP: 3,
      socket: { reconnectStrategy: false },
    });
    bad.on('error', () => undefined);
    await expect(bad.connect()).rejects.toThrow(/WRONGPASS/);
    if (bad.isOpen) bad.destroy();
  });
});

describe('clients of users', () => {
  it('CLIENT LIST shows the user; DELUSER disconnects its clients; CLIENT KILL USER', async () => {
    await admin.call('ACL', 'SETUSER', 'worker', 'on', 'nopass', '+@all', '~*');
    const a = connect({ username: 'worker', password: 'x' });
    const b = connect({ username: 'worker', password: 'x' });
    await a.connect();
    await b.connect();
    const list = (await admin.call('CLIENT', 'LIST')) as string;
    expect(list.split('\n').filter((line) => line.includes(' user=worker ')).length).toBe(2);
    expect(await admin.call('CLIENT', 'KILL', 'USER', 'worker')).toBe(2);
    expect(await errorOf(admin.call('CLIENT', 'KILL', 'USER', 'nobody'))).toBe(
      "ERR No such user 'nobody'",
    );
    const c = connect({ username: 'worker', password: 'x' });
    await c.connect();
    let closed = false;
    c.on('close', () => (closed = true));
    expect(await admin.call('ACL', 'DELUSER', 'worker')).toBe(1);
    await waitFor(() => closed);
  });

  it('disabling a user keeps its connections (redis-server 7.0 only stops new logins)', async () => {
    await admin.call('ACL', 'SETUSER', 'later', 'on', 'nopass', '+@all', '~*');
    const client = connect({ username: 'later', password: 'x' });
    await client.connect();
    await admin.call('ACL', 'SETUSER', 'later', 'off');
    expect(await client.call('ACL', 'WHOAMI')).toBe('later');
    expect(await errorOf(client.call('HELLO', '2', 'AUTH', 'later', 'x'))).toBe(
      'WRONGPASS invalid username-password pair or user is disabled.',
    );
    const log = (await admin.call('ACL', 'LOG', '1')) as unknown[][];
    expect(log[0]?.slice(6, 10)).toEqual(['object', 'HELLO', 'username', 'later']);
  });

  it('revoking a channel disconnects its subscribers', async () => {
    await admin.call('ACL', 'SETUSER', 'sub', 'on', 'nopass', '+@all', 'resetchannels', '&news');
    const subscriber = connect({ username: 'sub', password: 'x' });
    await subscriber.connect();
    await subscriber.subscribe('news');
    expect(await errorOf(subscriber.subscribe('sport'))).toMatch(/^NOPERM/);
    let closed = false;
    subscriber.on('close', () => (closed = true));
    await admin.call('ACL', 'SETUSER', 'sub', 'resetchannels', '&other');
    await waitFor(() => closed);
  });

  it('ACL LOG records denials and failed logins, grouping repeats', async () => {
    await admin.call('ACL', 'LOG', 'RESET');
    // what ioredis sends on connecting (CLIENT SETINFO, INFO) is allowed: only SET is denied
    await admin.call('ACL', 'SETUSER', 'ro', 'on', 'nopass', '+get', '+client', '+info', 'allkeys');
    const client = connect({ username: 'ro', password: 'x' });
    await client.connect();
    await errorOf(client.set('k', 'v'));
    await errorOf(client.set('k', 'v'));
    await errorOf(client.call('AUTH', 'ro2', 'bad'));
    const log = (await admin.call('ACL', 'LOG')) as unknown[][];
    expect(log.length).toBe(2);
    expect(log[0]?.slice(0, 10)).toEqual([
      'count',
      1,
      'reason',
      'auth',
      'context',
      'toplevel',
      'object',
      'AUTH',
      'username',
      'ro2',
    ]);
    expect(log[1]?.slice(0, 10)).toEqual([
      'count',
      2,
      'reason',
      'command',
      'context',
      'toplevel',
      'object',
      'set',
      'username',
      'ro',
    ]);
    expect(log[1]?.[11]).toMatch(/^\d+(\.\d+)?$/);
    expect(String(log[1]?.[13])).toMatch(/ user=ro /);
    expect(await admin.call('ACL', 'LOG', 'RESET')).toBe('OK');
    expect(await admin.call('ACL', 'LOG')).toEqual([]);
  });

  it('requirepass is the default user’s password', async () => {
    await admin.config('SET', 'requirepass', 'pw');
    const client = await RawClient.connect(server.port);
    try {
      expect(await client.call('GET', 'k')).toBe('-NOAUTH Authentication required.\r\n');
      expect(await client.call('AUTH', 'pw')).toBe('+OK\r\n');
      expect(await client.call('ACL', 'WHOAMI')).toBe('$7\r\ndefault\r\n');
      const hash = createHash('sha256').update('pw').digest('hex');
      expect(await client.call('ACL', 'GETUSER', 'default')).toContain(`*1\r\n$64\r\n${hash}\r\n`);
      expect(await client.call('CONFIG', 'SET', 'requirepass', '')).toBe('+OK\r\n');
      expect(await client.call('AUTH', 'pw')).toMatch(/^-ERR AUTH <password> called without/);
    } finally {
      client.close();
    }
  });
});

describe('ACL GENPASS', () => {
  it('returns hex with (bits + 3) / 4 digits', async () => {
    for (const [bits, length] of [
      [undefined, 64],
      [1, 1],
      [5, 2],
      [128, 32],
      [4096, 1024],
    ] as const) {
      const value = (await (bits === undefined
        ? admin.call('ACL', 'GENPASS')
        : admin.call('ACL', 'GENPASS', bits))) as string;
      expect(value).toMatch(new RegExp(`^[0-9a-f]{${length}}$`));
    }
  });
});

describe('files and start-up', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'byor-acl-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('user directives in the config file define users', async () => {
    const file = join(dir, 'redis.conf');
    writeFileSync(file, 'user alice on >pw ~* +@all\nuser bob off\n');
    const config = Config.fromArgv([file]);
    expect(config.users).toEqual([
      ['alice', 'on', '>pw', '~*', '+@all'],
      ['bob', 'off'],
    ]);
    const started = await startServer({ port: 0, config });
    try {
      Acl.attach(started.server);
      const client = new Redis({
        port: started.port,
        host: '127.0.0.1',
        username: 'alice',
        password: 'pw',
        lazyConnect: true,
      });
      await client.connect();
      expect(await client.call('ACL', 'USERS')).toEqual(['alice', 'bob', 'default']);
      client.disconnect();
    } finally {
      await started.close();
    }
  });

  it('without Acl.attach, config users apply when the ACLs are first used (AUTH)', async () => {
    const started = await startServer({
      port: 0,
      config: Config.fromArgv(['--user', 'carol', 'on', '>pw', '+@all', '~*']),
    });
    const client = await RawClient.connect(started.port);
    try {
      expect(await client.call('AUTH', 'carol', 'pw')).toBe('+OK\r\n');
      expect(await client.call('ACL', 'WHOAMI')).toBe('$5\r\ncarol\r\n');
    } finally {
      client.close();
      await started.close();
    }
  });

  it('refuses to start with users in the config together with an aclfile, and with bad rules', async () => {
    const both = Config.fromArgv(['--user', 'alice', '--aclfile', join(dir, 'users.acl')]);
    await expect(startServer({ port: 0, config: both })).rejects.toThrow(
      /users defined in redis.conf/,
    );
    await expect(
      startServer({ port: 0, config: Config.fromArgv(['--user', 'alice', 'nosuchrule']) }),
    ).rejects.toThrow("Error in user declaration 'alice': Syntax error");
    // a good declaration applies at once: the user exists before any ACL command
    const good = await startServer({
      port: 0,
      config: Config.fromArgv(['--user', 'alice', 'on', '>pw', '~*', '+@all']),
    });
    try {
      expect(Acl.of(good.server).users.has('alice')).toBe(true);
    } finally {
      await good.close();
    }
  });

  it('ACL SAVE writes ACL LIST; ACL LOAD reads it back and disconnects replaced users', async () => {
    const aclfile = join(dir, 'users.acl');
    writeFileSync(aclfile, '');
    const started = await startServer({ port: 0, config: { aclfile } });
    const client = new Redis({ port: started.port, host: '127.0.0.1', lazyConnect: true });
    try {
      Acl.attach(started.server);
      await client.connect();
      await client.call('ACL', 'SETUSER', 'saved', 'on', '>pw', '~k*', '(+get ~x*)', '+set');
      expect(await client.call('ACL', 'SAVE')).toBe('OK');
      const list = (await client.call('ACL', 'LIST')) as string[];
      expect(readFileSync(aclfile, 'latin1')).toBe(list.map((line) => `${line}\n`).join(''));
      await client.call('ACL', 'DELUSER', 'saved');
      expect(await client.call('ACL', 'LOAD')).toBe('OK');
      expect(await client.call('ACL', 'LIST')).toEqual(list);
      writeFileSync(aclfile, 'user broken +nosuch\n');
      expect(await errorOf(client.call('ACL', 'LOAD'))).toBe(
        `ERR ${aclfile}:1: Unknown command or category name in ACL.`,
      );
      expect(await client.call('ACL', 'LIST')).toEqual(list);
    } finally {
      client.disconnect();
      await started.close();
    }
  });
});

describe('fast path', () => {
  it('installs the per-command check only while some user is restricted', async () => {
    const hooks = server.server.hooks.beforeCommand;
    const before = hooks.length;
    await admin.call('ACL', 'WHOAMI');
    expect(hooks.length).toBe(before);
    await admin.call('ACL', 'SETUSER', 'temp');
    expect(hooks.length).toBe(before + 1);
    await admin.call('ACL', 'DELUSER', 'temp');
    expect(hooks.length).toBe(before);
    await admin.call('ACL', 'SETUSER', 'default', '-debug');
    expect(hooks.length).toBe(before + 1);
    await admin.call('ACL', 'SETUSER', 'default', '+@all');
    expect(hooks.length).toBe(before);
  });
});

/**
 * The described command rules rebuild the same bitmap (the check redis-server makes before it
 * prints them), for random rule sequences.
 */
describe('selector model', () => {
  const table = aclCommandTable();
  const names = table.byId.map((command) => command.name);
  const rule = fc.oneof(
    fc
      .constantFrom(...ACL_CATEGORIES)
      .chain((category) => fc.constantFrom(`+@${category}`, `-@${category}`)),
    fc.constantFrom(...names).chain((name) => fc.constantFrom(`+${name}`, `-${name}`)),
    fc.constantFrom('+@all', '-@all', '+select|0', '+select|1'),
  );

  it('matches a set model after every rule, and describes itself faithfully', () => {
    fc.assert(
      fc.property(fc.array(rule, { maxLength: 12 }), (rules) => {
        const selector = new Selector(table, 0);
        // the reference: allowed ids, and the "future commands" bit
        const model = new Set<number>();
        let future = false;
        const setCommand = (name: string, allow: boolean): void => {
          const command = table.lookup(name);
          if (!command) return;
          for (const entry of [command, ...command.subcommands]) {
            if (allow) model.add(entry.id);
            else model.delete(entry.id);
          }
        };
        for (const op of rules) {
          expect(selector.apply(op)).toBeUndefined();
          if (op === '+@all') {
            for (const command of table.byId) model.add(command.id);
            future = true;
          } else if (op === '-@all') {
            model.clear();
            future = false;
          } else if (op[1] === '@') {
            const bit = ACL_CATEGORIES.indexOf(op.slice(2) as (typeof ACL_CATEGORIES)[number]);
            for (const command of table.byId)
              if (command.categories & (1 << bit)) setCommand(command.name, op[0] === '+');
          } else if (!op.includes('|') || table.lookup(op.slice(1))) {
            setCommand(op.slice(1), op[0] === '+');
          }
          for (const command of table.byId)
            expect(selector.allowed[command.id] === 1).toBe(model.has(command.id));
          expect(selector.futureCommands).toBe(future);
          selector.checkInvariants();
        }
      }),
      { numRuns: 150 },
    );
  });

  it('a table of descriptions', () => {
    const cases: [string[], string][] = [
      [[], '-@all'],
      [['+@all'], '+@all'],
      [['+@all', '-get'], '+@all -get'],
      [['+@read', '-get'], '-@all +@read -get'],
      [['+select|0'], '-@all +select|0'],
      [['+select|0', '+select'], '-@all +select'],
      [['+config', '-config|set'], '-@all +config -config|set'],
    ];
    for (const [rules, expected] of cases) {
      const selector = new Selector(table, 0);
      for (const op of rules) selector.apply(op);
      expect(selector.describeCommands()).toBe(expected);
    }
  });
});
