// The secretariat's dashboard: reads /api/months and /api/release (protobuf JSON of
// enlace.secretariat.v1) and shows what the members published, every number with its flag.
// No external fetches: uPlot and world-atlas's boundaries are served by the process from
// /vendor/. The timeliness panel, the medians, the crisis board and the labour recoveries read
// the notifications, cases_closed, crisis_accounting and labour_claims_ended releases of the
// same month and members, whatever measure is chosen. Every dimension table of the chosen
// measure's release without a section of its own (crisis, programme, post ...) is shown too.
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
    notif: null,        // the notifications release of the month (null: nobody sent it)
    notifTrend: [],     // [{month, release|null}] ascending, the same months as trend
    closed: null,       // the cases_closed release of the month (medians)
    crisis: null,       // the crisis_accounting release of the month (crisis board)
    labour: null,       // the labour_claims_ended release of the month (labour recoveries)
    atlas: null,        // {byId: Map(numeric id -> rings)} from world-atlas, loaded once
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
  const currencyName = (code) => {
    try {
      const n = new Intl.DisplayNames([state.lang], { type: 'currency' }).of(code);
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

  // Money in minor units (int64 as a JSON string), shown in the currency's own digits (JPY 0,
  // USD 2, KWD 3) as Intl knows them; never summed across currencies.
  function money(minor, currency) {
    const f = new Intl.NumberFormat(state.lang === 'es' ? 'es' : 'en', { style: 'currency', currency });
    return f.format(Number(minor) / Math.pow(10, f.resolvedOptions().maximumFractionDigits));
  }
  // A member's amount (enlace.stats.v1.Amount) in one currency; absent: nothing recovered in it.
  function amountCell(a, currency) {
    if (!a) return { text: t('recov_none'), flag: 'none', value: '0', note: t('recov_none_note') };
    const cell = a.total || {};
    if (cell.flag === 'FLAG_PUBLISHED') {
      const v = String(cell.value || 0);
      return { text: money(v, currency), flag: 'published', value: v, note: '' };
    }
    const thr = Number(a.threshold || 5);
    if (cell.flag === 'FLAG_PRIMARY') return { text: t('claims_withheld', { t: thr }), flag: 'primary', value: '', note: t('claims_withheld_note', { t: thr }) };
    return memberCell(cell, thr);
  }

  // Median days (a member's column_medians cell): published or not.
  function medianCell(cell) {
    if (cell && cell.flag === 'FLAG_PUBLISHED') {
      const v = Number(cell.value || 0);
      return { text: fmt(v), flag: 'published', value: String(v), note: '' };
    }
    if (!cell || cell.flag === 'FLAG_NOT_PUBLISHED') return { text: 'n.p.', flag: 'not_published', value: '', note: t('median_np') };
    return memberCell(cell, 5);
  }

  // A share from column totals: the `part` columns over all `cols`, every one published (a
  // member) or complete (the region); otherwise not computable, saying why. Never from the
  // grand total: it leaves out columns not published. `thresholds` (a member's) name a
  // withheld count as "<10" where its column's threshold is 10.
  function shareOf(spec, columns, totals, region, thresholds) {
    const cells = spec.cols.map((c) => (totals || [])[(columns || []).indexOf(c)]);
    const bad = [];
    cells.forEach((c, i) => {
      if (!c) bad.push(t(spec.cols[i]));
      else if (region ? !c.complete : c.flag !== 'FLAG_PUBLISHED') {
        const thr = Number((thresholds || [])[(columns || []).indexOf(spec.cols[i])] || 5);
        bad.push(region ? (c.incompleteMembers || []).join(', ') : t(spec.cols[i]) + ' ' + memberCell(c, thr).text);
      }
    });
    const nc = (why) => ({ text: 'n.c.', flag: 'not_computable', value: '', note: t('not_computable', { why }) });
    if (bad.length) {
      const list = Array.from(new Set(bad.filter((x) => x))).join('; ');
      return nc(region ? t('nc_incomplete', { list }) : t('nc_withheld', { list }));
    }
    let part = 0, total = 0;
    cells.forEach((c, i) => {
      const v = Number(c.value || 0);
      total += v;
      if (spec.part.includes(spec.cols[i])) part += v;
    });
    if (total === 0) return nc(t(spec.none));
    const share = part / total;
    const pf = new Intl.NumberFormat(state.lang === 'es' ? 'es' : 'en', { style: 'percent', minimumFractionDigits: 1, maximumFractionDigits: 1 });
    return { text: pf.format(share), flag: 'share', value: share.toFixed(4), note: '' };
  }
  // Notification timeliness: acknowledged within 24 hours ÷ all three.
  const NOTIF_COLS = ['acknowledged_within_24h', 'acknowledged_later', 'not_acknowledged'];
  const TIMELY = { cols: NOTIF_COLS, part: ['acknowledged_within_24h'], none: 'nc_none' };
  const shareInfo = (columns, totals, region) => shareOf(TIMELY, columns, totals, region);
  // The crisis board (a stock at the month's end): accounted for = every welfare status but
  // unaccounted and inquiry open, over all twelve (services/stats/measures.cc).
  const CRISIS_COLS = ['WELFARE_STATUS_UNACCOUNTED', 'WELFARE_STATUS_INQUIRY_OPEN',
    'WELFARE_STATUS_CONTACTED_SAFE', 'WELFARE_STATUS_BELIEVED_SAFE', 'WELFARE_STATUS_NEEDS_ASSISTANCE',
    'WELFARE_STATUS_INJURED', 'WELFARE_STATUS_DETAINED', 'WELFARE_STATUS_BELIEVED_MISSING',
    'WELFARE_STATUS_BELIEVED_DECEASED', 'WELFARE_STATUS_DECEASED_CONFIRMED',
    'WELFARE_STATUS_DEPARTED_OR_EVACUATED', 'WELFARE_STATUS_NOT_IN_AREA'];
  const ACCOUNTED = { cols: CRISIS_COLS, part: CRISIS_COLS.slice(2), none: 'nc_no_crisis' };

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
  // case_vulnerabilities counts a case once per vulnerability: its total is not a count of cases.
  const totalHeader = () => (state.measure === 'case_vulnerabilities' ? t('total_vulnerabilities')
    : state.category ? t('total_all') : t('total'));

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
        // A member without the table (a release made before its measure had the dimension)
        // sent none: not the same as withholding it.
        const tr = el('tr', { 'data-member': m.country }, [th(countryName(m.country), 'row')]);
        tr.appendChild(el('td', { colspan: String(cols.length + (keyHeader ? 2 : 1)), class: 'flag-withheld',
                                  'data-flag': r.withheld || tab ? 'withheld' : 'not_sent',
                                  text: r.withheld ? t('month_withheld') : tab ? t('table_withheld') : t('table_not_sent') }));
        rows.push(tr);
        continue;
      }
      for (const row of tab.rows || []) {
        if (keys && !keys.includes(row.key)) continue;
        const tr = el('tr', { 'data-member': m.country, 'data-row': row.key }, [th(countryName(m.country), 'row')]);
        if (keyHeader) tr.appendChild(th(label(row.key), 'row'));
        const thr = Number(row.threshold || 5);
        // A cell's threshold is its row's or its column's, whichever is higher (deaths: 10).
        cols.forEach((i) => tr.appendChild(numTd(memberCell((row.cells || [])[i],
          Math.max(thr, Number((r.columnThresholds || [])[i] || 5))), rel.columns[i])));
        tr.appendChild(numTd(memberCell(row.total, thr), 'TOTAL'));
        rows.push(tr);
      }
    }
    const rtab = (rel.tables || []).find((x) => x.dimension === dimension);
    for (const row of (rtab && rtab.rows) || []) {
      if (keys && !keys.includes(row.key)) continue;
      const tr = el('tr', { class: 'region', 'data-member': 'REGION', 'data-row': row.key }, [th(t('region'), 'row')]);
      if (keyHeader) tr.appendChild(th(label(row.key), 'row'));
      cols.forEach((i) => tr.appendChild(numTd(regionalCell((row.cells || [])[i]), rel.columns[i])));
      tr.appendChild(numTd(regionalCell(row.total), 'TOTAL'));
      rows.push(tr);
    }
    table(id, caption, headers, rows);
  }

  // --- every other dimension table of the release --------------------------------------------------
  // The dimensions with their own sections above. Every other table a release carries (the crisis
  // of crisis_accounting, the programme of labour_claims_ended, the post, and any dimension a
  // measure gains later) gets a table of its own here, built as the sections above build theirs.
  const SHOWN_DIMENSIONS = ['host_country', 'age_group', 'sex'];
  function extraDimensions(rel) {
    const dims = [];
    const add = (d) => { if (d && !SHOWN_DIMENSIONS.includes(d) && !dims.includes(d)) dims.push(d); };
    for (const x of rel.tables || []) add(x.dimension);
    for (const m of rel.members || []) for (const x of (m.release || {}).tables || []) add(x.dimension);
    return dims;
  }
  const hasText = (key) => !!((I18N[state.lang] && key in I18N[state.lang]) || key in I18N.en);
  // A dimension's name and its rows' heading; one the page has no text for yet shows its code.
  const dimName = (d) => (hasText('dim_' + d) ? t('dim_' + d) : d.replace(/_/g, ' '));
  const dimRowHeader = (d) => (hasText('dimrow_' + d) ? t('dimrow_' + d) : t('row'));
  const dimTableId = (d) => 'dim-' + d.replace(/[^A-Za-z0-9_-]/g, '_') + '-table';
  let resizeObserver = null;
  function renderExtraDimensions(rel) {
    const dims = extraDimensions(rel);
    const boxes = dims.map((d) => el('div', { class: 'scroll' }, [el('table', { id: dimTableId(d), 'data-dimension': d })]));
    $('extra-dims').replaceChildren(...boxes);
    if (resizeObserver) for (const b of boxes) { resizeObserver.observe(b); resizeObserver.observe(b.firstElementChild); }
    $('dims-note').textContent = dims.length ? t('dims_note') : t('no_dims', { measure: measureName() });
    const month = monthLabel(rel.month);
    for (const d of dims) {
      renderDimension(dimTableId(d), t('dim_caption', { measure: measureName(), month, dim: dimName(d) }), rel, d, null, dimRowHeader(d));
    }
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

  // --- notification timeliness ------------------------------------------------------------------
  function renderTimeliness() {
    const rel = state.notif;
    const monthL = monthLabel(state.month);
    if (!rel) {
      table('timeliness-table', t('timeliness_caption', { month: monthL }), [{ text: t('member') }],
        [el('tr', {}, [el('td', { text: t('no_notifications') })])]);
    } else {
      const cols = NOTIF_COLS.map((c) => (rel.columns || []).indexOf(c));
      const headers = [{ text: t('member') }].concat(NOTIF_COLS.map((c) => ({ text: t(c) })), [{ text: t('share_24h') }]);
      const rows = [];
      for (const m of rel.members || []) {
        const r = m.release || {};
        const tr = el('tr', { 'data-member': m.country, 'data-row': 'TOTAL' }, [th(countryName(m.country), 'row')]);
        if (r.withheld) {
          tr.appendChild(el('td', { colspan: String(NOTIF_COLS.length + 1), class: 'flag-withheld', 'data-flag': 'withheld', text: t('month_withheld') }));
        } else {
          cols.forEach((i, n) => tr.appendChild(numTd(memberCell((r.columnTotals || [])[i], (r.columnThresholds || [])[i] || 5), NOTIF_COLS[n])));
          tr.appendChild(numTd(shareInfo(r.columns, r.columnTotals, false), 'share_24h'));
        }
        rows.push(tr);
      }
      const tr = el('tr', { class: 'region', 'data-member': 'REGION', 'data-row': 'TOTAL' }, [th(t('region'), 'row')]);
      cols.forEach((i, n) => tr.appendChild(numTd(regionalCell((rel.columnTotals || [])[i]), NOTIF_COLS[n])));
      tr.appendChild(numTd(shareInfo(rel.columns, rel.columnTotals, true), 'share_24h'));
      rows.push(tr);
      table('timeliness-table', t('timeliness_caption', { month: monthL }), headers, rows);
    }
    // The trend: one row per month, a column per selected member and the region.
    const members = state.known.filter((c) => state.selected && state.selected.has(c));
    const headers = [{ text: t('month_col') }].concat(members.map((c) => ({ text: countryName(c) })), [{ text: t('region') }]);
    const rows = [];
    for (const { month, release } of state.notifTrend) {
      const tr = el('tr', { 'data-member': 'TREND', 'data-row': month, 'data-month': month }, [th(monthLabel(month), 'row')]);
      for (const c of members) {
        const m = release && (release.members || []).find((x) => x.country === c);
        let info;
        if (!m) info = { text: 'n.c.', flag: 'not_computable', value: '', note: t('not_computable', { why: t('nc_no_data') }) };
        else if (m.release.withheld) info = { text: 'n.c.', flag: 'not_computable', value: '', note: t('not_computable', { why: t('month_withheld') }) };
        else info = shareInfo(m.release.columns, m.release.columnTotals, false);
        tr.appendChild(numTd(info, c));
      }
      tr.appendChild(numTd(release ? shareInfo(release.columns, release.columnTotals, true)
        : { text: 'n.c.', flag: 'not_computable', value: '', note: t('not_computable', { why: t('nc_no_data') }) }, 'REGION'));
      rows.push(tr);
    }
    table('timeliness-trend-table', t('timeliness_trend_caption'), headers, rows);
  }

  // --- median days to close (cases_closed) ---------------------------------------------------------
  function renderMedians() {
    const rel = state.closed;
    const monthL = monthLabel(state.month);
    if (!rel) {
      table('medians-table', t('medians_caption', { month: monthL }), [{ text: t('member') }],
        [el('tr', {}, [el('td', { text: t('no_closed') })])]);
      return;
    }
    const cols = shownColumns(rel.columns || []);
    const headers = [{ text: t('member') }].concat(cols.map((i) => ({ text: t(rel.columns[i]) })), [{ text: t('median_all') }]);
    const rows = [];
    for (const m of rel.members || []) {
      const r = m.release || {};
      const tr = el('tr', { 'data-member': m.country, 'data-row': 'MEDIAN' }, [th(countryName(m.country), 'row')]);
      if (r.withheld) {
        tr.appendChild(el('td', { colspan: String(cols.length + 1), class: 'flag-withheld', 'data-flag': 'withheld', text: t('month_withheld') }));
      } else {
        cols.forEach((i) => tr.appendChild(numTd(medianCell((r.columnMedians || [])[i]), rel.columns[i])));
        tr.appendChild(numTd(medianCell(r.median), 'TOTAL'));
      }
      rows.push(tr);
    }
    table('medians-table', t('medians_caption', { month: monthL }), headers, rows);
  }

  // --- the crisis board (crisis_accounting: a stock at the month's end) ---------------------------
  function renderCrisis() {
    const rel = state.crisis;
    const monthL = monthLabel(state.month);
    const caption = t('crisis_caption', { month: monthL });
    if (!rel) {
      table('crisis-table', caption, [{ text: t('member') }], [el('tr', {}, [el('td', { text: t('no_crisis') })])]);
      return;
    }
    const cols = CRISIS_COLS.map((c) => (rel.columns || []).indexOf(c));
    const headers = [{ text: t('member') }, { text: t('share_accounted') }].concat(CRISIS_COLS.map((c) => ({ text: t(c) })));
    const rows = [];
    for (const m of rel.members || []) {
      const r = m.release || {};
      const tr = el('tr', { 'data-member': m.country, 'data-row': 'TOTAL' }, [th(countryName(m.country), 'row')]);
      if (r.withheld) {
        tr.appendChild(el('td', { colspan: String(CRISIS_COLS.length + 1), class: 'flag-withheld', 'data-flag': 'withheld', text: t('month_withheld') }));
      } else {
        tr.appendChild(numTd(shareOf(ACCOUNTED, r.columns, r.columnTotals, false, r.columnThresholds), 'share_accounted'));
        const idx = CRISIS_COLS.map((c) => (r.columns || []).indexOf(c));
        idx.forEach((i, n) => tr.appendChild(numTd(memberCell((r.columnTotals || [])[i], Number((r.columnThresholds || [])[i] || 5)), CRISIS_COLS[n])));
      }
      rows.push(tr);
    }
    const tr = el('tr', { class: 'region', 'data-member': 'REGION', 'data-row': 'TOTAL' }, [th(t('region'), 'row')]);
    tr.appendChild(numTd(shareOf(ACCOUNTED, rel.columns, rel.columnTotals, true), 'share_accounted'));
    cols.forEach((i, n) => tr.appendChild(numTd(regionalCell((rel.columnTotals || [])[i]), CRISIS_COLS[n])));
    rows.push(tr);
    table('crisis-table', caption, headers, rows);
  }

  // --- labour recoveries (labour_claims_ended's amounts, by currency) ---------------------------
  function renderRecoveries() {
    const rel = state.labour;
    const caption = t('recov_caption', { month: monthLabel(state.month) });
    if (!rel) {
      table('recoveries-table', caption, [{ text: t('member') }], [el('tr', {}, [el('td', { text: t('no_recov') })])]);
      return;
    }
    const members = rel.members || [];
    const currencies = Array.from(new Set(members.flatMap((m) => ((m.release || {}).amounts || []).map((a) => a.currency)))).sort();
    const headers = [{ text: t('member') }].concat(currencies.map((c) => ({ text: currencyName(c) })));
    const rows = [];
    // Per currency: the published amounts' sum, and who keeps it from being complete (a withheld
    // amount, a withheld month, a member that sent nothing).
    const sums = new Map(currencies.map((c) => [c, { value: 0, incomplete: (rel.missingMembers || []).slice() }]));
    for (const m of members) {
      const r = m.release || {};
      const tr = el('tr', { 'data-member': m.country, 'data-row': 'TOTAL' }, [th(countryName(m.country), 'row')]);
      if (r.withheld) {
        tr.appendChild(el('td', { colspan: String(Math.max(currencies.length, 1)), class: 'flag-withheld', 'data-flag': 'withheld', text: t('month_withheld') }));
        currencies.forEach((c) => sums.get(c).incomplete.push(m.country));
      } else {
        for (const c of currencies) {
          const a = (r.amounts || []).find((x) => x.currency === c);
          const info = amountCell(a, c);
          if (info.flag === 'published' || info.flag === 'none') sums.get(c).value += Number(info.value);
          else sums.get(c).incomplete.push(m.country);
          tr.appendChild(numTd(info, c));
        }
      }
      rows.push(tr);
    }
    const tr = el('tr', { class: 'region', 'data-member': 'REGION', 'data-row': 'TOTAL' }, [th(t('region'), 'row')]);
    for (const c of currencies) {
      const s = sums.get(c);
      const v = String(s.value);
      tr.appendChild(numTd(s.incomplete.length
        ? { text: '≥' + money(v, c), flag: 'incomplete', value: v, note: t('lower_bound', { list: s.incomplete.join(', ') }) }
        : { text: money(v, c), flag: 'complete', value: v, note: '' }, c));
    }
    rows.push(tr);
    table('recoveries-table', caption, headers, rows);
  }

  // --- the corridor map ------------------------------------------------------------------------------
  // TopoJSON (world-atlas) decoded here: quantized, delta-encoded arcs; a ring is a list of arc
  // indices (~i: arc i reversed). A few lines instead of two more npm packages.
  function decodeAtlas(topo) {
    const [sx, sy] = topo.transform.scale;
    const [tx, ty] = topo.transform.translate;
    const arcs = topo.arcs.map((arc) => {
      let x = 0, y = 0;
      return arc.map(([dx, dy]) => { x += dx; y += dy; return [x * sx + tx, y * sy + ty]; });
    });
    const ring = (idx) => {
      const out = [];
      for (const i of idx) {
        const a = i >= 0 ? arcs[i] : arcs[~i].slice().reverse();
        a.forEach((p, k) => { if (k > 0 || out.length === 0) out.push(p); });
      }
      return out;
    };
    const byId = new Map();
    for (const g of topo.objects.countries.geometries) {
      if (!g.id || g.id === '010') continue;  // Antarctica: no corridor ends there
      const polys = g.type === 'Polygon' ? [g.arcs] : g.type === 'MultiPolygon' ? g.arcs : [];
      byId.set(g.id, polys.map((p) => p.map(ring)));
    }
    return { byId };
  }
  // The anchor of a country: the area centroid of its largest outer ring (lon, lat).
  function anchorOf(polys) {
    let best = null, bestA = 0;
    for (const p of polys) {
      const r = p[0];
      let a = 0, cx = 0, cy = 0;
      for (let i = 0, j = r.length - 1; i < r.length; j = i++) {
        const f = r[j][0] * r[i][1] - r[i][0] * r[j][1];
        a += f; cx += (r[j][0] + r[i][0]) * f; cy += (r[j][1] + r[i][1]) * f;
      }
      if (Math.abs(a) > bestA) { bestA = Math.abs(a); best = [cx / (3 * a), cy / (3 * a)]; }
    }
    return best;
  }
  const SVGNS = 'http://www.w3.org/2000/svg';
  function sv(tag, attrs, children) {
    const e = document.createElementNS(SVGNS, tag);
    for (const [k, v] of Object.entries(attrs || {})) if (v !== undefined && v !== null) e.setAttribute(k, v);
    for (const c of children || []) if (c) e.appendChild(c);
    return e;
  }
  // The corridors of the month: each member's host_country rows (the chosen category's cell,
  // or the row's total).
  function corridors(rel) {
    const out = [];
    const ci = state.category ? (rel.columns || []).indexOf(state.category) : -1;
    for (const m of rel.members || []) {
      const r = m.release || {};
      if (r.withheld) continue;
      const tab = (r.tables || []).find((x) => x.dimension === 'host_country');
      if (!tab || tab.withheld) continue;
      for (const row of tab.rows || []) {
        const cell = ci >= 0 ? (row.cells || [])[ci] : row.total;
        const thr = Math.max(Number(row.threshold || 5), ci >= 0 ? Number((r.columnThresholds || [])[ci] || 5) : 0);
        out.push({ from: m.country, to: row.key, info: memberCell(cell, thr) });
      }
    }
    return out;
  }
  function renderMap(rel) {
    const box = $('map');
    box.replaceChildren();
    $('map-info').textContent = t('map_focus');
    const atlas = state.atlas;
    if (!atlas || !window.ENLACE_ISO_NUMERIC) return;
    const iso = window.ENLACE_ISO_NUMERIC;
    const shape = (c) => atlas.byId.get(iso[c]);
    const list = corridors(rel);
    const anchors = new Map();
    const missing = new Set();
    for (const c of list) {
      for (const k of [c.from, c.to]) {
        if (anchors.has(k) || missing.has(k)) continue;
        const s = shape(k);
        if (s) anchors.set(k, anchorOf(s)); else missing.add(k);
      }
    }
    $('map-missing').textContent = missing.size ? ' ' + t('map_missing', { list: Array.from(missing).map(countryName).join(', ') }) : '';
    // The view: the corridors' ends with a margin (equirectangular; the region fits in it).
    let [x0, x1, y0, y1] = [-120, -60, 0, 50];
    for (const [lon, lat] of anchors.values()) {
      x0 = Math.min(x0, lon); x1 = Math.max(x1, lon); y0 = Math.min(y0, lat); y1 = Math.max(y1, lat);
    }
    x0 = Math.max(-180, x0 - 15); x1 = Math.min(180, x1 + 15);
    y0 = Math.max(-60, y0 - 10); y1 = Math.min(84, y1 + 10);
    const W = 760, k = W / (x1 - x0), H = Math.round((y1 - y0) * k * 1.15);
    const px = ([lon, lat]) => [((lon - x0) * k).toFixed(1), ((y1 - lat) * k * 1.15).toFixed(1)];
    const month = monthLabel(rel.month);
    const svg = sv('svg', { viewBox: `0 0 ${W} ${H}`, role: 'group', 'aria-label': t('map_label', { measure: measureName(), month }) });
    const land = sv('g', { 'aria-hidden': 'true' });
    const members = new Set((rel.members || []).map((m) => m.country));
    for (const [id, polys] of atlas.byId) {
      let d = '';
      for (const p of polys) for (const r of p) d += 'M' + r.map((q) => px(q).join(',')).join('L') + 'Z';
      const code = Object.keys(iso).find((c) => iso[c] === id && members.has(c));
      land.appendChild(sv('path', { d, class: code ? 'land member' : 'land' }));
    }
    svg.appendChild(land);
    let max = 1;
    for (const c of list) if (c.info.flag === 'published') max = Math.max(max, Number(c.info.value));
    const lines = sv('g', {});
    // Thin lines over thick ones, so every corridor can be pointed at.
    const drawn = list.filter((c) => anchors.has(c.from) && anchors.has(c.to) && c.from !== c.to)
      .sort((a, b) => Number(b.info.value || 0) - Number(a.info.value || 0));
    for (const c of drawn) {
      const [ax, ay] = px(anchors.get(c.from)).map(Number);
      const [bx, by] = px(anchors.get(c.to)).map(Number);
      // A bowed line: the control point off the chord, so opposite corridors do not overlap.
      const mx = (ax + bx) / 2 - (by - ay) * 0.25, my = (ay + by) / 2 + (bx - ax) * 0.25;
      const published = c.info.flag === 'published';
      const width = published ? (1.5 + 9 * Math.sqrt(Number(c.info.value) / max)).toFixed(1) : '2';
      const label = t('map_corridor', { from: countryName(c.from), to: countryName(c.to), value: c.info.text + (c.info.note ? ' (' + c.info.note + ')' : '') });
      const path = sv('path', {
        d: `M${ax},${ay}Q${mx.toFixed(1)},${my.toFixed(1)} ${bx},${by}`,
        class: 'corridor' + (published ? '' : ' withheld'), 'stroke-width': width, tabindex: '0',
        role: 'img', 'aria-label': label, 'data-from': c.from, 'data-to': c.to, 'data-flag': c.info.flag,
        'data-value': c.info.value,
      }, [sv('title', {}, [document.createTextNode(label)])]);
      const show = () => { $('map-info').textContent = label; };
      path.addEventListener('focus', show);
      path.addEventListener('mouseenter', show);
      lines.appendChild(path);
    }
    svg.appendChild(lines);
    const dots = sv('g', { 'aria-hidden': 'true' });
    for (const [code, a] of anchors) {
      const [x, y] = px(a);
      dots.appendChild(sv('circle', { cx: x, cy: y, r: members.has(code) ? 4 : 2.5, class: members.has(code) ? 'origin' : 'host' }));
    }
    svg.appendChild(dots);
    box.appendChild(svg);
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
    // What the chosen measure counts, when its numbers are read unlike the others (subtypes
    // nest in the categories; vulnerabilities count a case once per vulnerability).
    const noteKey = 'measure_note_' + state.measure;
    $('measure-note').textContent = hasText(noteKey) ? t(noteKey) : '';
    $('measure-note').hidden = !hasText(noteKey);
    renderSummary(rel);
    renderTrend();
    renderDimension('corridor-table', t('corridor_caption', { measure: measureName(), month }), rel, 'host_country', null, t('host'));
    renderMap(rel);
    renderTimeliness();
    renderMedians();
    renderCrisis();
    renderRecoveries();
    renderDimension('children-table', t('children_caption', { measure: measureName(), month }), rel, 'age_group', ['child'], null);
    renderDimension('sex-table', t('sex_caption', { measure: measureName(), month }), rel, 'sex', null, t('row'));
    renderExtraDimensions(rel);
    scrollRegions();
  }

  // A table wider than the page (the crisis board's twelve statuses) scrolls in its box (either
  // way: overflow-x auto makes overflow-y auto too): that
  // box must take the focus so the keyboard can scroll it, and it is named by its table's
  // caption. Boxes that do not scroll stay out of the Tab order.
  function scrollRegions() {
    for (const box of document.querySelectorAll('.scroll')) {
      const cap = box.querySelector('caption');
      if (box.scrollWidth > box.clientWidth || box.scrollHeight > box.clientHeight) {
        box.setAttribute('tabindex', '0');
        box.setAttribute('role', 'region');
        box.setAttribute('aria-label', cap ? cap.textContent : '');
      } else {
        box.removeAttribute('tabindex');
        box.removeAttribute('role');
        box.removeAttribute('aria-label');
      }
    }
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
  function releaseParams(month, measure) {
    const p = [['month', month], ['measure', measure || state.measure]];
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
  // A release of the month, or null when nobody sent it (404).
  async function releaseOrNull(month, measure) {
    try {
      return await api('/api/release', releaseParams(month, measure));
    } catch (e) {
      if (e.status === 404) return null;
      throw e;
    }
  }
  async function loadData() {
    state.release = await api('/api/release', releaseParams(state.month));
    // Another measure has other columns: a chosen column it lacks no longer filters.
    if (state.category && !(state.release.columns || []).includes(state.category)) state.category = '';
    const idx = state.months.indexOf(state.month);
    const window12 = state.months.slice(idx, idx + 12).reverse();
    state.trend = await Promise.all(window12.map(async (month) => ({ month, release: await releaseOrNull(month) })));
    if (state.measure === 'notifications') {
      state.notif = state.release;
      state.notifTrend = state.trend;
    } else {
      [state.notif, state.notifTrend] = await Promise.all([
        releaseOrNull(state.month, 'notifications'),
        Promise.all(window12.map(async (month) => ({ month, release: await releaseOrNull(month, 'notifications') })))]);
    }
    state.closed = state.measure === 'cases_closed' ? state.release : await releaseOrNull(state.month, 'cases_closed');
    state.crisis = state.measure === 'crisis_accounting' ? state.release : await releaseOrNull(state.month, 'crisis_accounting');
    state.labour = state.measure === 'labour_claims_ended' ? state.release : await releaseOrNull(state.month, 'labour_claims_ended');
    if (!state.atlas) {
      const res = await fetch('/vendor/world-atlas/countries-110m.json', { credentials: 'same-origin' });
      if (res.ok) state.atlas = decodeAtlas(await res.json());
    }
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
  // The tables the CSV holds, with the measure of each (null: the chosen one).
  const CSV_TABLES = [['summary-table', null], ['trend-table', null], ['corridor-table', null],
    ['children-table', null], ['sex-table', null], ['timeliness-table', 'notifications'],
    ['timeliness-trend-table', 'notifications'], ['medians-table', 'cases_closed'],
    ['crisis-table', 'crisis_accounting'], ['recoveries-table', 'labour_claims_ended']];
  function csvField(s) {
    s = String(s == null ? '' : s);
    if (/^[=+\-@\t\r]/.test(s)) s = "'" + s;  // never a formula in a spreadsheet
    return /[",\n\r]/.test(s) ? '"' + s.replace(/"/g, '""') + '"' : s;
  }
  function csv() {
    // category: the column's code; label: its name in the page's language.
    const lines = [['section', 'month', 'measure', 'member', 'row', 'category', 'label', 'shown', 'value', 'flag']];
    const extra = Array.from(document.querySelectorAll('#extra-dims table')).map((tb) => [tb.id, null]);
    for (const [id, measure] of CSV_TABLES.concat(extra)) {
      for (const tr of document.querySelectorAll('#' + id + ' tbody tr')) {
        const month = id === 'trend-table' ? tr.getAttribute('data-row') : tr.getAttribute('data-month') || state.month;
        for (const td of tr.querySelectorAll('td[data-flag]')) {
          const shown = td.querySelector('.v') ? td.querySelector('.v').textContent : td.textContent;
          const col = td.getAttribute('data-col') || '';
          const label = /^[A-Z]{2}$/.test(col) ? countryName(col) : /^[A-Z]{3}$/.test(col) ? currencyName(col) : col === 'REGION' ? t('region') : t(col === 'TOTAL' ? 'total' : col);
          lines.push([id.replace('-table', ''), month, measure || state.measure, tr.getAttribute('data-member'),
                      id === 'trend-table' ? 'TOTAL' : tr.getAttribute('data-row') || '',
                      col, label, shown, td.getAttribute('data-value') || '', td.getAttribute('data-flag')]);
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
    // Whether a box scrolls is known only after layout (and changes with the window).
    if (window.ResizeObserver) {
      resizeObserver = new ResizeObserver(() => scrollRegions());
      for (const box of document.querySelectorAll('.scroll')) {
        resizeObserver.observe(box);
        if (box.firstElementChild) resizeObserver.observe(box.firstElementChild);
      }
    }
    window.enlaceDashboard = { csv, state };  // for the browser test
    render();
    refresh('months');
  }
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', init);
  else init();
})();
