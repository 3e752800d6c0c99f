import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { sinkStateFor } from '../../src/jobs/sink-state.js';
import { SINKS } from '../../src/sinks/registry.js';
import type { SinkDescriptor } from '../../src/sinks/sink-descriptor.js';

describe('sinkStateFor: where an acknowledged sink keeps its cursors, by capability', () => {
  it('NATS (stateBesideInput): sluice-nats.state.db beside the input, or --state; dead letters beside it', () => {
    const s = sinkStateFor('nats://127.0.0.1:4222/logs', {}, 'logs');
    expect(s.statePath).toBe(join('logs', 'sluice-nats.state.db'));
    expect(s.settings).toEqual({ nats: { statePath: s.statePath } });
    expect(s.deadLetterPath).toBe(join('logs', 'sluice-nats.state.dead-letter.ndjson'));
    expect(sinkStateFor('nats://h/s', { state: 'x/st.db' }, 'logs').statePath).toBe('x/st.db');
  });

  it('Elasticsearch and SQL sinks get no state beside the input', () => {
    for (const into of ['https://es:9200', 'sqlite:logs/b.db', 'postgres://u@h/db']) {
      expect(sinkStateFor(into, {}, 'logs').statePath, into).toBeUndefined();
    }
  });

  it('any sink that declares the capability gets one, named after it (no sink is named in the job)', () => {
    const settings = z.object({ statePath: z.string().describe('state file').meta({ example: 'st.db' }) }).strict();
    const queue: SinkDescriptor<typeof settings> = {
      name: 'queue',
      schemes: ['queue:'],
      summary: 'a test-only acknowledged sink',
      example: 'queue://q',
      settings,
      capabilities: { transactionalCursor: false, acknowledgedCursor: true, ledgerInDatabase: false, documents: false, stateBesideInput: true },
      supports: () => true,
      create: () => Promise.reject(new Error('not built in this test')),
    };
    const s = sinkStateFor('queue://q', {}, 'edge', [...SINKS, queue]);
    expect(s.statePath).toBe(join('edge', 'sluice-queue.state.db'));
    expect(s.settings).toEqual({ queue: { statePath: s.statePath } });
  });
});
