/**
 * The shared runner's `compare` and `report`, with each comparison's operations per call noted
 * for `bench/run.ts` (see there why this package has its own entry point).
 */
import { type CompareOptions, compare as sharedCompare } from '../../../scripts/bench.js';

export { report } from '../../../scripts/bench.js';

/** Operations per call, by comparison title. */
export const opsPerCallByTitle = new Map<string, number>();

/** Registers a comparison with the shared runner (mitata), remembering its operations per call. */
export function compare(
  title: string,
  implementations: Record<string, () => unknown>,
  options: CompareOptions = {},
): void {
  opsPerCallByTitle.set(title, options.opsPerCall ?? 1);
  sharedCompare(title, implementations, options);
}
