import yazl from 'yazl';

/** A zip (made by yazl) holding one deflated entry with `bytes`. */
export async function zipOf(entryName: string, bytes: Buffer): Promise<Buffer> {
  const zip = new yazl.ZipFile();
  zip.addBuffer(bytes, entryName, { compress: true });
  zip.end();
  const parts: Buffer[] = [];
  for await (const part of zip.outputStream) parts.push(part as Buffer);
  return Buffer.concat(parts);
}

/**
 * The same zip with its one entry's uncompressed size rewritten to `size` wherever it is recorded
 * (local header, data descriptor, central directory): a zip that lies about how big it unpacks.
 * yazl always writes true sizes, so the lie is patched in afterwards.
 */
export function withDeclaredSize(zip: Buffer, size: number): Buffer {
  const out = Buffer.from(zip);
  let patched = 0;
  for (let i = 0; i + 4 <= out.length; i++) {
    const sig = out.readUInt32LE(i);
    if (sig === 0x04034b50 && out.readUInt32LE(i + 22) !== 0) {
      out.writeUInt32LE(size, i + 22);
      patched++;
    } else if (sig === 0x08074b50) {
      out.writeUInt32LE(size, i + 12);
      patched++;
    } else if (sig === 0x02014b50) {
      out.writeUInt32LE(size, i + 24);
      patched++;
    }
  }
  if (patched === 0) throw new Error('no zip header found to patch');
  return out;
}
