import type { Client, estypes } from '@elastic/elasticsearch';
import type { EsIndexSpec } from '../../profiles/es-document-model.js';
import { describeEsError } from './es-retry.js';

/** Field types a model searches and sorts on, and what an existing mapping may hold instead. */
const EXACT_TYPES: Record<string, readonly string[]> = {
  keyword: ['keyword', 'constant_keyword', 'wildcard'],
  long: ['long', 'integer', 'unsigned_long', 'date', 'date_nanos'],
  date: ['date', 'date_nanos'],
};

type Mapping = { type?: string; properties?: Record<string, Mapping>; fields?: Record<string, Mapping> };

/**
 * The names under which an existing index holds the fields a model searches and sorts on. An index
 * Sluice created maps them as its spec says; one made by another tool (megastream_ingest, dynamic
 * mapping) may hold a URI or DID as `text` with a `keyword` sub-field, where a `term` query or a sort
 * must use the sub-field. Fields the index lacks are added to its mapping (documents written before
 * lack them, which queries allow for).
 */
export class EsFieldNames {
  constructor(private readonly byIndex: ReadonlyMap<string, ReadonlyMap<string, string>>) {}

  /** The name to query `field` of `index` (an alias or index name of a spec) by. */
  field(index: string, field: string): string {
    return this.byIndex.get(index)?.get(field) ?? field;
  }

  /** `query` with the fields of its term, terms, range, prefix and exists clauses renamed (bool recursed). */
  query(index: string, query: Record<string, unknown>): Record<string, unknown> {
    const names = this.byIndex.get(index);
    return names && names.size > 0 ? renameFields(query, names) : query;
  }
}

function renameFields(node: Record<string, unknown>, names: ReadonlyMap<string, string>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [kind, clause] of Object.entries(node)) {
    if (clause === null || typeof clause !== 'object') out[kind] = clause;
    else if (kind === 'bool') {
      const bool: Record<string, unknown> = {};
      for (const [occur, sub] of Object.entries(clause as Record<string, unknown>)) {
        const rename = (q: unknown): unknown => (q !== null && typeof q === 'object' ? renameFields(q as Record<string, unknown>, names) : q);
        bool[occur] = Array.isArray(sub) ? sub.map(rename) : rename(sub);
      }
      out.bool = bool;
    } else if (kind === 'exists') {
      const field = (clause as { field?: unknown }).field;
      out.exists = { ...clause, field: typeof field === 'string' ? (names.get(field) ?? field) : field };
    } else if (kind === 'term' || kind === 'terms' || kind === 'range' || kind === 'prefix') {
      out[kind] = Object.fromEntries(Object.entries(clause as Record<string, unknown>).map(([f, v]) => [names.get(f) ?? f, v]));
    } else out[kind] = clause;
  }
  return out;
}

/**
 * Reads the mappings behind each spec's alias and finds, for each top-level keyword, long or date
 * field of the spec, the name to query it by. Writes to the cluster: fields missing from a mapping
 * are added to it as the spec maps them (else dynamic mapping would make a keyword `text` on the
 * first document). What cannot be used (a `text` field without a keyword sub-field, another type)
 * is said through `warn`: searches on it match nothing or too little until the mapping is fixed.
 */
export async function resolveFieldNames(client: Client, specs: readonly EsIndexSpec[], warn: (line: string) => void): Promise<EsFieldNames> {
  const byIndex = new Map<string, Map<string, string>>();
  for (const spec of specs) {
    const wanted = Object.entries((spec.mappings.properties ?? {}) as Record<string, Mapping>).filter(([, m]) => m.type && EXACT_TYPES[m.type]);
    let found: Record<string, { mappings?: Mapping }>;
    try {
      found = (await client.indices.getMapping({ index: spec.alias })) as Record<string, { mappings?: Mapping }>;
    } catch (err) {
      warn(`cannot read the mappings of Elasticsearch index ${spec.alias} (${describeEsError(err)}); its fields are assumed to be as Sluice maps them`);
      continue;
    }
    const names = new Map<string, string>();
    for (const [concrete, { mappings }] of Object.entries(found)) {
      const have = mappings?.properties ?? {};
      const missing: Record<string, Mapping> = {};
      for (const [field, want] of wanted) {
        const exact = EXACT_TYPES[want.type ?? ''] ?? [];
        const now = have[field];
        if (!now) {
          missing[field] = want;
          continue;
        }
        if (now.type && exact.includes(now.type)) continue;
        const sub = Object.entries(now.fields ?? {}).find(([, m]) => m.type && exact.includes(m.type));
        if (sub) names.set(field, `${field}.${sub[0]}`);
        else {
          warn(
            `Elasticsearch index ${concrete} maps ${field} as ${now.type ?? 'an object'}, not ${want.type}, and has no ${want.type} sub-field: ` +
              `searches on it match nothing or too little (an account deletion may leave its author's posts); map it as ${want.type}`,
          );
        }
      }
      if (Object.keys(missing).length > 0) {
        try {
          await client.indices.putMapping({ index: concrete, properties: missing as Record<string, estypes.MappingProperty> });
        } catch (err) {
          warn(`cannot add ${Object.keys(missing).join(', ')} to the mapping of Elasticsearch index ${concrete} (${describeEsError(err)}); lookups on them may find nothing`);
        }
      }
    }
    byIndex.set(spec.alias, names);
    byIndex.set(spec.index, names);
  }
  return new EsFieldNames(byIndex);
}
