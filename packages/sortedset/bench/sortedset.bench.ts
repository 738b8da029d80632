/**
 * @byor/sortedset against sorted sets built the usual way from the npm peers: an ordered set
 * of [score, member] pairs plus a Map member -> score, with js-sdsl's OrderedSet (enableIndex,
 * so it has O(log n) ranks) and with sorted-btree's BTree. Same data, same process.
 *
 * - 1M members "member:<n>", integer scores in [0, 100k) (ties are ordered by member).
 * - ZADD / ZREM at 1M: 100k new members added, then removed, timed by hand in CPU time (median of rounds
 *   after a warm-up round).
 * - ZSCORE, ZRANK, ZCOUNT, ZRANGE (100 from a rank), ZRANGEBYSCORE (LIMIT 0 100 from a score):
 *   mitata, random probes. sorted-btree keeps no subtree sizes: no ZRANK, ZCOUNT in O(log n) or
 *   select, so it sits those out. js-sdsl's select (`getElementByPos`) is an O(n) walk.
 * - Memory: bytes per member at 1M, and bytes per sorted set for 100k sets of 5 members (the
 *   server holds many small sets; ours uses the compact listpack encoding there).
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { createRequire } from 'node:module';
import { OrderedSet } from 'js-sdsl';
import type * as SortedBtreeModule from 'sorted-btree';
import { compare, do_not_optimize, report } from '../../../scripts/bench.js';
import { SortedSet, type ScoreBound } from '../src/index.js';

const require = createRequire(import.meta.url);
// sorted-btree is CommonJS; require() gives the class whatever the ESM loader does with it
const BTree = (require('sorted-btree') as typeof SortedBtreeModule.default).default;

setFlagsFromString('--expose-gc');
const collectGarbage = runInNewContext('gc') as () => void;

/**
 * CPU time this process has used, in nanoseconds. The hand-timed figures use it rather than the
 * wall clock: on a shared machine, time spent waiting for a core is not the structure's cost.
 */
function cpuNanoseconds(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) * 1000;
}

// the runner's title filter (`pnpm bench <pattern>`): hand-timed sections it excludes are skipped
const filter = process.argv[2] ? new RegExp(process.argv[2], 'i') : undefined;
const wanted = (...titles: string[]): boolean =>
  !filter || titles.some((title) => filter.test(title));

const N = 1_000_000;
const FRESH = 100_000;
const PROBES = 1000;
const RANGE = 100;
const SMALL_SETS = 100_000;
const SMALL_SIZE = 5;

let seed = 0x2545f491;
function random(): number {
  seed ^= seed << 13;
  seed ^= seed >>> 17;
  seed ^= seed << 5;
  return (seed >>> 0) / 4294967296;
}

const members: string[] = [];
const scores = new Float64Array(N + FRESH);
for (let index = 0; index < N + FRESH; index++) {
  members.push(`member:${index}`);
  scores[index] = Math.floor(random() * 100_000);
}
const probeMembers: string[] = [];
const probeRanks = new Int32Array(PROBES);
const probeScores = new Float64Array(PROBES);
for (let index = 0; index < PROBES; index++) {
  probeMembers.push(members[Math.floor(random() * N)]!);
  probeRanks[index] = Math.floor(random() * (N - RANGE));
  probeScores[index] = Math.floor(random() * 100_000);
}

type Pair = [score: number, member: string];
const comparePairs = (a: Pair, b: Pair): number =>
  a[0] !== b[0] ? a[0] - b[0] : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0;

/** js-sdsl OrderedSet of pairs + Map: the common way to build a ZSET from a tree library. */
class SdslZSet {
  readonly order: OrderedSet<Pair>;
  readonly scores = new Map<string, number>();
  constructor(enableIndex: boolean) {
    this.order = new OrderedSet<Pair>([], comparePairs, enableIndex);
  }
  add(member: string, score: number): void {
    const current = this.scores.get(member);
    if (current !== undefined) this.order.eraseElementByKey([current, member]);
    this.order.insert([score, member]);
    this.scores.set(member, score);
  }
  remove(member: string): void {
    const current = this.scores.get(member);
    if (current === undefined) return;
    this.order.eraseElementByKey([current, member]);
    this.scores.delete(member);
  }
}

