/**
 * The "listpack" encoding: members and scores in two parallel arrays sorted by (score,
 * member), like Redis's listpack of small sorted sets. Lookups by member scan the array (Redis
 * does the same below 128 entries); everything ordered is a binary search. Two arrays rather
 * than one array of pairs: the scores array keeps V8's unboxed double storage and nothing is
 * allocated per entry, which is what makes 100k small sorted sets cheap.
 *
 * @internal
 */
import { SortedSetInvariantError } from './errors.js';
import type { LexBound, ScoreBound } from './bounds.js';
import {
  comparePairs,
  firstInLexRange,
  lastInLexRange,
  lexGteMin,
  lexLteMax,
  visitSpan,
  type Store,
  type Visitor,
} from './store.js';

export class CompactStore implements Store {
  members: string[] = [];
  scores: number[] = [];
  /** a listpack's lex ranges scan from either end */
  readonly scansLex = true;

  get size(): number {
    return this.members.length;
  }

  score(member: string): number | undefined {
    const index = this.members.indexOf(member);
    return index < 0 ? undefined : this.scores[index];
  }

  insert(member: string, score: number): void {
    // a listpack stores integral scores as integers (t_zset.c zzlInsertAt, double2ll), so a
    // -0 comes back as 0: ZSCORE replies "0" for a listpack and "-0" for a skiplist
    if (score === 0) score = 0;
    const index = this.countPairBelow(score, member);
    // Readability traded for memory: a copy into exact-size arrays instead of splice(), whose
    // growth over-allocates 16+ slots per array (about 200 bytes on a small set). The copy is
    // O(n) like splice's move, n <= 128, plus one short-lived array pair per insert.
    const oldMembers = this.members;
    const oldScores = this.scores;
    const length = oldMembers.length;
    const members = new Array<string>(length + 1);
    const scores = new Array<number>(length + 1);
    for (let from = 0; from < index; from++) {
      members[from] = oldMembers[from]!;
      scores[from] = oldScores[from]!;
    }
    members[index] = member;
    scores[index] = score;
    for (let from = index; from < length; from++) {
      members[from + 1] = oldMembers[from]!;
      scores[from + 1] = oldScores[from]!;
    }
    this.members = members;
    this.scores = scores;
  }

  update(member: string, _oldScore: number, newScore: number): void {
    this.remove(member);
    this.insert(member, newScore);
  }

  remove(member: string): boolean {
    const index = this.members.indexOf(member);
    if (index < 0) return false;
    this.members.splice(index, 1);
    this.scores.splice(index, 1);
    return true;
  }

  rank(member: string): number {
    return this.members.indexOf(member);
  }

  countScoreBelow(score: number, inclusive: boolean): number {
    const scores = this.scores;
    let low = 0;
    let high = scores.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      const value = scores[middle]!;
      if (value < score || (inclusive && value === score)) low = middle + 1;
      else high = middle;
    }
    return low;
  }

  countMemberBelow(member: string, inclusive: boolean): number {
    const members = this.members;
    let low = 0;
    let high = members.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      const value = members[middle]!;
      if (value < member || (inclusive && value === member)) low = middle + 1;
      else high = middle;
    }
    return low;
  }

  countPairBelow(score: number, member: string): number {
    const scores = this.scores;
    const members = this.members;
    let low = 0;
    let high = scores.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      const value = scores[middle]!;
      if (value < score || (value === score && members[middle]! < member)) low = middle + 1;
      else high = middle;
    }
    return low;
  }

  visit(rank: number, count: number, reverse: boolean, visitor: Visitor): void {
    const members = this.members;
    const scores = this.scores;
    if (reverse) {
      for (let index = rank; index > rank - count; index--)
        visitor(members[index]!, scores[index]!);
    } else {
      for (let index = rank; index < rank + count; index++)
        visitor(members[index]!, scores[index]!);
    }
  }

  visitByScore(
    min: ScoreBound,
    max: ScoreBound,
    offset: number,
    count: number,
    reverse: boolean,
    visitor: Visitor,
  ): number {
    const low = this.countScoreBelow(min.value, min.exclusive);
    const high = this.countScoreBelow(max.value, !max.exclusive);
    return visitSpan(this, low, high, offset, count, reverse, visitor);
  }

  visitByLex(
    min: LexBound,
    max: LexBound,
    offset: number,
    count: number,
    reverse: boolean,
    visitor: Visitor,
  ): number {
    // genericZrangebylexCommand over a listpack
    let rank = reverse ? lastInLexRange(this, min, max) : firstInLexRange(this, min, max);
    if (rank < 0) return 0;
    rank += reverse ? -offset : offset;
    const { members, scores } = this;
    let visited = 0;
    for (; rank >= 0 && rank < members.length && visited !== count; visited++) {
      const member = members[rank]!;
      if (reverse ? !lexGteMin(member, min) : !lexLteMax(member, max)) break;
      visitor(member, scores[rank]!);
      rank += reverse ? -1 : 1;
    }
    return visited;
  }

  removeRange(rank: number, count: number): void {
    this.members.splice(rank, count);
    this.scores.splice(rank, count);
  }

  *entries(reverse: boolean): IterableIterator<[member: string, score: number]> {
    const { members, scores } = this;
    if (reverse) {
      for (let index = members.length - 1; index >= 0; index--)
        yield [members[index]!, scores[index]!];
    } else {
      for (let index = 0; index < members.length; index++) yield [members[index]!, scores[index]!];
    }
  }

  memberAt(rank: number): string {
    return this.members[rank]!;
  }

  scoreAt(rank: number): number {
    return this.scores[rank]!;
  }

  clear(): void {
    this.members.length = 0;
    this.scores.length = 0;
  }

  touchBytes(): void {
    // a listpack is one small array, found by a scan: nothing to prefetch
  }

  touch(): void {
    // as touchBytes
  }

  checkInvariants(): void {
    const { members, scores } = this;
    if (members.length !== scores.length) {
      throw new SortedSetInvariantError(`${members.length} members but ${scores.length} scores`);
    }
    for (let index = 0; index < members.length; index++) {
      if (typeof members[index] !== 'string') {
        throw new SortedSetInvariantError(`member at ${index} is not a string`);
      }
      if (Number.isNaN(scores[index])) throw new SortedSetInvariantError(`NaN score at ${index}`);
      if (
        index > 0 &&
        !(
          comparePairs(scores[index - 1]!, members[index - 1]!, scores[index]!, members[index]!) < 0
        )
      ) {
        throw new SortedSetInvariantError(`entries out of order at ${index}`);
      }
    }
    if (new Set(members).size !== members.length) {
      throw new SortedSetInvariantError('a member appears twice');
    }
  }
}
