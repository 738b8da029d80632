import { RespWriter } from '@byor/protocol';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  idleMilliseconds,
  lfuCounter,
  lfuInitial,
  lfuLogIncrement,
  lfuTouch,
  lruClock,
  LRU_CLOCK_MAX,
} from '../src/eviction-clock.js';
import { evictionTimeLimitMicros } from '../src/eviction.js';
import { HashValue } from '../src/types/hash.js';
import {
  Database,
  INLINE_INTEGER_MAX,
  type AccessTracking,
  type KeyspaceHost,
} from '../src/keyspace.js';

const T = 1_700_000_000_000; // a fixed unix time in ms

describe('access clock (evict.c)', () => {
  it.each([
    [T, Math.floor(T / 1000) % 2 ** 24],
    [0, 0],
    [999, 0],
    [1000, 1],
    [2 ** 24 * 1000, 0],
    [(2 ** 24 + 5) * 1000 + 999, 5],
  ])('lruClock(%d) = %d', (now, clock) => {
    expect(lruClock(now)).toBe(clock);
  });

  it.each([
    [lruClock(T), T, 0],
    [lruClock(T), T + 999, 0],
    [lruClock(T), T + 5000, 5000],
    // a clock that wrapped: stamp near the top, now near zero
    [LRU_CLOCK_MAX - 2, 3000, (3 + 2) * 1000],
  ])('idleMilliseconds(%d, %d) = %d', (stamp, now, idle) => {
    expect(idleMilliseconds(stamp, now)).toBe(idle);
  });

  it.each([
    // counter 5, decay 1 per minute
    [lfuInitial(T), T, 1, 5],
    [lfuInitial(T), T + 60_000, 1, 4],
    [lfuInitial(T), T + 10 * 60_000, 1, 0],
    [lfuInitial(T), T + 10 * 60_000, 0, 5],
    [lfuInitial(T), T + 10 * 60_000, 2, 0],
    [lfuInitial(T), T + 4 * 60_000, 2, 3],
  ])('lfuCounter(stamp, now, decay %#)', (stamp, now, decay, counter) => {
    expect(lfuCounter(stamp, now, decay)).toBe(counter);
  });

  it.each([
    [0, 10, 0.999, 1],
    [5, 10, 0.999, 6],
    [6, 10, 0.5, 6], // p = 1/11
    [6, 10, 0.05, 7],
    [255, 10, 0, 255],
    [100, 0, 0.999, 101], // factor 0: always
  ])('lfuLogIncrement(%d, factor %d, r %d) = %d', (counter, factor, random, next) => {
    expect(lfuLogIncrement(counter, factor, random)).toBe(next);
  });

  it('lfuTouch decays first, then increments, and stamps the minute', () => {
    const stamp = (lfuInitial(T) & ~0xff) | 20;
    const later = T + 3 * 60_000;
    const touched = lfuTouch(stamp, later, 10, 1, 0.999);
    expect(touched & 0xff).toBe(17);
    expect(touched >>> 8).toBe(Math.floor(later / 60_000) & 0xffff);
  });

  it.each([
    [0, 0],
    [10, 500],
    [11, 575],
    [99, Math.floor(500 * 1.15 ** 89)],
    [100, Infinity],
  ])('evictionTimeLimitMicros(%d) = %d', (tenacity, limit) => {
    expect(evictionTimeLimitMicros(tenacity)).toBe(limit);
  });
});