/** sorted-btree keyed by pairs + Map. */
class BtreeZSet {
  readonly order = new BTree<Pair, undefined>(undefined, comparePairs);
  readonly scores = new Map<string, number>();
  add(member: string, score: number): void {
    const current = this.scores.get(member);
    if (current !== undefined) this.order.delete([current, member]);
    this.order.set([score, member], undefined);
    this.scores.set(member, score);
  }
  remove(member: string): void {
    const current = this.scores.get(member);
    if (current === undefined) return;
    this.order.delete([current, member]);
    this.scores.delete(member);
  }
}

function heapBytes(): number {
  collectGarbage();
  collectGarbage();
  const usage = process.memoryUsage();
  return usage.heapUsed + usage.arrayBuffers;
}

function measure<T>(build: () => T, divisor: number): [T, number] {
  const before = heapBytes();
  const built = build();
  return [built, (heapBytes() - before) / divisor];
}

// ---- memory of many small sets, measured first and dropped ----------------------------------
if (wanted(`memory per sorted set of ${SMALL_SIZE} members (100k sets)`)) {
  const perSet: Record<string, number> = {};
  const small = (add: (set: number, member: number) => void) => {
    for (let set = 0; set < SMALL_SETS; set++) {
      for (let member = 0; member < SMALL_SIZE; member++) add(set, member);
    }
  };
  const kept: unknown[] = [];
  let built: unknown;
  [built, perSet['@byor/sortedset']] = measure(() => {
    const sets = Array.from({ length: SMALL_SETS }, () => new SortedSet());
    small((set, member) => sets[set]!.add(members[member]!, scores[member]!));
    return sets;
  }, SMALL_SETS);
  kept.push(built);
  [built, perSet['js-sdsl OrderedSet + Map']] = measure(() => {
    const sets = Array.from({ length: SMALL_SETS }, () => new SdslZSet(false));
    small((set, member) => sets[set]!.add(members[member]!, scores[member]!));
    return sets;
  }, SMALL_SETS);
  kept.push(built);
  [built, perSet['sorted-btree + Map']] = measure(() => {
    const sets = Array.from({ length: SMALL_SETS }, () => new BtreeZSet());
    small((set, member) => sets[set]!.add(members[member]!, scores[member]!));
    return sets;
  }, SMALL_SETS);
  kept.push(built);
  do_not_optimize(kept);
  report(`memory per sorted set of ${SMALL_SIZE} members (100k sets)`, 'bytes', perSet);
}

// ---- 1M-member sets ---------------------------------------------------------------------------
const memory: Record<string, number> = {};
let ours!: SortedSet;
[ours, memory['@byor/sortedset']] = measure(() => {
  const set = new SortedSet();
  for (let index = 0; index < N; index++) set.add(members[index]!, scores[index]!);
  return set;
}, N);
let sdsl!: SdslZSet;
[sdsl, memory['js-sdsl OrderedSet (enableIndex) + Map']] = measure(() => {
  const set = new SdslZSet(true);
  for (let index = 0; index < N; index++) set.add(members[index]!, scores[index]!);
  return set;
}, N);
let btree!: BtreeZSet;
[btree, memory['sorted-btree + Map']] = measure(() => {
  const set = new BtreeZSet();
  for (let index = 0; index < N; index++) set.add(members[index]!, scores[index]!);
  return set;
}, N);
report('memory per member, 1M members (members themselves excluded)', 'bytes', memory);

