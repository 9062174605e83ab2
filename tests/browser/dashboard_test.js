// Drives Debian's chromium (playwright-core) against a running DashboardServer. The client
// certificate is chromium's own: it sits in the NSS database under $HOME/.pki/nssdb (made by
// dashboard_browser_test.cc) and chromium selects it for the dashboard's origin through the
// profile's AutoSelectCertificateForUrls content setting, so the TLS handshake the server sees
// is the browser's. The server's certificate is verified against the test CA (trusted in the
// same NSS database): no certificate errors are ignored.
//
// Environment: DASHBOARD_URL, WEB_DEPS (node_modules), HOME_SECRETARIAT, HOME_OFFICER,
// HOME_NONE (NSS homes), WORK_DIR (profiles, downloads), SCREENSHOT_DIR.
'use strict';
const fs = require('fs');
const path = require('path');
const assert = require('assert');
const { chromium } = require(path.join(process.env.WEB_DEPS, 'playwright-core'));
const AXE = fs.readFileSync(path.join(process.env.WEB_DEPS, 'axe-core', 'axe.min.js'), 'utf8');

const URL_BASE = process.env.DASHBOARD_URL.replace(/\/$/, '');
const ORIGIN = new URL(URL_BASE).origin;
const WORK = process.env.WORK_DIR;
const SHOTS = process.env.SCREENSHOT_DIR;
let failures = 0;
const consoleErrors = [];
let currentPage = null;
let checks = 0;

function ok(cond, what) {
  checks++;
  if (!cond) {
    failures++;
    console.log('FAIL: ' + what);
  }
}

async function launch(name, home) {
  const dir = path.join(WORK, 'profile-' + name);
  fs.mkdirSync(path.join(dir, 'Default'), { recursive: true });
  // Chromium's content setting behind the AutoSelectCertificateForUrls policy, for this origin
  // only: without it, chromium would wait on its certificate-selection dialog.
  fs.writeFileSync(path.join(dir, 'Default', 'Preferences'), JSON.stringify({
    profile: { content_settings: { exceptions: { auto_select_certificate: {
      [ORIGIN + ',*']: { setting: { filters: [{}] } } } } } },
  }));
  const args = [];
  if (process.getuid && process.getuid() === 0) args.push('--no-sandbox');
  return chromium.launchPersistentContext(dir, {
    executablePath: '/usr/bin/chromium',
    headless: true,
    args,
    env: Object.assign({}, process.env, { HOME: home }),
    acceptDownloads: true,
    viewport: { width: 1280, height: 900 },
    locale: 'es-ES',
  });
}

// 'extra-dims' is the box of the chosen measure's other dimension tables (crisis, programme ...),
// one table per dimension the release carries, made by the page: 'dim-<dimension>-table'.
const MAIN_TABLES = ['summary-table', 'trend-table', 'corridor-table', 'children-table', 'sex-table', 'extra-dims'];
const ALL_TABLES = MAIN_TABLES.concat(['timeliness-table', 'timeliness-trend-table', 'medians-table', 'crisis-table', 'recoveries-table']);

// Every shown number cell of the page's `ids` tables (the id of a box: every table in it):
// {table, member, row, col, shown, value, flag}.
async function domCells(page, ids) {
  return page.evaluate((ids) => {
    const out = [];
    for (const id of ids) {
      const e = document.getElementById(id);
      const tables = !e ? [] : e.tagName === 'TABLE' ? [e] : Array.from(e.querySelectorAll('table'));
      for (const tb of tables) {
        for (const tr of tb.querySelectorAll('tbody tr')) {
          for (const td of tr.querySelectorAll('td[data-flag]')) {
            out.push({ table: tb.id, member: tr.dataset.member, row: tr.dataset.row || '', col: td.dataset.col || '',
                       shown: (td.querySelector('.v') || td).textContent, value: td.dataset.value || '', flag: td.dataset.flag });
          }
        }
      }
    }
    return out;
  }, ids || MAIN_TABLES);
}

// What each cell must show, computed from the API's JSON with the page's own language:
// published numbers formatted, primary "<threshold", secondary "—", not published "n.p.",
// regional sums "≥n" when incomplete.
async function expectedCells(page, params) {
  return page.evaluate(async (params) => {
    const lang = document.documentElement.lang;
    const nf = new Intl.NumberFormat(lang);
    const get = async (q) => {
      const r = await fetch('/api/release?' + q.toString());
      if (r.status === 404) return null;
      if (!r.ok) throw new Error('api ' + r.status);
      return r.json();
    };
    const base = new URLSearchParams();
    base.set('measure', params.measure);
    for (const m of params.members) base.append('member', m);
    const q = new URLSearchParams(base); q.set('month', params.month);
    const rel = await get(q);
    const cat = params.category;
    const cols = rel.columns.map((c, i) => i).filter((i) => !cat || rel.columns[i] === cat);
    const member = (cell, thr) => {
      switch (cell.flag) {
        case 'FLAG_PUBLISHED': return { shown: nf.format(Number(cell.value)), flag: 'published', value: String(Number(cell.value)) };
        case 'FLAG_PRIMARY': return { shown: '<' + thr, flag: 'primary', value: '' };
        case 'FLAG_SECONDARY': return { shown: '—', flag: 'secondary', value: '' };
        case 'FLAG_NOT_PUBLISHED': return { shown: 'n.p.', flag: 'not_published', value: '' };
      }
      return { shown: '?', flag: 'unknown', value: '' };
    };
    const region = (c) => ({ shown: (c.complete ? '' : '≥') + nf.format(Number(c.value)),
                            flag: c.complete ? 'complete' : 'incomplete', value: String(Number(c.value)) });
    const out = [];
    const push = (table, m, row, col, e) => out.push(Object.assign({ table, member: m, row, col }, e));
    for (const m of rel.members) {
      const r = m.release;
      cols.forEach((i) => push('summary-table', m.country, 'TOTAL', rel.columns[i], member(r.columnTotals[i], Number(r.columnThresholds[i]))));
      push('summary-table', m.country, 'TOTAL', 'TOTAL', member(r.grandTotal, 5));
    }
    cols.forEach((i) => push('summary-table', 'REGION', 'TOTAL', rel.columns[i], region(rel.columnTotals[i])));
    push('summary-table', 'REGION', 'TOTAL', 'TOTAL', region(rel.grandTotal));
    // Trend: the 12 months up to the chosen one.
    const mq = await (await fetch('/api/months?measure=' + params.measure)).json();
    const idx = mq.months.indexOf(params.month);
    for (const month of mq.months.slice(idx, idx + 12).reverse()) {
      const qq = new URLSearchParams(base); qq.set('month', month);
      const tr = await get(qq);
      if (!tr) continue;
      cols.forEach((i) => push('trend-table', 'REGION', month, rel.columns[i], region(tr.columnTotals[tr.columns.indexOf(rel.columns[i])])));
      push('trend-table', 'REGION', month, 'TOTAL', region(tr.grandTotal));
    }
    const dims = [['corridor-table', 'host_country', null], ['children-table', 'age_group', 'child'], ['sex-table', 'sex', null]];
    // Every other dimension the release carries (crisis, programme, post, any later one): all
    // its rows in a table of its own.
    const shown = dims.map((d) => d[1]);
    for (const t of rel.tables.concat(...rel.members.map((m) => m.release.tables))) {
      if (!shown.includes(t.dimension)) {
        shown.push(t.dimension);
        dims.push(['dim-' + t.dimension + '-table', t.dimension, null]);
      }
    }
    const es = lang === 'es';
    for (const [table, dim, only] of dims) {
      for (const m of rel.members) {
        const t = m.release.tables.find((x) => x.dimension === dim);
        if (m.release.withheld || !t || t.withheld) {
          // One cell in place of the member's rows, saying why.
          push(table, m.country, '', '', m.release.withheld ? { shown: es ? 'Mes reservado completo' : 'Whole month withheld', flag: 'withheld', value: '' }
            : t ? { shown: es ? 'Tabla reservada' : 'Table withheld', flag: 'withheld', value: '' }
              : { shown: es ? 'Tabla no enviada por el miembro' : 'Table not sent by the member', flag: 'not_sent', value: '' });
          continue;
        }
        for (const row of t.rows) {
          if (only && row.key !== only) continue;
          const thr = Number(row.threshold);
          // A cell is held to its row's threshold or its column's, whichever is higher.
          cols.forEach((i) => push(table, m.country, row.key, rel.columns[i], member(row.cells[i], Math.max(thr, Number(m.release.columnThresholds[i])))));
          push(table, m.country, row.key, 'TOTAL', member(row.total, thr));
        }
      }
      const rt = rel.tables.find((x) => x.dimension === dim);
      for (const row of (rt && rt.rows) || []) {
        if (only && row.key !== only) continue;
        cols.forEach((i) => push(table, 'REGION', row.key, rel.columns[i], region(row.cells[i])));
        push(table, 'REGION', row.key, 'TOTAL', region(row.total));
      }
    }
    return out;
  }, params);
}

