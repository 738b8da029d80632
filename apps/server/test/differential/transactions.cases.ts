import type { DiffCase } from './harness.js';

/** A script that returns once 3 ms have passed (TIME moves while a script runs). */
const WAIT_3MS =
  "local s = redis.call('TIME') repeat local t = redis.call('TIME') until (t[1] - s[1]) * 1000000 + (t[2] - s[2]) > 3000 return 1";

/** MULTI/EXEC/DISCARD/WATCH on one connection (cross-connection WATCH is in transactions.test.ts). */
export const transactionsCases: DiffCase[] = [
  {
    name: 'multi exec',
    commands: [['MULTI'], ['SET', 'a', '1'], ['INCR', 'a'], ['GET', 'a'], ['EXEC'], ['GET', 'a']],
  },
  {
    name: 'exec without multi',
    commands: [['EXEC'], ['DISCARD'], ['MULTI'], ['MULTI'], ['DISCARD'], ['DISCARD']],
  },
  {
    name: 'runtime errors do not abort',
    commands: [
      ['SET', 's', 'abc'],
      ['MULTI'],
      ['INCR', 's'],
      ['SET', 'b', '2'],
      ['EXEC'],
      ['GET', 'b'],
    ],
  },
  {
    name: 'queue-time errors abort',
    commands: [['MULTI'], ['SET', 'a', '1'], ['NOSUCH', 'x'], ['GET'], ['EXEC'], ['GET', 'a']],
  },
  {
    name: 'arity error aborts',
    commands: [['MULTI'], ['INCR'], ['EXEC'], ['MULTI'], ['SET', 'x', '1'], ['EXEC']],
  },
  {
    name: 'watch in multi',
    commands: [
      ['MULTI'],
      ['WATCH', 'a'],
      ['SET', 'a', '1'],
      ['EXEC'],
      ['WATCH'],
      ['UNWATCH'],
      ['WATCH', 'a', 'b'],
    ],
  },
  {
    name: 'watch own write aborts',
    commands: [
      ['WATCH', 'k'],
      ['SET', 'k', '1'],
      ['MULTI'],
      ['GET', 'k'],
      ['EXEC'],
      ['WATCH', 'k'],
      ['MULTI'],
      ['GET', 'k'],
      ['EXEC'],
    ],
  },
  {
    name: 'unwatch',
    commands: [['WATCH', 'k'], ['SET', 'k', '1'], ['UNWATCH'], ['MULTI'], ['GET', 'k'], ['EXEC']],
  },
  {
    name: 'watch flushdb of missing key',
    commands: [
      ['WATCH', 'missing'],
      ['FLUSHDB'],
      ['MULTI'],
      ['PING'],
      ['EXEC'],
      ['SET', 'k', '1'],
      ['WATCH', 'k'],
      ['FLUSHALL'],
      ['MULTI'],
      ['PING'],
      ['EXEC'],
    ],
  },
  {
    name: 'watch expired key',
    commands: [
      ['SET', 'k', 'v', 'PX', '1'],
      // 3 ms pass inside the server (a script waiting on TIME): the key is expired when watched,
      // whatever the machine's speed (its expiry then does not fail the EXEC)
      [
        'EVAL',
        "local s = redis.call('TIME') repeat local t = redis.call('TIME') until (t[1] - s[1]) * 1000000 + (t[2] - s[2]) > 3000 return 1",
        '0',
      ],
      ['WATCH', 'k'],
      ['MULTI'],
      ['PING'],
      ['EXEC'],
    ],
  },
  {
    name: 'watched key expires before exec',
    commands: [
      ['SET', 'k', 'v', 'PX', '500'],
      ['WATCH', 'k'],
      // 600 ms pass inside the server: the key, alive when watched, has expired by EXEC
      [
        'EVAL',
        "local s = redis.call('TIME') repeat local t = redis.call('TIME') until (t[1] - s[1]) * 1000000 + (t[2] - s[2]) > 600000 return 1",
        '0',
      ],
      ['MULTI'],
      ['PING'],
      ['EXEC'],
    ],
  },
  {
    // touchAllWatchedKeysInDb: a key in neither table is no change; one expired when watched and
    // dropped is none either; a key only in the new table, expired, counts as watched expired
    name: 'watch across swapdb and flushdb',
    commands: [
      ['WATCH', 'nokey'],
      ['SWAPDB', '0', '1'],
      ['MULTI'],
      ['PING'],
      ['EXEC'],
      ['SELECT', '1'],
      ['SET', 'k', 'v'],
      ['SELECT', '0'],
      ['WATCH', 'k'],
      ['SWAPDB', '0', '1'],
      ['MULTI'],
      ['PING'],
      ['EXEC'],
      ['FLUSHALL'],
      ['SET', 'e', 'v', 'PX', '1'],
      ['EVAL', WAIT_3MS, '0'],
      ['WATCH', 'e'],
      ['SWAPDB', '0', '1'],
      ['MULTI'],
      ['PING'],
      ['EXEC'],
      ['FLUSHALL'],
      ['SELECT', '1'],
      ['SET', 'e', 'v', 'PX', '1'],
      ['SELECT', '0'],
      ['EVAL', WAIT_3MS, '0'],
      ['WATCH', 'e'],
      ['SWAPDB', '0', '1'],
      ['MULTI'],
      ['PING'],
      ['EXEC'],
      ['FLUSHALL'],
      // alive when watched, expired (not reclaimed) when the database is flushed: a change
      ['SET', 'k', 'v', 'PX', '2'],
      ['WATCH', 'k'],
      ['EVAL', WAIT_3MS, '0'],
      ['FLUSHDB'],
      ['MULTI'],
      ['PING'],
      ['EXEC'],
    ],
  },
  {
    name: 'discard unwatches',
    commands: [
      ['WATCH', 'k'],
      ['SET', 'k', '1'],
      ['MULTI'],
      ['DISCARD'],
      ['MULTI'],
      ['GET', 'k'],
      ['EXEC'],
    ],
  },
  {
    name: 'exec replies in resp3',
    resp: 3,
    commands: [
      ['MULTI'],
      ['SET', 'a', '1'],
      ['CONFIG', 'GET', 'maxmemory'],
      ['GET', 'nokey'],
      ['EXEC'],
      ['WATCH', 'a'],
      ['SET', 'a', '2'],
      ['MULTI'],
      ['EXEC'],
    ],
  },
  { name: 'empty transaction', commands: [['MULTI'], ['EXEC']] },
  {
    name: 'select inside multi',
    commands: [
      ['MULTI'],
      ['SELECT', '1'],
      ['SET', 'a', 'db1'],
      ['EXEC'],
      ['GET', 'a'],
      ['SELECT', '0'],
      ['GET', 'a'],
    ],
  },
];