const churns: Record<string, { add(): void; remove(): void }> = {
  '@byor/sortedset': {
    add: () => {
      for (let index = N; index < N + FRESH; index++) ours.add(members[index]!, scores[index]!);
    },
    remove: () => {
      for (let index = N; index < N + FRESH; index++) ours.remove(members[index]!);
    },
  },
  'js-sdsl OrderedSet (enableIndex) + Map': {
    add: () => {
      for (let index = N; index < N + FRESH; index++) sdsl.add(members[index]!, scores[index]!);
    },
    remove: () => {
      for (let index = N; index < N + FRESH; index++) sdsl.remove(members[index]!);
    },
  },
  'sorted-btree + Map': {
    add: () => {
      for (let index = N; index < N + FRESH; index++) btree.add(members[index]!, scores[index]!);
    },
    remove: () => {
      for (let index = N; index < N + FRESH; index++) btree.remove(members[index]!);
    },
  },
};
const ROUNDS = Number(process.env.BYOR_BENCH_ROUNDS ?? 7);
const addRates: Record<string, number[]> = {};
const removeRates: Record<string, number[]> = {};
const churnRounds = wanted('ZADD 100k new members into 1M', 'ZREM 100k members from 1.1M')
  ? ROUNDS
  : 0;
for (let round = 0; round < churnRounds; round++) {
  for (const [name, churn] of Object.entries(churns)) {
    const start = cpuNanoseconds();
    churn.add();
    const middle = cpuNanoseconds();
    churn.remove();
    const end = cpuNanoseconds();
    if (round === 0) continue;
    (addRates[name] ??= []).push(FRESH / ((middle - start) / 1e9));
    (removeRates[name] ??= []).push(FRESH / ((end - middle) / 1e9));
  }
}
const median = (values: number[]) => [...values].sort((a, b) => a - b)[values.length >> 1] ?? 0;
const medians = (rates: Record<string, number[]>) =>
  Object.fromEntries(Object.entries(rates).map(([name, values]) => [name, median(values)]));
report('ZADD 100k new members into 1M', 'ops/s', medians(addRates), { higherIsBetter: true });
report('ZREM 100k members from 1.1M', 'ops/s', medians(removeRates), { higherIsBetter: true });

// ---- reads: mitata, and the same functions interleaved ---------------------------------------
//
// The machine these figures come from is shared (2 vCPU, other work running), and mitata times
// one implementation after another: a burst of outside load lands on whichever runs then. So
// each read comparison is also timed round-robin, every implementation once per round, in CPU
// time, and the median of the rounds is reported; the README quotes those.

const interleaved: {
  title: string;
  implementations: Record<string, () => unknown>;
  opsPerCall: number;
}[] = [];

function compareReads(
  title: string,
  implementations: Record<string, () => unknown>,
  opsPerCall: number,
): void {
  compare(title, implementations, { opsPerCall });
  if (!filter || filter.test(title)) interleaved.push({ title, implementations, opsPerCall });
}

compareReads(
  'ZSCORE, 1,000 random members of 1M',
  {
    '@byor/sortedset': () => {
      let sum = 0;
      for (let index = 0; index < PROBES; index++) sum += ours.score(probeMembers[index]!)!;
      return do_not_optimize(sum);
    },
    'js-sdsl OrderedSet (enableIndex) + Map': () => {
      let sum = 0;
      for (let index = 0; index < PROBES; index++) sum += sdsl.scores.get(probeMembers[index]!)!;
      return do_not_optimize(sum);
    },
    'sorted-btree + Map': () => {
      let sum = 0;
      for (let index = 0; index < PROBES; index++) sum += btree.scores.get(probeMembers[index]!)!;
      return do_not_optimize(sum);
    },
  },
  PROBES,
);

compareReads(
  'ZRANK, 1,000 random members of 1M',
  {
    '@byor/sortedset': () => {
      let sum = 0;
      for (let index = 0; index < PROBES; index++) sum += ours.rank(probeMembers[index]!)!;
      return do_not_optimize(sum);
    },
    'js-sdsl OrderedSet (enableIndex) + Map': () => {
      let sum = 0;
      for (let index = 0; index < PROBES; index++) {
        const member = probeMembers[index]!;
        sum += sdsl.order.find([sdsl.scores.get(member)!, member]).index;
      }
      return do_not_optimize(sum);
    },
  },
  PROBES,
);

