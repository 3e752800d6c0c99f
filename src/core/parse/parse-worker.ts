/**
 * Entry of the parser thread: runs `parseUnits` and posts each message to the writer, holding at most
 * `maxInFlight` unacknowledged chunks so a slow writer slows the reader instead of filling memory.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { ParseMessage, ParseOptions, UnitPlan } from './parse-messages.js';
import { transferablesOf } from '../rows/row-chunk.js';
import { parseUnits } from './parse-units.js';

interface ParseWorkerData {
  plans: UnitPlan[];
  options: ParseOptions;
  maxInFlight: number;
}

async function run(port: NonNullable<typeof parentPort>, data: ParseWorkerData): Promise<void> {
  let inFlight = 0;
  let wake: (() => void) | undefined;
  port.on('message', () => {
    inFlight -= 1;
    wake?.();
    wake = undefined;
  });
  for await (const msg of parseUnits(data.plans, data.options)) {
    while (inFlight >= data.maxInFlight) await new Promise<void>((resolve) => (wake = resolve));
    inFlight += 1;
    port.postMessage(msg, transferables(msg));
  }
  port.postMessage({ kind: 'done' });
  port.close();
}

function transferables(msg: ParseMessage): ArrayBuffer[] {
  if (msg.kind !== 'chunk') return [];
  return msg.rows.flatMap(transferablesOf);
}

if (parentPort) {
  const port = parentPort;
  run(port, workerData as ParseWorkerData).catch((err: unknown) => {
    port.postMessage({ kind: 'fatal', message: err instanceof Error ? (err.stack ?? err.message) : String(err) });
  });
}
