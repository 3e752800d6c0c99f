import { RowChunkBuilder } from '../../../src/core/rows/row-chunk.js';
import { COWRIE_EVENTS_TABLE } from '../../../src/profiles/cowrie/schema.js';
import type { Profile, RowEmitter } from '../../../src/profiles/profile.js';
import { UnitMemory } from '../../../src/profiles/unit-memory.js';
import { SqliteSink } from '../../../src/sinks/sqlite/sqlite-sink.js';

/** Writes `events` into `path` through the SQLite sink, committing every `batch` events; closes it. */
export async function loadThroughSink(path: string, profile: Profile, events: readonly unknown[], batch: number): Promise<void> {
  const sink = new SqliteSink(path, profile);
  await sink.open();
  for (let i = 0; i < events.length; i += batch) {
    // Rows reach the sink in several chunks per batch, as from parser threads.
    for (let j = i; j < Math.min(i + batch, events.length); j += 13) {
      const builder = new RowChunkBuilder(0, COWRIE_EVENTS_TABLE);
      const emit: RowEmitter = { row: (_table, values) => builder.add(values), warn: () => undefined };
      const origin = { unitName: 'cowrie.json', index: 0, memory: new UnitMemory() };
      for (const e of events.slice(j, Math.min(j + 13, i + batch))) profile.map(e, emit, {}, origin);
      sink.write(builder.take());
    }
    await sink.commit([]);
  }
  await sink.close();
}