const scoreBounds: ScoreBound[] = [];
for (let index = 0; index < PROBES; index++) {
  scoreBounds.push({ value: probeScores[index]!, exclusive: false });
}
const upperBounds = scoreBounds.map((bound) => ({ value: bound.value + 5000, exclusive: true }));
compareReads(
  'ZCOUNT over 5% of the score range, 1M',
  {
    '@byor/sortedset': () => {
      let sum = 0;
      for (let index = 0; index < PROBES; index++) {
        sum += ours.countByScore(scoreBounds[index]!, upperBounds[index]!);
      }
      return do_not_optimize(sum);
    },
    'js-sdsl OrderedSet (enableIndex) + Map': () => {
      let sum = 0;
      for (let index = 0; index < PROBES; index++) {
        const low = sdsl.order.lowerBound([scoreBounds[index]!.value, '']).index;
        const high = sdsl.order.lowerBound([upperBounds[index]!.value, '']).index;
        sum += high - low;
      }
      return do_not_optimize(sum);
    },
  },
  PROBES,
);

let sum = 0;
const addToSum = (_member: string, score: number): void => {
  sum += score;
};
// js-sdsl's select walks the tree in order (O(n)), so this comparison does 10 ranges per call
const RANK_RANGES = 10;
let rankCursor = 0;
compareReads(
  'ZRANGE of 100 from a random rank, 1M',
  {
    '@byor/sortedset': () => {
      sum = 0;
      for (let index = 0; index < RANK_RANGES; index++) {
        const start = probeRanks[rankCursor++ % PROBES]!;
        ours.forEachByRank(start, start + RANGE - 1, addToSum);
      }
      return do_not_optimize(sum);
    },
    'js-sdsl OrderedSet (enableIndex) + Map': () => {
      sum = 0;
      for (let index = 0; index < RANK_RANGES; index++) {
        const pair = sdsl.order.getElementByPos(probeRanks[rankCursor++ % PROBES]!);
        const iterator = sdsl.order.find(pair);
        for (let step = 0; step < RANGE && iterator.isAccessible(); step++) {
          sum += iterator.pointer[0];
          iterator.next();
        }
      }
      return do_not_optimize(sum);
    },
  },
  RANK_RANGES,
);

const everything: ScoreBound = { value: Infinity, exclusive: false };
compareReads(
  'ZRANGEBYSCORE LIMIT 0 100 from a random score, 1M',
  {
    '@byor/sortedset': () => {
      sum = 0;
      for (let index = 0; index < PROBES; index++) {
        ours.forEachByScore(scoreBounds[index]!, everything, addToSum, { count: RANGE });
      }
      return do_not_optimize(sum);
    },
    'js-sdsl OrderedSet (enableIndex) + Map': () => {
      sum = 0;
      for (let index = 0; index < PROBES; index++) {
        const iterator = sdsl.order.lowerBound([probeScores[index]!, '']);
        for (let step = 0; step < RANGE && iterator.isAccessible(); step++) {
          sum += iterator.pointer[0];
          iterator.next();
        }
      }
      return do_not_optimize(sum);
    },
    'sorted-btree + Map': () => {
      sum = 0;
      for (let index = 0; index < PROBES; index++) {
        let remaining = RANGE;
        btree.order.forRange([probeScores[index]!, ''], [Infinity, ''], false, (pair: Pair) => {
          sum += pair[0];
          if (--remaining === 0) return { break: true };
        });
      }
      return do_not_optimize(sum);
    },
  },
  PROBES,
);

for (const { title, implementations, opsPerCall } of interleaved) {
  const samples: Record<string, number[]> = {};
  for (let round = 0; round < ROUNDS; round++) {
    for (const [name, run] of Object.entries(implementations)) {
      // enough calls for a ~20 ms (CPU time) sample
      let calls = 0;
      const start = cpuNanoseconds();
      let elapsed: number;
      do {
        run();
        calls++;
        elapsed = cpuNanoseconds() - start;
      } while (elapsed < 20e6);
      if (round === 0) continue;
      (samples[name] ??= []).push((calls * opsPerCall) / (elapsed / 1e9));
    }
  }
  report(`${title} (interleaved medians)`, 'ops/s', medians(samples), { higherIsBetter: true });
}
