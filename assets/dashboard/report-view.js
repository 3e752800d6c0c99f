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

  /** Rows a table shows at most: thousands of DOM rows cost seconds; the downloads carry them all. */
  const MAX_TABLE_ROWS = 500;

  /** The table of a result: raw values in `data-value`, shown formatted (times local, separators). */
  function table(columns, allRows) {
    const rows = allRows.slice(0, MAX_TABLE_ROWS);
    const head = h('tr', {}, columns.map((c) => h('th', { text: c.name, class: c.kind === 'text' ? '' : 'num' })));
    const body = h('tbody');
    for (const row of rows) {
      const tr = h('tr');
      for (const c of columns) {
        const v = row[c.name];
        const td = h('td', { class: c.kind === 'text' && typeof v !== 'number' ? '' : 'num', 'data-column': c.name });
        td.dataset.value = v === null || v === undefined ? '' : String(v);
        const shown = global.SluiceFormat.cell(c, v);
        td.textContent = shown.length > 120 ? `${shown.slice(0, 119)}…` : shown;
        if (shown.length > 120 || shown !== td.dataset.value) td.title = td.dataset.value;
        tr.appendChild(td);
      }
      body.appendChild(tr);
    }
    const wrap = h('div', { class: 'table-wrap' }, [h('table', { class: 'rows' }, [h('thead', {}, [head]), body])]);
    if (allRows.length > rows.length) {
      wrap.appendChild(h('p', { class: 'muted', text: `The first ${global.SluiceFormat.number(rows.length, 0)} of ${global.SluiceFormat.number(allRows.length, 0)} rows are shown (CSV and JSON carry them all).` }));
    }
    return wrap;
  }

  /** Replaces the container's content with the result's notices, chart and table. */
  function render(container, result) {
    container.replaceChildren();
    for (const n of result.notices || []) container.appendChild(h('p', { class: 'notice', text: n }));
    const chart = global.SluiceCharts.render(result.chart, result.columns, result.rows);
    if (chart) container.appendChild(h('div', { class: 'chart-wrap' }, [chart]));
    else if (result.chart && result.chart.kind === 'none') container.appendChild(h('p', { class: 'muted', text: 'Raw rows: no chart; download them as CSV or JSON.' }));
    const count = `${global.SluiceFormat.number(result.rows.length, 0)} row${result.rows.length === 1 ? '' : 's'}`;
    container.appendChild(h('p', { class: 'muted count', text: result.ms === undefined ? count : `${count} · ${global.SluiceFormat.number(result.ms, 0)} ms` }));
    if (result.rows.length > 0) container.appendChild(table(result.columns, result.rows));
  }

  global.SluiceReportView = { render, h };
})(globalThis);
