import type { ParseMessage, UnitPlan } from '../core/parse-message.js';
import type { ParseOptions } from './parse-options.js';

/** The writer to a parser thread: start a job, acknowledge one of its chunks, or cancel it. */
export type ToParserThread =
  | { kind: 'run'; job: number; plans: UnitPlan[]; options: ParseOptions; maxInFlight: number }
  | { kind: 'ack'; job: number }
  | { kind: 'cancel'; job: number };

/** What a job sends: its parse messages, then `done` (also after a cancel), or `fatal`. */
export type JobMessage = ParseMessage | { kind: 'done' } | { kind: 'fatal'; message: string };

/** A parser thread to the writer: one message of one job. */
export interface FromParserThread {
  job: number;
  msg: JobMessage;
}