describe('Database: stamps in the key table', () => {
  it('keeps each key stamp across table growth, mass deletes (compaction) and reuse', () => {
    const h = host();
    const db = new Database(0, h);
    const count = 40_000;
    for (let i = 0; i < count; i++) {
      h.time = T + i * 1000; // one LRU tick per key
      db.set(`k${i}`, `v${i}`);
    }
    h.time = T + count * 1000;
    for (let i = 0; i < count; i++) if (i % 40 !== 0) db.delete(`k${i}`);
    while (db.rehashStep(1000));
    for (let i = 0; i < 500; i++) db.add(`new${i}`, 'x');
    db.checkInvariants();
    expect(db.size).toBe(count / 40 + 500);
    for (let i = 0; i < count; i += 40) {
      expect(db.idleSeconds(`k${i}`)).toBe(count - i);
      expect(db.peek(`k${i}`)).toBe(`v${i}`);
    }
    for (let i = 0; i < 500; i++) expect(db.idleSeconds(`new${i}`)).toBe(0);
  });

  it('reports stamps to eviction sampling, without touching the keys', () => {
    const h = host();
    const db = new Database(0, h);
    for (let i = 0; i < 100; i++) {
      h.time = T + i * 1000;
      db.set(`k${i}`, 'v');
      if (i % 2 === 0) db.setExpire(`k${i}`, T + 10_000_000 + i);
    }
    for (const volatile of [false, true]) {
      const seen = new Set<string>();
      db.sampleForEviction(200, volatile, (key, stamp, expireAt) => {
        const i = Number(key.slice(1));
        expect(stamp).toBe(lruClock(T + i * 1000));
        expect(expireAt).toBe(volatile ? T + 10_000_000 + i : 0);
        seen.add(key);
      });
      expect(seen.size).toBe(volatile ? 50 : 100);
    }
    expect(db.stampOf('k3')).toBe(lruClock(T + 3000));
  });
});

/** A host with a settable clock and a plain access-tracking record. */
function host(lfu = false): KeyspaceHost & { time: number; access: AccessTracking } {
  const access: AccessTracking = {
    lfu,
    ownIntegers: false,
    lfuLogFactor: 10,
    lfuDecayTime: 1,
    savesIdle: !lfu,
    savesFrequency: lfu,
    dataset: 0,
  };
  const self = {
    time: T,
    access,
    eviction: access,
    stats: { keyspaceHits: 0, keyspaceMisses: 0, expiredKeys: 0 },
    now: () => self.time,
    keyExpired: () => {},
    keyModified: () => {},
    keyMissed: () => {},
    keyAdded: () => {},
    valueFreed: () => {},
    expiry: 'delete' as const,
  };
  return self;
}

/** MEMORY USAGE's estimate of a string key plus its stamp, as the account charges it. */
function stringBytes(key: string, value: string): number {
  return 16 + 12 + Math.ceil(key.length / 4) * 4 + 12 + Math.ceil(value.length / 4) * 4 + 4;
}

/** string2ll's integers, as INCR reads them: canonical decimal text within int64. */
function integerReference(text: string): number | bigint | undefined {
  if (!/^(?:0|-?[1-9][0-9]{0,18})$/.test(text)) return undefined;
  const value = BigInt(text);
  if (value < -(2n ** 63n) || value >= 2n ** 63n) return undefined;
  return Number.isSafeInteger(Number(value)) ? Number(value) : value;
}

