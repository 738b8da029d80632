import { closeSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { crc64 } from '../../src/persistence/crc64.js';
import { BackgroundFileSink, SyncFileSink, Trailer } from '../../src/persistence/file-sink.js';
import { RdbEncoder } from '../../src/persistence/rdb-encoder.js';
import {
  workerModulePath,
  type PersistenceWorkerTasks,
} from '../../src/persistence/worker-module.js';
import { tempDir } from './helpers.js';
import { build, plainValue } from './values.js';

/**
 * The persistence worker's module, generated from the source text of the CRC-64, LZF and length
 * functions: run here in the test's own thread, its output must be byte for byte what the inline
 * encoder writes (compression in the worker is only a change of place).
 */
describe('persistence worker module', () => {
  const dir = tempDir();
  afterAll(() => dir.remove());

  it('writes the bytes the inline encoder writes, with the checksum of them', async () => {
    const path = workerModulePath();
    expect(path).toBeDefined();
    const worker = (await import(pathToFileURL(path ?? '').href)) as PersistenceWorkerTasks;
    let job = 100;
    fc.assert(
      fc.property(fc.array(plainValue, { minLength: 1, maxLength: 6 }), (plains) => {
        const inline = new RdbEncoder({ compression: true });
        const deferred = new RdbEncoder({ compression: true });
        deferred.deferred = [];
        for (const [index, plain] of plains.entries()) {
          const value = build(plain);
          for (const encoder of [inline, deferred])
            encoder.keyValue(`key${index}`, value, undefined);
        }
        const file = join(dir.path, `chunk-${job}`);
        const fd = openSync(file, 'w');
        const chunk = Buffer.from(deferred.out.view());
        const written = worker.write({
          job,
          fd,
          chunk,
          deferred: Int32Array.from(deferred.deferred),
          checksum: true,
        });
        closeSync(fd);
        const expected = inline.out.view();
        const actual = readFileSync(file);
        expect(written).toBe(expected.length);
        expect(actual.toString('hex')).toBe(expected.toString('hex'));
        const [lo, hi] = worker.finish({ job });
        expect((BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0)).toBe(crc64(expected));
        job++;
      }),
      { numRuns: 60 },
    );
  });

  it.each([
    ['the background sink without a worker (its fallback)', false],
    ['the synchronous sink (SAVE)', true],
  ])('%s writes the chunks, the CRC-64 trailer, and renames', async (_name, sync) => {
    const target = join(dir.path, `dump-${String(sync)}.rdb`);
    const temporary = `${target}.tmp`;
    const chunks = [Buffer.from('REDIS0010'), Buffer.alloc(100_000, 7), Buffer.from([0xff])];
    const expected = Buffer.concat(chunks);
    const sink = sync
      ? new SyncFileSink(temporary, target, Trailer.CRC64)
      : new BackgroundFileSink(undefined, temporary, target, Trailer.CRC64);
    for (const chunk of chunks) sink.write(Buffer.from(chunk));
    expect(await sink.complete()).toBe(expected.length + 8);
    const file = readFileSync(target);
    expect(file.subarray(0, expected.length).equals(expected)).toBe(true);
    expect(file.readBigUInt64LE(expected.length)).toBe(crc64(expected));
  });
});
