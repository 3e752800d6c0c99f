import * as crypto from 'node:crypto';

/**
 * The SHA-256 of `data` in hex. Node's one-shot `crypto.hash` (Node ≥ 20.12) where there is one: for a
 * short text it takes about a third of the time of `createHash().update().digest()`, which makes three
 * calls into C++ and a Hash object (measured: 1M Cowrie events, 0.4 s against 1.0-1.6 s).
 */
export const sha256Hex: (data: string | Buffer) => string =
  typeof crypto.hash === 'function'
    ? (data) => crypto.hash('sha256', data, 'hex')
    : (data) => crypto.createHash('sha256').update(data).digest('hex');
