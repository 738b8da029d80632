/**
 * The dumb reference for the model tests: one array of [member, score] kept sorted by
 * (score, member), found by binary search, every range computed by filtering and slicing.
 */
import type {
  AddOptions,
  AddOutcome,
  LexBound,
  RangeOptions,
  ScoreBound,
  ScoredMember,
} from '../src/index.js';

export function comparePair(a: ScoredMember, b: ScoredMember): number {
  if (a[1] !== b[1]) return a[1] < b[1] ? -1 : 1;
  return a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0;
}

function aboveMin(value: number, bound: ScoreBound): boolean {
  return bound.exclusive ? value > bound.value : value >= bound.value;
}
function belowMax(value: number, bound: ScoreBound): boolean {
  return bound.exclusive ? value < bound.value : value <= bound.value;
}
function lexAboveMin(member: string, bound: LexBound): boolean {
  if (bound === '-') return true;
  if (bound === '+') return false;
  return bound.exclusive ? member > bound.value : member >= bound.value;
}
function lexBelowMax(member: string, bound: LexBound): boolean {
  if (bound === '+') return true;
  if (bound === '-') return false;
  return bound.exclusive ? member < bound.value : member <= bound.value;
}

/** Redis's LIMIT: a negative offset yields nothing, a negative count means all. */
function limit(entries: ScoredMember[], options: RangeOptions): ScoredMember[] {
  const ordered = options.reverse ? [...entries].reverse() : entries;
  const offset = options.offset ?? 0;
  const count = options.count ?? -1;
  if (offset < 0) return [];
  return ordered.slice(offset, count < 0 ? undefined : offset + count);
}

export class ModelZSet {
  entries: ScoredMember[] = [];

  get size(): number {
    return this.entries.length;
  }

  /** index of the first entry >= pair */
  lowerBound(pair: ScoredMember): number {
    let low = 0;
    let high = this.entries.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (comparePair(this.entries[middle]!, pair) < 0) low = middle + 1;
      else high = middle;
    }
    return low;
  }

  indexOf(member: string): number {
    return this.entries.findIndex(([entryMember]) => entryMember === member);
  }

  score(member: string): number | undefined {
    return this.entries[this.indexOf(member)]?.[1];
  }

  #insert(member: string, score: number): void {
    this.entries.splice(this.lowerBound([member, score]), 0, [member, score]);
  }

  remove(member: string): boolean {
    const index = this.indexOf(member);
    if (index < 0) return false;
    this.entries.splice(index, 1);
    return true;
  }

  /** t_zset.c zsetAdd, transcribed */
  add(member: string, score: number, options: AddOptions = {}): AddOutcome {
    if (Number.isNaN(score)) return 4;
    const current = this.score(member);
    if (current !== undefined) {
      if (options.nx) return 3;
      if (options.incr) {
        score += current;
        if (Number.isNaN(score)) return 4;
      }
      if ((options.lt && score >= current) || (options.gt && score <= current)) return 3;
      if (score !== current) {
        this.remove(member);
        this.#insert(member, score);
        return 2;
      }
      return 0;
    }
    if (options.xx) return 3;
    this.#insert(member, score);
    return 1;
  }

  rank(member: string, reverse: boolean): number | undefined {
    const index = this.indexOf(member);
    if (index < 0) return undefined;
    return reverse ? this.size - 1 - index : index;
  }

  rangeByRank(start: number, stop: number, reverse: boolean): ScoredMember[] {
    const ordered = reverse ? [...this.entries].reverse() : this.entries;
    const size = ordered.length;
    if (start < 0) start = Math.max(0, start + size);
    if (stop < 0) stop += size;
    if (start > stop || start >= size) return [];
    return ordered.slice(start, stop + 1);
  }

  byScore(min: ScoreBound, max: ScoreBound, options: RangeOptions = {}): ScoredMember[] {
    return limit(
      this.entries.filter(([, score]) => aboveMin(score, min) && belowMax(score, max)),
      options,
    );
  }

  byLex(min: LexBound, max: LexBound, options: RangeOptions = {}): ScoredMember[] {
    return limit(
      this.entries.filter(([member]) => lexAboveMin(member, min) && lexBelowMax(member, max)),
      options,
    );
  }

  removeAll(victims: ScoredMember[]): number {
    for (const [member] of victims) this.remove(member);
    return victims.length;
  }

  pop(count: number, max: boolean): ScoredMember[] {
    if (count <= 0) return [];
    const taken = max ? this.entries.slice(-count).reverse() : this.entries.slice(0, count);
    this.removeAll(taken);
    return taken;
  }

  /** the book's zquery */
  query(score: number, member: string, offset: number, limitElements: number): ScoredMember[] {
    const start = this.lowerBound([member, score]);
    if (start >= this.size) return [];
    const first = start + offset;
    if (first < 0 || first >= this.size) return [];
    const pairs = Math.floor(limitElements / 2);
    if (pairs <= 0) return [];
    return this.entries.slice(first, first + pairs);
  }
}
