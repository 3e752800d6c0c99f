import { describe, expect, it } from 'vitest';
import { freeArrayBuffer } from '../../../src/core/rows/free-array-buffer.js';
import { BufferLeases } from '../../../src/sinks/elasticsearch/buffer-leases.js';

describe('BufferLeases', () => {
  it('frees a chunk buffer when its last holder lets go, not before', () => {
    const leases = new BufferLeases();
    const chunk = new Uint8Array(64 * 1024).fill(7);
    leases.hold(chunk.buffer);
    leases.hold(chunk.buffer);
    leases.drop(chunk.buffer);
    expect(chunk.buffer.byteLength).toBe(64 * 1024);
    expect(chunk[100]).toBe(7);
    leases.drop(chunk.buffer);
    expect(chunk.buffer.byteLength).toBe(0); // detached: its memory went with the transfer
    expect(leases.size).toBe(0);
  });
});

describe('freeArrayBuffer', () => {
  it('leaves small buffers alone: one may be the slab that small Buffers share', () => {
    const a = Buffer.from('a small pooled buffer');
    const b = Buffer.from('its neighbour in the pool');
    freeArrayBuffer(a.buffer);
    expect(a.buffer.byteLength).toBe(Buffer.poolSize);
    expect(b.toString()).toBe('its neighbour in the pool');
    const own = new ArrayBuffer(Buffer.poolSize);
    freeArrayBuffer(own);
    expect(own.byteLength).toBe(Buffer.poolSize);
  });

  it('detaches a big buffer it owns, and a detached one again without harm', () => {
    const big = new ArrayBuffer(Buffer.poolSize + 1);
    freeArrayBuffer(big);
    expect(big.byteLength).toBe(0);
    expect(() => freeArrayBuffer(big)).not.toThrow();
  });
});
