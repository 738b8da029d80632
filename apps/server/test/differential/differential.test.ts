import { bitmapCases } from './bitmaps.cases.js';
import { hyperloglogCases } from './hyperloglog.cases.js';
import { geoCases } from './geo.cases.js';
import { sortCases } from './sort.cases.js';
import { trackingCases } from './tracking.cases.js';
import { replicationCases } from './replication.cases.js';
import { aclCases } from './acl.cases.js';
import { introspectionCases } from './introspection.cases.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashesCases } from './hashes.cases.js';
import { keyCases } from './keys.cases.js';
import { listsCases } from './lists.cases.js';
import { pubsubCases } from './pubsub.cases.js';
import {
  openStreams,
  redisAvailable,
  runCases,
  startPair,
  type DiffCase,
  type Pair,
} from './harness.js';
import { scriptingCases } from './scripting.cases.js';
import { setsCases } from './sets.cases.js';
import { streamsCases } from './streams.cases.js';
import { stringCases } from './strings.cases.js';
import { transactionsCases } from './transactions.cases.js';
import { zsetsCases } from './zsets.cases.js';

// (replication first: a standalone server that never had a replica, before the others' cases
// attach one to compare what each server propagates)
const groups: Record<string, DiffCase[]> = {
  replication: replicationCases,
  strings: stringCases,
  keys: keyCases,
  lists: listsCases,
  hashes: hashesCases,
  sets: setsCases,
  zsets: zsetsCases,
  pubsub: pubsubCases,
  transactions: transactionsCases,
  streams: streamsCases,
  scripting: scriptingCases,
  bitmaps: bitmapCases,
  hyperloglog: hyperloglogCases,
  geo: geoCases,
  sort: sortCases,
  tracking: trackingCases,
  acl: aclCases,
  introspection: introspectionCases,
};

describe.skipIf(!redisAvailable)('differential: byor vs redis-server, byte for byte', () => {
  let pair: Pair;
  beforeAll(async () => {
    pair = await startPair();
  });
  afterAll(async () => {
    await pair.stop();
  });

  for (const [group, cases] of Object.entries(groups)) {
    it.skipIf(cases.length === 0)(`${group}: ${cases.length} cases`, async () => {
      // what both propagate is compared too, but for the cases of a server without replicas
      const streams = group === 'replication' ? undefined : await openStreams(pair);
      const { mismatches, commands } = await runCases(pair, cases, streams).finally(() =>
        streams?.close(),
      );
      const report = mismatches
        .map(
          (m) =>
            `[${m.name}] ${m.command}\n  byor:  ${JSON.stringify(m.byor)}\n  redis: ${JSON.stringify(m.redis)}`,
        )
        .join('\n');
      expect(report, `${mismatches.length} of ${commands} replies differ`).toBe('');
    });
  }
});
