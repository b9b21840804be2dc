import { describe, expect, it } from '@jest/globals';
import { formatElapsed, isoFromLocalInput, localInputValue, zoneLabel } from './times.js';

describe('datetime-local values and ISO UTC times', () => {
  // Jest runs in one zone (the machine's): the conversions must give back the same instant whatever it is.
  it('shows an ISO time in the local zone and reads it back to the same instant, to the millisecond', () => {
    for (const iso of ['2030-01-31T09:12:03.902Z', '2030-07-01T09:00:00.000Z', '2030-03-31T00:59:59.001Z', '2030-10-27T01:30:00.000Z']) {
      const shown = localInputValue(iso);
      expect(shown).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{3})?$/);
      expect(isoFromLocalInput(shown)).toBe(iso);
    }
    const local = new Date(2030, 0, 31, 10, 12, 3, 902);
    expect(localInputValue(local.toISOString())).toBe('2030-01-31T10:12:03.902');
    expect(isoFromLocalInput('2030-01-31T10:12')).toBe(new Date(2030, 0, 31, 10, 12).toISOString());
  });

  it('empty or malformed values are no time', () => {
    expect(localInputValue(undefined)).toBe('');
    expect(localInputValue('yesterday')).toBe('');
    expect(isoFromLocalInput('')).toBeNull();
    expect(isoFromLocalInput('2030-01-31')).toBeNull();
    expect(isoFromLocalInput('2030-13-45T10:00')).toBeNull();
  });

  it('names the zone and its offset on that date', () => {
    const at = (offsetMinutes: number) => ({ getTimezoneOffset: () => offsetMinutes }) as Date;
    expect(zoneLabel(at(-60), 'Europe/Paris')).toBe('Europe/Paris (UTC+01:00)');
    expect(zoneLabel(at(-120), 'Europe/Paris')).toBe('Europe/Paris (UTC+02:00)');
    expect(zoneLabel(at(210), 'America/St_Johns')).toBe('America/St_Johns (UTC-03:30)');
    expect(zoneLabel(at(0), 'Etc/UTC')).toBe('UTC');
  });
});

describe('durations in words', () => {
  it('writes short durations in milliseconds, long ones in seconds', () => {
    expect(formatElapsed(12.4)).toBe('12 ms');
    expect(formatElapsed(12_345)).toBe('12.3 s');
  });
});
