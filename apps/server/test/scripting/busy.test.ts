import { afterEach, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../src/index.js';
import { redisAvailable } from '../differential/harness.js';
import { RawClient } from '../helpers/raw-client.js';
import { startRedisServer, type RedisServerProcess } from '@byor/test-oracle';

/**
 * Long scripts (busy-reply-threshold, SCRIPT KILL, FUNCTION KILL, SHUTDOWN NOSAVE), run the same
 * way on byor and on redis-server: every reply must be the same bytes. A script past the
 * threshold keeps running while other clients are answered BUSY; before it, they simply wait.
 */

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const SPIN = 'local i = 0 while true do i = i + 1 end';

interface Target {
  readonly name: string;
  readonly port: number;
  stop(): Promise<void>;
}

async function byor(): Promise<Target> {
  const server: RunningServer = await startServer({ port: 0 });
  return { name: 'byor', port: server.port, stop: () => server.close() };
}

async function redis(): Promise<Target> {
  const server: RedisServerProcess = await startRedisServer();
  return { name: 'redis', port: server.port, stop: () => server.stop() };
}

/** Sends PING until the server answers BUSY (the script passed the threshold). */
async function waitBusy(client: RawClient): Promise<string> {
  const deadline = Date.now() + 5000;
  for (;;) {
    const reply = await client.call('PING');
    if (reply.startsWith('-BUSY')) return reply;
    if (Date.now() > deadline) throw new Error(`never busy: ${reply}`);
    await sleep(10);
  }
}

type Scenario = (port: number) => Promise<string[]>;

const scenarios: Record<string, Scenario> = {
  'SCRIPT KILL stops a read-only script': async (port) => {
    const [a, b] = await Promise.all([RawClient.connect(port), RawClient.connect(port)]);
    const out: string[] = [];
    out.push(await b.call('CONFIG', 'SET', 'busy-reply-threshold', '100'));
    out.push(await b.call('SET', 'k', 'v'));
    const running = a.call('EVAL', SPIN, '0');
    out.push(await waitBusy(b));
    out.push(await b.call('GET', 'k'));
    out.push(await b.call('FUNCTION', 'KILL'));
    out.push(await b.call('FUNCTION', 'STATS'));
    out.push(await b.call('SCRIPT', 'KILL'));
    out.push(await running);
    out.push(await b.call('SCRIPT', 'KILL'));
    out.push(await b.call('GET', 'k'));
    out.push(await a.call('PING'));
    a.close();
    b.close();
    return out;
  },
  'a script that wrote cannot be killed; transactions are refused': async (port) => {
    const [a, b] = await Promise.all([RawClient.connect(port), RawClient.connect(port)]);
    const out: string[] = [];
    out.push(await b.call('CONFIG', 'SET', 'busy-reply-threshold', '100'));
    const running = a.call(
      'EVAL',
      "redis.call('set', 'w', 1) local n = tonumber(ARGV[1]) local t = redis.call('time') local start = t[1] * 1000 + math.floor(t[2] / 1000) while true do local now = redis.call('time') if now[1] * 1000 + math.floor(now[2] / 1000) - start > n then break end end redis.call('set', 'w', 2) return 'done'",
      '0',
      // long enough that the commands below all arrive while it runs, even on a loaded machine
      '2000',
    );
    out.push(await waitBusy(b));
    out.push(await b.call('SCRIPT', 'KILL'));
    out.push(await b.call('MULTI'));
    out.push(await b.call('GET', 'w'));
    out.push(await b.call('EXEC'));
    out.push(await b.call('SHUTDOWN'));
    out.push(await running);
    out.push(await b.call('GET', 'w'));
    a.close();
    b.close();
    return out;
  },
  'a function is killed with FUNCTION KILL, not SCRIPT KILL': async (port) => {
    const [a, b] = await Promise.all([RawClient.connect(port), RawClient.connect(port)]);
    const out: string[] = [];
    out.push(await b.call('CONFIG', 'SET', 'busy-reply-threshold', '100'));
    out.push(
      await b.call(
        'FUNCTION',
        'LOAD',
        `#!lua name=spin\nredis.register_function{function_name='spin', callback=function() ${SPIN} end, flags={'no-writes'}}`,
      ),
    );
    const running = a.call('FCALL', 'spin', '0');
    out.push(await waitBusy(b));
    // the running function, with the command that called it
    const stats = await b.call('FUNCTION', 'STATS');
    out.push(stats.replace(/(\$11\r\nduration_ms\r\n):\d+/, '$1:<ms>'));
    out.push(await b.call('SCRIPT', 'KILL'));
    out.push(await b.call('FUNCTION', 'KILL'));
    out.push(await running);
    out.push(await b.call('FUNCTION', 'KILL'));
    a.close();
    b.close();
    return out;
  },
  'before the threshold other clients wait for the script': async (port) => {
    const [a, b] = await Promise.all([RawClient.connect(port), RawClient.connect(port)]);
    const out: string[] = [];
    const running = a.call(
      'EVAL',
      "redis.call('set', 'x', 'partial') for i = 1, 3000000 do end redis.call('set', 'x', 'complete') return 1",
      '0',
    );
    await sleep(5);
    out.push(await b.call('GET', 'x'));
    out.push(await running);
    a.close();
    b.close();
    return out;
  },
};

describe.skipIf(!redisAvailable)('busy scripts, byor and redis-server side by side', () => {
  const targets: Target[] = [];
  afterEach(async () => {
    for (const target of targets.splice(0)) await target.stop();
  });

  for (const [name, scenario] of Object.entries(scenarios)) {
    it(name, async () => {
      const ours = await byor();
      const theirs = await redis();
      targets.push(ours, theirs);
      const [x, y] = await Promise.all([scenario(ours.port), scenario(theirs.port)]);
      expect(x).toEqual(y);
    });
  }

  it('SHUTDOWN NOSAVE ends a script that cannot be killed', async () => {
    for (const start of [byor, redis]) {
      const target = await start();
      const [a, b] = await Promise.all([
        RawClient.connect(target.port),
        RawClient.connect(target.port),
      ]);
      await b.call('CONFIG', 'SET', 'busy-reply-threshold', '100');
      void a.call('EVAL', `redis.call('set', 'w', 1) ${SPIN}`, '0');
      await waitBusy(b);
      expect(await b.call('SCRIPT', 'KILL')).toMatch(/^-UNKILLABLE/);
      void b.call('SHUTDOWN', 'NOSAVE');
      await Promise.all([a.closed(), b.closed()]);
      a.close();
      b.close();
      await target.stop();
    }
  });
});
