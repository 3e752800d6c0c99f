import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { canonicalJsonCounted } from '../../../src/profiles/applog/canonical-json.js';
import { isStringifyForm } from '../../../src/profiles/applog/stringify-form.js';
import { PINO_DIR, pinoSamplesPresent } from '../../helpers/spool-samples.js';

/** What the check says of a JSON text, with the key count taken as the map takes it. */
function says(text: string): boolean {
  return isStringifyForm(text, canonicalJsonCounted(JSON.parse(text)).keys);
}

/** Texts JSON.stringify writes otherwise than they are: the check must say no to every one. */
const REWRITTEN = [
  '{"a": 1}',
  '{"a":1} ',
  '{\n"a":1}',
  '[1, 2]',
  '{"a":1.0}',
  '{"a":1.50}',
  '{"a":-0}',
  '{"a":-0.0}',
  '{"a":1e2}',
  '{"a":1E2}',
  '{"a":0.0000001}',
  '{"a":1234567890123456789}',
  '{"a":0.1234567890123456789}',
  '{"a":1234567890123456700000}',
  '{"a":"x\\/y"}',
  '{"a":"\\u0041"}',
  '{"a":"\\u001F"}',
  '{"a":"\\ud83d\\ude00"}',
  '{"a":"\\uD800"}',
  '{"a":"\ud800 lone"}',
  '{"a":1,"a":2}',
  '{"x":{"a":1,"b":2,"a":3}}',
  '{"b":1,"0":2}',
  '{"b":1,"10":2,"2":3}',
  '[{"a":1},{"a":1,"a":1}]',
  '{"a":true }',
];

/** Texts as JSON.stringify writes them: the check should say yes. */
const AS_WRITTEN = [
  '{}',
  '[]',
  '{"a":1}',
  '{"0":"deals/709/bot/query","b":2}',
  '{"a":-1.5,"b":0.000001,"c":123456789012345,"d":0,"e":-12,"f":0.5}',
  '{"s":"quote \\" backslash \\\\ nl \\n tab \\t cr \\r b \\b f \\f","u":"é € 𝄞 \u2028"}',
  '{"a":[1,"x",null,true,false,{"b":[]}],"c":{"d":{"e":null}}}',
  '{"__proto__":1,"k":"v"}',
];

describe('isStringifyForm: a text that may stand for JSON.stringify of what it parses to', () => {
  it('says no to every text JSON.stringify would write otherwise', () => {
    for (const text of REWRITTEN) {
      expect(JSON.stringify(JSON.parse(text)), text).not.toBe(text);
      expect(says(text), text).toBe(false);
    }
  });

  it('says yes to texts written as JSON.stringify writes them', () => {
    for (const text of AS_WRITTEN) {
      expect(JSON.stringify(JSON.parse(text)), text).toBe(text);
      expect(says(text), text).toBe(true);
    }
  });

  it('never says yes to a text JSON.stringify writes otherwise (random numbers and strings)', () => {
    let seed = 7;
    const rnd = (): number => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
    const pieces = ['0', '-', '1', '9', '.', 'e', '5', '0', '00'];
    const chars = ['a', '\\"', '\\\\', '\\/', '\\n', '\\u00e9', '\\ud83d', '\\ude00', 'é', '\u{1F600}', ' '];
    let yes = 0;
    for (let i = 0; i < 20000; i++) {
      let num = '';
      const len = 1 + Math.floor(rnd() * 20);
      for (let k = 0; k < len; k++) num += pieces[Math.floor(rnd() * pieces.length)] as string;
      let str = '';
      for (let k = 0; k < 4; k++) str += chars[Math.floor(rnd() * chars.length)] as string;
      const key = rnd() < 0.2 ? String(Math.floor(rnd() * 20)) : 'k';
      const text = `{"a":${num},"${key}":"${str}"}`;
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch {
        continue;
      }
      const same = JSON.stringify(value) === text;
      if (says(text)) {
        expect(same, text).toBe(true);
        yes += 1;
      }
    }
    expect(yes).toBeGreaterThan(100);
  });

  it.skipIf(!pinoSamplesPresent())('says yes to every entry of the real pino samples as JSON.stringify writes it', () => {
    let n = 0;
    for (const name of readdirSync(PINO_DIR)) {
      for (const entry of JSON.parse(readFileSync(join(PINO_DIR, name), 'utf8')) as unknown[]) {
        expect(says(JSON.stringify(entry))).toBe(true);
        n += 1;
      }
    }
    expect(n).toBe(612);
  });
});
