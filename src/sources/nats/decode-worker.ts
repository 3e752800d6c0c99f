import { parentPort, workerData } from 'node:worker_threads';
import { RowChunkBuilder, transferablesOf } from '../../core/rows/row-chunk.js';
import { profileByName } from '../../profiles/registry.js';
import type { DecodeRequest, DecodeResult, FromDecodeThread } from './decode-protocol.js';
import { MessageDecoder } from './message-rows.js';

/**
 * The decode thread of `sluice consume`: message bodies in, rows of the profile's tables out (as
 * `EncodedRows`, transferred). Parsing JSON and building rows here lets the writer insert the
 * previous chunk meanwhile.
 */
function serve(port: NonNullable<typeof parentPort>, profileName: string): void {
  const profile = profileByName(profileName);
  const builders = profile.tables.map((t, i) => new RowChunkBuilder(i, t));
  const decoder = new MessageDecoder(profile, builders);
  port.on('message', (req: DecodeRequest) => {
    let answer: FromDecodeThread;
    let transfer: ArrayBuffer[] = [];
    try {
      const result: DecodeResult = { id: req.id, rows: [], records: 0, bad: [] };
      let at = 0;
      for (let i = 0; i < req.lengths.length; i++) {
        const length = req.lengths[i] as number;
        const got = decoder.add(req.bodies.subarray(at, at + length), req.seqs[i] as number);
        at += length;
        result.records += got.rows;
        for (const b of got.bad) result.bad.push({ index: i, reason: b.reason, raw: b.raw });
      }
      result.rows = builders.filter((b) => b.count > 0).map((b) => b.take());
      transfer = result.rows.flatMap(transferablesOf);
      answer = result;
    } catch (err) {
      for (const b of builders) b.take(); // nothing of a failed request stays for the next
      answer = { id: req.id, error: err instanceof Error ? err.message : String(err) };
    }
    port.postMessage(answer, transfer);
  });
}

if (parentPort) serve(parentPort, (workerData as { profile: string }).profile);
