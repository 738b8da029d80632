import BeeQueue from 'bee-queue';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../src/index.js';

/** A moment of simulated work inside a job. */
const work = () => new Promise((resolve) => setTimeout(resolve, 1));

/** bee-queue (Lua scripts and BRPOPLPUSH over node-redis 3, RESP2 with callbacks) on byor. */
describe('bee-queue', () => {
  let server: RunningServer;
  const queues: BeeQueue[] = [];
  const queue = (name: string, options: BeeQueue.QueueSettings = {}) => {
    const q = new BeeQueue(name, {
      redis: { host: '127.0.0.1', port: server.port },
      removeOnSuccess: false,
      ...options,
    });
    queues.push(q);
    return q;
  };

  beforeAll(async () => {
    server = await startServer({ port: 0 });
  });
  afterAll(async () => {
    for (const q of queues) await q.close(1000);
    await server.close();
  });

  it('processes jobs concurrently and reports their results', async () => {
    const q = queue('work');
    await q.ready();
    q.process(4, async (job: BeeQueue.Job<{ x: number }>) => {
      await new Promise((resolve) => setTimeout(resolve, 5));
      return job.data.x * 10;
    });
    const results = await Promise.all(
      Array.from(
        { length: 10 },
        (_, x) =>
          new Promise<number>((resolve, reject) => {
            const job = q.createJob({ x });
            job.on('succeeded', (result: number) => resolve(result));
            job.on('failed', reject);
            void job.save();
          }),
      ),
    );
    expect(results).toEqual(Array.from({ length: 10 }, (_, x) => x * 10));
    const counts = await q.checkHealth();
    expect(counts.succeeded).toBe(10);
    expect(counts.waiting).toBe(0);
  });

  it('retries failed jobs with backoff, then fails them', async () => {
    const q = queue('retry', { activateDelayedJobs: true });
    await q.ready();
    let calls = 0;
    q.process(async () => {
      await work();
      calls++;
      throw new Error(`attempt ${calls}`);
    });
    const error = await new Promise<Error>((resolve) => {
      const job = q.createJob({}).retries(2).backoff('fixed', 10);
      job.on('failed', (err: Error) => resolve(err));
      void job.save();
    });
    expect(error.message).toBe('attempt 3');
    expect(calls).toBe(3);
  });

  it('runs a delayed job after its delay', async () => {
    const q = queue('delay', { activateDelayedJobs: true });
    await q.ready();
    const start = Date.now();
    q.process(async () => {
      await work();
      return Date.now();
    });
    const ranAt = await new Promise<number>((resolve) => {
      const job = q.createJob({}).delayUntil(Date.now() + 100);
      job.on('succeeded', (result: number) => resolve(result));
      void job.save();
    });
    expect(ranAt - start).toBeGreaterThanOrEqual(90);
  });
});
