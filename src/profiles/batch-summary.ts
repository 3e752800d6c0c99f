import type { RowValue, TableSpec } from '../core/rows/table-spec.js';

/** Groups folded from rows, by key, in the order each key first came (a Map keeps that order). */
export type RowGroups = Map<string, RowValue[]>;

/**
 * A table kept per batch from the rows a batch inserts (`Profile.sqliteAfterBatch`), folded from
 * those rows as the parser thread makes them instead of read back and grouped in SQL at the commit:
 * `add` folds each row of the after-batch table into its chunk's groups, which travel with the chunk
 * as rows of `table`; the writer stages them, then upserts them at the commit, in the order they
 * came, merging a group with the row already there by `table.sqliteOnConflict` (a group that spans
 * two chunks is merged into itself that way too). The result must equal that of the first `replaces`
 * statements of `sqliteAfterBatch` over the same rows, which still keep a chunk whose groups cannot
 * stand for its rows (see SqliteSummaryUpserter): so those statements, run over a batch's rows split
 * by rowid into runs one after another, must give what they give over the whole batch.
 */
export interface BatchSummary {
  /** How many of `sqliteAfterBatch.statements`, from the first, the groups stand for. */
  replaces: number;
  /** The table the groups are upserted into: its columns in the groups' order, key and `sqliteOnConflict`. */
  table: TableSpec;
  /** Folds `values` (a row of the after-batch table) into `groups`; false when it cannot (the chunk then has no summary). */
  add(groups: RowGroups, values: readonly RowValue[]): boolean;
}
