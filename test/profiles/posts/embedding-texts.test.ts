import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { embeddingTexts } from '../../../src/profiles/posts/embedding-texts.js';
import { SHARED_DATA } from '../../helpers/cli.js';

const ROWS = join(SHARED_DATA, 'bluesky', 'derived', 'megastream_enriched_posts_rows.ndjson');
if (!existsSync(ROWS) && process.env.CI === 'true') throw new Error(`CI: the shared Megastream rows are missing (${ROWS})`);

/** Python's json.dumps spacing, as Megastream writes it. */
const pythonJson = (v: unknown): string => JSON.stringify(v, null, 1).replace(/\n\s*/g, ' ').replace(/\[ /g, '[').replace(/ \]/g, ']').replace(/\{ /g, '{').replace(/ \}/g, '}');

describe('embeddingTexts: the text_embeddings of an inferences text without parsing the rest', () => {
  it.skipIf(!existsSync(ROWS))('agrees with JSON.parse on the real rows, compact and with Python spacing (skipped without ../shared/data)', () => {
    for (const line of readFileSync(ROWS, 'utf8').split('\n').filter(Boolean)) {
      const inferences = (JSON.parse(line) as { inferences: { text_embeddings: Record<string, string> } }).inferences;
      for (const text of [JSON.stringify(inferences), pythonJson(inferences)]) {
        expect(Object.fromEntries(embeddingTexts(text) ?? [])).toEqual(inferences.text_embeddings);
      }
    }
  });

  it('is not fooled by full_text_embeddings, keeps nulls, and gives up (undefined) on shapes it does not read', () => {
    const text = '{"full_text_embeddings": {"m": "AAA"}, "text_embeddings": {"a": "x1", "b": null}, "text": {}}';
    expect(embeddingTexts(text)).toEqual(new Map([['a', 'x1'], ['b', null]]));
    expect(embeddingTexts('{"text_embeddings": {}}')).toEqual(new Map());
    expect(embeddingTexts('{"text_embeddings": {"a": "x\\"y"}}')).toBeUndefined();
    expect(embeddingTexts('{"text_embeddings": {"a": [1, 2]}}')).toBeUndefined();
    expect(embeddingTexts('{"text_embeddings": {"a": "x"')).toBeUndefined();
    expect(embeddingTexts('{"other": 1}')).toBeUndefined();
    expect(embeddingTexts('not json')).toBeUndefined();
  });
});
