/** What the first bytes of a unit say it holds, whatever its name (the decoder registry's `unitContentOf`). */
export type UnitContent =
  /** gzip (`1f 8b`): decompressed, then sniffed again. */
  | 'gzip'
  /** a zip archive (`PK\3\4`): a `.db.zip` chunk holding a SQLite file. */
  | 'zip'
  /** a SQLite database file (`SQLite format 3\0`). */
  | 'sqlite'
  /** JSON text: lines or one array, told apart by `jsonShape`. */
  | 'text';

/** How JSON text is laid out: one value per line, or one array of values. */
export type JsonShape = 'lines' | 'array';

/**
 * The shape of JSON text from its first byte that is not white space (undefined while there is none).
 * An array starts with `[`; anything else is read as lines, so a bad first line is one dead letter,
 * not a lost unit. Under a `.json` name, which in the wild holds an array more often than lines, only
 * `{` means lines: text that is no JSON at all is then reported as a damaged unit by the array decoder.
 */
export function jsonShape(firstByte: number | undefined, name: string): JsonShape | undefined {
  if (firstByte === undefined) return undefined;
  if (/\.json(\.gz)?$/i.test(name)) return firstByte === 0x7b ? 'lines' : 'array';
  return firstByte === 0x5b ? 'array' : 'lines';
}

/** The first byte of `chunk` that is not JSON white space, if any. */
export function firstNonSpace(chunk: Uint8Array): number | undefined {
  for (const c of chunk) if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) return c;
  return undefined;
}
