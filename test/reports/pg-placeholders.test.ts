import { describe, expect, it } from 'vitest';
import { toPgPlaceholders } from '../../src/reports/pg-placeholders.js';

describe('? placeholders numbered for PostgreSQL', () => {
  it('numbers each ? in order', () => {
    expect(toPgPlaceholders('SELECT a FROM t WHERE b = ? AND c >= ? LIMIT ?')).toBe('SELECT a FROM t WHERE b = $1 AND c >= $2 LIMIT $3');
  });

  it('leaves quoted texts and names alone, and refuses a ? inside them or a comment', () => {
    expect(toPgPlaceholders(`SELECT 'it''s', "x:round3" FROM t WHERE a = ?`)).toBe(`SELECT 'it''s', "x:round3" FROM t WHERE a = $1`);
    expect(() => toPgPlaceholders("SELECT 'why?' FROM t")).toThrow(/inside a quoted/);
    expect(() => toPgPlaceholders('SELECT "a?" FROM t')).toThrow(/inside a quoted/);
    expect(() => toPgPlaceholders('SELECT 1 -- a comment')).toThrow(/comments/);
    expect(() => toPgPlaceholders("SELECT 'open")).toThrow(/unclosed/);
  });
});