// One CSV line (RFC 4180 quoting) into its fields.
function parseCsvLine(line) {
  const out = [];
  let f = '', q = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (q) {
      if (ch === '"' && line[i + 1] === '"') { f += '"'; i++; } else if (ch === '"') q = false; else f += ch;
    } else if (ch === '"') q = true;
    else if (ch === ',') { out.push(f); f = ''; } else f += ch;
  }
  out.push(f);
  return out;
}

const key = (c) => [c.table, c.member, c.row, c.col].join('|');

// Compares `dom` with `want` by (table, member, row, col): shown text, flag and value.
function sameCells(dom, want, label) {
  ok(dom.length === want.length, `${label}: ${dom.length} cells shown, the API has ${want.length}`);
  const byKey = new Map(dom.map((c) => [key(c), c]));
  let bad = 0;
  for (const w of want) {
    const d = byKey.get(key(w));
    if (!d || d.shown !== w.shown || d.flag !== w.flag || d.value !== w.value) {
      if (bad++ < 5) console.log(`  ${label}: ${key(w)} shows ${JSON.stringify(d)}, API says ${JSON.stringify(w)}`);
    }
  }
  ok(bad === 0, `${label}: ${bad} cells differ from the API's JSON`);
  console.log(`${label}: ${dom.length} cells equal the API's JSON`);
}

// The timeliness and medians panels from the API's JSON, computed independently of the page:
// the share within 24 hours only from three published (member) or complete (region) column
// totals, otherwise "n.c." with no value; a median only when FLAG_PUBLISHED, otherwise "n.p.".
async function expectedPanels(page, params) {
  return page.evaluate(async (params) => {
    const lang = document.documentElement.lang;
    const nf = new Intl.NumberFormat(lang);
    const pf = new Intl.NumberFormat(lang, { style: 'percent', minimumFractionDigits: 1, maximumFractionDigits: 1 });
    const get = async (month, measure) => {
      const q = new URLSearchParams({ month, measure });
      for (const m of params.members) q.append('member', m);
      const r = await fetch('/api/release?' + q.toString());
      if (r.status === 404) return null;
      if (!r.ok) throw new Error('api ' + r.status);
      return r.json();
    };
    const COLS = ['acknowledged_within_24h', 'acknowledged_later', 'not_acknowledged'];
    const nc = { shown: 'n.c.', flag: 'not_computable', value: '' };
    const share = (columns, totals, region) => {
      const cells = COLS.map((c) => totals[columns.indexOf(c)]);
      if (cells.some((c) => !c || (region ? !c.complete : c.flag !== 'FLAG_PUBLISHED'))) return nc;
      const v = cells.map((c) => Number(c.value));
      const n = v[0] + v[1] + v[2];
      if (!n) return nc;
      return { shown: pf.format(v[0] / n), flag: 'share', value: (v[0] / n).toFixed(4) };
    };
    const member = (cell, thr) => {
      switch (cell.flag) {
        case 'FLAG_PUBLISHED': return { shown: nf.format(Number(cell.value)), flag: 'published', value: String(Number(cell.value)) };
        case 'FLAG_PRIMARY': return { shown: '<' + thr, flag: 'primary', value: '' };
        case 'FLAG_SECONDARY': return { shown: '—', flag: 'secondary', value: '' };
        default: return { shown: 'n.p.', flag: 'not_published', value: '' };
      }
    };
    const region = (c) => ({ shown: (c.complete ? '' : '≥') + nf.format(Number(c.value)),
                            flag: c.complete ? 'complete' : 'incomplete', value: String(Number(c.value)) });
    const out = [];
    const push = (table, m, row, col, e) => out.push(Object.assign({ table, member: m, row, col }, e));
    const rel = await get(params.month, 'notifications');
    for (const m of rel.members) {
      const r = m.release;
      COLS.forEach((c) => { const i = r.columns.indexOf(c); push('timeliness-table', m.country, 'TOTAL', c, member(r.columnTotals[i], Number(r.columnThresholds[i]))); });
      push('timeliness-table', m.country, 'TOTAL', 'share_24h', share(r.columns, r.columnTotals, false));
    }
    COLS.forEach((c) => push('timeliness-table', 'REGION', 'TOTAL', c, region(rel.columnTotals[rel.columns.indexOf(c)])));
    push('timeliness-table', 'REGION', 'TOTAL', 'share_24h', share(rel.columns, rel.columnTotals, true));
    const mq = await (await fetch('/api/months?measure=' + params.measure)).json();
    const idx = mq.months.indexOf(params.month);
    for (const month of mq.months.slice(idx, idx + 12).reverse()) {
      const tr = await get(month, 'notifications');
      for (const c of params.shownMembers) {
        const m = tr && tr.members.find((x) => x.country === c);
        push('timeliness-trend-table', 'TREND', month, c, m && !m.release.withheld ? share(m.release.columns, m.release.columnTotals, false) : nc);
      }
      push('timeliness-trend-table', 'TREND', month, 'REGION', tr ? share(tr.columns, tr.columnTotals, true) : nc);
    }
    const closed = await get(params.month, 'cases_closed');
    const median = (c) => (c && c.flag === 'FLAG_PUBLISHED'
      ? { shown: nf.format(Number(c.value)), flag: 'published', value: String(Number(c.value)) }
      : { shown: 'n.p.', flag: 'not_published', value: '' });
    for (const m of closed.members) {
      closed.columns.forEach((c, i) => { if (!params.category || c === params.category) push('medians-table', m.country, 'MEDIAN', c, median(m.release.columnMedians[i])); });
      push('medians-table', m.country, 'MEDIAN', 'TOTAL', median(m.release.median));
    }
    return out;
  }, params);
}

