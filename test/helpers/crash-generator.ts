/**
 * Typed access to the seeded bridge-event generator in `bench/` (plain `.mjs`, no declarations).
 * It is loaded with a dynamic import of a computed URL, so TypeScript does not try to type the file
 * itself; the shape below is the contract the crash tests rely on.
 */

/** Options of `generateBridgeEvents` (see bench/generate-bridge-events.mjs). */
export interface GenerateBridgeOptions {
  /** Total lines written: good + duplicates + bad. */
  count: number;
  /** NDJSON file to write. */
  out: string;
  /** PRNG seed; the same seed gives the same bytes. */
  seed?: number;
  /** About one bad line (truncated JSON or a string seq) in this many. */
  badEvery?: number;
  /** About one exact copy of a recent good line in this many. */
  dupEvery?: number;
  sessions?: number;
  plates?: number;
}

/** What the generator reports about the file it wrote. */
export interface GenerateBridgeSummary {
  lines: number;
  good: number;
  dups: number;
  bad: number;
  bytes: number;
  sessions: number;
  seed: number;
  seconds: number;
}

/** The parts of the generator module the tests use. */
export interface BridgeGenerator {
  generateBridgeEvents(options: GenerateBridgeOptions): Promise<GenerateBridgeSummary>;
  /** The generator's seeded PRNG: uniform numbers in [0, 1). */
  mulberry32(seed: number): () => number;
}

const GENERATOR_URL = new URL('../../bench/generate-bridge-events.mjs', import.meta.url).href;

/** Loads bench/generate-bridge-events.mjs. */
export async function loadBridgeGenerator(): Promise<BridgeGenerator> {
  return (await import(GENERATOR_URL)) as BridgeGenerator;
}
