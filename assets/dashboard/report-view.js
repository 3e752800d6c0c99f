// One report's result drawn into a container: notices, the chart, and the table beneath it. Used by
// the dashboard and by the self-contained HTML of `sluice report --format html`. Defines SluiceReportView.
'use strict';
(function (global) {
  function h(tag, attrs, children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (k === 'text') node.textContent = v;
      else node.setAttribute(k, String(v));
    }
    for (const c of children || []) node.appendChild(c);
    return node;
  }

  /**
   * Rows a table shows until the reader asks for all: a page draws nine cards at once, and a table's
   * rows were most of its DOM (a 500-row table was 3,300 of the bridge page's 5,300 elements, and
   * most of its layout). The chart, the count and the downloads still cover every row.
   */
  const FIRST_ROWS = 100;
  /** A cell's text is cut after this many characters; its title holds all of it. */
  const MAX_CELL_CHARS = 120;

  /**
   * What the HTML parser would change or read as markup. A carriage return is written as a character
   * reference: the parser turns a bare CR (and CRLF) into LF, and a cell's `data-value` must equal the
   * report's value (a Cowrie input "ls\r" is one). A NUL cannot survive the parser either way.
   */
  const ESCAPES = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', '\r': '&#13;' };
  function escapeHtml(text) {
    return text.replace(/[&<>"\r]/g, (c) => ESCAPES[c]);
  }

  /** A column's cell as table markup, its formatter and class chosen once per column. */
  function cellWriter(column) {
    const format = global.SluiceFormat.cellFormatter(column);
    const name = escapeHtml(column.name);
    return (v) => {
      const raw = v === null || v === undefined ? '' : String(v);
      const shown = format(v);
      const cut = shown.length > MAX_CELL_CHARS ? `${shown.slice(0, MAX_CELL_CHARS - 1)}…` : shown;
      const num = column.kind !== 'text' || typeof v === 'number';
      const title = shown.length > MAX_CELL_CHARS || shown !== raw ? ` title="${escapeHtml(raw)}"` : '';
      return `<td${num ? ' class="num"' : ''} data-column="${name}" data-value="${escapeHtml(raw)}"${title}>${escapeHtml(cut)}</td>`;
    };
  }

  /** The markup of rows [from, to): one string, parsed by the browser in one go (no node per call). */
  function rowsHtml(columns, rows, from, to) {
    const writers = columns.map(cellWriter);
    const parts = [];
    for (let i = from; i < to; i++) {
      const row = rows[i];
      let tr = '<tr>';
      for (let j = 0; j < columns.length; j++) tr += writers[j](row[columns[j].name]);
      parts.push(`${tr}</tr>`);
    }
    return parts.join('');
  }

  /**
   * The table of a result: raw values in `data-value`, shown formatted (times local, separators). The
   * first FIRST_ROWS rows, then a note that says how many are shown and a button that adds the rest.
   */
  function table(columns, rows) {
    const F = global.SluiceFormat;
    const head = columns.map((c) => `<th${c.kind === 'text' ? '' : ' class="num"'}>${escapeHtml(c.name)}</th>`).join('');
    const shown = Math.min(rows.length, FIRST_ROWS);
    const wrap = h('div', { class: 'table-wrap' });
    wrap.innerHTML = `<table class="rows"><thead><tr>${head}</tr></thead><tbody>${rowsHtml(columns, rows, 0, shown)}</tbody></table>`;
    const out = h('div', { class: 'table-part' }, [wrap]);
    if (rows.length > shown) {
      const all = F.number(rows.length, 0);
      const note = h('p', { class: 'muted table-note', 'data-shown': shown, 'data-total': rows.length }, [
        h('span', { text: `Showing the first ${F.number(shown, 0)} of ${all} rows (CSV and JSON carry them all). ` }),
      ]);
      const more = h('button', { type: 'button', class: 'show-all', text: `Show all ${all} rows` });
      more.addEventListener('click', () => {
        wrap.querySelector('tbody').insertAdjacentHTML('beforeend', rowsHtml(columns, rows, shown, rows.length));
        note.dataset.shown = String(rows.length);
        note.replaceChildren(h('span', { text: `Showing all ${all} rows.` }));
      });
      note.appendChild(more);
      out.appendChild(note);
    }
    return out;
  }

  /** Replaces the container's content with the result's notices, chart and table. */
  function render(container, result) {
    const F = global.SluiceFormat;
    const parts = [];
    for (const n of result.notices || []) parts.push(h('p', { class: 'notice', text: n }));
    const chart = global.SluiceCharts.render(result.chart, result.columns, result.rows);
    if (chart) parts.push(h('div', { class: 'chart-wrap' }, [chart]));
    else if (result.chart && result.chart.kind === 'none') parts.push(h('p', { class: 'muted', text: 'Raw rows: no chart; download them as CSV or JSON.' }));
    const count = `${F.number(result.rows.length, 0)} row${result.rows.length === 1 ? '' : 's'}`;
    parts.push(h('p', { class: 'muted count', text: result.ms === undefined ? count : `${count} · ${F.number(result.ms, 0)} ms` }));
    if (result.rows.length > 0) parts.push(table(result.columns, result.rows));
    // One change to the live page per result: the parts are built off the page, then put in at once.
    container.replaceChildren(...parts);
  }

  global.SluiceReportView = { render, h, FIRST_ROWS };
})(globalThis);
