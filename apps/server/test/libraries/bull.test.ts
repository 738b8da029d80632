import Bull from 'bull';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../src/index.js';

/** A moment of simulated work inside a job. */
const work = () => new Promise((resolve) => setTimeout(resolve, 1));

/** Bull (the predecessor of BullMQ, Lua scripts over ioredis 5) on byor. */
describe('bull', () => {
  let server: RunningServer;
  const queues: Bull.Queue[] = [];
  const queue = (name: string) => {
    const q = new Bull(name, { redis: { host: '127.0.0.1', port: server.port } });
    // job.finished() listens for global events once per waiting job
    q.setMaxListeners(50);
    queues.push(q);
    return q;
  };

  beforeAll(async () => {
    server = await startServer({ port: 0 });
  });
  afterAll(async () => {
    for (const q of queues) await q.close();
    await server.close();
  });

  it('processes jobs with concurrency and returns their results', async () => {
    const q = queue('work');
    let running = 0;
    let maxRunning = 0;
    void q.process(3, async (job: Bull.Job<{ n: number }>) => {
      running++;
      maxRunning = Math.max(maxRunning, running);
      await new Promise((resolve) => setTimeout(resolve, 5));
      running--;
      return job.data.n + 1;
    });
    const results = await Promise.all(
      Array.from({ length: 12 }, async (_, n) => {
        const job = await q.add({ n });
        return (await job.finished()) as number;
      }),
    );
    expect(results).toEqual(Array.from({ length: 12 }, (_, n) => n + 1));
    expect(maxRunning).toBeGreaterThan(1);
    expect(await q.getCompletedCount()).toBe(12);
  });

  it('retries with a fixed backoff, delays and prioritises', async () => {
    const q = queue('retry');
    const attempts: number[] = [];
    const order: string[] = [];
    void q.process(async (job: Bull.Job<{ name: string }>) => {
      await work();
      if (job.data.name === 'flaky') {
        attempts.push(job.attemptsMade);
        if (job.attemptsMade < 2) throw new Error('not yet');
        return 'done';
      }
      order.push(job.data.name);
      return job.data.name;
    });
    const flaky = await q.add(
      { name: 'flaky' },
      { attempts: 3, backoff: { type: 'fixed', delay: 20 } },
    );
    expect(await flaky.finished()).toBe('done');
    expect(attempts).toEqual([0, 1, 2]);

    await q.pause(true);
    const start = Date.now();
    const delayed = await q.add({ name: 'delayed' }, { delay: 120 });
    await q.add({ name: 'low' }, { priority: 5 });
    await q.add({ name: 'high' }, { priority: 1 });
    expect(await q.getDelayedCount()).toBe(1);
    await q.resume(true);
    await delayed.finished();
    expect(order).toEqual(['high', 'low', 'delayed']);
    expect(Date.now() - start).toBeGreaterThanOrEqual(120);
  });

  it('reports failures and job counts', async () => {
    const q = queue('fail');
    void q.process(async () => {
      await work();
      throw new Error('boom');
    });
    const job = await q.add({}, { attempts: 1 });
    await expect(job.finished()).rejects.toThrow('boom');
    expect(await q.getFailedCount()).toBe(1);
    const failed = await q.getFailed();
    expect(failed[0]?.failedReason).toBe('boom');
    await q.empty();
    await q.clean(0, 'failed');
    expect(await q.getFailedCount()).toBe(0);
  });
});
