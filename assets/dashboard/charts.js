// Plain SVG charts of a report's rows: bars (top-N), series (values over time), timeline (spans on
// lanes). A report's rows are aggregates (tens to a few hundred), so SVG is small, fast and needs no
// library; every mark has class "mark" and a <title> with its value. Defines one global, SluiceCharts.
'use strict';
(function (global) {
  const NS = 'http://www.w3.org/2000/svg';
  const WIDTH = 880;
  const COLORS = ['#2f6fb3', '#e07b39', '#3a9a5b', '#b8457a', '#7a5fc0', '#8c7a3a'];
  const F = () => global.SluiceFormat;

  function el(name, attrs, parent) {
    const node = document.createElementNS(NS, name);
    for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, String(v));
    if (parent) parent.appendChild(node);
    return node;
  }
  function text(parent, x, y, content, attrs) {
    const t = el('text', Object.assign({ x, y }, attrs || {}), parent);
    t.textContent = content;
    return t;
  }
  function titled(node, content) {
    el('title', {}, node).textContent = content;
    return node;
  }
  function svg(height, label) {
    return el('svg', { viewBox: `0 0 ${WIDTH} ${height}`, class: 'chart', role: 'img', 'aria-label': label });
  }
  function short(s, n) {
    return s.length > n ? `${s.slice(0, n - 1)}…` : s;
  }

  /** About `count` round steps covering [min, max]. */
  function ticks(min, max, count) {
    if (!(max > min)) return [min];
    const raw = (max - min) / count;
    const mag = Math.pow(10, Math.floor(Math.log10(raw)));
    const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw) || raw;
    const out = [];
    for (let v = Math.ceil(min / step) * step; v <= max + step * 1e-9; v += step) out.push(Number(v.toPrecision(12)));
    return out;
  }

  /** Round time steps (seconds to months) covering [min, max] ms. */
  function timeTicks(min, max, count) {
    const steps = [1e3, 5e3, 15e3, 6e4, 3e5, 9e5, 36e5, 6 * 36e5, 864e5, 7 * 864e5, 30 * 864e5, 365 * 864e5];
    const step = steps.find((s) => (max - min) / s <= count) || steps[steps.length - 1];
    const out = [];
    for (let v = Math.ceil(min / step) * step; v <= max; v += step) out.push(v);
    return out.length > 0 ? out : [min];
  }

  function timeLabel(ms, span) {
    const d = new Date(ms);
    if (span < 864e5) return d.toLocaleTimeString();
    if (span < 7 * 864e5) return d.toLocaleString(undefined, { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' });
    return d.toLocaleDateString(undefined, { dateStyle: 'medium' });
  }

  /** A tick label's anchor: kept inside the chart near its edges. */
  function anchorAt(x) {
    return x > WIDTH - 60 ? 'end' : x < 60 ? 'start' : 'middle';
  }

  function legend(root, names, y) {
    let x = 160;
    names.forEach((name, i) => {
      el('rect', { x, y: y - 9, width: 10, height: 10, fill: COLORS[i % COLORS.length] }, root);
      text(root, x + 14, y, name, { class: 'legend' });
      x += 24 + name.length * 7;
    });
  }

  function labelOf(spec, columns, row) {
    const names = spec.label && spec.label.length > 0 ? spec.label : columns.filter((c) => c.kind === 'text').map((c) => c.name);
    if (names.length === 0) return 'all';
    return names.map((n) => (row[n] === null || row[n] === undefined ? '–' : String(row[n]))).join(' · ');
  }

  /** Bars drawn at most: a ranking's head; the table beneath lists every row (its "show all"). */
  const MAX_BARS = 60;

  /** One horizontal bar group per row, in the report's order (its ranking), the first MAX_BARS rows. */
  function bars(spec, columns, allRows) {
    const rows = allRows.slice(0, MAX_BARS);
    const values = spec.values;
    const group = 6 + 14 * values.length;
    const top = values.length > 1 ? 24 : 8;
    const height = top + rows.length * group + 28 + (allRows.length > rows.length ? 16 : 0);
    const root = svg(height, `bars of ${values.join(', ')}`);
    if (allRows.length > rows.length) {
      text(root, 8, height - 4, `the first ${rows.length} of ${F().number(allRows.length, 0)} rows drawn; the table below lists them all`, { class: 'tick' });
    }
    const left = 260;
    const right = WIDTH - 80;
    const max = Math.max(1e-9, ...rows.flatMap((r) => values.map((v) => Math.abs(Number(r[v]) || 0))));
    // Bars show magnitudes (a search rank is negative); the value beside each keeps its sign.
    const x = (v) => left + (Math.abs(v) / max) * (right - left);
    if (values.length > 1) legend(root, values, 14);
    for (const t of ticks(0, max, 5)) {
      el('line', { x1: x(t), x2: x(t), y1: top, y2: top + rows.length * group + 4, class: 'grid' }, root);
      text(root, x(t), top + rows.length * group + 16, F().number(t), { class: 'tick', 'text-anchor': 'middle' });
    }
    rows.forEach((row, i) => {
      const y = top + i * group;
      const label = labelOf(spec, columns, row);
      titled(text(root, left - 8, y + group / 2 + 4, short(label, 38), { class: 'label', 'text-anchor': 'end' }), label);
      values.forEach((name, j) => {
        const v = Number(row[name]) || 0;
        const col = columns.find((c) => c.name === name) || { name, kind: 'number' };
        const shown = F().cell(col, row[name]);
        const bar = el('rect', {
          class: 'mark', x: left, y: y + 3 + j * 14, width: Math.max(1, x(v) - left), height: 12,
          fill: COLORS[j % COLORS.length], 'data-value': row[name] === null ? '' : String(row[name]), 'data-series': name,
        }, root);
        titled(bar, `${label}: ${name} ${shown}`);
        text(root, x(v) + 4, y + 13 + j * 14, shown, { class: 'value' });
      });
    });
    return root;
  }

  /** A line per value column over the time column, with a dot per row. */
  function series(spec, columns, rows) {
    const points = rows
      .map((r) => ({ t: F().toTime(r[spec.time]), row: r }))
      .filter((p) => Number.isFinite(p.t))
      .sort((a, b) => a.t - b.t);
    const height = 300;
    const root = svg(height, `${spec.values.join(', ')} over ${spec.time}`);
    const left = 70;
    const right = WIDTH - 20;
    const top = 28;
    const bottom = height - 30;
    if (points.length === 0) return root;
    const t0 = points[0].t;
    const t1 = points[points.length - 1].t;
    const span = Math.max(t1 - t0, 864e5);
    const max = Math.max(1e-9, ...points.flatMap((p) => spec.values.map((v) => Number(p.row[v]) || 0)));
    const x = (t) => (t1 === t0 ? (left + right) / 2 : left + ((t - t0) / (t1 - t0)) * (right - left));
    const y = (v) => bottom - (v / max) * (bottom - top);
    legend(root, spec.values, 14);
    for (const v of ticks(0, max, 5)) {
      el('line', { x1: left, x2: right, y1: y(v), y2: y(v), class: 'grid' }, root);
      text(root, left - 6, y(v) + 4, F().number(v), { class: 'tick', 'text-anchor': 'end' });
    }
    const dayLabels = points.every((p) => typeof p.row[spec.time] === 'string' && /^\d{4}-\d{2}(-\d{2})?$/.test(p.row[spec.time]));
    for (const t of t1 === t0 ? [t0] : timeTicks(t0, t1, 7)) {
      text(root, x(t), height - 10, dayLabels ? F().dateTime(t, true) : timeLabel(t, span), { class: 'tick', 'text-anchor': anchorAt(x(t)) });
    }
    spec.values.forEach((name, j) => {
      const color = COLORS[j % COLORS.length];
      const d = points.map((p, i) => `${i === 0 ? 'M' : 'L'}${x(p.t).toFixed(1)},${y(Number(p.row[name]) || 0).toFixed(1)}`).join(' ');
      el('path', { d, fill: 'none', stroke: color, 'stroke-width': 2, class: 'line' }, root);
      for (const p of points) {
        const v = p.row[name];
        const dot = el('circle', {
          class: 'mark', cx: x(p.t), cy: y(Number(v) || 0), r: 3, fill: color,
          'data-value': v === null ? '' : String(v), 'data-series': name,
        }, root);
        titled(dot, `${F().cell({ name: spec.time, kind: 'text' }, p.row[spec.time])}: ${name} ${F().number(Number(v) || 0)}`);
      }
    });
    return root;
  }

  /** One lane per distinct lane value; a span (at least 2 px wide) from `from` to `to` per row. */
  function timeline(spec, columns, rows) {
    // `ts_ms` may be a process's own clock rather than epoch time: then the axis is plain milliseconds.
    const at = (v) => (typeof v === 'number' ? v : F().toTime(v));
    const spans = rows
      .map((r) => ({ a: at(r[spec.from]), b: at(r[spec.to]), lane: String(r[spec.lane] ?? '–'), row: r }))
      .filter((s) => Number.isFinite(s.a) && Number.isFinite(s.b));
    const epoch = spans.every((s) => Number.isFinite(F().toTime(s.row[spec.from])) && Number.isFinite(F().toTime(s.row[spec.to])));
    const when = (t) => (epoch ? F().dateTime(t) : `${F().number(t, 0)} ms`);
    const lanes = [...new Set(spans.map((s) => s.lane))];
    const laneHeight = lanes.length > 40 ? 10 : 18;
    const height = 20 + lanes.length * laneHeight + 30;
    const root = svg(height, `${spec.lane} from ${spec.from} to ${spec.to}`);
    if (spans.length === 0) return root;
    const left = 200;
    const right = WIDTH - 20;
    const t0 = Math.min(...spans.map((s) => s.a));
    const t1 = Math.max(...spans.map((s) => s.b));
    const x = (t) => (t1 === t0 ? (left + right) / 2 : left + ((t - t0) / (t1 - t0)) * (right - left));
    for (const t of t1 === t0 ? [t0] : epoch ? timeTicks(t0, t1, 6) : ticks(t0, t1, 6)) {
      el('line', { x1: x(t), x2: x(t), y1: 10, y2: height - 28, class: 'grid' }, root);
      text(root, x(t), height - 10, epoch ? timeLabel(t, t1 - t0) : when(t), { class: 'tick', 'text-anchor': anchorAt(x(t)) });
    }
    lanes.forEach((lane, i) => {
      titled(text(root, left - 8, 20 + i * laneHeight + 12, short(lane, 28), { class: 'label', 'text-anchor': 'end' }), lane);
    });
    for (const s of spans) {
      const i = lanes.indexOf(s.lane);
      const w = Math.max(2, x(s.b) - x(s.a));
      const mark = el('rect', {
        class: 'mark', x: Math.min(x(s.a), right - w), y: 20 + i * laneHeight + 3, width: w, height: laneHeight - 6,
        fill: COLORS[0], 'data-from': String(s.row[spec.from]), 'data-to': String(s.row[spec.to]),
      }, root);
      const secs = (s.b - s.a) / 1000;
      titled(mark, `${s.lane}: ${when(s.a)} → ${when(s.b)} (${F().duration(secs)})`);
    }
    return root;
  }

  /** The chart of a report's rows, or null when it draws none (raw rows, no rows). */
  function render(spec, columns, rows) {
    if (!spec || spec.kind === 'none' || rows.length === 0) return null;
    if (spec.kind === 'series') return series(spec, columns, rows);
    if (spec.kind === 'timeline') return timeline(spec, columns, rows);
    return bars(spec, columns, rows);
  }

  global.SluiceCharts = { render, ticks };
})(globalThis);
