import { Queue, QueueEvents, Worker, type Job } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../src/index.js';

/** A moment of simulated work inside a job. */
const work = () => new Promise((resolve) => setTimeout(resolve, 1));

/**
 * BullMQ on byor, as its users run it: queues, concurrent workers, retries with backoff, delayed
 * and prioritised jobs, QueueEvents (XREAD BLOCK on the events stream). Every BullMQ operation is
 * a Lua script, so this exercises EVALSHA, cmsgpack, cjson and streams together.
 */
describe('BullMQ', () => {
  let server: RunningServer;
  const closers: (() => Promise<unknown>)[] = [];
  const connection = () => ({ host: '127.0.0.1', port: server.port, maxRetriesPerRequest: null });

  beforeAll(async () => {
    server = await startServer({ port: 0 });
  });
  afterAll(async () => {
    for (const close of closers.reverse()) await close();
    await server.close();
  });

  const queueNamed = (name: string) => {
    const queue = new Queue(name, { connection: connection() });
    closers.push(() => queue.close());
    return queue;
  };
  const workerFor = (
    name: string,
    processor: (job: Job) => Promise<unknown>,
    options: { concurrency?: number } = {},
  ) => {
    const worker = new Worker(name, processor, { connection: connection(), ...options });
    closers.push(() => worker.close());
    return worker;
  };

  it('processes jobs with concurrent workers and reports completion through QueueEvents', async () => {
    const queue = queueNamed('basic');
    const events = new QueueEvents('basic', { connection: connection() });
    closers.push(() => events.close());
    await events.waitUntilReady();
    const completed = new Set<string>();
    const allDone = new Promise<void>((resolve) => {
      events.on('completed', ({ jobId }) => {
        completed.add(jobId);
        if (completed.size === 20) resolve();
      });
    });
    const seen: number[] = [];
    let running = 0;
    let maxRunning = 0;
    const processor = async (job: Job) => {
      running++;
      maxRunning = Math.max(maxRunning, running);
      await new Promise((resolve) => setTimeout(resolve, 5));
      running--;
      seen.push(job.data.n as number);
      return job.data.n * 2;
    };
    workerFor('basic', processor, { concurrency: 4 });
    workerFor('basic', processor, { concurrency: 4 });
    const jobs = await queue.addBulk(
      Array.from({ length: 20 }, (_, n) => ({ name: 'double', data: { n } })),
    );
    await allDone;
    expect(seen.sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, n) => n));
    expect(maxRunning).toBeGreaterThan(1);
    const job = await queue.getJob(jobs[3]!.id!);
    expect(job?.returnvalue).toBe(6);
    expect(await queue.getJobCounts('completed', 'waiting', 'active')).toEqual({
      completed: 20,
      waiting: 0,
      active: 0,
    });
  });

  it('retries a failing job with exponential backoff, then completes it', async () => {
    const queue = queueNamed('retry');
    const attempts: number[] = [];
    const done = new Promise<unknown>((resolve) => {
      const worker = workerFor('retry', async (job) => {
        await work();
        attempts.push(job.attemptsMade);
        if (job.attemptsMade < 2) throw new Error(`fail ${job.attemptsMade}`);
        return 'ok';
      });
      worker.on('completed', (_job, result) => resolve(result));
    });
    const job = await queue.add(
      'flaky',
      {},
      { attempts: 3, backoff: { type: 'exponential', delay: 20 } },
    );
    expect(await done).toBe('ok');
    expect(attempts).toEqual([0, 1, 2]);
    const state = await queue.getJob(job.id!);
    expect(state?.attemptsMade).toBe(3);
    expect(state?.stacktrace?.length).toBe(2);
  });

  it('moves a job to failed after its last attempt', async () => {
    const queue = queueNamed('failing');
    const failed = new Promise<string>((resolve) => {
      const worker = workerFor('failing', async () => {
        await work();
        throw new Error('always');
      });
      worker.on('failed', (job, error) => {
        if (job && job.attemptsMade >= 2) resolve(error.message);
      });
    });
    await queue.add('doomed', {}, { attempts: 2 });
    expect(await failed).toBe('always');
    expect(await queue.getFailedCount()).toBe(1);
  });

  it('runs delayed jobs after their delay and prioritised jobs by priority', async () => {
    const queue = queueNamed('ordering');
    const delay = 1000;
    const start = Date.now();
    await queue.add('later', { name: 'delayed' }, { delay });
    await queue.add('p3', { name: 'p3' }, { priority: 3 });
    await queue.add('p1', { name: 'p1' }, { priority: 1 });
    await queue.add('p2', { name: 'p2' }, { priority: 2 });
    expect(await queue.getDelayedCount()).toBe(1);
    expect(await queue.getPrioritizedCount()).toBe(3);
    const order: string[] = [];
    let delayedAt = 0;
    // the delayed job may come anywhere once its delay ran out (a loaded machine can take that
    // long to get here); never before, and the others keep their priority order
    const done = new Promise<void>((resolve) => {
      workerFor('ordering', async (job) => {
        await work();
        order.push(job.data.name as string);
        if (job.data.name === 'delayed') delayedAt = Date.now();
        if (order.length === 4) resolve();
      });
    });
    await done;
    expect(order.filter((name) => name !== 'delayed')).toEqual(['p1', 'p2', 'p3']);
    expect(delayedAt - start).toBeGreaterThanOrEqual(delay);
  });

  it('pauses and resumes a queue, and removes jobs', async () => {
    const queue = queueNamed('admin');
    await queue.pause();
    expect(await queue.isPaused()).toBe(true);
    const job = await queue.add('x', { a: 1 });
    expect(await queue.getWaitingCount()).toBe(1);
    await job.remove();
    expect(await queue.getWaitingCount()).toBe(0);
    await queue.resume();
    expect(await queue.isPaused()).toBe(false);
    await queue.add('y', {});
    await queue.drain();
    expect(await queue.getWaitingCount()).toBe(0);
    await queue.obliterate({ force: true });
  });
});
