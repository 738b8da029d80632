import type { Socket } from 'node:net';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { OutputBuffer } from '../src/output-buffer.js';

/** Records what the buffer hands to the socket, and how. */
class FakeSocket {
  writes: Buffer[] = [];
  /** The memory each written chunk viewed. */
  memory = new Set<ArrayBufferLike>();
  writeCalls = 0;
  corked = 0;
  /** Socket writes as the kernel would see them: one per uncorked write, one per cork section. */
  syscalls = 0;
  #section: Buffer[] = [];

  write(chunk: Buffer): boolean {
    this.writeCalls++;
    this.memory.add(chunk.buffer);
    if (this.corked > 0) this.#section.push(Buffer.from(chunk));
    else {
      this.writes.push(Buffer.from(chunk));
      this.syscalls++;
    }
    return true;
  }
  cork(): void {
    this.corked++;
  }
  uncork(): void {
    this.corked--;
    if (this.corked === 0 && this.#section.length > 0) {
      this.writes.push(Buffer.concat(this.#section));
      this.#section = [];
      this.syscalls++;
    }
  }
  get all(): Buffer {
    return Buffer.concat(this.writes);
  }
}

describe('OutputBuffer model test', () => {
  it('flushes exactly the appended bytes, one socket write per flush', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            { weight: 5, arbitrary: fc.uint8Array({ maxLength: 300 }) },
            { weight: 1, arbitrary: fc.uint8Array({ minLength: 2000, maxLength: 70_000 }) },
            { weight: 2, arbitrary: fc.constant('flush' as const) },
          ),
          { maxLength: 60 },
        ),
        (steps) => {
          const buffer = new OutputBuffer();
          const socket = new FakeSocket();
          const expected: Buffer[] = [];
          let pending = 0;
          let flushesWithData = 0;
          for (const step of steps) {
            if (step === 'flush') {
              const written = buffer.flush(socket as unknown as Socket);
              expect(written).toBe(pending);
              if (pending > 0) flushesWithData++;
              pending = 0;
            } else {
              // The caller may reuse its buffer right after append: scribble over it.
              const copy = Buffer.from(step);
              buffer.append(step);
              step.fill(0xee);
              expected.push(copy);
              pending += copy.length;
            }
            expect(buffer.pendingBytes).toBe(pending);
          }
          buffer.flush(socket as unknown as Socket);
          if (pending > 0) flushesWithData++;
          expect(socket.all.equals(Buffer.concat(expected))).toBe(true);
          expect(socket.syscalls).toBe(flushesWithData);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('never changes bytes a socket still holds, and reuses the staging once it holds none', () => {
    /** A socket that writes at once, or holds a write by reference until drained (async). */
    class HoldingSocket {
      sent: Buffer[] = [];
      held: { view: Buffer; bytes: Buffer }[] = [];
      holdNext = false;
      get writableLength(): number {
        return this.held.reduce((sum, entry) => sum + entry.view.length, 0);
      }
      write(chunk: Buffer): boolean {
        if (this.holdNext || this.held.length > 0) {
          this.held.push({ view: chunk, bytes: Buffer.from(chunk) });
        } else this.sent.push(Buffer.from(chunk));
        return true;
      }
      cork(): void {}
      uncork(): void {}
      drain(): void {
        for (const { view, bytes } of this.held) {
          expect(view.equals(bytes)).toBe(true); // nothing wrote over a held write
          this.sent.push(bytes);
        }
        this.held = [];
      }
    }
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            { weight: 5, arbitrary: fc.uint8Array({ minLength: 1, maxLength: 300 }) },
            { weight: 1, arbitrary: fc.uint8Array({ minLength: 2000, maxLength: 9000 }) },
            { weight: 2, arbitrary: fc.constantFrom('flush', 'flush-held', 'drain') },
          ),
          { maxLength: 60 },
        ),
        (steps) => {
          const buffer = new OutputBuffer();
          const socket = new HoldingSocket();
          const expected: Buffer[] = [];
          for (const step of steps) {
            if (typeof step !== 'string') {
              buffer.append(step);
              expected.push(Buffer.from(step));
            } else if (step === 'drain') socket.drain();
            else {
              socket.holdNext = step === 'flush-held';
              buffer.flush(socket as unknown as Socket);
              socket.holdNext = false;
            }
          }
          buffer.flush(socket as unknown as Socket);
          socket.drain();
          expect(Buffer.concat(socket.sent).equals(Buffer.concat(expected))).toBe(true);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('keeps many small batches in one pooled staging buffer', () => {
    const buffer = new OutputBuffer();
    const socket = new FakeSocket();
    for (let batch = 0; batch < 100; batch++) {
      buffer.append(Buffer.from('+OK\r\n'));
      buffer.flush(socket as unknown as Socket);
    }
    // 500 bytes fit the first 2 KiB staging buffer: every write is a view of the same memory.
    expect(socket.writes).toHaveLength(100);
    expect(socket.memory.size).toBe(1);
    expect(socket.all.toString()).toBe('+OK\r\n'.repeat(100));
  });

  it('flush with nothing pending writes nothing; discard drops pending bytes', () => {
    const buffer = new OutputBuffer();
    const socket = new FakeSocket();
    expect(buffer.flush(socket as unknown as Socket)).toBe(0);
    buffer.append(Buffer.from('abc'));
    buffer.append(new Uint8Array(0));
    buffer.discard();
    expect(buffer.pendingBytes).toBe(0);
    expect(buffer.flush(socket as unknown as Socket)).toBe(0);
    expect(socket.writeCalls).toBe(0);
  });
});
