import type { z } from 'zod';
import type { Sink } from '../core/sink.js';
import type { Profile } from '../profiles/profile.js';

/** What a sink can promise; jobs decide on these, never on a URL's scheme. */
export interface SinkCapabilities {
  /**
   * Cursors and ledger marks are written in the batch's own transaction (SQL sinks): a crash at any
   * instant neither loses nor duplicates a record.
   */
  transactionalCursor: boolean;
  /**
   * Writes are idempotent and the cursor moves only after the sink acknowledged everything before it
   * (Elasticsearch, NATS); cursors and the ledger live in a local state file.
   */
  acknowledgedCursor: boolean;
  /** The sink's database can hold the ledger, so a unit completes in its rows' transaction. */
  ledgerInDatabase: boolean;
  /** The sink takes JSON documents built in the parser thread (`ProfileOptions.documents`). */
  documents: boolean;
  /**
   * An acknowledged sink whose state file (cursors, a spool's ledger), when `--state` names none, is
   * `sluice-<name>.state.db` beside the input, so each edge's cursors sit with the logs they describe
   * (NATS). Without it the job names the state file (Elasticsearch: `--state`, `SPOOL_STATE_FILE`,
   * or a megastream_ingest state to import).
   */
  stateBesideInput?: boolean;
}

/**
 * One sink plugin: how it is named on the command line, what its settings are (the zod schema is the
 * documentation: every field has a description and an example), what it promises, and how to build it.
 * The registry (`sinks/registry.ts`) lists every descriptor in one array.
 */
export interface SinkDescriptor<Settings extends z.ZodType = z.ZodType> {
  /** Short name, used in messages and `--help` (`sqlite`, `postgres`, `elasticsearch`). */
  name: string;
  /** URL schemes that choose it, with their `:` (`sqlite:`, `postgres:`, `https:`). */
  schemes: readonly string[];
  /** One line on what it is. */
  summary: string;
  /** An `--into` URL for it. */
  example: string;
  /**
   * The default `--state` file of `spool` into this sink, when the tool it replaces had a name its
   * users know (`sluice-posts-state.db` for megastream_ingest's Elasticsearch runs).
   */
  spoolStateName?: string;
  /** Settings beyond the URL, validated once at start. */
  settings: Settings;
  capabilities: SinkCapabilities;
  /** Whether `profile` declares what this sink needs (tables and migrations for it, or documents). */
  supports(profile: Profile): boolean;
  /** Builds the sink; nothing is opened yet (`Sink.open` does that). */
  create(url: string, profile: Profile, settings: z.infer<Settings>): Promise<Sink>;
}
