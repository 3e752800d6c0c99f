import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { canonicalFromText, readEntryText } from '../../../src/profiles/applog/canonical-from-text.js';
import { canonicalJson, canonicalJsonCounted } from '../../../src/profiles/applog/canonical-json.js';
import { isStringifyForm } from '../../../src/profiles/applog/stringify-form.js';
import { PINO_DIR, pinoSamplesPresent } from '../../helpers/spool-samples.js';

/**
 * What the map relies on: when `canonicalFromText` answers, the answer is `canonicalJson` of the
 * parsed value, and the text is one `isStringifyForm` says yes to (it becomes `raw_data`); each
 * member's value text (and each member's member's) is `JSON.stringify` of that value.
 */
function check(text: string): boolean {
  const fromText = canonicalFromText(text);
  if (fromText === undefined) return false;
  const value: unknown = JSON.parse(text);
  expect(fromText, text).toBe(canonicalJson(value));
  expect(isStringifyForm(text, canonicalJsonCounted(value).keys), text).toBe(true);
  checkValueTexts(text, value as Record<string, unknown>);
  return true;
}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/** `readEntryText(text).valueText` against `JSON.stringify` of the parsed members (absent: undefined). */
function checkValueTexts(text: string, value: Record<string, unknown>): void {
  const reading = readEntryText(text);
  expect(reading?.canonical, text).toBe(canonicalJson(value));
  for (const key of Object.keys(value)) {
    const member = value[key];
    expect(reading?.valueText(key), `${text} ${key}`).toBe(JSON.stringify(member));
    if (isObject(member)) {
      for (const inner of Object.keys(member)) expect(reading?.valueText(key, inner), `${text} ${key}.${inner}`).toBe(JSON.stringify(member[inner]));
      expect(reading?.valueText(key, 'absent member')).toBeUndefined();
    } else {
      expect(reading?.valueText(key, 'a'), `${text} ${key}.a`).toBeUndefined();
    }
  }
  expect(reading?.valueText('absent member')).toBeUndefined();
}

/** Texts in JSON.stringify's form that the reading must answer (keys out of order, nested, in arrays). */
const ANSWERED = [
  '{}',
  '{"a":1}',
  '{"b":1,"a":2}',
  '{"ab":1,"ab ":2,"ab!":3,"a":4,"abc":5}',
  '{"ab ":1,"ab":2}',
  '{"ab!":1,"ab":2}',
  '{"b":{"d":1,"c":[{"z":1,"y":2},3,[]]},"a":"x"}',
  '{"z":[{"b":1,"a":2},{"a":1}],"y":[[{"d":{},"c":null}]]}',
  '{"é":1,"z":2,"𝄞":3,"\uffff":4,"\u00ff":5}',
  '{"s":"quote \\" and \\\\","r":"a\\\\","q":"\\\\\\""}',
  '{"0":"first digit key","b":{"y":true,"x":false}}',
  '{"__proto__":{"b":1,"a":2},"k":"v"}',
  '{"a":-1.5,"c":0.000001,"b":123456789012345}',
];

/** Texts the reading must leave to the value's way (or to which it may answer only as the value's way would). */
const LEFT = [
  '{"a\\"b":1,"a":2}',
  '{"a\\\\":1}',
  '{"b":1,"a":2,"b":3}',
  '{"x":{"a":1,"a":2}}',
  '{"b": 1,"a":2}',
  '{"b":1,"a":2} ',
  '{"b":1.0,"a":2}',
  '{"b":1,"10":2}',
  '[{"b":1,"a":2}]',
  '{"a":"\\u0041"}',
];

