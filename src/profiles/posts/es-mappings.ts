import type { EsIndexSpec } from '../es-document-model.js';
import { EMBEDDING_DIMS } from './embedding.js';

const keyword = { type: 'keyword' };
const date = { type: 'date', format: 'strict_date_optional_time' };
const vector = { type: 'dense_vector', dims: EMBEDDING_DIMS, index: true, similarity: 'cosine' };

/**
 * The indexes of the posts profile, as megastream_ingest's templates define them (Elasticsearch 8.x
 * and 9.x: `dense_vector` with `index` and `similarity`), behind the aliases its API key names.
 */
export const POSTS_ES_INDEXES: readonly EsIndexSpec[] = [
  {
    alias: 'posts',
    index: 'posts_v1',
    idField: 'at_uri',
    mappings: {
      dynamic: 'false',
      properties: {
        at_uri: keyword,
        author_did: keyword,
        content: { type: 'text', fields: { raw: { type: 'keyword', ignore_above: 256 } } },
        created_at: date,
        time_us: { type: 'long' },
        thread_root_post: keyword,
        thread_parent_post: keyword,
        quote_post: keyword,
        media: {
          properties: { kind: keyword, id: keyword, mime_type: keyword, size: { type: 'long' }, aspect_ratio: keyword },
        },
        embeddings: { properties: { all_MiniLM_L12_v2: vector, all_MiniLM_L6_v2: vector } },
        indexed_at: date,
      },
    },
  },
  {
    alias: 'post_tombstones',
    index: 'post_tombstones_v1',
    idField: 'at_uri',
    mappings: {
      dynamic: 'false',
      properties: {
        at_uri: keyword,
        author_did: keyword,
        kind: keyword,
        reason: keyword,
        deleted_at: date,
        deleted_time_us: { type: 'long' },
        indexed_at: date,
      },
    },
  },
];
