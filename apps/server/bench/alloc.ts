/**
 * Bytes the server allocates per command, and where: young-generation collections are paid per
 * allocation (their number) and per survivor (their length), so fewer bytes per command is fewer
 * GC pauses in the tail latency.
 *
 *   npx tsx bench/alloc.ts [--tests set,get] [--pipelines 1,16] [--requests 200000] [--top 8]
 *
 * Starts byor in this process (startServer, a free port), warms each test up with one
 * redis-benchmark run (-c 50 -d 16 -r 100000), then samples the allocations of a second run with
 * V8's sampling heap profiler, objects freed by young and old collections included, and prints
 * the bytes per command and the call paths that allocated most. Sampled: a few percent either way
 * between runs.
 */
import { execFile, spawnSync } from 'node:child_process';
import { Session } from 'node:inspector/promises';
import { parseArgs } from 'node:util';
import { startServer } from '../src/start.js';
import { benchArgs } from './ports.js';

const { values: options } = parseArgs({
  args: benchArgs(),
  options: {
    tests: { type: 'string', default: 'set,get,incr,lpush,sadd,hset,zadd,mset' },
    pipelines: { type: 'string', default: '1,16' },
    requests: { type: 'string', default: '200000' },
    top: { type: 'string', default: '8' },
  },
});
const REQUESTS = Number(options.requests);
const TOP = Number(options.top);

interface ProfileNode {
  callFrame: { functionName: string; url: string; lineNumber: number };
  selfSize: number;
  children: ProfileNode[];
}

function benchmark(port: number, test: string, pipeline: number): Promise<void> {
  const args = ['-p', String(port), '-c', '50', '-d', '16', '-r', '100000'];
  args.push('-P', String(pipeline), '-n', String(REQUESTS), '-t', test, '-q');
  return new Promise((resolve, reject) => {
    execFile('redis-benchmark', args, (error) =>
      error ? reject(new Error(error.message)) : resolve(),
    );
  });
}

/** Bytes by call path (the innermost frames), and the total. */
function paths(head: ProfileNode): { total: number; byPath: Map<string, number> } {
  const byPath = new Map<string, number>();
  let total = 0;
  const walk = (node: ProfileNode, stack: string[]): void => {
    const file = node.callFrame.url.split('/').slice(-2).join('/');
    const frame = `${node.callFrame.functionName || '(anonymous)'} ${file}:${node.callFrame.lineNumber + 1}`;
    const path = [...stack, frame];
    if (node.selfSize > 0) {
      total += node.selfSize;
      const key = path.slice(-3).join(' < ');
      byPath.set(key, (byPath.get(key) ?? 0) + node.selfSize);
    }
    for (const child of node.children) walk(child, path);
  };
  walk(head, []);
  return { total, byPath };
}

async function main(): Promise<void> {
  if (spawnSync('redis-benchmark', ['--version']).status !== 0) {
    console.log('redis-benchmark is not installed (apt-get install -y redis-tools)');
    return;
  }
  const running = await startServer({ port: 0, config: { save: '', appendonly: false } });
  const session = new Session();
  session.connect();
  try {
    for (const pipeline of options.pipelines.split(',').map(Number)) {
      for (const test of options.tests.split(',')) {
        await benchmark(running.port, test, pipeline); // warm-up: JIT, keys in place
        await session.post('HeapProfiler.startSampling', {
          samplingInterval: 256,
          includeObjectsCollectedByMinorGC: true,
          includeObjectsCollectedByMajorGC: true,
        });
        await benchmark(running.port, test, pipeline);
        const { profile } = await session.post('HeapProfiler.stopSampling');
        const { total, byPath } = paths(profile.head);
        console.log(
          `\n${test.toUpperCase()} -P ${pipeline}: ${(total / REQUESTS).toFixed(0)} bytes per command`,
        );
        const top = [...byPath].sort((a, b) => b[1] - a[1]).slice(0, TOP);
        for (const [path, bytes] of top) {
          console.log(`${(bytes / REQUESTS).toFixed(1).padStart(8)}  ${path}`);
        }
      }
    }
  } finally {
    session.disconnect();
    await running.close();
  }
}

await main();
