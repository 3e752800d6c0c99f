// The dashboard pages: `/` lists the databases, `/db/ID` draws every report of one database with its
// flags as form fields, `/jobs` is drawn by jobs.js. Every request goes to this server's /api.
'use strict';
(function (global) {
  const { h } = global.SluiceReportView;

  async function getJson(url) {
    const res = await fetch(url, { headers: { accept: 'application/json' } });
    const body = await res.json();
    if (!res.ok) throw new Error(body.message || `HTTP ${res.status}`);
    return body;
  }

  /** The form fields of a report's flags (`ReportOptionSpec`), each named as the API's query key. */
  function controls(o) {
    const fields = [];
    const input = (name, label, attrs) => fields.push(h('label', {}, [h('span', { text: label }), h('input', Object.assign({ name }, attrs))]));
    const select = (name, label, spec) =>
      fields.push(h('label', {}, [h('span', { text: label }), h('select', { name }, spec.choices.map((c) => {
        const opt = h('option', { value: c, text: c });
        if (c === spec.default) opt.selected = true;
        return opt;
      }))]));
    if (o.q) input('q', 'search', { type: 'search', required: '', placeholder: 'words to find' });
    if (o.uri) input('uri', 'post URI', { type: 'text', required: '', placeholder: 'at://…' });
    if (o.model) select('model', 'model', o.model);
    input('session', o.sessionRequired ? 'session (required)' : 'session', o.sessionRequired ? { type: 'text', required: '' } : { type: 'text', placeholder: 'all' });
    if (o.timeRange) {
      input('since', 'since', { type: 'datetime-local', step: 1 });
      input('until', 'until', { type: 'datetime-local', step: 1 });
    }
    if (o.period) select('period', 'period', o.period);
    if (o.by) select('by', 'by', o.by);
    if (o.windowSec !== undefined) input('windowSec', 'window (s)', { type: 'number', min: 1, placeholder: String(o.windowSec) });
    if (o.thresholdSec !== undefined) input('thresholdSec', 'gap over (s)', { type: 'number', min: 0, step: 'any', placeholder: String(o.thresholdSec) });
    if (o.plate) input('plate', 'plate', { type: 'text', placeholder: 'all' });
    if (o.ip) input('ip', 'source IP', { type: 'text', placeholder: 'all' });
    if (o.flagged) fields.push(h('label', { class: 'check' }, [h('input', { name: 'flagged', type: 'checkbox' }), h('span', { text: 'flagged only' })]));
    input('limit', 'limit', { type: 'number', min: 0, placeholder: o.limit === undefined ? 'all' : String(o.limit) });
    return fields;
  }

  /** The query of a form's filled fields; local date-times become UTC ISO, as `--since` takes them. */
  function queryOf(form) {
    const q = new URLSearchParams();
    for (const field of form.elements) {
      if (!field.name) continue;
      if (field.type === 'checkbox') {
        if (field.checked) q.set(field.name, 'true');
      } else if (field.value !== '') {
        q.set(field.name, field.type === 'datetime-local' ? new Date(field.value).toISOString() : field.value);
      }
    }
    return q;
  }

  function missing(form) {
    return [...form.elements].filter((f) => f.required && f.value === '').map((f) => f.name);
  }

  /** One report: header, form, downloads, and its result drawn below; redrawn when a field changes. */
  function reportCard(db, report) {
    const form = h('form', { class: 'controls' }, controls(report.options));
    const csv = h('a', { class: 'download', text: 'CSV' });
    const json = h('a', { class: 'download', text: 'JSON' });
    const body = h('div', { class: 'result' });
    const card = h('section', { class: 'report', id: `report-${report.name}`, 'data-report': report.name, 'data-state': 'loading' }, [
      h('header', {}, [h('h2', { text: report.name }), h('p', { class: 'summary', text: report.summary }), h('span', { class: 'downloads' }, [csv, json])]),
      form,
      body,
    ]);
    let generation = 0;
    async function refresh() {
      const mine = ++generation;
      const query = queryOf(form);
      const base = `/api/db/${db.id}/download/${report.name}?${query}`;
      csv.href = `${base}&format=csv`;
      json.href = `${base}&format=json`;
      const need = missing(form);
      if (need.length > 0) {
        card.dataset.state = 'waiting';
        body.replaceChildren(h('p', { class: 'muted', text: `Fill in ${need.join(', ')} to run this report.` }));
        return;
      }
      if (report.chart.kind === 'none') {
        card.dataset.state = 'done';
        body.replaceChildren(h('p', { class: 'muted', text: 'Raw rows, not drawn: download them as CSV or JSON.' }));
        return;
      }
      card.dataset.state = 'loading';
      try {
        const result = await getJson(`/api/db/${db.id}/reports/${report.name}?${query}`);
        if (mine !== generation) return;
        global.SluiceReportView.render(body, result);
        card.dataset.state = 'done';
      } catch (err) {
        if (mine !== generation) return;
        body.replaceChildren(h('p', { class: 'error', text: err.message }));
        card.dataset.state = 'error';
      }
    }
    form.addEventListener('change', () => void refresh());
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      void refresh();
    });
    return { card, refresh };
  }

  async function databasePage(main, catalog, id) {
    const db = catalog.databases.find((d) => String(d.id) === id);
    if (!db) {
      main.replaceChildren(h('p', { class: 'error', text: `No database ${id}.` }));
      return;
    }
    document.title = `${db.label} · Sluice`;
    const cards = db.reports.map((r) => reportCard(db, r));
    const toc = h('nav', { class: 'toc' }, db.reports.map((r) => h('a', { href: `#report-${r.name}`, text: r.name })));
    main.replaceChildren(h('h1', { text: db.label }), h('p', { class: 'muted', text: `profile ${db.profile}: ${db.reports.length} reports` }), toc, ...cards.map((c) => c.card));
    const drawn = Promise.all(cards.map((c) => c.refresh()));
    // The requests are out: make the formatters while the server works.
    global.setTimeout(() => global.SluiceFormat.warm(), 0);
    await drawn;
  }

  function homePage(main, catalog) {
    const items = catalog.databases.map((d) => h('li', {}, [h('a', { href: `/db/${d.id}`, text: d.label }), h('span', { class: 'muted', text: ` profile ${d.profile}, ${d.reports.length} reports` })]));
    const parts = [h('h1', { text: 'Databases' }), h('ul', { class: 'list' }, items)];
    if (catalog.jobs.length > 0) parts.push(h('p', {}, [h('a', { href: '/jobs', text: `Jobs (${catalog.jobs.length})` })]));
    main.replaceChildren(...parts);
  }

  async function start() {
    const main = document.getElementById('main');
    const nav = document.getElementById('nav');
    try {
      // The page carries its catalog; a page without it (an older server's) asks for it.
      const inline = document.getElementById('sluice-catalog');
      const catalog = inline ? JSON.parse(inline.textContent) : await getJson('/api/catalog');
      nav.replaceChildren(
        ...catalog.databases.map((d) => h('a', { href: `/db/${d.id}`, text: `${d.profile}: ${d.label.split('/').pop()}` })),
        ...(catalog.jobs.length > 0 ? [h('a', { href: '/jobs', text: 'jobs' })] : []),
      );
      const path = location.pathname;
      const m = /^\/db\/(\d+)$/.exec(path);
      if (m) await databasePage(main, catalog, m[1]);
      else if (path === '/jobs') await global.SluiceJobs.start(main, catalog);
      else homePage(main, catalog);
    } catch (err) {
      main.replaceChildren(h('p', { class: 'error', text: err.message }));
    }
    document.body.dataset.ready = 'true';
  }

  global.SluiceDashboard = { start, controls, queryOf };
  document.addEventListener('DOMContentLoaded', () => void start());
})(globalThis);
