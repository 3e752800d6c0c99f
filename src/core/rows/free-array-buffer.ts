/**
 * Gives an ArrayBuffer's memory back soon, instead of at the next full garbage collection. A big
 * buffer that lived a while (a row chunk from a parser thread) sits in the old generation, which V8
 * collects rarely: tens of megabytes of such dead buffers were measured in the writer's RSS.
 * Transferring the memory to a new, young ArrayBuffer that nothing holds lets the next scavenge
 * (milliseconds away) free it; `buffer` is left detached (length 0).
 *
 * Only for a buffer the caller owns outright and that no I/O still reads. Buffers no bigger than
 * `Buffer.poolSize` are left alone: they may be the slab that Node's small Buffers share.
 */
export function freeArrayBuffer(buffer: ArrayBufferLike): void {
  if (!(buffer instanceof ArrayBuffer) || buffer.byteLength <= Buffer.poolSize) return;
  structuredClone(buffer, { transfer: [buffer] });
}