// The crisis board from the API's crisis_accounting JSON, computed independently of the page:
// per member and the region, the share accounted for (every status but UNACCOUNTED and
// INQUIRY_OPEN over all twelve) only from twelve published (member) or complete (region)
// column totals, otherwise "n.c."; the counts by status with their column's threshold.
async function expectedCrisis(page, params) {
  return page.evaluate(async (params) => {
    const lang = document.documentElement.lang;
    const nf = new Intl.NumberFormat(lang);
    const pf = new Intl.NumberFormat(lang, { style: 'percent', minimumFractionDigits: 1, maximumFractionDigits: 1 });
    const q = new URLSearchParams({ month: params.month, measure: 'crisis_accounting' });
    for (const m of params.members) q.append('member', m);
    const res = await fetch('/api/release?' + q.toString());
    if (!res.ok) throw new Error('crisis api ' + res.status);
    const rel = await res.json();
    const S = ['UNACCOUNTED', 'INQUIRY_OPEN', 'CONTACTED_SAFE', 'BELIEVED_SAFE', 'NEEDS_ASSISTANCE', 'INJURED',
      'DETAINED', 'BELIEVED_MISSING', 'BELIEVED_DECEASED', 'DECEASED_CONFIRMED', 'DEPARTED_OR_EVACUATED', 'NOT_IN_AREA']
      .map((x) => 'WELFARE_STATUS_' + x);
    const nc = { shown: 'n.c.', flag: 'not_computable', value: '' };
    const share = (columns, totals, region) => {
      const cells = S.map((c) => totals[columns.indexOf(c)]);
      if (cells.some((c) => !c || (region ? !c.complete : c.flag !== 'FLAG_PUBLISHED'))) return nc;
      const v = cells.map((c) => Number(c.value));
      const all = v.reduce((a, b) => a + b, 0);
      const accounted = all - v[0] - v[1];
      if (!all) return nc;
      return { shown: pf.format(accounted / all), flag: 'share', value: (accounted / all).toFixed(4) };
    };
    const member = (cell, thr) => {
      switch (cell.flag) {
        case 'FLAG_PUBLISHED': return { shown: nf.format(Number(cell.value)), flag: 'published', value: String(Number(cell.value)) };
        case 'FLAG_PRIMARY': return { shown: '<' + thr, flag: 'primary', value: '' };
        case 'FLAG_SECONDARY': return { shown: '—', flag: 'secondary', value: '' };
        default: return { shown: 'n.p.', flag: 'not_published', value: '' };
      }
    };
    const region = (c) => ({ shown: (c.complete ? '' : '≥') + nf.format(Number(c.value)),
                            flag: c.complete ? 'complete' : 'incomplete', value: String(Number(c.value)) });
    const out = [];
    const push = (m, col, e) => out.push(Object.assign({ table: 'crisis-table', member: m, row: 'TOTAL', col }, e));
    for (const m of rel.members) {
      const r = m.release;
      push(m.country, 'share_accounted', share(r.columns, r.columnTotals, false));
      S.forEach((c) => { const i = r.columns.indexOf(c); push(m.country, c, member(r.columnTotals[i], Number(r.columnThresholds[i]))); });
    }
    push('REGION', 'share_accounted', share(rel.columns, rel.columnTotals, true));
    S.forEach((c) => push('REGION', c, region(rel.columnTotals[rel.columns.indexOf(c)])));
    return out;
  }, params);
}

async function compareCrisis(page, params, label) {
  const dom = await domCells(page, ['crisis-table']);
  const want = await expectedCrisis(page, params);
  sameCells(dom, want, label + ' (crisis board)');
  return dom;
}

// The labour recoveries from the API's labour_claims_ended JSON, computed independently of the
// page: per member and currency, the amount in minor units formatted as money in the page's
// language with the currency's own digits; a withheld amount "<5 claims" with no number; a
// currency a member did not recover in "none" (0); per currency a regional sum only over
// published amounts, "≥" when a member withheld it, withheld its month or sent nothing.
async function expectedRecoveries(page, params) {
  return page.evaluate(async (params) => {
    const lang = document.documentElement.lang;
    const q = new URLSearchParams({ month: params.month, measure: 'labour_claims_ended' });
    for (const m of params.members) q.append('member', m);
    const res = await fetch('/api/release?' + q.toString());
    if (!res.ok) throw new Error('labour api ' + res.status);
    const rel = await res.json();
    const money = (minor, cur) => {
      const f = new Intl.NumberFormat(lang, { style: 'currency', currency: cur });
      return f.format(Number(minor) / 10 ** f.resolvedOptions().maximumFractionDigits);
    };
    const currencies = [...new Set(rel.members.flatMap((m) => (m.release.amounts || []).map((a) => a.currency)))].sort();
    const out = [];
    const push = (m, col, e) => out.push(Object.assign({ table: 'recoveries-table', member: m, row: 'TOTAL', col }, e));
    for (const cur of currencies) {
      let sum = 0;
      let complete = (rel.missingMembers || []).length === 0;
      for (const m of rel.members) {
        if (m.release.withheld) { complete = false; continue; }
        const a = (m.release.amounts || []).find((x) => x.currency === cur);
        if (!a) { push(m.country, cur, { shown: lang === 'es' ? 'nada' : 'none', flag: 'none', value: '0' }); continue; }
        if (a.total.flag === 'FLAG_PUBLISHED') {
          sum += Number(a.total.value);
          push(m.country, cur, { shown: money(a.total.value, cur), flag: 'published', value: String(a.total.value) });
        } else {
          complete = false;
          push(m.country, cur, { shown: '<' + a.threshold + (lang === 'es' ? ' reclamaciones' : ' claims'), flag: 'primary', value: '' });
        }
      }
      push('REGION', cur, { shown: (complete ? '' : '≥') + money(sum, cur), flag: complete ? 'complete' : 'incomplete', value: String(sum) });
    }
    return out;
  }, params);
}

async function compareRecoveries(page, params, label) {
  const dom = await domCells(page, ['recoveries-table']);
  const want = await expectedRecoveries(page, params);
  sameCells(dom, want, label + ' (labour recoveries)');
  return dom;
}

async function comparePanels(page, params, label) {
  const dom = await domCells(page, ['timeliness-table', 'timeliness-trend-table', 'medians-table']);
  const want = await expectedPanels(page, params);
  sameCells(dom, want, label + ' (timeliness and medians)');
  return dom;
}

