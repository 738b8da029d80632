export { MAX_SCORE, MIN_SCORE, parseLexBound, parseScore, parseScoreBound } from './bounds.js';
export type { LexBound, ScoreBound } from './bounds.js';
export {
  IncompatibleAddOptionsError,
  SortedSetError,
  SortedSetErrorCode,
  SortedSetInvariantError,
} from './errors.js';
export { AddOutcome, SortedSet, SortedSetEncoding } from './sorted-set.js';
export type {
  AddOptions,
  EntryVisitor,
  RandomSource,
  RangeOptions,
  ScoredMember,
  SortedSetOptions,
} from './sorted-set.js';
