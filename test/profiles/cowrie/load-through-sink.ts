import { ChunkAssembler } from '../../../src/parse/chunk-assembler.js';
import type { Profile } from '../../../src/profiles/profile.js';
import { SqliteSink } from '../../../src/sinks/sqlite/sqlite-sink.js';

/** How the sink kept the after-batch tables: runs of chunks from the parser's summaries, and by the statements. */
export type AfterBatchWays = SqliteSink['afterBatchWays'];

/**
 * Writes `events` into `path` through the SQLite sink, committing every `batch` events; closes it.
 * Rows are made as the parser thread makes them (the chunk assembler, summaries included) and reach
 * the sink in several chunks per batch; with `summaries: false` the chunks carry none, as rows that
 * came through NATS, so the profile's statements keep every batch.
 */
export async function loadThroughSink(
  path: string,
  profile: Profile,
  events: readonly unknown[],
  batch: number,
  options: { summaries?: boolean } = {},
): Promise<AfterBatchWays> {
  const sink = new SqliteSink(path, profile);
  await sink.open();
  const assembler = new ChunkAssembler(profile, {});
  assembler.startUnit('cowrie.json');
  let line = 0;
  for (let i = 0; i < events.length; i += batch) {
    for (let j = i; j < Math.min(i + batch, events.length); j += 13) {
      for (const e of events.slice(j, Math.min(j + 13, i + batch))) {
        line += 1;
        assembler.record(e, { line, startOffset: 0, endOffset: 0 }, JSON.stringify(e));
      }
      for (const rows of assembler.take(0, 0, line, 0).rows) {
        if (options.summaries === false) delete rows.summary;
        sink.write(rows);
      }
    }
    await sink.commit([]);
  }
  await sink.close();
  return { ...sink.afterBatchWays };
}