// The map: one path per corridor (a member's host_country row), withheld ones drawn apart.
async function checkMap(page, params, label) {
  const got = await page.evaluate(() => Array.from(document.querySelectorAll('#map path.corridor')).map((p) => ({
    from: p.dataset.from, to: p.dataset.to, flag: p.dataset.flag, withheld: p.classList.contains('withheld'),
    label: p.getAttribute('aria-label'), tab: p.getAttribute('tabindex'), d: p.getAttribute('d') })));
  const want = await page.evaluate(async (params) => {
    const q = new URLSearchParams({ month: params.month, measure: params.measure });
    for (const m of params.members) q.append('member', m);
    const rel = await (await fetch('/api/release?' + q.toString())).json();
    const ci = params.category ? rel.columns.indexOf(params.category) : -1;
    const out = [];
    for (const m of rel.members) {
      for (const row of m.release.tables.find((x) => x.dimension === 'host_country').rows) {
        out.push({ from: m.country, to: row.key, flag: (ci >= 0 ? row.cells[ci] : row.total).flag });
      }
    }
    return out;
  }, params);
  ok(got.length === want.length && got.length > 0, `${label}: ${got.length} corridor paths on the map, the API has ${want.length} corridors`);
  let bad = 0;
  for (const w of want) {
    const g = got.find((x) => x.from === w.from && x.to === w.to);
    const withheld = w.flag !== 'FLAG_PUBLISHED';
    if (!g || g.withheld !== withheld || !/^M[\d.]+,[\d.]+Q/.test(g.d) || g.tab !== '0' || !g.label.includes(w.to + ')')) {
      if (bad++ < 3) console.log(`  ${label}: corridor ${w.from}->${w.to} (${w.flag}) drawn as ${JSON.stringify(g)}`);
    }
  }
  ok(bad === 0, `${label}: ${bad} corridors drawn unlike the API`);
  ok(await page.locator('#map path.land').count() > 100, `${label}: the countries are drawn`);
  return got;
}

async function compareWithApi(page, params, label) {
  const dom = await domCells(page);
  const want = await expectedCells(page, params);
  sameCells(dom, want, label);
  return dom;
}

// The chosen measure's other dimension table `dim` (its numbers are compared with the API's by
// compareWithApi): shown, withheld cells without a number, the regional rows, a caption
// saying `captionPart`, headers with their scope. Returns its caption and row labels.
async function checkExtraDimension(page, dom, dim, label, captionPart) {
  const id = 'dim-' + dim + '-table';
  const cells = dom.filter((c) => c.table === id);
  const withheld = cells.filter((c) => c.flag === 'primary' || c.flag === 'secondary');
  ok(cells.length > 0, `${label}: the ${dim} table is shown (${cells.length} cells)`);
  ok(withheld.length > 0 && withheld.every((c) => c.value === '' && /^(<\d+|—)$/.test(c.shown)),
     `${label}: the ${dim} table shows its withheld cells as withheld, with no number (${withheld.length})`);
  ok(cells.some((c) => c.member === 'REGION'), `${label}: the ${dim} table has the regional sums`);
  const m = await page.evaluate((id) => {
    const tb = document.getElementById(id);
    if (!tb) return { caption: '', scoped: false, keys: [] };
    const cap = tb.querySelector('caption');
    return {
      caption: cap ? cap.textContent : '',
      scoped: Array.from(tb.querySelectorAll('thead th')).every((h) => h.getAttribute('scope') === 'col') &&
        Array.from(tb.querySelectorAll('tbody tr[data-row]')).every((tr) => tr.querySelectorAll('th[scope="row"]').length === 2),
      keys: Array.from(tb.querySelectorAll('tbody tr[data-row] th:nth-child(2)')).map((h) => h.textContent),
    };
  }, id);
  ok(m.caption.includes(captionPart), `${label}: the ${dim} table's caption "${m.caption}" says "${captionPart}"`);
  ok(m.scoped, `${label}: the ${dim} table's column and row headers carry their scope`);
  return m;
}

// A column, measure or note key shown where a label belongs.
const RAW_CODE = /[A-Z]+_[A-Z_]+|_24h|acknowledged|not_acknowledged|persons_assisted|referrals_ended|crisis_accounting|share_accounted|labour_claims_ended|^actions$|cases_opened_by_subtype|case_vulnerabilities|^none$|measure_note|total_vulnerabilities/;

// The same in English, whose prose says "acknowledged": codes by their shape (snake case).
const RAW_CODE_EN = /[A-Z]+_[A-Z_]+|[a-z0-9]+_[a-z0-9_]+|^actions$|^none$/;

// The chosen measure's note above the summary, or null when hidden.
async function measureNote(page) {
  return page.evaluate(() => { const p = document.getElementById('measure-note'); return p.hidden ? null : p.textContent; });
}

// The column headers of table `id`.
async function headers(page, id) {
  return page.evaluate((id) => Array.from(document.querySelectorAll('#' + id + ' thead th')).map((h) => h.textContent), id);
}

async function ready(page, after) {
  await page.waitForFunction((n) => Number(document.body.dataset.ready || 0) > n && !document.body.hasAttribute('aria-busy'), after, { timeout: 20000 });
  return page.evaluate(() => Number(document.body.dataset.ready));
}

async function axe(page, label) {
  // Evaluated through the DevTools protocol: the page's CSP forbids injected script tags.
  await page.evaluate(AXE + '\n;void 0');
  const res = await page.evaluate(() => window.axe.run(document, { resultTypes: ['violations'] }));
  const serious = res.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  for (const v of res.violations) {
    console.log(`  axe ${label}: ${v.impact} ${v.id}: ${v.help} (${v.nodes.length} nodes) ${v.nodes.slice(0, 2).map((n) => n.target.join(' ')).join('; ')}`);
  }
  ok(serious.length === 0, `${label}: axe-core found ${serious.length} serious or critical violations`);
}

