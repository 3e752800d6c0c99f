import { afterAll, describe } from 'vitest';
import { PostgresLedger } from '../../src/ledger/postgres-ledger.js';
import { postgresReachable, testSchema, type TestSchema } from '../helpers/pg-test-db.js';
import { ledgerContract } from '../helpers/spool-ledger-contract.js';

const ready = await postgresReachable();

describe.skipIf(!ready).concurrent('PostgresLedger (FOR UPDATE SKIP LOCKED)', () => {
  const schemas: TestSchema[] = [];
  afterAll(async () => {
    for (const s of schemas) await s.drop();
  });
  ledgerContract(() => {
    const schema = testSchema('t_ledger');
    schemas.push(schema);
    return {
      async open() {
        const ledger = new PostgresLedger(schema.url);
        await ledger.open();
        return ledger;
      },
    };
  });
});
