import type { ProfileOptions } from '../profiles/profile.js';

/** How the parse stage decodes and maps. Plain data: it crosses into the parser thread. */
export interface ParseOptions {
  /** Profile name (looked up again in the parser thread). */
  profile: string;
  /** Options passed to the profile's map. */
  profileOptions: ProfileOptions;
  /** Longest accepted line in bytes. */
  maxLineBytes: number;
  /** Bytes read from the unit at a time; a chunk of rows is sent per read. */
  readBytes: number;
}