describe('canonicalFromText: canonical JSON read from an entry in JSON.stringify form', () => {
  it('answers canonicalJson of the value for texts with keys out of order, nested objects and arrays, non-ASCII keys', () => {
    for (const text of ANSWERED) expect(check(text), text).toBe(true);
  });

  it('leaves texts with a key escape, a repeated key or another form to the value', () => {
    for (const text of LEFT) expect(canonicalFromText(text), text).toBeUndefined();
  });

  it('answers as the value does for random objects, their shapes repeated (remembered key orders) and varied', () => {
    let seed = 11;
    const rnd = (): number => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
    const keys = ['a', 'b', 'ab', 'ab ', 'ab!', 'B', 'é', 'z', '0', '10', 'x-forwarded-for', 'user-agent', 'a"b', 'q\\', '\u{1F600}', '__proto__'];
    const scalars: unknown[] = [1, -2.5, 0, 1e21, 1e-7, 'text', 'quo"te', 'back\\slash', '\n', 'é𝄞', '\ud800', true, false, null];
    const make = (depth: number): unknown => {
      const r = rnd();
      if (depth > 2 || r < 0.5) return scalars[Math.floor(rnd() * scalars.length)];
      if (r < 0.65) return Array.from({ length: Math.floor(rnd() * 3) }, () => make(depth + 1));
      const o: Record<string, unknown> = {};
      const n = Math.floor(rnd() * 6);
      for (let i = 0; i < n; i++) o[keys[Math.floor(rnd() * keys.length)] as string] = make(depth + 1);
      return o;
    };
    let answered = 0;
    const shapes: unknown[] = [];
    for (let i = 0; i < 20000; i++) {
      // Half the time an earlier shape again, its values changed: a key order remembered.
      const earlier = shapes[Math.floor(rnd() * shapes.length)];
      const value = i % 2 === 0 && earlier !== undefined ? JSON.parse(JSON.stringify(earlier).replace(/:1([,}\]])/g, ':2$1')) : { top: 1, ...(make(0) as object), m: make(1) };
      shapes.push(value);
      const text = JSON.stringify(value);
      if (check(text)) answered += 1;
      // The same keys with one changed in length or letter, after the first is remembered.
      if (check(text.replace('"ab"', '"ac"').replace('"b"', '"bb"'))) answered += 1;
    }
    expect(answered).toBeGreaterThan(10000);
  });

  it('answers only texts in JSON.stringify form: spaces, other number forms and late digit keys put in at random are left to the value', () => {
    let seed = 5;
    const rnd = (): number => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
    const base = [
      '{"level":30,"time":1743465600013,"req":{"id":9000,"query":{},"params":{"0":"deals/1"},"headers":{"host":"h","a":"x\\"y"}},"ok":true,"n":null,"f":false,"x":[1,-2.5,"s",{"b":1,"a":0.001}]}',
      '{"b":[[],{}],"a":{"z":"quote \\" and \\\\ and \\n","y":12345678901234}}',
    ];
    const variants = [' ', '\n', '1.0', '1e0', '-0', '10', '1.50', '"9":1,', 'true ', 'null,"7":0', '0.0000001'];
    let answered = 0;
    let left = 0;
    for (let i = 0; i < 20000; i++) {
      const text = base[i % base.length] as string;
      const at = 1 + Math.floor(rnd() * (text.length - 2));
      const variant = variants[Math.floor(rnd() * variants.length)] as string;
      // Put in, or put in place of the next character (a digit becomes another number form).
      const mutated = rnd() < 0.5 ? text.slice(0, at) + variant + text.slice(at) : text.slice(0, at) + variant + text.slice(at + 1);
      try {
        JSON.parse(mutated);
      } catch {
        continue; // only texts that parsed reach the map
      }
      if (check(mutated)) answered += 1;
      else left += 1;
    }
    expect(answered).toBeGreaterThan(100);
    expect(left).toBeGreaterThan(100);
  });

  it.skipIf(!pinoSamplesPresent())('answers canonicalJson of every entry of the real pino samples, as written and as JSON.stringify writes it', () => {
    let n = 0;
    for (const name of readdirSync(PINO_DIR)) {
      for (const entry of JSON.parse(readFileSync(join(PINO_DIR, name), 'utf8')) as unknown[]) {
        expect(check(JSON.stringify(entry))).toBe(true);
        n += 1;
      }
    }
    expect(n).toBe(612);
  });
});
