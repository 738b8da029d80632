/**
 * The shared runner's `compare`, also noting each comparison's operations per call for
 * `bench/run.ts` (see there why this package has its own entry point).
 */
import { compare as sharedCompare, type CompareOptions } from '../../../scripts/bench.js';

export { do_not_optimize, report } from '../../../scripts/bench.js';

/** operations per call, by comparison title */
export const opsPerCallByTitle = new Map<string, number>();

export function compare(
  title: string,
  implementations: Record<string, () => unknown>,
  options: CompareOptions = {},
): void {
  opsPerCallByTitle.set(title, options.opsPerCall ?? 1);
  sharedCompare(title, implementations, options);
}
