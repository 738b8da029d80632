/**
 * The task module of `byor-cli bench --threads`: each worker thread of @byor/threadpool runs its
 * share of the clients with {@link runLoad}, reports progress with `context.postMessage()`, and
 * hands its histogram back without copying it.
 */
import { transfer, type TaskContext, type Transferred } from '@byor/threadpool';
import { runLoad, type LoadResult, type LoadSpec } from './load.js';

/**
 * Runs one thread's share of the load.
 *
 * @example
 * ```ts
 * const pool = new ThreadPool<typeof BenchWorker>({ filename: benchWorkerUrl, size: 2 });
 * const result = await pool.run(spec, { onMessage: (done) => progress(done as number) });
 * ```
 */
export async function task(spec: LoadSpec, context: TaskContext): Promise<Transferred<LoadResult>> {
  const result = await runLoad(spec, (done) => context.postMessage(done));
  return transfer(result, [result.histogram.counts.buffer as ArrayBuffer]);
}
