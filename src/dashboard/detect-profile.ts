import { SluiceError } from '../core/errors.js';
import { PROFILES } from '../profiles/registry.js';
import type { Profile } from '../profiles/profile.js';
import { openReportDatabase } from '../reports/report-database.js';

/**
 * The profile whose reports fit database `db`: the first profile (registry order) whose report
 * table it holds. Each try opens the database read-only, as `sluice report` does, and closes it.
 */
export async function detectProfile(db: string): Promise<Profile> {
  const reasons: string[] = [];
  for (const profile of PROFILES) {
    if (!profile.reports || profile.reports.reports.length === 0) continue;
    try {
      const opened = await openReportDatabase(db, profile.reports);
      await opened.reader.close();
      return profile;
    } catch (err) {
      if (!(err instanceof SluiceError) || err.code !== 'SLUICE_E_NO_DATABASE') throw err;
      reasons.push(err.message);
      // No such file, or not a database at all: no other profile will do better.
      if (!/has no table/.test(err.message)) break;
    }
  }
  throw new SluiceError('SLUICE_E_NO_DATABASE', `--db ${db}: no profile's reports fit it (${reasons.join('; ')})`);
}
