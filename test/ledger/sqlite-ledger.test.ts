import { join } from 'node:path';
import { describe } from 'vitest';
import { SqliteLedger } from '../../src/ledger/sqlite-ledger.js';
import { tempDir } from '../helpers/cli.js';
import { ledgerContract } from '../helpers/spool-ledger-contract.js';

describe.concurrent('SqliteLedger', () => {
  ledgerContract(() => {
    const path = join(tempDir(), 'ledger.db');
    return {
      async open() {
        const ledger = new SqliteLedger(path);
        await ledger.open();
        return ledger;
      },
    };
  });
});
