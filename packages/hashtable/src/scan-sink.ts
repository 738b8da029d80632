/**
 * Where a scan gathers the entries of the buckets it visits before handing them to the caller:
 * a flat `[key0, value0, key1, value1, ...]` array and its used length.
 *
 * Gathering first, calling the visitor after, makes the visitor free to mutate the table (SCAN
 * that deletes expired keys, SPOP-like loops): whatever it does, the scan has already read its
 * buckets and computed its next cursor. The visitor form reuses one module-level sink, so a scan
 * allocates nothing once the sink has grown to the largest batch; a scan started from inside a
 * visitor gets a sink of its own.
 *
 * @packageDocumentation
 */

/** @internal */
export class ScanSink {
  /** Gathered keys and values, interleaved. Slots at and past `length` are stale or undefined. */
  items: unknown[] = [];
  /** Used slots of `items` (two per entry). */
  length = 0;

  push(key: unknown, value: unknown): void {
    const items = this.items;
    const length = this.length;
    items[length] = key;
    items[length + 1] = value;
    this.length = length + 2;
  }
}

let spare: ScanSink | null = new ScanSink();

/**
 * The shared sink if it is free, else a new one.
 *
 * @internal
 */
export function acquireSink(): ScanSink {
  const sink = spare;
  if (sink === null) return new ScanSink();
  spare = null;
  return sink;
}

/**
 * Drops the sink's references (the GC may collect deleted values) and makes it the shared sink.
 *
 * @internal
 */
export function releaseSink(sink: ScanSink): void {
  sink.items.fill(undefined, 0, sink.length);
  sink.length = 0;
  spare = sink;
}
