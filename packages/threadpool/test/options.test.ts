import { availableParallelism } from 'node:os';
import { describe, expect, it } from 'vitest';
import { InvalidOptionError, systemTimers, type ThreadPoolOptions } from '../src/index.js';
import { resolveOptions, taskModuleUrl } from '../src/options.js';

const filename = '/srv/tasks.js';

describe('options', () => {
  it('fills in the defaults', () => {
    const size = availableParallelism();
    expect(resolveOptions({ filename })).toEqual({
      filename: 'file:///srv/tasks.js',
      handler: null,
      size,
      minSize: 0,
      maxQueue: 1024 * size,
      idleTimeout: Infinity,
      timeout: Infinity,
      concurrentTasksPerWorker: 1,
      atomicsWait: 10,
      execArgv: undefined,
      env: undefined,
      resourceLimits: undefined,
      workerData: undefined,
      timers: systemTimers,
    });
  });

  it('keeps valid values', () => {
    const resolved = resolveOptions({
      filename,
      handler: 'lzf',
      size: 3,
      minSize: 3,
      maxQueue: Infinity,
      idleTimeout: 0,
      timeout: 10,
      concurrentTasksPerWorker: 2,
      atomicsWait: 5,
      execArgv: ['--no-warnings'],
    });
    expect(resolved).toMatchObject({
      handler: 'lzf',
      size: 3,
      minSize: 3,
      maxQueue: Infinity,
      idleTimeout: 0,
      timeout: 10,
      concurrentTasksPerWorker: 2,
      atomicsWait: 5,
      execArgv: ['--no-warnings'],
    });
  });

  it.each([
    ['/abs/path.js', 'file:///abs/path.js'],
    ['file:///abs/url.mjs', 'file:///abs/url.mjs'],
    [new URL('file:///a%20b/c.cjs'), 'file:///a%20b/c.cjs'],
    ['/with space/x.js', 'file:///with%20space/x.js'],
  ])('turns filename %s into %s', (input, expected) => {
    expect(taskModuleUrl(input)).toBe(expected);
  });

  it.each<[string, Partial<ThreadPoolOptions>, string]>([
    [
      'relative filename',
      { filename: './tasks.js' },
      `option 'filename' must be an absolute path or a file: URL, got "./tasks.js"`,
    ],
    [
      'http URL',
      { filename: new URL('https://example.com/x.js') },
      "option 'filename' must be an absolute path or a file: URL, got object",
    ],
    [
      'missing filename',
      { filename: undefined as never },
      "option 'filename' must be an absolute path or a file: URL, got undefined",
    ],
    ['empty handler', { handler: '' }, `option 'handler' must be a non-empty string, got ""`],
    ['size 0', { size: 0 }, "option 'size' must be an integer >= 1, got 0"],
    ['fractional size', { size: 1.5 }, "option 'size' must be an integer >= 1, got 1.5"],
    [
      'minSize above size',
      { size: 2, minSize: 3 },
      "option 'minSize' must be an integer from 0 to size (2), got 3",
    ],
    [
      'negative maxQueue',
      { maxQueue: -1 },
      "option 'maxQueue' must be an integer >= 0 or Infinity, got -1",
    ],
    [
      'NaN idleTimeout',
      { idleTimeout: NaN },
      "option 'idleTimeout' must be a number of milliseconds >= 0, got NaN",
    ],
    [
      'zero timeout',
      { timeout: 0 },
      "option 'timeout' must be a number of milliseconds above 0, got 0",
    ],
    [
      'string timeout',
      { timeout: '5' as never },
      `option 'timeout' must be a number of milliseconds above 0, got "5"`,
    ],
    [
      'infinite atomicsWait',
      { atomicsWait: Infinity },
      "option 'atomicsWait' must be a finite number of milliseconds >= 0, got Infinity",
    ],
    [
      'zero concurrentTasksPerWorker',
      { concurrentTasksPerWorker: 0 },
      "option 'concurrentTasksPerWorker' must be an integer >= 1, got 0",
    ],
  ])('rejects %s', (_, options, message) => {
    const attempt = () => resolveOptions({ filename, ...options });
    expect(attempt).toThrow(InvalidOptionError);
    expect(attempt).toThrow(message);
  });

  it('rejects a non-object', () => {
    expect(() => resolveOptions(null as never)).toThrow(
      "option 'options' must be an object, got null",
    );
  });
});
