import { parentPort } from 'node:worker_threads';
import { SluiceError } from '../core/errors.js';
import type { FromReportThread, ToReportThread } from './report-thread-protocol.js';
import { runReportRows } from './run-page-report.js';

/**
 * A report thread of the dashboard: runs the reports it is sent, one at a time, through the very code
 * of `sluice report` (`runReportRows`), and answers with their rows. SQLite reads are synchronous, so
 * a page's reports run side by side only in threads like this one.
 */
const port = parentPort;
if (port === null) throw new Error('report-thread-worker runs as a worker thread');

port.on('message', (job: ToReportThread) => {
  runReportRows(job.config).then(
    (run) => port.postMessage({ id: job.id, run } satisfies FromReportThread),
    (err: unknown) => {
      const failure =
        err instanceof SluiceError
          ? { code: err.code, because: err.because, message: err.message }
          : { code: undefined, because: undefined, message: (err as Error).message };
      port.postMessage({ id: job.id, failure } satisfies FromReportThread);
    },
  );
});
