// The secretariat's dashboard: reads /api/months and /api/release (protobuf JSON of
// enlace.secretariat.v1) and shows what the members published, every number with its flag.
// No external fetches: uPlot is served by the process from /vendor/.
'use strict';
(function () {
  const I18N = window.ENLACE_I18N;
  const COLORS = ['#0072B2', '#D55E00', '#009E73', '#CC79A7', '#8A6100', '#3A3A98', '#000000'];
  const state = {
    lang: 'es',
    measure: 'cases_opened',
    month: '',
    category: '',
    months: [],
    known: [],          // every member seen for the month (sent or missing)
    selected: null,     // Set of selected members; null = not yet known (all)
    release: null,      // RegionalRelease of the month (filtered)
    trend: [],          // [{month, release|null}] ascending
    chart: null,
  };

  const $ = (id) => document.getElementById(id);
  const t = (key, vars) => {
    let s = (I18N[state.lang] && I18N[state.lang][key]) || I18N.en[key] || key;
    for (const [k, v] of Object.entries(vars || {})) s = s.split('{' + k + '}').join(String(v));
    return s;
  };
  const nf = () => new Intl.NumberFormat(state.lang === 'es' ? 'es' : 'en');
  const fmt = (v) => nf().format(v);
  const countryName = (code) => {
    try {
      const n = new Intl.DisplayNames([state.lang], { type: 'region' }).of(code);
      return n && n !== code ? n + ' (' + code + ')' : code;
    } catch (e) {
      return code;
    }
  };
  const monthLabel = (m) => {
    const [y, mo] = m.split('-').map(Number);
    return new Intl.DateTimeFormat(state.lang, { month: 'short', year: 'numeric', timeZone: 'UTC' })
      .format(new Date(Date.UTC(y, mo - 1, 1)));
  };
  const measureName = () => t(state.measure);

  // --- what a number shows --------------------------------------------------------------------
  // A member's cell (enlace.stats.v1.Cell) under its threshold.
  function memberCell(cell, threshold) {
    const flag = (cell && cell.flag) || 'FLAG_UNSPECIFIED';
    const value = Number((cell && cell.value) || 0);
    switch (flag) {
      case 'FLAG_PUBLISHED': return { text: fmt(value), flag: 'published', value: String(value), note: '' };
      case 'FLAG_PRIMARY': return { text: '<' + threshold, flag: 'primary', value: '', note: t('withheld_primary', { t: threshold }) };
      case 'FLAG_SECONDARY': return { text: '—', flag: 'secondary', value: '', note: t('withheld_secondary') };
      case 'FLAG_NOT_PUBLISHED': return { text: 'n.p.', flag: 'not_published', value: '', note: t('not_published') };
      default: return { text: '?', flag: 'unknown', value: '', note: '' };
    }
  }
  // A regional sum (enlace.secretariat.v1.RegionalCell).
  function regionalCell(rc) {
    const value = Number((rc && rc.value) || 0);
    if (rc && rc.complete) return { text: fmt(value), flag: 'complete', value: String(value), note: '' };
    const list = ((rc && rc.incompleteMembers) || []).join(', ');
    return { text: '≥' + fmt(value), flag: 'incomplete', value: String(value), note: t('lower_bound', { list }) };
  }

  function el(tag, attrs, children) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === undefined || v === null) continue;
      if (k === 'text') e.textContent = v;
      else if (k === 'class') e.className = v;
      else e.setAttribute(k, v);
    }
    for (const c of children || []) if (c) e.appendChild(c);
    return e;
  }
  function numTd(info, col) {
    const td = el('td', { class: 'num flag-' + info.flag, 'data-col': col, 'data-flag': info.flag,
                          'data-value': info.value, title: info.note || null });
    td.appendChild(el('span', { class: 'v', text: info.text }));
    if (info.note) td.appendChild(el('span', { class: 'sr', text: ' (' + info.note + ')' }));
    return td;
  }
  function th(text, scope, attrs) { return el('th', Object.assign({ scope, text }, attrs || {})); }

  // Columns shown: every column of the release, or the chosen category.
  function shownColumns(columns) {
    const idx = [];
    columns.forEach((c, i) => { if (!state.category || c === state.category) idx.push(i); });
    return idx;
  }

  // With a category chosen, the totals are still over every published category: say so.
  const totalHeader = () => (state.category ? t('total_all') : t('total'));

  function table(id, caption, headers, rows) {
    const tb = $(id);
    tb.replaceChildren();
    tb.appendChild(el('caption', { text: caption }));
    const thead = el('thead', {}, [el('tr', {}, headers.map((h) => th(h.text, 'col', h.attrs)))]);
    tb.appendChild(thead);
    const tbody = el('tbody');
    rows.forEach((r) => tbody.appendChild(r));
    tb.appendChild(tbody);
  }

  // --- sections ---------------------------------------------------------------------------------
  function renderSummary(rel) {
    const cols = shownColumns(rel.columns || []);
    const headers = [{ text: t('member') }].concat(cols.map((i) => ({ text: t(rel.columns[i]) })),
      [{ text: totalHeader() }]);
    const rows = [];
    for (const m of rel.members || []) {
      const r = m.release || {};
      const tr = el('tr', { 'data-member': m.country, 'data-row': 'TOTAL' }, [th(countryName(m.country), 'row')]);
      if (r.withheld) {
        tr.appendChild(el('td', { colspan: String(cols.length + 1), class: 'flag-withheld', 'data-flag': 'withheld', text: t('month_withheld') }));
      } else {
        cols.forEach((i) => tr.appendChild(numTd(memberCell((r.columnTotals || [])[i], (r.columnThresholds || [])[i] || 5), rel.columns[i])));
        // The row's total is over every published column; with a category chosen it is that column.
        tr.appendChild(numTd(memberCell(r.grandTotal, 5), 'TOTAL'));
      }
      rows.push(tr);
    }
    const tr = el('tr', { class: 'region', 'data-member': 'REGION', 'data-row': 'TOTAL' }, [th(t('region'), 'row')]);
    cols.forEach((i) => tr.appendChild(numTd(regionalCell((rel.columnTotals || [])[i]), rel.columns[i])));
    tr.appendChild(numTd(regionalCell(rel.grandTotal), 'TOTAL'));
    rows.push(tr);
    table('summary-table', t('summary_caption', { measure: measureName(), month: monthLabel(rel.month) }), headers, rows);
    const missing = rel.missingMembers || [];
    $('missing').textContent = missing.length ? t('missing', { list: missing.map(countryName).join(', ') }) : '';
  }

  // A dimension's table for every member and the region: rows with `keys` (all when null).
  function renderDimension(id, caption, rel, dimension, keys, keyHeader) {
    const cols = shownColumns(rel.columns || []);
    const headers = [{ text: t('member') }];
    if (keyHeader) headers.push({ text: keyHeader });
    cols.forEach((i) => headers.push({ text: t(rel.columns[i]) }));
    headers.push({ text: totalHeader() });
    const label = (k) => (dimension === 'host_country' ? countryName(k) : t(k));
    const rows = [];
    for (const m of rel.members || []) {
      const r = m.release || {};
      const tab = (r.tables || []).find((x) => x.dimension === dimension);
      if (r.withheld || !tab || tab.withheld) {
        const tr = el('tr', { 'data-member': m.country }, [th(countryName(m.country), 'row')]);
        tr.appendChild(el('td', { colspan: String(cols.length + (keyHeader ? 2 : 1)), class: 'flag-withheld', 'data-flag': 'withheld',
                                  text: r.withheld ? t('month_withheld') : t('table_withheld') }));
        rows.push(tr);
        continue;
      }
      for (const row of tab.rows || []) {
        if (keys && !keys.includes(row.key)) continue;
        const tr = el('tr', { 'data-member': m.country, 'data-row': row.key }, [th(countryName(m.country), 'row')]);
        if (keyHeader) tr.appendChild(el('td', { text: label(row.key) }));
        const thr = Number(row.threshold || 5);
        cols.forEach((i) => tr.appendChild(numTd(memberCell((row.cells || [])[i], thr), rel.columns[i])));
        tr.appendChild(numTd(memberCell(row.total, thr), 'TOTAL'));
        rows.push(tr);
      }
    }
    const rtab = (rel.tables || []).find((x) => x.dimension === dimension);
    for (const row of (rtab && rtab.rows) || []) {
      if (keys && !keys.includes(row.key)) continue;
      const tr = el('tr', { class: 'region', 'data-member': 'REGION', 'data-row': row.key }, [th(t('region'), 'row')]);
      if (keyHeader) tr.appendChild(el('td', { text: label(row.key) }));
      cols.forEach((i) => tr.appendChild(numTd(regionalCell((row.cells || [])[i]), rel.columns[i])));
      tr.appendChild(numTd(regionalCell(row.total), 'TOTAL'));
      rows.push(tr);
    }
    table(id, caption, headers, rows);
  }

  function renderTrend() {
    const withData = state.trend.filter((x) => x.release);
    const columns = withData.length ? withData[withData.length - 1].release.columns || [] : [];
    const cols = shownColumns(columns);
    const headers = [{ text: t('month_col') }].concat(cols.map((i) => ({ text: t(columns[i]) })),
      [{ text: totalHeader() }]);
    const rows = [];
    for (const { month, release } of state.trend) {
      const tr = el('tr', { 'data-member': 'REGION', 'data-row': month }, [th(monthLabel(month), 'row')]);
      if (!release) {
        tr.appendChild(el('td', { colspan: String(cols.length + 1), 'data-flag': 'no_data', text: t('missing', { list: '—' }) }));
      } else {
        cols.forEach((i) => {
          const j = (release.columns || []).indexOf(columns[i]);
          tr.appendChild(numTd(regionalCell((release.columnTotals || [])[j]), columns[i]));
        });
        tr.appendChild(numTd(regionalCell(release.grandTotal), 'TOTAL'));
      }
      rows.push(tr);
    }
    table('trend-table', t('trend_caption', { measure: measureName() }), headers, rows);

    // The chart: the same numbers (lower bounds where incomplete).
    const box = $('chart');
    box.setAttribute('aria-label', t('chart_label', { measure: measureName() }));
    if (state.chart) { state.chart.destroy(); state.chart = null; }
    box.replaceChildren();
    if (!window.uPlot || !state.trend.length) return;
    const xs = state.trend.map(({ month }) => {
      const [y, m] = month.split('-').map(Number);
      return Date.UTC(y, m - 1, 1) / 1000;
    });
    const series = [{ label: t('month_col'), value: (u, v) => (v == null ? '' : monthLabel(new Date(v * 1000).toISOString().slice(0, 7))) }];
    const data = [xs];
    cols.forEach((i, n) => {
      series.push({ label: t(columns[i]), stroke: COLORS[n % COLORS.length], width: 2,
                    points: { size: 6 }, value: (u, v) => (v == null ? '—' : fmt(v)) });
      data.push(state.trend.map(({ release }) => {
        if (!release) return null;
        const j = (release.columns || []).indexOf(columns[i]);
        const c = (release.columnTotals || [])[j];
        return c ? Number(c.value || 0) : null;
      }));
    });
    const width = Math.max(320, Math.min(1100, box.clientWidth || 900));
    state.chart = new window.uPlot({
      width, height: 280, series,
      scales: { x: { time: true } },
      // One tick per month shown (uPlot would otherwise pick several per month).
      axes: [{ splits: () => xs, values: (u, splits) => splits.map((s) => monthLabel(new Date(s * 1000).toISOString().slice(0, 7))) },
             { values: (u, splits) => splits.map((s) => fmt(s)) }],
    }, data, box);
  }

  function render() {
    document.documentElement.lang = state.lang;
    document.title = t('title') + ' — Enlace';
    for (const e of document.querySelectorAll('[data-i18n]')) e.textContent = t(e.getAttribute('data-i18n'));
    for (const b of document.querySelectorAll('.lang button')) {
      b.setAttribute('aria-pressed', String(b.getAttribute('data-lang') === state.lang));
    }
    renderFilters();
    const rel = state.release;
    if (!rel) return;
    const month = monthLabel(rel.month);
    renderSummary(rel);
    renderTrend();
    renderDimension('corridor-table', t('corridor_caption', { measure: measureName(), month }), rel, 'host_country', null, t('host'));
    renderDimension('children-table', t('children_caption', { measure: measureName(), month }), rel, 'age_group', ['child'], null);
    renderDimension('sex-table', t('sex_caption', { measure: measureName(), month }), rel, 'sex', null, t('row'));
  }

  function renderFilters() {
    $('f-measure').value = state.measure;
    const ms = $('f-month');
    ms.replaceChildren(...state.months.map((m) => el('option', { value: m, text: monthLabel(m) })));
    ms.value = state.month;
    const cs = $('f-category');
    const columns = (state.release && state.release.columns) || [];
    cs.replaceChildren(el('option', { value: '', text: t('all_categories') }),
      ...columns.map((c) => el('option', { value: c, text: t(c) })));
    cs.value = state.category;
    const box = $('f-members');
    box.replaceChildren(...state.known.map((c) => {
      const id = 'm-' + c;
      const input = el('input', { type: 'checkbox', id, value: c });
      input.checked = !!state.selected && state.selected.has(c);
      return el('span', { class: 'check' }, [input, el('label', { for: id, text: countryName(c) })]);
    }));
  }

  // --- data ------------------------------------------------------------------------------------
  async function api(path, params) {
    const q = new URLSearchParams();
    for (const [k, v] of params) q.append(k, v);
    const res = await fetch(path + '?' + q.toString(), { credentials: 'same-origin', cache: 'no-store' });
    const body = await res.json().catch(() => ({}));
    if (!res.ok) {
      const e = new Error(body.error || res.statusText);
      e.status = res.status;
      throw e;
    }
    return body;
  }
  function releaseParams(month) {
    const p = [['month', month], ['measure', state.measure]];
    if (state.selected && state.selected.size < state.known.length) {
      for (const m of state.selected) p.push(['member', m]);
    }
    return p;
  }
  const status = (s) => { $('status').textContent = s; };

  async function loadMonths() {
    const r = await api('/api/months', [['measure', state.measure]]);
    state.months = r.months || [];
    if (!state.months.includes(state.month)) state.month = state.months[0] || '';
  }
  async function loadMembers() {
    const all = await api('/api/release', [['month', state.month], ['measure', state.measure]]);
    const known = new Set((all.members || []).map((m) => m.country).concat(all.missingMembers || []));
    for (const c of state.known) known.add(c);
    state.known = Array.from(known).sort();
    if (!state.selected) state.selected = new Set(state.known);
  }
  async function loadData() {
    state.release = await api('/api/release', releaseParams(state.month));
    const idx = state.months.indexOf(state.month);
    const window12 = state.months.slice(idx, idx + 12).reverse();
    state.trend = await Promise.all(window12.map(async (month) => {
      try {
        return { month, release: await api('/api/release', releaseParams(month)) };
      } catch (e) {
        if (e.status === 404) return { month, release: null };
        throw e;
      }
    }));
  }
  let seq = 0;
  async function refresh(what) {
    const mine = ++seq;
    status(t('loading'));
    document.body.setAttribute('aria-busy', 'true');
    try {
      if (what === 'months') await loadMonths();
      if (!state.month) { status(t('no_months')); return; }
      if (what === 'months') await loadMembers();
      await loadData();
      if (mine !== seq) return;
      render();
      status(t('loaded', { month: monthLabel(state.month) }));
      document.body.setAttribute('data-ready', String(mine));
    } catch (e) {
      if (mine === seq) status(t('error', { msg: e.message }));
    } finally {
      if (mine === seq) document.body.removeAttribute('aria-busy');
    }
  }

  // --- CSV of what is shown ----------------------------------------------------------------------
  function csvField(s) {
    s = String(s == null ? '' : s);
    if (/^[=+\-@\t\r]/.test(s)) s = "'" + s;  // never a formula in a spreadsheet
    return /[",\n\r]/.test(s) ? '"' + s.replace(/"/g, '""') + '"' : s;
  }
  function csv() {
    const lines = [['section', 'month', 'measure', 'member', 'row', 'category', 'shown', 'value', 'flag']];
    for (const id of ['summary-table', 'trend-table', 'corridor-table', 'children-table', 'sex-table']) {
      for (const tr of document.querySelectorAll('#' + id + ' tbody tr')) {
        const month = id === 'trend-table' ? tr.getAttribute('data-row') : state.month;
        for (const td of tr.querySelectorAll('td[data-flag]')) {
          const shown = td.querySelector('.v') ? td.querySelector('.v').textContent : td.textContent;
          lines.push([id.replace('-table', ''), month, state.measure, tr.getAttribute('data-member'),
                      id === 'trend-table' ? 'TOTAL' : tr.getAttribute('data-row') || '',
                      td.getAttribute('data-col') || '', shown, td.getAttribute('data-value') || '',
                      td.getAttribute('data-flag')]);
        }
      }
    }
    return lines.map((l) => l.map(csvField).join(',')).join('\r\n') + '\r\n';
  }
  function downloadCsv() {
    const blob = new Blob(['\ufeff' + csv()], { type: 'text/csv;charset=utf-8' });
    const url = URL.createObjectURL(blob);
    const a = el('a', { href: url, download: 'enlace-' + state.measure + '-' + state.month + '.csv' });
    document.body.appendChild(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10000);
  }

  // --- events ------------------------------------------------------------------------------------
  function init() {
    try {
      const saved = window.localStorage.getItem('enlace.lang');
      if (saved === 'es' || saved === 'en') state.lang = saved;
    } catch (e) { /* storage unavailable: default language */ }
    const q = new URLSearchParams(window.location.search);
    if (q.get('lang') === 'en' || q.get('lang') === 'es') state.lang = q.get('lang');
    for (const b of document.querySelectorAll('.lang button')) {
      b.addEventListener('click', () => {
        state.lang = b.getAttribute('data-lang');
        try { window.localStorage.setItem('enlace.lang', state.lang); } catch (e) { /* ignore */ }
        render();
      });
    }
    $('f-measure').addEventListener('change', (e) => { state.measure = e.target.value; refresh('months'); });
    $('f-month').addEventListener('change', (e) => { state.month = e.target.value; refresh('data'); });
    $('f-category').addEventListener('change', (e) => { state.category = e.target.value; render(); });
    $('f-members').addEventListener('change', (e) => {
      const c = e.target.value;
      if (e.target.checked) state.selected.add(c);
      else if (state.selected.size > 1) state.selected.delete(c);
      else e.target.checked = true;  // at least one member
      refresh('data');
    });
    $('csv').addEventListener('click', downloadCsv);
    window.enlaceDashboard = { csv, state };  // for the browser test
    render();
    refresh('months');
  }
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', init);
  else init();
})();
