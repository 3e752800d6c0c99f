/** A video container the service accepts: its extension in the store and its content type. */
export interface VideoType {
  /** Extension of `video.<ext>` in the store. */
  ext: 'mp4' | 'mov' | 'webm' | 'mkv';
  /** The content type stored and served. */
  mime: string;
  /** Containers of one family share a magic number; a declared type must be of the sniffed family. */
  family: 'isobmff' | 'ebml';
}

/** The allow-list. */
export const VIDEO_TYPES: readonly VideoType[] = [
  { ext: 'mp4', mime: 'video/mp4', family: 'isobmff' },
  { ext: 'mov', mime: 'video/quicktime', family: 'isobmff' },
  { ext: 'webm', mime: 'video/webm', family: 'ebml' },
  { ext: 'mkv', mime: 'video/x-matroska', family: 'ebml' },
];

/** Declared types that say nothing (curl sends `application/octet-stream` for `.mp4`): sniffing decides. */
const UNSPECIFIC = new Set(['', 'application/octet-stream', 'binary/octet-stream']);

/** Bytes of a file's head the sniffer needs at most. */
export const SNIFF_BYTES = 64;

const QUICKTIME_ATOMS = new Set(['moov', 'mdat', 'wide', 'free', 'skip', 'pnot']);

/** The container a file's first bytes show, or undefined when it is none of the allow-list. */
export function sniffVideo(head: Buffer): VideoType | undefined {
  if (head.length >= 12) {
    const box = head.toString('latin1', 4, 8);
    if (box === 'ftyp') {
      return head.toString('latin1', 8, 12) === 'qt  ' ? byExt('mov') : byExt('mp4');
    }
    if (QUICKTIME_ATOMS.has(box)) return byExt('mov');
  }
  if (head.length >= 4 && head.readUInt32BE(0) === 0x1a45dfa3) {
    return head.includes('webm', 4, 'latin1') ? byExt('webm') : byExt('mkv');
  }
  return undefined;
}

/** True when a declared content type is acceptable for the sniffed container. */
export function declaredTypeFits(declared: string, sniffed: VideoType): boolean {
  const mime = declared.split(';')[0]?.trim().toLowerCase() ?? '';
  if (UNSPECIFIC.has(mime)) return true;
  const named = VIDEO_TYPES.find((t) => t.mime === mime || (mime === 'video/matroska' && t.ext === 'mkv'));
  return named !== undefined && named.family === sniffed.family;
}

function byExt(ext: VideoType['ext']): VideoType {
  const t = VIDEO_TYPES.find((v) => v.ext === ext);
  if (!t) throw new Error(`no video type ${ext}`);
  return t;
}
