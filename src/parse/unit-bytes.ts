import { PassThrough } from 'node:stream';
import { SluiceError } from '../core/errors.js';
import { fileDecoderOf, streamContainerOf, unwrapper } from '../decoders/registry.js';

/**
 * The decompressed bytes of a stored unit, streamed (`chunkBytes` of output at a time, when given). Its container (gzip) is recognised by the
 * decoder registry's sniffs of its first bytes, not its name; a `.gz` name on bytes that are not gzip
 * is an error, so the unit fails with a clear reason.
 */
export async function* unitBytes(stored: AsyncIterable<Buffer>, name: string, chunkBytes?: number): AsyncIterable<Buffer> {
  const iterator = stored[Symbol.asyncIterator]();
  const close = (): void => void iterator.return?.();
  const first = await iterator.next();
  if (first.done) return;
  const head = first.value;
  const container = streamContainerOf(head);
  const file = container ? undefined : fileDecoderOf(head);
  if (file) {
    // A zip or a database needs random access: a stream of it (stdin) is not decoded as text.
    close();
    throw new SluiceError('SLUICE_E_SOURCE', `${name}: ${file.name} data needs a file to be read from, not a stream; give its path`, { because: 'needs_file' });
  }
  if (!container && /\.gz$/i.test(name)) {
    close();
    throw new SluiceError('SLUICE_E_SOURCE', `${name}: named .gz but is not gzip data`, { because: 'not_gzip' });
  }
  const rest = (async function* () {
    yield head;
    for (let r = await iterator.next(); !r.done; r = await iterator.next()) yield r.value;
  })();
  if (!container) {
    yield* rest;
    return;
  }
  const gunzip = unwrapper(container, { chunkBytes });
  const input = new PassThrough();
  input.pipe(gunzip);
  const feeding = (async () => {
    for await (const chunk of rest) if (!input.write(chunk)) await new Promise((r) => input.once('drain', r));
    input.end();
  })().catch((err: unknown) => gunzip.destroy(err as Error));
  try {
    for await (const chunk of gunzip as AsyncIterable<Buffer>) yield chunk;
  } catch (err) {
    throw new SluiceError('SLUICE_E_SOURCE', `${name}: broken ${container.name} data (${(err as Error).message})`, { cause: err, because: 'broken_gzip' });
  } finally {
    // Broken data (or a reader that stops early) leaves the stored stream half read: close it.
    close();
  }
  await feeding;
}
