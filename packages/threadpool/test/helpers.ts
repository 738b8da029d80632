/**
 * Test helpers: task-module URLs, a gate to hold tasks inside workers, a manual clock, a thread
 * counter for leak checks, and a tracker that destroys every pool a test created.
 */
import { readFileSync } from 'node:fs';
import { afterEach, expect } from 'vitest';
import {
  ThreadPool,
  type PoolTimers,
  type TaskFunction,
  type ThreadPoolOptions,
} from '../src/index.js';
import { GATE } from './fixtures/gate.js';

/** URL of a file in test/fixtures. */
export function fixture(name: string): URL {
  return new URL(`./fixtures/${name}`, import.meta.url);
}

/** Threads of this process now (Linux): each live worker adds at least one. */
export function threadCount(): number {
  const match = /^Threads:\s+(\d+)$/m.exec(readFileSync('/proc/self/status', 'utf8'));
  if (!match) throw new Error('no Threads: line in /proc/self/status');
  return Number(match[1]);
}

/**
 * The process's thread count once it comes down to `expected`, or after 5 s whatever it is then:
 * a terminated worker's OS thread may still be exiting when its pool's close() resolves (the
 * more so on a loaded machine), but a leaked one never goes.
 */
export async function settledThreadCount(expected: number): Promise<number> {
  const deadline = Date.now() + 5000;
  let count = threadCount();
  while (count !== expected && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 10));
    count = threadCount();
  }
  return count;
}

const pools = new Set<Pick<ThreadPool, 'destroy' | 'workers'>>();

/** Creates a pool that the afterEach hook destroys if the test did not close it. */
export function track<Module = TaskFunction<unknown, unknown>>(
  options: ThreadPoolOptions,
): ThreadPool<Module> {
  const pool = new ThreadPool<Module>(options);
  pools.add(pool);
  return pool;
}

/** Registers the hook that destroys leftover pools and checks that none left a worker behind. */
export function cleanUpPools(): void {
  afterEach(async () => {
    const leftovers = [...pools];
    pools.clear();
    await Promise.all(leftovers.map((pool) => pool.destroy()));
    for (const pool of leftovers) expect(pool.workers).toBe(0);
  });
}

/**
 * Waits until `predicate()` holds: for states that an event in another thread brings about.
 * The deadline only turns a hang into a readable failure; no test asserts on time.
 */
export async function until(predicate: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}

/**
 * Holds `gated` tasks inside their worker: slot `id` goes IDLE -> STARTED (set by the task)
 * -> RELEASED (set by the test, which lets the task return `id`).
 */
export class Gate {
  readonly buffer: SharedArrayBuffer;
  readonly #state: Int32Array;

  constructor(slots = 64) {
    this.buffer = new SharedArrayBuffer(slots * Int32Array.BYTES_PER_ELEMENT);
    this.#state = new Int32Array(this.buffer);
  }

  payload(id: number): { gate: SharedArrayBuffer; id: number } {
    return { gate: this.buffer, id };
  }

  hasStarted(id: number): boolean {
    return Atomics.load(this.#state, id) !== GATE.IDLE;
  }

  /** Ids of the slots whose task has started, ascending. */
  startedIds(): number[] {
    const ids: number[] = [];
    for (let id = 0; id < this.#state.length; id++) if (this.hasStarted(id)) ids.push(id);
    return ids;
  }

  async started(id: number): Promise<void> {
    await until(() => this.hasStarted(id), `gated task ${id} started`);
  }

  release(id: number): void {
    Atomics.store(this.#state, id, GATE.RELEASED);
    Atomics.notify(this.#state, id);
  }

  releaseAll(): void {
    for (let id = 0; id < this.#state.length; id++) this.release(id);
  }
}

/** A clock that moves only when told: for timeouts, idle timeouts and utilisation. */
export class ManualTimers implements PoolTimers {
  #now = 0;
  #next = 1;
  readonly #timers = new Map<number, { at: number; callback: () => void }>();

  now(): number {
    return this.#now;
  }

  setTimeout(callback: () => void, ms: number): unknown {
    const handle = this.#next++;
    this.#timers.set(handle, { at: this.#now + ms, callback });
    return handle;
  }

  clearTimeout(handle: unknown): void {
    this.#timers.delete(handle as number);
  }

  /** Timers not yet fired or cleared. */
  get pending(): number {
    return this.#timers.size;
  }

  /** Moves the clock forward, firing due timers in order. */
  advance(ms: number): void {
    const target = this.#now + ms;
    for (;;) {
      let due: [number, { at: number; callback: () => void }] | undefined;
      for (const entry of this.#timers) {
        if (entry[1].at <= target && (due === undefined || entry[1].at < due[1].at)) due = entry;
      }
      if (due === undefined) break;
      this.#timers.delete(due[0]);
      this.#now = Math.max(this.#now, due[1].at);
      due[1].callback();
    }
    this.#now = target;
  }
}
