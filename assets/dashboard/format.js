// Number, time and cell formatting for the dashboard and the HTML report: in the viewer's locale and
// time zone. A classic script: it defines one global, SluiceFormat.
'use strict';
(function (global) {
  const numberFormats = new Map();
  /** A number with the locale's separators and at most `decimals` places. */
  function number(n, decimals) {
    const key = decimals === undefined ? 'auto' : decimals;
    let f = numberFormats.get(key);
    if (!f) {
      f = new Intl.NumberFormat(undefined, decimals === undefined ? { maximumFractionDigits: 3 } : { minimumFractionDigits: decimals, maximumFractionDigits: decimals });
      numberFormats.set(key, f);
    }
    return f.format(n);
  }

  /** Epoch milliseconds of a time value: `*_ts_ms` numbers (after 1973), or ISO text; else NaN. */
  function toTime(v) {
    if (typeof v === 'number') return v > 1e11 ? v : NaN;
    if (typeof v !== 'string' || !/^\d{4}-\d{2}(-\d{2})?/.test(v)) return NaN;
    // Cowrie writes microseconds: cut them to the milliseconds Date.parse reads everywhere.
    return Date.parse(v.replace(/(\.\d{3})\d+/, '$1'));
  }

  /** Whether a column holds times (by the names reports give them). */
  function isTimeColumn(name) {
    return /(^|_)ts(_|$)|_seen$|_at$|^period$/.test(name);
  }

  // Made on first use, not as the script runs: the first DateTimeFormat of a page loads the locale's
  // data (tens of ms on this machine), which need not delay the page's report requests (see warm).
  let dateTimeFormat;
  // A day or month (a summary's period) is a UTC day: shown as that day, whatever the viewer's zone.
  let dateFormat;
  /** A time in the viewer's zone; whole days (a summary's period) as a date. */
  function dateTime(ms, dateOnly) {
    if (dateOnly) {
      dateFormat ??= new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeZone: 'UTC' });
      return dateFormat.format(new Date(ms));
    }
    dateTimeFormat ??= new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'medium' });
    return dateTimeFormat.format(new Date(ms));
  }

  /** Makes the formatters now: called while the page waits for its answers, so drawing them need not. */
  function warm() {
    dateTime(0, false);
    dateTime(0, true);
    number(0, 0);
  }

  /** Seconds as `12.5 s` under a minute, else `1h 02m 05s`. */
  function duration(seconds) {
    if (Math.abs(seconds) < 59.95) return `${number(seconds, 1)} s`;
    const s = Math.round(seconds);
    const h = Math.floor(s / 3600);
    const m = Math.floor((s % 3600) / 60);
    const rest = s % 60;
    const two = (x) => String(x).padStart(2, '0');
    return h > 0 ? `${number(h, 0)}h ${two(m)}m ${two(rest)}s` : `${m}m ${two(rest)}s`;
  }

  const DAY = /^\d{4}-\d{2}(-\d{2})?$/;

  /** A cell as the table shows it. */
  function cell(column, value) {
    return cellFormatter(column)(value);
  }

  /** How a column's cells are shown, decided once for the column (a table calls it per cell). */
  function cellFormatter(column) {
    const time = isTimeColumn(column.name);
    const decimals = column.decimals === undefined ? 1 : column.decimals;
    return (value) => {
      if (value === null || value === undefined) return '–';
      if (time) {
        const t = toTime(value);
        if (Number.isFinite(t)) return dateTime(t, typeof value === 'string' && DAY.test(value));
      }
      if (typeof value === 'number') {
        if (column.kind === 'seconds') return duration(value);
        if (column.kind === 'number') return number(value, decimals);
        return number(value, 0);
      }
      return String(value);
    };
  }

  global.SluiceFormat = { number, toTime, isTimeColumn, dateTime, duration, cell, cellFormatter, warm };
})(globalThis);
