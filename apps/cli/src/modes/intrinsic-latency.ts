/**
 * `--intrinsic-latency <seconds>`: how long this machine keeps a busy process from running, as
 * redis-cli measures it: a short computation timed over and over, the worst run reported as it
 * grows. No server is involved; run it on the server's host.
 */
import type { Session } from '../session.js';

/**
 * redis-cli's compute_something_fast: steps of RC4's key schedule. Its result is unused there,
 * so the C compiler leaves next to nothing of its thousand steps (~50 ns a run); ten steps here
 * keep a run about as short, so that what is timed is the machine, not the loop.
 */
const state = Uint8Array.from({ length: 256 }, (_, k) => k);
function computeSomethingFast(): number {
  let i = 0;
  let j = 0;
  for (let count = 0; count < 10; count++) {
    i = (i + 1) & 255;
    j = (j + state[i]!) & 255;
    const t = state[i]!;
    state[i] = state[j]!;
    state[j] = t;
  }
  return state[j]!;
}

/** ustime(): whole microseconds of a monotonic clock. */
function microseconds(): number {
  return Math.floor(performance.now() * 1000);
}

/** C's `%.Nf`, with glibc's `inf` and `nan`. */
function fixed(value: number, digits: number): string {
  if (Number.isNaN(value)) return 'nan';
  if (!Number.isFinite(value)) return value > 0 ? 'inf' : '-inf';
  return value.toFixed(digits);
}

/**
 * Runs `--intrinsic-latency` for `seconds` (or until Ctrl-C) and resolves with 0.
 *
 * @example
 * ```ts
 * // byor-cli --intrinsic-latency 100
 * ```
 */
export async function runIntrinsicLatency(session: Session, seconds: number): Promise<number> {
  const out = session.out;
  // compiled before it is timed: its first runs would otherwise time the compiler
  let sink = 0;
  for (let warm = 0; warm < 20_000; warm++) sink ^= computeSomethingFast();
  const runTime = seconds * 1_000_000;
  const testEnd = microseconds() + runTime;
  let maxLatency = 0;
  let runs = 0;
  let cancelled = false;
  const onSignal = (): void => {
    cancelled = true;
  };
  process.on('SIGINT', onSignal);
  try {
    for (;;) {
      // the loop gives way every 10 ms so that Ctrl-C is seen (the pauses are not timed)
      const sliceEnd = microseconds() + 10_000;
      for (;;) {
        const start = microseconds();
        sink ^= computeSomethingFast();
        const end = microseconds();
        const latency = end - start;
        runs++;
        if (latency > 0 && latency > maxLatency) {
          maxLatency = latency;
          out.write(`Max latency so far: ${maxLatency} microseconds.\n`);
        }
        if (latency > 0 && (cancelled || end > testEnd)) {
          const averageUs = runTime / runs;
          await out.writeAndDrain(
            `\n${runs} total runs (avg latency: ${fixed(averageUs, 4)} microseconds / ` +
              `${fixed(averageUs * 1e3, 2)} nanoseconds per run).\n` +
              `Worst run took ${fixed(maxLatency / averageUs, 0)}x longer than the average latency.\n`,
          );
          return sink === -1 ? 1 : 0;
        }
        if (end > sliceEnd) break;
      }
      await new Promise((resolve) => setImmediate(resolve));
    }
  } finally {
    process.off('SIGINT', onSignal);
  }
}
