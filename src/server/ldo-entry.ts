import { createHash, randomBytes } from 'node:crypto';

/** What the registry keeps of one stored LDO (the metadata itself stays in the store's `ldo.json`). */
export interface LdoEntry {
  /** `ldo_<12 hex>_<unix seconds>`, made by the service. */
  id: string;
  /** Always `ingested` once registered. */
  status: 'ingested';
  /** The idempotency key: the `Idempotency-Key` header, else the metadata's `ldo_id`; null for none. */
  idemKey: string | null;
  /** The metadata's `ldo_id`, if any (a list filter). */
  ldoId: string | null;
  /** The client's file name, kept as data only (never a path); null without a video. */
  filename: string | null;
  /** The sniffed content type of the video; null without a video. */
  contentType: string | null;
  /** The video's name inside the LDO's folder (`video.mp4`); null without a video. */
  video: string | null;
  /** Video bytes (0 without a video). */
  sizeBytes: number;
  /** Hex sha256 of the video; null without a video. */
  sha256: string | null;
  /** sha256 of the canonical metadata and the video hash: equal fingerprints are the same LDO. */
  fingerprint: string;
  /** Registration time, ISO 8601 UTC. */
  createdAt: string;
  /** Folder of the LDO relative to the store root: `YYYY/MM/DD/<id>`. */
  dir: string;
}

/** The whole record, as written to `<dir>/ldo.json` and answered by `GET /ingest/ldo/{id}`. */
export interface LdoRecord {
  id: string;
  status: 'ingested';
  ldo_id: string | null;
  idempotency_key: string | null;
  filename: string | null;
  content_type: string | null;
  video: string | null;
  size_bytes: number;
  sha256: string | null;
  fingerprint: string;
  created_at: string;
  metadata: Record<string, unknown>;
}

/** The list item of Context-Edge's data-ingestion service. */
export interface LdoSummary {
  id: string;
  status: string;
  filename: string | null;
  created_at: string;
  size_bytes: number;
  ldo_id: string | null;
}

export const LDO_ID_PATTERN = /^ldo_[0-9a-f]{12}_[0-9]{1,12}$/;

/** A fresh service id for an upload started at `nowMs`. */
export function newLdoId(nowMs: number): string {
  return `ldo_${randomBytes(6).toString('hex')}_${Math.floor(nowMs / 1000)}`;
}

/** `YYYY/MM/DD/<id>` (UTC) of an upload. */
export function ldoDir(id: string, nowMs: number): string {
  const d = new Date(nowMs).toISOString();
  return `${d.slice(0, 4)}/${d.slice(5, 7)}/${d.slice(8, 10)}/${id}`;
}

/** JSON with object keys sorted at every depth, so equal metadata hash equal whatever the key order. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const obj = value as Record<string, unknown>;
    const keys = Object.keys(obj).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(obj[k])}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** The fingerprint of an LDO: its metadata and its video's hash. */
export function fingerprintOf(metadata: Record<string, unknown>, videoSha256: string | null): string {
  return createHash('sha256').update(canonicalJson(metadata)).update('\n').update(videoSha256 ?? '').digest('hex');
}

export function recordOf(entry: LdoEntry, metadata: Record<string, unknown>): LdoRecord {
  return {
    id: entry.id,
    status: entry.status,
    ldo_id: entry.ldoId,
    idempotency_key: entry.idemKey,
    filename: entry.filename,
    content_type: entry.contentType,
    video: entry.video,
    size_bytes: entry.sizeBytes,
    sha256: entry.sha256,
    fingerprint: entry.fingerprint,
    created_at: entry.createdAt,
    metadata,
  };
}

/** Back from `ldo.json` to a registry entry (reindex). */
export function entryOf(record: LdoRecord, dir: string): LdoEntry {
  return {
    id: record.id,
    status: 'ingested',
    idemKey: record.idempotency_key,
    ldoId: record.ldo_id,
    filename: record.filename,
    contentType: record.content_type,
    video: record.video,
    sizeBytes: record.size_bytes,
    sha256: record.sha256,
    fingerprint: record.fingerprint,
    createdAt: record.created_at,
    dir,
  };
}

export function summaryOf(entry: LdoEntry): LdoSummary {
  return {
    id: entry.id,
    status: entry.status,
    filename: entry.filename,
    created_at: entry.createdAt,
    size_bytes: entry.sizeBytes,
    ldo_id: entry.ldoId,
  };
}