describe('Database: stamps and memory account', () => {
  it('matches a Map model: values, idle times and the account after random operations', () => {
    const key = fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f', 'g', 'longer-key-name');
    // short values, and values either side of 1,016 bytes (the longest a stamp's size tag holds)
    const value = fc.oneof(
      { weight: 4, arbitrary: fc.string({ maxLength: 40 }) },
      { weight: 1, arbitrary: fc.string({ minLength: 1008, maxLength: 1024 }) },
    );
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            fc.record({ op: fc.constant('set' as const), key, value }),
            // APPEND / INCR: the value replaced in place, the TTL and access stamp kept
            fc.record({ op: fc.constant('update' as const), key, value }),
            // INCR: an integer written back, kept in the key table itself up to INLINE_INTEGER_MAX
            fc.record({
              op: fc.constant('integer' as const),
              key,
              n: fc.oneof(
                fc.integer({ min: 0, max: 120 }),
                fc.constantFrom(
                  9,
                  10,
                  99_999,
                  100_000,
                  999_999_999,
                  1_000_000_000,
                  INLINE_INTEGER_MAX - 1,
                  INLINE_INTEGER_MAX,
                  INLINE_INTEGER_MAX + 1,
                  Number.MAX_SAFE_INTEGER,
                ),
                fc.integer({ min: -1000, max: -1 }),
              ),
            }),
            fc.record({ op: fc.constant('get' as const), key }),
            // GET and INCR's read: the stored form written as a reply, and read as an integer
            fc.record({ op: fc.constant('read' as const), key }),
            fc.record({ op: fc.constant('peek' as const), key }),
            fc.record({ op: fc.constant('delete' as const), key }),
            fc.record({
              op: fc.constant('expire' as const),
              key,
              ms: fc.integer({ min: 1, max: 5000 }),
            }),
            fc.record({ op: fc.constant('tick' as const), ms: fc.integer({ min: 0, max: 4000 }) }),
            fc.record({ op: fc.constant('evict' as const), key }),
          ),
          { maxLength: 120 },
        ),
        (ops) => {
          const h = host();
          const db = new Database(0, h);
          const model = new Map<string, { value: string; touched: number; expireAt?: number }>();
          // keys expired in the model: the database holds them until something reclaims them
          const expired = new Map<string, string>();
          const expireDue = () => {
            for (const [k, entry] of model)
              if (entry.expireAt !== undefined && h.time > entry.expireAt) {
                model.delete(k);
                expired.set(k, entry.value);
              }
          };
          for (const step of ops) {
            switch (step.op) {
              case 'set': {
                expireDue();
                expired.delete(step.key);
                db.set(step.key, step.value);
                model.set(step.key, { value: step.value, touched: h.time });
                break;
              }
              case 'update': {
                expireDue();
                expired.delete(step.key);
                // as APPEND and INCR do, look the key up first (which reclaims it if expired)
                db.peek(step.key);
                db.update(step.key, step.value);
                const entry = model.get(step.key);
                if (entry) entry.value = step.value;
                else model.set(step.key, { value: step.value, touched: h.time });
                break;
              }
              case 'integer': {
                expireDue();
                expired.delete(step.key);
                const exists = db.lookupStored(step.key) !== undefined;
                db.setInteger(step.key, step.n, exists);
                model.set(step.key, {
                  ...model.get(step.key),
                  value: String(step.n),
                  touched: h.time,
                });
                break;
              }
              case 'read': {
                expireDue();
                const entry = model.get(step.key);
                const stored = db.lookupStored(step.key);
                if (entry === undefined || stored === undefined || typeof stored === 'object') {
                  expect(stored).toBe(entry?.value);
                  break;
                }
                entry.touched = h.time;
                const writer = new RespWriter();
                db.bulk(writer, stored);
                const bytes = Buffer.byteLength(entry.value, 'latin1');
                expect(writer.take().toString('latin1')).toBe(`$${bytes}\r\n${entry.value}\r\n`);
                expect(db.integerOf(stored)).toBe(integerReference(entry.value));
                break;
              }
              case 'get': {
                expireDue();
                const entry = model.get(step.key);
                expect(db.lookup(step.key)).toBe(entry?.value);
                if (entry) entry.touched = h.time;
                break;
              }
              case 'peek':
                expireDue();
                expect(db.peek(step.key)).toBe(model.get(step.key)?.value);
                break;
              case 'delete': {
                expireDue();
                const before = db.bytes;
                const removed = db.delete(step.key);
                const ghost = expired.get(step.key);
                if (model.delete(step.key)) expect(removed).toBe(true);
                // expired but maybe not yet reclaimed: delete (dbDelete) removes what is there
                else if (ghost !== undefined)
                  expect(before - db.bytes).toBe(removed ? stringBytes(step.key, ghost) : 0);
                else expect(removed).toBe(false);
                expired.delete(step.key);
                break;
              }
              case 'expire': {
                expireDue();
                const entry = model.get(step.key);
                if (entry && db.peek(step.key) !== undefined) {
                  db.setExpire(step.key, h.time + step.ms);
                  entry.expireAt = h.time + step.ms;
                }
                break;
              }
              case 'tick':
                h.time += step.ms;
                break;
              case 'evict': {
                const entry = model.get(step.key);
                const freed = db.evict(step.key);
                const ghost = expired.get(step.key);
                if (entry) {
                  expect(freed).toBe(stringBytes(step.key, entry.value));
                  model.delete(step.key);
                } else if (ghost !== undefined) {
                  // expired but maybe not yet reclaimed: evicting it frees what it held
                  expect([-1, stringBytes(step.key, ghost)]).toContain(freed);
                } else expect(freed).toBe(-1);
                expired.delete(step.key);
                break;
              }
            }
            db.checkInvariants();
            let bytes = 0;
            for (const [k, entry] of model) {
              bytes += stringBytes(k, entry.value);
              // whole seconds of the LRU clock between the last access and now
              expect(db.idleSeconds(k)).toBe(lruClock(h.time) - lruClock(entry.touched));
            }
            // keys expired in the model but not yet reclaimed by the database still count there
            expect(db.bytes).toBeGreaterThanOrEqual(bytes);
            expect(h.access.dataset).toBe(db.bytes);
          }
          db.flush();
          expect(h.access.dataset).toBe(0);
        },
      ),
      { numRuns: 150 },
    );
  });

  it('LFU: a new key starts at 5, the first access makes it 6, an overwrite keeps the counter', () => {
    const h = host(true);
    const db = new Database(0, h);
    db.set('k', 'v');
    expect(db.frequency('k')).toBe(5);
    db.lookup('k');
    expect(db.frequency('k')).toBe(6);
    db.set('k', 'w');
    expect(db.frequency('k')).toBe(6);
    h.time += 2 * 60_000;
    expect(db.frequency('k')).toBe(4);
  });

  it('setAccess: IDLETIME under LRU, FREQ under LFU (objectSetLRUOrLFU)', () => {
    const lru = new Database(0, host(false));
    lru.set('k', 'v');
    expect(lru.setAccess('k', 7, -1)).toBe(false);
    expect(lru.setAccess('k', -1, 1234)).toBe(true);
    expect(lru.idleSeconds('k')).toBe(1234);
    // before the clock's start: half-way round
    expect(lru.setAccess('k', -1, 2 ** 30)).toBe(true);
    expect(lru.idleSeconds('k')).toBe((LRU_CLOCK_MAX >>> 1) + 1);
    const lfu = new Database(0, host(true));
    lfu.set('k', 'v');
    expect(lfu.setAccess('k', -1, 10)).toBe(false);
    expect(lfu.setAccess('k', 200, -1)).toBe(true);
    expect(lfu.frequency('k')).toBe(200);
  });

  it('charges collections and re-estimates them after in-place changes', () => {
    const h = host();
    const db = new Database(0, h);
    // a minimal collection: a list-like value with a length and its own estimate
    const items: string[] = [];
    const list = {
      type: 'list' as const,
      chargedBytes: 0,
      exactBytes: 0,
      exactCount: 0,
      get length() {
        return items.length;
      },
      encoding: () => 'listpack',
      clone: () => list,
      memoryUsage: () => 40 + items.length * 10,
    };
    db.add('l', list);
    const start = h.access.dataset;
    for (let i = 0; i < 10; i++) items.push(`x${i}`);
    db.lookup('l');
    db.signalModified('l');
    db.refreshCharges();
    expect(h.access.dataset - start).toBe(100);
    // big collections are scaled by their count between exact estimates
    for (let i = 0; i < 200; i++) items.push(`y${i}`);
    db.signalModified('l');
    db.refreshCharges();
    const exact = h.access.dataset;
    for (let i = 0; i < 100; i++) items.push(`z${i}`);
    db.signalModified('l');
    db.refreshCharges();
    expect(h.access.dataset - exact).toBe(Math.round(((40 + 2100) * 310) / 210) - (40 + 2100));
    db.delete('l');
    expect(h.access.dataset).toBe(0);
  });

  it('keeps each account right when a changed collection moves to another database (MOVE)', () => {
    const h = host();
    const from = new Database(0, h);
    const to = new Database(1, h);
    const hash = new HashValue();
    from.add('h', hash);
    hash.set('f', 'v'.repeat(10), 512, 64);
    // changed in place: waiting in `from` to be estimated again
    from.signalModified('h');
    from.delete('h');
    to.add('h', hash);
    for (let i = 0; i < 20; i++) hash.set(`f${i}`, 'x', 512, 64);
    to.signalModified('h');
    from.refreshCharges();
    to.refreshCharges();
    expect(from.bytes).toBe(0);
    const fresh = new Database(2, host());
    fresh.add('h', hash.clone());
    expect(to.bytes).toBe(fresh.bytes);
    expect(h.access.dataset).toBe(to.bytes);
  });
});
