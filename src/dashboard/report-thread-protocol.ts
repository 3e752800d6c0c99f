import type { SluiceErrorCause, SluiceErrorCode } from '../core/errors.js';
import type { ReportConfig } from '../reports/report-config.js';
import type { ReportRun } from './run-page-report.js';

/** To a report thread: run this report (its config, as `sluice report` validated it). */
export interface ToReportThread {
  id: number;
  config: ReportConfig;
}

/** A report's failure, as it crosses a thread: enough to raise the same `SluiceError` again. */
export interface ThreadFailure {
  code: SluiceErrorCode | undefined;
  because: SluiceErrorCause | undefined;
  message: string;
}

/** From a report thread: the rows of the job `id`, or why it failed. */
export type FromReportThread = { id: number; run: ReportRun } | { id: number; failure: ThreadFailure };
