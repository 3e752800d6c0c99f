import { describe, expect, it } from 'vitest';
import { durationSeconds } from '../../../src/profiles/cowrie/duration.js';
import { matchSession } from '../../../src/profiles/cowrie/session-matchers.js';

describe('cowrie session matchers', () => {
  it('tries full_delimited, then session_id_only, then event_session', () => {
    expect(matchSession({ session: 'ab12cd34', message: 'New connection: 1.2.3.4:5 [session: ab12cd34]' })).toEqual({
      sessionId: 'ab12cd34',
      matcher: 'full_delimited',
    });
    expect(matchSession({ session: 'ab12cd34', message: 'CMD: ls' })).toEqual({ sessionId: 'ab12cd34', matcher: 'session_id_only' });
    expect(matchSession({ sessionid: 'x1' })).toEqual({ sessionId: 'x1', matcher: 'event_session' });
    expect(matchSession({ session_id: 'x2' })).toEqual({ sessionId: 'x2', matcher: 'event_session' });
    expect(matchSession({ message: 'Closing [session: 0badc0de]' })).toEqual({ sessionId: '0badc0de', matcher: 'event_session' });
    expect(matchSession({ message: 'lost session 0badc0de99 here' })).toEqual({ sessionId: '0badc0de99', matcher: 'event_session' });
  });

  it('places nothing when no matcher fits (the event is kept unplaced)', () => {
    expect(matchSession({ eventid: 'cowrie.log.open', message: 'no id here' })).toBeUndefined();
    expect(matchSession({ session: '   ' })).toBeUndefined();
  });
});

describe('cowrie durations', () => {
  it.each([
    [0.0731, 0.0731],
    ['88.7', 88.7],
    ['00:01:28', 88],
    ['1:02:03.5', 3723.5],
    ['soon', null],
    [-1, null],
    [undefined, null],
  ])('%j → %j seconds', (input, expected) => {
    expect(durationSeconds(input)).toBe(expected);
  });
});
