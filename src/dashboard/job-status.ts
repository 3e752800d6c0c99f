import { readFile } from 'node:fs/promises';
import { parsePrometheusText } from './prometheus-text.js';

/** What the jobs view shows of one running job, read now. */
export interface JobReading {
  /** The status file's path or the metrics URL. */
  source: string;
  kind: 'status-file' | 'metrics';
  /** When it was read (ISO). */
  readAt: string;
  /** The status JSON as the job wrote it (`StatusDocument`), for a status file. */
  status?: unknown;
  /** The samples by name, for a metrics endpoint. */
  metrics?: Record<string, number>;
  /** Why it could not be read (no such file yet, connection refused): shown, not fatal. */
  error?: string;
}

/** Longest wait for a metrics endpoint, in milliseconds: one slow job must not stall the view. */
const METRICS_TIMEOUT_MS = 2000;

/** Reads one status file (replaced atomically by the job, so never half-written). */
export async function readStatusFile(path: string): Promise<JobReading> {
  const base = { source: path, kind: 'status-file' as const, readAt: new Date().toISOString() };
  try {
    return { ...base, status: JSON.parse(await readFile(path, 'utf8')) as unknown };
  } catch (err) {
    return { ...base, error: (err as Error).message };
  }
}

/** Scrapes one Prometheus endpoint. */
export async function readMetrics(url: string): Promise<JobReading> {
  const base = { source: url, kind: 'metrics' as const, readAt: new Date().toISOString() };
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(METRICS_TIMEOUT_MS) });
    if (!res.ok) return { ...base, error: `HTTP ${res.status}` };
    return { ...base, metrics: parsePrometheusText(await res.text()) };
  } catch (err) {
    return { ...base, error: (err as Error).message };
  }
}

/** Every job source of the dashboard, read in parallel. */
export function readJobs(statusFiles: readonly string[], metrics: readonly string[]): Promise<JobReading[]> {
  return Promise.all([...statusFiles.map(readStatusFile), ...metrics.map(readMetrics)]);
}
