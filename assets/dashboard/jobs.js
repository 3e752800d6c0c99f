// The jobs page: every --status-file and --metrics source of the dashboard, read every second:
// phase, progress, rows/s over time, lag and ETA. Defines SluiceJobs.
'use strict';
(function (global) {
  const REFRESH_MS = 1000;
  const HISTORY = 120;
  const NS = 'http://www.w3.org/2000/svg';
  const F = () => global.SluiceFormat;
  const h = (...a) => global.SluiceReportView.h(...a);

  function bytes(n) {
    const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
    let i = 0;
    while (n >= 1024 && i < units.length - 1) {
      n /= 1024;
      i += 1;
    }
    return `${F().number(n, i === 0 ? 0 : 1)} ${units[i]}`;
  }

  /** The common figures of a reading, from a status document or from metrics (rates from the last one). */
  function figures(reading, previous) {
    if (reading.status) {
      const s = reading.status;
      return {
        job: s.job, phase: s.phase, unit: s.unit, written: s.counts.written, read: s.counts.read, bad: s.counts.bad,
        rowsPerSec: s.counts.rows_per_sec, percent: s.progress.percent, done: s.progress.current, total: s.progress.total,
        lag: s.lag_bytes, eta: s.eta_s, updated: s.updated_at,
      };
    }
    const m = reading.metrics || {};
    const written = m.sluice_rows_written_total || 0;
    const dt = previous ? (Date.parse(reading.readAt) - Date.parse(previous.readAt)) / 1000 : 0;
    const before = previous && previous.metrics ? previous.metrics.sluice_rows_written_total || 0 : written;
    return {
      job: 'metrics', phase: 'running', unit: null, written, read: m.sluice_records_read_total || 0, bad: m.sluice_bad_records_total || 0,
      rowsPerSec: dt > 0 ? Math.max(0, (written - before) / dt) : 0, percent: null, done: null, total: null,
      lag: m.sluice_lag_bytes || 0, eta: null, updated: reading.readAt,
    };
  }

  /** rows/s over the last readings, as a line with a dot per reading. */
  function sparkline(points) {
    const W = 420;
    const H = 80;
    const root = document.createElementNS(NS, 'svg');
    root.setAttribute('viewBox', `0 0 ${W} ${H}`);
    root.setAttribute('class', 'chart spark');
    const max = Math.max(1, ...points.map((p) => p.v));
    const x = (i) => (points.length < 2 ? W / 2 : 4 + (i / (points.length - 1)) * (W - 8));
    const y = (v) => H - 14 - (v / max) * (H - 24);
    const path = document.createElementNS(NS, 'path');
    path.setAttribute('d', points.map((p, i) => `${i === 0 ? 'M' : 'L'}${x(i).toFixed(1)},${y(p.v).toFixed(1)}`).join(' '));
    path.setAttribute('class', 'line');
    path.setAttribute('fill', 'none');
    path.setAttribute('stroke', '#2f6fb3');
    path.setAttribute('stroke-width', '2');
    root.appendChild(path);
    points.forEach((p, i) => {
      const dot = document.createElementNS(NS, 'circle');
      for (const [k, v] of Object.entries({ cx: x(i), cy: y(p.v), r: 2, fill: '#2f6fb3', class: 'mark', 'data-value': p.v })) dot.setAttribute(k, String(v));
      root.appendChild(dot);
    });
    const label = document.createElementNS(NS, 'text');
    label.setAttribute('x', '4');
    label.setAttribute('y', String(H - 2));
    label.setAttribute('class', 'tick');
    label.textContent = `rows/s, last ${points.length} s (max ${F().number(max, 0)})`;
    root.appendChild(label);
    return root;
  }

  function card(reading, f, points) {
    const dl = (pairs) => h('dl', { class: 'figures' }, pairs.flatMap(([k, v, attrs]) => [h('dt', { text: k }), h('dd', Object.assign({ text: v }, attrs || {}))]));
    if (reading.error) {
      return h('section', { class: 'job', 'data-source': reading.source, 'data-state': 'error' }, [h('h2', { text: reading.source }), h('p', { class: 'error', text: reading.error })]);
    }
    const progress = h('progress', { max: 100 });
    if (f.percent !== null && f.percent !== undefined) progress.value = f.percent;
    return h('section', { class: 'job', 'data-source': reading.source, 'data-state': 'ok', 'data-written': f.written, 'data-phase': f.phase }, [
      h('h2', { text: `${f.job} · ${f.phase}` }),
      h('p', { class: 'muted', text: `${reading.source}${f.unit ? ` · ${f.unit}` : ''} · updated ${new Date(f.updated).toLocaleTimeString()}` }),
      progress,
      dl([
        ['rows written', F().number(f.written, 0), { class: 'written' }],
        ['records read', F().number(f.read, 0)],
        ['dead-lettered', F().number(f.bad, 0)],
        ['rows/s', F().number(f.rowsPerSec, 0)],
        ['progress', f.percent === null || f.percent === undefined ? (f.done === null ? '–' : bytes(f.done)) : `${F().number(f.percent, 1)} % of ${bytes(f.total)}`],
        ['lag', bytes(f.lag || 0)],
        ['ETA', f.eta === null || f.eta === undefined ? '–' : F().duration(f.eta)],
      ]),
      sparkline(points),
    ]);
  }

  /** Draws the jobs page and keeps it current; resolves after the first drawing. */
  async function start(main, catalog) {
    document.title = 'Jobs · Sluice';
    const list = h('div', { class: 'jobs' });
    main.replaceChildren(h('h1', { text: 'Jobs' }), list);
    if (catalog.jobs.length === 0) list.appendChild(h('p', { class: 'muted', text: 'No --status-file or --metrics given.' }));
    const last = new Map();
    const history = new Map();
    async function tick() {
      try {
        const res = await fetch('/api/jobs');
        const { jobs } = await res.json();
        list.replaceChildren(...jobs.map((r) => {
          const f = r.error ? null : figures(r, last.get(r.source));
          if (!r.error) last.set(r.source, r);
          const points = history.get(r.source) || [];
          if (f) points.push({ t: Date.parse(r.readAt), v: f.rowsPerSec });
          while (points.length > HISTORY) points.shift();
          history.set(r.source, points);
          return card(r, f, points);
        }));
        main.dataset.updated = String(Date.now());
      } catch (err) {
        list.replaceChildren(h('p', { class: 'error', text: err.message }));
      }
    }
    await tick();
    setInterval(() => void tick(), REFRESH_MS);
  }

  global.SluiceJobs = { start };
})(globalThis);
