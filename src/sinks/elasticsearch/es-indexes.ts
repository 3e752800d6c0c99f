import type { Client } from '@elastic/elasticsearch';
import { SluiceError } from '../../core/errors.js';
import type { EsIndexSpec } from '../../profiles/es-document-model.js';
import { describeEsError } from './es-retry.js';

/**
 * Creates each index with its mappings and alias unless the alias (or an index of that name)
 * exists. Another worker creating it at the same moment is fine.
 */
export async function ensureIndexes(client: Client, specs: readonly EsIndexSpec[]): Promise<void> {
  for (const spec of specs) {
    try {
      if (await client.indices.exists({ index: spec.alias })) continue;
      if (await client.indices.exists({ index: spec.index })) {
        await client.indices.putAlias({ index: spec.index, name: spec.alias });
        continue;
      }
      await client.indices.create({ index: spec.index, mappings: spec.mappings, aliases: { [spec.alias]: {} } });
    } catch (err) {
      const type = (err as { body?: { error?: { type?: string } } }).body?.error?.type;
      if (type === 'resource_already_exists_exception') continue;
      throw new SluiceError(
        'SLUICE_E_SINK',
        `cannot create Elasticsearch index ${spec.index} (alias ${spec.alias}): ${describeEsError(err)}; create it yourself and run with --no-create-indexes`,
        { cause: err },
      );
    }
  }
}
