import { describe, expect, it } from 'vitest';
import { decoderFor } from '../../src/decoders/decoder-for.js';
import { SniffingDecoder } from '../../src/decoders/sniffing-decoder.js';
import { firstNonSpace } from '../../src/decoders/unit-content.js';
import type { Decoder } from '../../src/decoders/decoder.js';
import { collector } from './collect.js';

/** A decoder that only records which kind was made and what it got. */
function spy(kind: string, log: string[]): () => Decoder {
  return () => {
    log.push(`make ${kind}`);
    return {
      offset: 0,
      line: 0,
      push: (c: Buffer) => log.push(`${kind} ${JSON.stringify(c.toString())}`),
      finish: (p: 'decode' | 'dead-letter') => log.push(`${kind} finish ${p}`),
    };
  };
}

/** Chooses as the JSON decoders' sniffs do: `[` is an array, any other byte lines, white space waits. */
function byFirstByte(array: () => Decoder, lines: () => Decoder): (head: Buffer) => Decoder | undefined {
  return (head) => {
    const first = firstNonSpace(head);
    if (first === undefined) return undefined;
    return first === 0x5b ? array() : lines();
  };
}

describe('SniffingDecoder', () => {
  it('holds white space until the first byte that decides, then replays it all to the chosen decoder', () => {
    const log: string[] = [];
    const d = new SniffingDecoder(byFirstByte(spy('array', log), spy('lines', log)), spy('lines', log));
    d.push(Buffer.from('  \n'));
    d.push(Buffer.from('\t[1,'));
    d.push(Buffer.from('2]'));
    d.finish('decode');
    expect(log).toEqual(['make array', 'array "  \\n"', 'array "\\t[1,"', 'array "2]"', 'array finish decode']);
  });

  it('only white space (or nothing) is read as lines', () => {
    const log: string[] = [];
    const d = new SniffingDecoder(byFirstByte(spy('array', log), spy('lines', log)), spy('lines', log));
    d.push(Buffer.from(' \n '));
    d.finish('dead-letter');
    expect(log).toEqual(['make lines', 'lines " \\n "', 'lines finish dead-letter']);
  });
});

describe('decoderFor', () => {
  const run = (name: string, text: string, startOffset = 0) => {
    const h = collector();
    const d = decoderFor(name, { maxRecordBytes: 1 << 20, startOffset, startLine: startOffset > 0 ? 1 : 0 }, h);
    d.push(Buffer.from(text));
    d.finish('decode');
    return h;
  };

  it('lets the content decide from the start of a unit: an array is an array whatever the name', () => {
    expect(run('a.ndjson', '[{"a":1},{"a":2}]').values()).toEqual([{ a: 1 }, { a: 2 }]);
    expect(run('b.json', '{"b":1}\n{"b":2}\n').values()).toEqual([{ b: 1 }, { b: 2 }]);
    expect(run('c.log', '{"c":1}\n').values()).toEqual([{ c: 1 }]);
  });

  it('a unit resumed mid-way is lines (only lines resume)', () => {
    expect(run('d.json', '{"d":2}\n', 10).values()).toEqual([{ d: 2 }]);
  });
});
