import { hash } from 'node:crypto';
import type { UnitMemory } from '../unit-memory.js';
import { canonicalJsonCounted } from './canonical-json.js';

/** One call, no hash object per entry. */
const sha256 = (text: string): string => hash('sha256', text, 'hex');

/**
 * The key (`logs.id`) of a log entry, from its content: the first 32 hex of the sha256 of its
 * canonical JSON (keys sorted). Two identical entries in one unit are two entries (a service can log
 * the same line twice in a millisecond), so the n-th repeat of a content within its unit (n ≥ 1,
 * counted by the unit's memory, in the unit's order) is keyed sha256(content hash + ':' + n). The name
 * of the unit plays no part: a renamed, moved or recompressed file maps to the same keys, and adds
 * nothing. The migration to content keys uses this very function.
 */
export function appLogEntryKey(entry: unknown, memory: UnitMemory): string {
  return appLogEntryKeyCounted(entry, memory).key;
}

/** `appLogEntryKey`, with how many keys the entry's objects have in all (from the same canonical text). */
export function appLogEntryKeyCounted(entry: unknown, memory: UnitMemory): { key: string; keys: number } {
  const canonical = canonicalJsonCounted(entry);
  return { key: appLogKeyOfCanonical(canonical.text, memory), keys: canonical.keys };
}

/** `appLogEntryKey` of the entry whose canonical JSON is `canonical` (made by `canonicalJson` or `canonicalFromText`). */
export function appLogKeyOfCanonical(canonical: string, memory: UnitMemory): string {
  const content = sha256(canonical);
  const repeat = memory.occurrence(content);
  return (repeat === 0 ? content : sha256(`${content}:${repeat}`)).slice(0, 32);
}
