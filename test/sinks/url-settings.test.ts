import { describe, expect, it } from 'vitest';
import { natsSinkDescriptor } from '../../src/sinks/nats/nats-descriptor.js';
import { postgresSinkDescriptor } from '../../src/sinks/postgres/postgres-descriptor.js';
import { urlSettings } from '../../src/sinks/url-settings.js';

describe('sink settings in the URL query', () => {
  it('takes the parameters named like settings, typed as the settings are', () => {
    const got = urlSettings('nats://127.0.0.1:4222/edge.bridge?stream=EDGE&maxInFlight=512&other=x', natsSinkDescriptor.settings);
    expect(got).toEqual({ stream: 'EDGE', maxInFlight: 512 });
    expect(natsSinkDescriptor.settings.safeParse({ statePath: 's.db', ...got }).success).toBe(true);
  });

  it('leaves a sink its own parameters (schema= of PostgreSQL is no setting)', () => {
    expect(urlSettings('postgres://u@h/db?schema=s', postgresSinkDescriptor.settings)).toEqual({});
  });

  it('a value of the wrong type is refused by the settings schema, naming the setting', () => {
    const got = urlSettings('nats://h/s?maxInFlight=lots', natsSinkDescriptor.settings);
    const parsed = natsSinkDescriptor.settings.safeParse({ statePath: 's.db', ...got });
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues[0]?.path).toEqual(['maxInFlight']);
  });
});
