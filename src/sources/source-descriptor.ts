import type { Readable } from 'node:stream';
import type { z } from 'zod';
import type { ParseOptions } from '../parse/parse-options.js';
import type { Profile } from '../profiles/profile.js';
import type { Source } from './source.js';
import type { UnitLister } from './spool/unit-lister.js';

/** What a source does; a job picks its source on these (and the input's URL scheme), never on a name. */
export interface SourceCapabilities {
  /** Runs until stopped (follow, consume): a stop signal is its normal end, not an interruption. */
  endless: boolean;
  /**
   * Finds whole units that are claimed through the ledger and written all-or-nothing (spool):
   * `create` gives a `UnitLister` that the spool source reads.
   */
  ledgerUnits: boolean;
  /** Its cursor is a byte offset into a unit, so a unit is resumed mid-way (file, follow). */
  resumesMidUnit: boolean;
  /**
   * Hands over rows another Sluice mapped already (a JetStream stream), acknowledged upstream only
   * after the batch holding them was committed (`Source.committed`).
   */
  rows: boolean;
}

/** What a job hands every source it builds. */
export interface SourceParts {
  profile: Profile;
  /** How units are decoded and mapped (plain data: it crosses into parser threads). */
  parse: ParseOptions;
  /** Standard input, for `-` (tests hand their own). */
  stdin?: Readable | undefined;
  /** Names of the units a lister takes (JSON units, or the profile's SQLite units). */
  unitNames?: RegExp | undefined;
}

/** What every source descriptor says of itself. */
interface SourceDescriptorBase<Settings extends z.ZodType> {
  /** Short name, used in messages, `--help` and for the settings a job hands it (`file`, `spool-s3`). */
  name: string;
  /** URL schemes that choose it, with their `:` (`s3:`, `nats:`); empty: local paths (no scheme). */
  schemes: readonly string[];
  /** One line on what it is. */
  summary: string;
  /** An input for it, as a user writes it. */
  example: string;
  /** Settings beyond the input, validated once at start (every field described, with an example). */
  settings: Settings;
  capabilities: SourceCapabilities;
  /**
   * The folder the inputs live in (a file's folder, a pattern's folder; the working folder for
   * stdin): where a run keeps local state beside its input (an acknowledged sink's cursors, its dead
   * letters). Undefined for a source whose input is no local path.
   */
  folderOf?(inputs: readonly string[]): string;
}

/** A source that streams parse messages to the writer by itself (file, follow, nats). */
export interface StreamSourceDescriptor<Settings extends z.ZodType = z.ZodType> extends SourceDescriptorBase<Settings> {
  capabilities: SourceCapabilities & { ledgerUnits: false };
  /**
   * A factory of the source for these inputs (a service starts its source afresh, from the committed
   * cursors, after it lost its sink); nothing is opened yet (`Source.open` does that).
   */
  create(inputs: readonly string[], settings: z.infer<Settings>, parts: SourceParts): Promise<() => Source>;
}

/** A place that holds whole units, listed and claimed through the ledger (spool: a folder, an S3 prefix). */
export interface UnitListerDescriptor<Settings extends z.ZodType = z.ZodType> extends SourceDescriptorBase<Settings> {
  capabilities: SourceCapabilities & { ledgerUnits: true };
  /** The lister of the folder or prefix `inputs[0]` names; a usage error when it is not there. */
  create(inputs: readonly string[], settings: z.infer<Settings>, parts: SourceParts): Promise<UnitLister>;
}

/**
 * One source plugin: how its input is written, its settings (the zod schema is the documentation),
 * what it does, and how to build it. The registry (`sources/registry.ts`) lists every descriptor in
 * one array.
 */
export type SourceDescriptor = StreamSourceDescriptor | UnitListerDescriptor;

/** Whether a descriptor lists ledger units (spool) rather than streaming messages itself. */
export function listsLedgerUnits(d: SourceDescriptor): d is UnitListerDescriptor {
  return d.capabilities.ledgerUnits;
}