async function main() {
  const ctx = await launch('secretariat', process.env.HOME_SECRETARIAT);
  const page = ctx.pages()[0] || await ctx.newPage();
  const foreign = [];
  currentPage = page;
  page.on('console', (m) => {
    if (m.type() === 'error') consoleErrors.push(m.type() + ': ' + m.text());
    else if (m.type() === 'warning') console.log('  console warning (not counted): ' + m.text().split('\n')[0]);
  });
  page.on('pageerror', (e) => consoleErrors.push('pageerror: ' + e.message));
  page.on('requestfailed', (r) => consoleErrors.push('requestfailed: ' + r.url() + ' ' + (r.failure() || {}).errorText));
  page.on('request', (r) => {
    const u = r.url();
    if (!u.startsWith(ORIGIN + '/') && !u.startsWith('blob:') && !u.startsWith('data:')) foreign.push(u);
  });

  // 1. The page loads over mTLS with the browser's own certificate.
  const t0 = Date.now();
  const resp = await page.goto(URL_BASE + '/', { waitUntil: 'load' });
  ok(resp.status() === 200, 'the page loads (status ' + resp.status() + ')');
  ok((resp.headers()['content-security-policy'] || '').includes("default-src 'none'"), 'the page carries its CSP');
  let n = await ready(page, 0);
  console.log(`first render with data in ${Date.now() - t0} ms`);
  ok(await page.evaluate(() => typeof window.uPlot === 'function'), 'uPlot is served by the process');
  ok(await page.locator('#chart canvas').count() > 0, 'the trend chart is drawn');

  const state = await page.evaluate(() => ({ month: window.enlaceDashboard.state.month, known: window.enlaceDashboard.state.known }));
  let dom = await compareWithApi(page, { month: state.month, measure: 'cases_opened', members: [], category: '' }, 'es, all members');
  const flags = new Set(dom.map((c) => c.flag));
  for (const f of ['published', 'primary', 'secondary', 'not_published', 'incomplete']) {
    ok(flags.has(f), `a ${f} cell is shown`);
  }
  ok(dom.some((c) => c.flag === 'primary' && c.shown === '<10' && c.table === 'children-table'), 'a withheld children cell shows <10');
  ok(dom.filter((c) => c.flag === 'primary' || c.flag === 'secondary').every((c) => c.value === '' && !/\d{2,}/.test(c.shown.replace(/^<\d+$/, ''))),
     'withheld cells show no value');
  ok((await page.textContent('#missing')).includes('SV') || (await page.textContent('#missing')).length > 0, 'members that sent nothing are named');
  ok(await page.evaluate(() => document.querySelectorAll('#extra-dims table').length === 0 &&
     document.getElementById('dims-note').textContent.includes('no se publican otras dimensiones')),
     'cases opened (no other dimension in the sample): no extra table, and the page says so');
  // The timeliness and medians panels: computed from published numbers only.
  const all = { month: state.month, measure: 'cases_opened', members: [], shownMembers: state.known, category: '' };
  let panels = await comparePanels(page, all, 'es, all members');
  const nc = panels.filter((c) => c.flag === 'not_computable');
  ok(nc.length > 0 && nc.every((c) => c.shown === 'n.c.' && c.value === ''), `a share not computable shows n.c. and no number (${nc.length})`);
  ok(panels.some((c) => c.table === 'timeliness-table' && c.flag === 'share'), 'a share within 24 hours is shown');
  ok(panels.some((c) => c.table === 'timeliness-table' && (c.flag === 'primary' || c.flag === 'secondary')), 'a withheld notification count is shown as withheld');
  ok(panels.some((c) => c.table === 'medians-table' && c.flag === 'not_published') &&
     panels.some((c) => c.table === 'medians-table' && c.flag === 'published'), 'medians: published and withheld ones');
  ok(await page.evaluate(() => Array.from(document.querySelectorAll('#timeliness-table td[data-flag="not_computable"]')).every((td) => td.title.length > 0)),
     'a not computable share says why');
  await checkMap(page, all, 'es, all members');
  // The crisis board (whatever measure is chosen): equal to the API, MX's withheld deaths as
  // withheld (<10) and its share n.c. saying why; GT's and HN's shares computed.
  const crisis = await compareCrisis(page, all, 'es, all members');
  ok(crisis.some((c) => c.member === 'MX' && c.col === 'WELFARE_STATUS_DECEASED_CONFIRMED' && c.flag === 'primary' && c.shown === '<10' && c.value === ''),
     'the withheld deaths cell shows <10 and no number');
  ok(crisis.some((c) => c.member === 'MX' && c.col === 'share_accounted' && c.flag === 'not_computable' && c.shown === 'n.c.'),
     'the share accounted for is n.c. where a deaths count is withheld');
  ok(crisis.some((c) => c.member === 'REGION' && c.col === 'share_accounted' && c.flag === 'not_computable'), 'the regional share is n.c. (MX withheld)');
  ok(crisis.filter((c) => c.col === 'share_accounted' && c.flag === 'share').length >= 2, 'shares accounted for are shown');
  ok(await page.evaluate(() => {
    const td = document.querySelector('#crisis-table tr[data-member="MX"] td[data-col="share_accounted"]');
    return td && td.title.includes('<10');
  }), 'the n.c. share names the withheld deaths count');
  ok((await page.textContent('#crisis-table caption')).includes('al cierre de'), 'the crisis board says it counts at the end of the month');

  // The labour recoveries (whatever measure is chosen): equal to the API, money by currency,
  // MX's CAD withheld with no number, never a sum across currencies.
  const recov = await compareRecoveries(page, all, 'es, all members');
  ok(recov.some((c) => c.member === 'MX' && c.col === 'CAD' && c.flag === 'primary' && c.shown === '<5 reclamaciones' && c.value === '' && !/\d{2,}/.test(c.shown)),
     'the withheld CAD amount shows "<5 reclamaciones" and no number');
  ok(recov.some((c) => c.col === 'USD' && c.flag === 'published' && /US\$|\$/.test(c.shown) && /,\d\d/.test(c.shown)), 'a USD amount is shown as money with cents');
  ok(recov.some((c) => c.member === 'REGION' && c.col === 'CAD' && c.flag === 'incomplete'), 'the regional CAD is incomplete (MX withheld)');
  ok(recov.every((c) => c.col === 'USD' || c.col === 'CAD'), 'amounts by currency only, no total across currencies');
  ok((await page.textContent('section.recoveries')).includes('asistencia consular') &&
     (await page.textContent('section.recoveries')).includes('en el mes en que se recuperaron'),
     'the panel says the amounts are recovered through consular assistance, counted in the month recovered');
  ok(await page.evaluate(() => Array.from(document.querySelectorAll('#recoveries-table td[data-flag="primary"]')).every((td) => td.title.includes('5'))),
     'a withheld amount says why');

  await page.screenshot({ path: path.join(SHOTS, 'dashboard-es.png'), fullPage: true });
  await page.locator('section.corridors').screenshot({ path: path.join(SHOTS, 'dashboard-map.png') });
  await axe(page, 'es');
  // The crisis board on a wide screen: all twelve statuses without scrolling.
  await page.setViewportSize({ width: 1700, height: 900 });
  await page.waitForTimeout(100);
  await page.locator('section.crisis').screenshot({ path: path.join(SHOTS, 'dashboard-crisis.png') });
  await page.locator('section.recoveries').screenshot({ path: path.join(SHOTS, 'dashboard-recoveries.png') });
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.waitForTimeout(100);

  // 2. Keyboard: the skip link and the filters are reachable with Tab.
  await page.keyboard.press('Tab');
  ok(await page.evaluate(() => document.activeElement.classList.contains('skip')), 'Tab reaches the skip link first');
  const focusable = [];
  for (let i = 0; i < 12; i++) {
    await page.keyboard.press('Tab');
    focusable.push(await page.evaluate(() => document.activeElement.id || document.activeElement.textContent.trim()));
  }
  for (const id of ['f-measure', 'f-month', 'f-category', 'csv']) ok(focusable.includes(id), `Tab reaches #${id}`);

  // The map by keyboard: after the CSV button, Tab reaches a corridor and its number is read out.
  await page.focus('#csv');
  let corridorFocused = false;
  for (let i = 0; i < 6 && !corridorFocused; i++) {
    await page.keyboard.press('Tab');
    corridorFocused = await page.evaluate(() => document.activeElement.classList.contains('corridor'));
  }
  ok(corridorFocused, 'Tab reaches a corridor of the map');
  ok(await page.evaluate(() => document.getElementById('map-info').textContent === document.activeElement.getAttribute('aria-label')),
     'a focused corridor shows its number beside the map');
  await page.evaluate(() => document.activeElement.blur());

  // The new measures: their own columns, labelled (never a code), numbers equal the API's.
  for (const measure of ['notifications', 'referrals_ended', 'persons_assisted', 'crisis_accounting', 'labour_claims_ended', 'actions',
    'cases_opened_by_subtype', 'case_vulnerabilities']) {
    await page.selectOption('#f-measure', measure);
    n = await ready(page, n);
    const m = await page.evaluate(() => window.enlaceDashboard.state.month);
    const shownCells = await compareWithApi(page, { month: m, measure, members: [], category: '' }, measure);
    await checkMap(page, { month: m, measure, members: [], category: '' }, measure);
    const texts = await page.evaluate(() => Array.from(document.querySelectorAll('th, #f-category option, #f-measure option, caption'))
      .map((e) => e.textContent));
    const raw = texts.filter((x) => RAW_CODE.test(x));
    ok(raw.length === 0, `${measure}: no code shown as a label: ${JSON.stringify(raw.slice(0, 3))}`);
    // Only the measures read unlike the others carry a note: subtypes nest in the categories,
    // vulnerabilities count a case once per vulnerability.
    const note = await measureNote(page);
    ok((note !== null) === ['cases_opened_by_subtype', 'case_vulnerabilities'].includes(measure), `${measure}: the measure's note is shown only for subtypes and vulnerabilities (${JSON.stringify(note)})`);
    if (measure === 'cases_opened_by_subtype') {
      const heads = await headers(page, 'summary-table');
      ok(heads.includes('Salarios no pagados') && heads.includes('Laboral: otro o sin subtipo') && heads.includes('Derechos humanos: otro o sin subtipo'),
         'subtypes: the subtypes and each category\'s other column labelled in Spanish ' + JSON.stringify(heads.slice(0, 5)));
      ok(['SUBTYPE_TRAFFICKING', 'SUBTYPE_GENDER_BASED_VIOLENCE', 'CATEGORY_HUMAN_RIGHTS/SUBTYPE_OTHER'].every((col) =>
        shownCells.some((c) => c.table === 'summary-table' && c.member === 'GT' && c.col === col && c.flag === 'not_published' && c.shown === 'n.p.')),
         'subtypes: GT\'s human rights subtypes show n.p. (published nowhere)');
      ok(shownCells.some((c) => c.col === 'SUBTYPE_MINOR_IN_CUSTODY' && c.flag === 'primary' && c.shown === '<10' && c.value === ''),
         'subtypes: a withheld subtype about children shows <10 and no number');
      ok(note && note.includes('otro o sin subtipo') && note.includes('Casos abiertos'), 'subtypes: the note says how subtypes add up to the categories');
      await axe(page, measure);
    }
    if (measure === 'case_vulnerabilities') {
      const heads = await headers(page, 'summary-table');
      ok(heads.includes('Presunta víctima de trata') && heads.includes('Ninguna condición') && heads.includes('Total (todas las condiciones; no son casos)'),
         'vulnerabilities: columns labelled in Spanish, the total says it counts vulnerabilities, not cases ' + JSON.stringify(heads));
      ok(shownCells.some((c) => c.table === 'summary-table' && c.member === 'MX' && c.col === 'VULNERABILITY_PRESUMED_TRAFFICKING_VICTIM' && c.flag === 'primary' && c.shown === '<10' && c.value === '') &&
         shownCells.some((c) => c.table === 'summary-table' && c.member === 'MX' && c.col === 'TOTAL' && c.flag === 'secondary'),
         'vulnerabilities: MX\'s presumed victims of trafficking withheld (<10), so its total too');
      ok(note && note.includes('una vez por cada condición') && note.includes('no se suman'), 'vulnerabilities: the note says a case counts once per vulnerability, not additive: ' + note);
      await axe(page, measure);
    }
    if (measure === 'crisis_accounting') {
      await compareCrisis(page, { month: m, members: [] }, measure);
      // The crisis table of the release: by member and crisis, MX's deaths withheld (<10).
      const dims = await domCells(page, ['extra-dims']);
      const ct = await checkExtraDimension(page, dims, 'crisis', measure, 'por miembro y crisis');
      ok(ct.keys.includes('MX/huracan-2026-09') && ct.keys.includes('GT/incendios-2026'), 'crisis table: the crises by their codes ' + JSON.stringify(ct.keys.slice(0, 4)));
      ok(dims.some((c) => c.table === 'dim-crisis-table' && c.member === 'MX' && c.row === 'MX/huracan-2026-09' &&
         c.col === 'WELFARE_STATUS_DECEASED_CONFIRMED' && c.flag === 'primary' && c.shown === '<10'), 'crisis table: MX\'s withheld deaths show <10');
      ok(dims.some((c) => c.table === 'dim-crisis-table' && c.member === 'REGION' && c.col === 'WELFARE_STATUS_DECEASED_CONFIRMED' && c.flag === 'incomplete'),
         'crisis table: the regional deaths are a lower bound where MX withheld its own');
      await axe(page, measure);
      await page.setViewportSize({ width: 1700, height: 900 });
      await page.waitForTimeout(100);
      await page.locator('section.dims').screenshot({ path: path.join(SHOTS, 'dashboard-dimensions.png') });
      await page.setViewportSize({ width: 1280, height: 900 });
      await page.waitForTimeout(100);
      // The category filter, and the CSV of what is shown holds the crisis table as shown.
      await page.selectOption('#f-category', 'WELFARE_STATUS_DECEASED_CONFIRMED');
      await page.waitForTimeout(200);
      const deathsDom = await compareWithApi(page, { month: m, measure, members: [], category: 'WELFARE_STATUS_DECEASED_CONFIRMED' }, measure + ', deaths confirmed');
      const deaths = deathsDom.filter((c) => c.table === 'dim-crisis-table');
      ok(deaths.length > 0 && deaths.every((c) => c.col === 'WELFARE_STATUS_DECEASED_CONFIRMED' || c.col === 'TOTAL'), 'crisis table: only the chosen column with the category filter');
      const [dl] = await Promise.all([page.waitForEvent('download'), page.click('#csv')]);
      const dlPath = path.join(WORK, 'crisis.csv');
      await dl.saveAs(dlPath);
      const csvDims = fs.readFileSync(dlPath, 'utf8').replace(/^\ufeff/, '').trim().split(/\r\n/).slice(1).map(parseCsvLine)
        .filter((f) => f[0] === 'dim-crisis');
      const inCsv = new Set(csvDims.map((f) => [f[3], f[4], f[5], f[7], f[8], f[9]].join('|')));
      ok(csvDims.length === deaths.length && deaths.every((c) => inCsv.has([c.member, c.row, c.col, c.shown, c.value, c.flag].join('|'))) &&
         csvDims.every((f) => f[1] === m && f[2] === 'crisis_accounting') &&
         csvDims.some((f) => f[5] === 'WELFARE_STATUS_DECEASED_CONFIRMED' && f[6] === 'Fallecimiento confirmado' && f[3] === 'MX' && f[7] === '<10' && f[9] === 'primary'),
         `CSV: the crisis table as shown (${csvDims.length} rows, ${deaths.length} cells shown)`);
      await page.selectOption('#f-category', '');
      await page.waitForTimeout(200);
    }
    if (measure === 'labour_claims_ended') {
      await compareRecoveries(page, { month: m, members: [] }, measure);
      const dims = await domCells(page, ['extra-dims']);
      const pt = await checkExtraDimension(page, dims, 'programme', measure, 'por miembro y programa de trabajo temporal');
      ok(pt.keys.includes('EE. UU.: visas H-2A (agrícola)') && pt.keys.every((k) => !k.includes('PROGRAMME_')),
         'programme table: the programmes by name, never by code ' + JSON.stringify(pt.keys.slice(0, 3)));
      ok(await page.evaluate(() => ['CLAIM_STATUS_RECOVERED', 'CLAIM_STATUS_PARTIAL', 'CLAIM_STATUS_DISMISSED', 'CLAIM_STATUS_WITHDRAWN']
        .every((c) => Array.from(document.querySelectorAll('#f-category option')).some((o) => o.value === c && o.textContent && !o.textContent.includes('_')))),
         'labour_claims_ended: its four columns are offered, labelled');
      await axe(page, measure);
    }
  }
  await page.selectOption('#f-measure', 'cases_opened');
  n = await ready(page, n);

  // 3. Filters: one member, an earlier month, one category, the other measure.
  for (const c of state.known) {
    if (c !== 'MX') {
      await page.uncheck('#m-' + c);
      n = await ready(page, n);
    }
  }
  dom = await compareWithApi(page, { month: state.month, measure: 'cases_opened', members: ['MX'], category: '' }, 'member MX');
  ok(dom.every((c) => c.member === 'MX' || c.member === 'REGION'), 'only MX rows with the member filter');
  ok(dom.some((c) => c.member === 'REGION' && c.flag === 'complete'), 'a complete regional sum is shown (one member, all published)');
  const months = await page.evaluate(() => window.enlaceDashboard.state.months);
  await page.selectOption('#f-month', months[2]);
  n = await ready(page, n);
  await compareWithApi(page, { month: months[2], measure: 'cases_opened', members: ['MX'], category: '' }, 'member MX, ' + months[2]);
  await page.check('#m-GT');
  n = await ready(page, n);
  await page.selectOption('#f-measure', 'cases_closed');
  n = await ready(page, n);
  await page.selectOption('#f-category', 'CATEGORY_LABOUR');
  await page.waitForTimeout(200);
  dom = await compareWithApi(page, { month: months[2], measure: 'cases_closed', members: ['GT', 'MX'], category: 'CATEGORY_LABOUR' },
    'MX+GT, cases closed, labour');
  ok(dom.every((c) => c.col === 'CATEGORY_LABOUR' || c.col === 'TOTAL'), 'only the labour column with the category filter');
  const filtered = { month: months[2], measure: 'cases_closed', members: ['GT', 'MX'], shownMembers: ['GT', 'MX'], category: 'CATEGORY_LABOUR' };
  panels = await comparePanels(page, filtered, 'MX+GT, cases closed, labour');
  const crisisShown = await compareCrisis(page, filtered, 'MX+GT, cases closed, labour');
  const corr = await checkMap(page, filtered, 'MX+GT, cases closed, labour');
  const recovShown = await compareRecoveries(page, filtered, 'MX+GT, cases closed, labour');
  ok(recovShown.some((c) => c.member === 'REGION' && c.col === 'USD' && c.flag === 'complete') &&
     recovShown.some((c) => c.member === 'REGION' && c.col === 'CAD' && c.flag === 'incomplete'),
     'MX+GT: the regional USD complete (both published), the CAD incomplete (MX withheld)');
  ok(corr.some((c) => c.withheld) && corr.some((c) => !c.withheld), 'the map draws withheld corridors apart from published ones');

  // 4. CSV of what is shown.
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#csv')]);
  const csvPath = path.join(WORK, 'shown.csv');
  await download.saveAs(csvPath);
  const lines = fs.readFileSync(csvPath, 'utf8').replace(/^\ufeff/, '').trim().split(/\r\n/);
  ok(lines[0] === 'section,month,measure,member,row,category,label,shown,value,flag', 'CSV header: ' + lines[0]);
  const shownAll = dom.length + panels.length + crisisShown.length + recovShown.length;
  ok(lines.length - 1 === shownAll, `CSV has ${lines.length - 1} rows, the page shows ${shownAll} cells`);
  // The label (7th field) is the column's name, never its code.
  const labelled = lines.slice(1).map(parseCsvLine);
  ok(labelled.every((f) => f[6] && (f[5] === '' || f[6] !== f[5])), 'every CSV row labels its column');
  ok(labelled.some((f) => f[5] === 'CATEGORY_LABOUR' && f[6] === 'Laboral'), 'CSV: CATEGORY_LABOUR labelled Laboral');
  ok(labelled.filter((f) => f[0].startsWith('timeliness')).every((f) => f[2] === 'notifications') &&
     labelled.some((f) => f[0] === 'timeliness' && f[9] === 'share'), 'CSV: timeliness rows of the notifications measure');
  ok(labelled.filter((f) => f[0] === 'crisis').length === crisisShown.length && labelled.filter((f) => f[0] === 'crisis').every((f) => f[2] === 'crisis_accounting') &&
     labelled.some((f) => f[0] === 'crisis' && f[5] === 'WELFARE_STATUS_DECEASED_CONFIRMED' && f[6] === 'Fallecimiento confirmado' && f[3] === 'MX' && f[7] === '<10' && f[9] === 'primary'),
     'CSV: the crisis board with its codes, labels and the withheld deaths');
  ok(labelled.filter((f) => f[0] === 'recoveries').length === recovShown.length && labelled.filter((f) => f[0] === 'recoveries').every((f) => f[2] === 'labour_claims_ended') &&
     labelled.some((f) => f[0] === 'recoveries' && f[5] === 'CAD' && f[6].includes('(CAD)') && f[3] === 'MX' && f[7] === '<5 reclamaciones' && f[8] === '' && f[9] === 'primary') &&
     labelled.some((f) => f[0] === 'recoveries' && f[5] === 'USD' && f[3] === 'GT' && /^\d+$/.test(f[8]) && f[9] === 'published'),
     'CSV: the recoveries with currency codes, names, minor units and the withheld CAD');
  const csvRows = new Set(labelled.map((f) => f.slice(0, 6).concat(f.slice(7)).join(',')));
  const sectionOf = (t) => t.replace('-table', '');
  let csvBad = 0;
  const m2 = months[2];
  for (const c of dom) {
    const month = c.table === 'trend-table' ? c.row : m2;
    const row = c.table === 'trend-table' ? 'TOTAL' : c.row;
    const line = [sectionOf(c.table), month, 'cases_closed', c.member, row, c.col, c.shown, c.value, c.flag].join(',');
    if (!csvRows.has(line)) { if (csvBad++ < 3) console.log('  not in the CSV: ' + line); }
  }
  ok(csvBad === 0, `${csvBad} shown cells missing from the CSV`);
  ok(download.suggestedFilename() === `enlace-cases_closed-${m2}.csv`, 'CSV file name ' + download.suggestedFilename());
  await page.screenshot({ path: path.join(SHOTS, 'dashboard-filtered.png'), fullPage: true });

  // A column the next measure lacks no longer filters: notifications show their own columns.
  await page.selectOption('#f-measure', 'notifications');
  n = await ready(page, n);
  ok(await page.evaluate(() => window.enlaceDashboard.state.category === '' && document.getElementById('f-category').value === ''),
     'the labour filter is dropped for notifications');
  await compareWithApi(page, { month: await page.evaluate(() => window.enlaceDashboard.state.month), measure: 'notifications', members: ['GT', 'MX'], category: '' },
    'MX+GT, notifications after labour');
  // The other dimension tables follow the filters too: MX+GT, the earlier month, one column.
  await page.selectOption('#f-measure', 'labour_claims_ended');
  n = await ready(page, n);
  await page.selectOption('#f-category', 'CLAIM_STATUS_DISMISSED');
  await page.waitForTimeout(200);
  const labourMonth = await page.evaluate(() => window.enlaceDashboard.state.month);
  ok(labourMonth === m2, `the month ${m2} stays chosen with another measure (${labourMonth})`);
  const labourDom = await compareWithApi(page, { month: labourMonth, measure: 'labour_claims_ended', members: ['GT', 'MX'], category: 'CLAIM_STATUS_DISMISSED' },
    'MX+GT, labour claims, dismissed');
  await checkExtraDimension(page, labourDom, 'programme', 'MX+GT, labour claims, dismissed', 'por miembro y programa de trabajo temporal');
  const prog = labourDom.filter((c) => c.table === 'dim-programme-table');
  ok(prog.every((c) => ['GT', 'MX', 'REGION'].includes(c.member) && (c.col === 'CLAIM_STATUS_DISMISSED' || c.col === 'TOTAL')),
     'programme table: only MX, GT and the region, only the dismissed column');
  await page.selectOption('#f-measure', 'cases_closed');
  n = await ready(page, n);

  // 5. English.
  await page.selectOption('#f-category', '');
  await page.click('button[data-lang="en"]');
  await page.waitForFunction(() => document.documentElement.lang === 'en');
  ok((await page.textContent('h1')) === 'Consular protection in the region', 'the heading is in English');
  ok((await page.getAttribute('button[data-lang="en"]', 'aria-pressed')) === 'true', 'the language switch says English is on');
  await compareWithApi(page, { month: m2, measure: 'cases_closed', members: ['GT', 'MX'], category: '' }, 'en');
  for (const c of state.known) if (!(await page.isChecked('#m-' + c))) { await page.check('#m-' + c); n = await ready(page, n); }
  await page.selectOption('#f-measure', 'cases_opened');
  n = await ready(page, n);
  await page.screenshot({ path: path.join(SHOTS, 'dashboard-en.png'), fullPage: true });
  const recovEn = await compareRecoveries(page, { month: await page.evaluate(() => window.enlaceDashboard.state.month), members: [] }, 'en');
  ok(recovEn.some((c) => c.member === 'MX' && c.col === 'CAD' && c.shown === '<5 claims'), 'en: the withheld CAD amount shows "<5 claims"');
  await axe(page, 'en');
  await page.selectOption('#f-measure', 'crisis_accounting');
  n = await ready(page, n);
  const crisisEn = await compareWithApi(page, { month: await page.evaluate(() => window.enlaceDashboard.state.month), measure: 'crisis_accounting', members: [], category: '' },
    'en, crisis_accounting');
  await checkExtraDimension(page, crisisEn, 'crisis', 'en, crisis_accounting', 'by member and crisis');
  ok((await page.textContent('#dims-h')) === 'Other dimensions of the measure', 'en: the other dimensions\' heading');
  await axe(page, 'en, crisis_accounting');
  // The subtypes and vulnerabilities in English: numbers equal the API's, columns and notes in
  // English, never a code.
  for (const measure of ['cases_opened_by_subtype', 'case_vulnerabilities']) {
    await page.selectOption('#f-measure', measure);
    n = await ready(page, n);
    await compareWithApi(page, { month: await page.evaluate(() => window.enlaceDashboard.state.month), measure, members: [], category: '' }, 'en, ' + measure);
    const texts = await page.evaluate(() => Array.from(document.querySelectorAll('th, #f-category option, #f-measure option, caption')).map((e) => e.textContent));
    const raw = texts.filter((x) => RAW_CODE_EN.test(x));
    ok(raw.length === 0, `en, ${measure}: no code shown as a label: ${JSON.stringify(raw.slice(0, 3))}`);
    const heads = await headers(page, 'summary-table');
    const note = await measureNote(page);
    if (measure === 'cases_opened_by_subtype') {
      ok(heads.includes('Unpaid wages') && heads.includes('Labour: other or no subtype'), 'en, subtypes: columns labelled in English ' + JSON.stringify(heads.slice(0, 5)));
      ok(note && note.includes('other or no subtype'), 'en, subtypes: the note in English');
    } else {
      ok(heads.includes('Presumed victim of trafficking') && heads.includes('No vulnerability') && heads.includes('Total (all vulnerabilities; not cases)'),
         'en, vulnerabilities: columns and total labelled in English ' + JSON.stringify(heads));
      ok(note && note.includes('counts once for each vulnerability') && note.includes('do not add up'), 'en, vulnerabilities: the note says not additive: ' + note);
    }
  }
  await page.click('button[data-lang="es"]');

  ok(consoleErrors.length === 0, 'no console errors: ' + JSON.stringify(consoleErrors));
  ok(foreign.length === 0, 'no request leaves the dashboard\'s origin: ' + JSON.stringify(foreign));
  await ctx.close();

  // 6. Another role's certificate: 403, and no data.
  const officer = await launch('officer', process.env.HOME_OFFICER);
  const op = officer.pages()[0] || await officer.newPage();
  const r403 = await op.goto(URL_BASE + '/api/months');
  ok(r403.status() === 403, 'an officer certificate gets 403 (got ' + r403.status() + ')');
  ok((await op.textContent('body')).includes('secretariat role'), 'the 403 says why');
  await officer.close();

  // 7. No certificate at all: the TLS handshake fails.
  const none = await launch('none', process.env.HOME_NONE);
  const np = none.pages()[0] || await none.newPage();
  let err = '';
  try { await np.goto(URL_BASE + '/', { timeout: 15000 }); } catch (e) { err = e.message; }
  ok(/ERR_/.test(err), 'without a client certificate the page does not load: ' + err.split('\n')[0]);
  await none.close();

  console.log(`${checks - failures} of ${checks} browser checks passed`);
  process.exit(failures ? 1 : 0);
}

main().catch(async (e) => {
  console.log('FAIL: ' + (e.stack || e));
  console.log('console: ' + JSON.stringify(consoleErrors, null, 1));
  if (currentPage) {
    try { console.log('status line: ' + await currentPage.textContent('#status')); } catch (e2) { /* closed */ }
  }
  process.exit(1);
});
