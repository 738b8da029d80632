import type { DiffCase } from './harness.js';

/**
 * pub/sub on one connection (several connections: test/pubsub.test.ts's transcripts, and the
 * random sequences' second connection).
 */
export const pubsubCases: DiffCase[] = [
  {
    // NUMSUB and SHARDNUMSUB answer a flat array in RESP3 too (redis-server 7.0)
    name: 'numsub in RESP3',
    resp: 3,
    commands: [
      ['PUBSUB', 'NUMSUB'],
      ['PUBSUB', 'NUMSUB', 'a', 'b'],
      ['SUBSCRIBE', 'a'],
      ['PUBSUB', 'NUMSUB', 'a', 'b', 'a'],
      ['PUBSUB', 'SHARDNUMSUB', 'x'],
      ['PUBSUB', 'NUMPAT'],
      ['UNSUBSCRIBE'],
    ],
  },
];
