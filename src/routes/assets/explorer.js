// The explorer's behaviour, in plain browser JavaScript with nothing to build or fetch from
// elsewhere: it asks the service's own JSON routes and keeps the whole view in the query
// string, so a view can be shared, reloaded and stepped through with Back and Forward.
'use strict';

// Filters the page holds, named as the API names them, so the page's query string reads as
// the API request it makes.
const FILTERS = ['region', 'indicator', 'kind', 'qualifier', 'unit', 'period', 'subject_type',
  'subject', 'source', 'q'];
// The filters offered as choices with counts; the rest are set from search and shown as chips.
const SELECTS = ['region', 'indicator', 'kind', 'qualifier', 'unit', 'period', 'subject_type'];
const DEFAULT_LIMIT = '20';
const CHARTS = ['province', 'indicator', 'series'];
const BOUND_WORDS = {
  exact: '', approx: 'about', more_than: 'more than', at_least: 'at least',
  less_than: 'less than', at_most: 'at most', range: '',
};
const QUALIFIER_WORDS = {
  exact: 'exact 确数', approx: 'about 约', more_than: 'more than 超过', at_least: 'at least 以上',
  less_than: 'less than 不足', at_most: 'at most 以内', range: 'range 区间',
};
const KIND_WORDS = { actual: 'actual 实际', target: 'target 目标', plan: 'plan 计划', capacity: 'capacity 产能' };
const SVG = 'http://www.w3.org/2000/svg';

const $ = (id) => document.getElementById(id);
let state = readState();
let busy = 0;

function setBusy(delta) {
  busy += delta;
  document.documentElement.dataset.busy = String(busy);
}

function readState() {
  const p = new URLSearchParams(location.search);
  const s = { filters: {} };
  for (const f of FILTERS) {
    const v = p.get(f);
    if (v) s.filters[f] = v;
  }
  s.sort = p.get('sort') || '';
  s.limit = p.get('limit') || DEFAULT_LIMIT;
  s.cursor = p.get('cursor') || '';
  s.row = Math.max(1, parseInt(p.get('row') || '1', 10) || 1);
  s.chart = CHARTS.includes(p.get('chart')) ? p.get('chart') : 'province';
  s.series = p.get('series') || '';
  s.open = p.get('open') || '';
  return s;
}

function stateQuery() {
  const p = new URLSearchParams();
  for (const f of FILTERS) if (state.filters[f]) p.set(f, state.filters[f]);
  if (state.sort) p.set('sort', state.sort);
  if (state.limit !== DEFAULT_LIMIT) p.set('limit', state.limit);
  if (state.cursor) { p.set('cursor', state.cursor); p.set('row', String(state.row)); }
  if (state.chart !== 'province') p.set('chart', state.chart);
  if (state.series) p.set('series', state.series);
  if (state.open) p.set('open', state.open);
  return p.toString();
}

// A new history entry for what a person would want Back to undo (a filter, a page); the
// rest (an article opened, a chart switched) replaces the current one.
function saveState(push) {
  const q = stateQuery();
  const url = location.pathname + (q ? '?' + q : '');
  if (push) history.pushState(null, '', url); else history.replaceState(null, '', url);
}

// The API query of the current filters, with `omit` left out and `extra` added.
function filterQuery(omit, extra) {
  const p = new URLSearchParams();
  for (const f of FILTERS) if (f !== omit && state.filters[f]) p.set(f, state.filters[f]);
  for (const [k, v] of Object.entries(extra || {})) p.set(k, v);
  return p;
}

async function api(path) {
  setBusy(1);
  try {
    const r = await fetch(path, { headers: { Accept: 'application/json' } });
    const body = await r.json().catch(() => null);
    if (!r.ok) {
      const e = new Error((body && body.detail) || r.statusText);
      e.status = r.status;
      throw e;
    }
    return body;
  } finally {
    setBusy(-1);
  }
}

function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k === 'text') e.textContent = v; else e.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children) if (c !== null && c !== undefined) e.append(c);
  return e;
}

function plural(n, word) { return `${n} ${word}${n === 1 ? '' : 's'}`; }

function zh(text) { return el('span', { lang: 'zh-CN', text }); }

function showError(message) {
  const e = $('error');
  e.textContent = message || '';
  e.hidden = !message;
}

const numberFormat = new Intl.NumberFormat('en-US', { maximumFractionDigits: 6 });
const unitWords = { percent: '%', percentage_point: 'percentage points', multiple: '×', count: '' };

// The value in the base unit as an English reader writes it, bound word kept:
// `more than 179,910,000 USD`, `3–5`, `about 15 m`.
function baseValue(m) {
  let n = numberFormat.format(m.value);
  if (m.value_max !== null && m.value_max !== undefined) n += '–' + numberFormat.format(m.value_max);
  const unit = m.unit in unitWords ? unitWords[m.unit] : m.unit;
  const word = BOUND_WORDS[m.qualifier] || '';
  return [word, unit === '%' ? n + '%' : (unit ? n + ' ' + unit : n)].filter(Boolean).join(' ');
}

// Names of ids picked from search (a subject, a source), so chips read as names.
const names = {};

function optionLabel(v, field) {
  if (v.label_zh || v.label_en) {
    return [v.label_zh, v.label_en].filter(Boolean).join(' ');
  }
  if (field === 'kind' && KIND_WORDS[v.value]) return KIND_WORDS[v.value];
  if (field === 'qualifier' && QUALIFIER_WORDS[v.value]) return QUALIFIER_WORDS[v.value];
  return v.value;
}

// Counts beside each choice: for each filter, how many facts choosing that value would give,
// that is the facet of the field under every other filter. Fields not set share a request.
let facetSeq = 0;

async function loadFacets() {
  const seq = ++facetSeq;
  const groups = new Map();
  for (const f of SELECTS) {
    const key = state.filters[f] ? f : '';
    if (!groups.has(key)) groups.set(key, []);
    groups.get(key).push(f);
  }
  const requests = [...groups.entries()].map(async ([omit, fields]) => {
    const extra = { limit: '0', facet: fields.join(','), facet_size: '1000' };
    if (fields.includes('region')) extra.facet_level = 'province';
    const body = await api('/v1/metrics?' + filterQuery(omit || null, extra));
    return [body.meta.total, body.meta.facets];
  });
  const answers = await Promise.all(requests);
  if (seq !== facetSeq) return;
  const facets = {};
  const totals = {};
  [...groups.values()].forEach((fields, i) => {
    for (const f of fields) { facets[f] = answers[i][1][f]; totals[f] = answers[i][0]; }
  });
  for (const f of SELECTS) fillSelect(f, facets[f], totals[f]);
}

function fillSelect(field, facet, total) {
  const select = $('f-' + field);
  const current = state.filters[field] || '';
  select.replaceChildren(el('option', { value: '', 'data-count': String(total), text: `All (${total})` }));
  let found = false;
  for (const v of facet.values) {
    found = found || v.value === current;
    select.append(el('option', {
      value: v.value, 'data-count': String(v.count), text: `${optionLabel(v, field)} (${v.count})`,
    }));
  }
  if (current && !found) {
    // A value from search or a shared link that the list of provinces does not hold
    // (a city, a zone): it stays chosen, named as the page knows it.
    const option = el('option', { value: current, text: names[current] || current });
    select.append(option);
    const collection = { region: 'regions', indicator: 'indicators' }[field];
    if (!names[current] && collection) {
      api(`/v1/${collection}/${encodeURIComponent(current)}`).then((r) => {
        names[current] = `${r.data.name_zh} ${r.data.name_en}`;
        option.textContent = names[current];
      }).catch(() => {});
    }
  }
  select.value = current;
}

let pageRows = [];

let tableSeq = 0;

async function loadTable() {
  const seq = ++tableSeq;
  const extra = { limit: state.limit };
  if (state.sort) extra.sort = state.sort;
  if (state.cursor) extra.cursor = state.cursor;
  const query = filterQuery(null, extra);
  const body = await api('/v1/metrics?' + query);
  if (seq !== tableSeq) return;
  pageRows = body.data;
  const csv = new URLSearchParams(query);
  csv.set('format', 'csv');
  $('csv').href = '/v1/metrics?' + csv;
  const tbody = $('metrics').querySelector('tbody');
  tbody.replaceChildren(...body.data.map(rowFor));
  const total = body.meta.total;
  const first = body.data.length ? state.row : 0;
  const last = body.data.length ? state.row + body.data.length - 1 : 0;
  $('summary').textContent = total === 0
    ? 'No facts match these filters.'
    : `${plural(total, 'fact')} · showing ${first}–${last}`;
  $('next').disabled = !body.meta.next_cursor;
  $('next').dataset.cursor = body.meta.next_cursor || '';
  $('first').disabled = !state.cursor;
  for (const m of body.data) {
    names[m.region_id] = m.region_name_zh + ' ' + m.region_name_en;
    names[m.indicator] = m.indicator_name_zh + ' ' + m.indicator_name_en;
    names[m.subject.id] = m.subject.name_zh + ' ' + m.subject.name_en;
  }
}

function rowFor(m) {
  const button = el('button', {
    type: 'button', class: 'quote-link', 'data-metric': m.id, lang: 'zh-CN',
    'aria-label': `${m.original}: read it in its article`, text: m.original,
  });
  button.addEventListener('click', () => openArticle(m.id));
  return el('tr', { 'data-id': m.id },
    el('td', { 'data-label': 'Value', class: 'value' }, button,
      el('span', { class: 'base', text: baseValue(m) })),
    el('td', { 'data-label': 'Indicator' }, zh(m.indicator_name_zh), ' ',
      el('span', { class: 'en', text: m.indicator_name_en })),
    el('td', { 'data-label': 'Subject' }, zh(m.subject.name_zh), ' ',
      el('span', { class: 'en', text: m.subject.name_en })),
    el('td', { 'data-label': 'Region', 'data-region': m.region_id }, zh(m.region_name_zh), ' ',
      el('span', { class: 'en', text: m.region_name_en })),
    el('td', { 'data-label': 'Kind', text: KIND_WORDS[m.kind] || m.kind }),
    el('td', { 'data-label': 'Period', text: m.period || '—' }));
}

function renderChips() {
  const chips = $('chips');
  chips.replaceChildren();
  const words = { subject: 'Subject', source: 'Article', q: 'Text' };
  for (const f of ['subject', 'source', 'q']) {
    const v = state.filters[f];
    if (!v) continue;
    const remove = el('button', { type: 'button', 'aria-label': `Remove the ${words[f].toLowerCase()} filter`, text: '✕' });
    remove.addEventListener('click', () => setFilter(f, ''));
    chips.append(el('span', { class: 'chip', 'data-filter': f },
      `${words[f]}: `, el('span', { lang: 'zh-CN', text: names[v] || v }), remove));
  }
}

// Charts ------------------------------------------------------------------------------------

function svg(tag, attrs, ...children) {
  const e = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
  for (const c of children) if (c !== null && c !== undefined) e.append(c);
  return e;
}

function shortNumber(v) {
  const a = Math.abs(v);
  if (a >= 1e8) return numberFormat.format(+(v / 1e8).toPrecision(4)) + '亿';
  if (a >= 1e4) return numberFormat.format(+(v / 1e4).toPrecision(4)) + '万';
  return numberFormat.format(+v.toPrecision(6));
}

// Shares and multiples are not added up: a sum of percentages means nothing.
const NOT_ADDED = ['percent', 'percentage_point', 'multiple'];

// Each field of the group's key by its names, a name given once when both languages agree.
function groupLabel(g) {
  return Object.keys(g.key).map((field) => {
    const l = g.labels && g.labels[field];
    if (g.key[field] === null) return field === 'region' ? 'above province level 省级以上' : '—';
    if (!l) return String(g.key[field]);
    return l.zh === l.en ? l.zh : `${l.zh} ${l.en}`;
  }).join(' · ');
}

// A breakdown asks for one bar per group; when a group mixes units the API refuses to add
// them up, so the chart groups by unit as well rather than failing.
async function loadBreakdown(seq, by) {
  const base = { by: by === 'province' ? 'region' : 'indicator' };
  if (by === 'province') base.level = 'province';
  let body;
  try {
    body = await api('/v1/metrics/breakdown?' + filterQuery(null, base));
  } catch (e) {
    if (e.status !== 400) throw e;
    const p = filterQuery(null, base);
    p.append('by', 'unit');
    body = await api('/v1/metrics/breakdown?' + p);
  }
  if (seq !== chartSeq) return;
  const groups = body.data;
  const chart = $('chart');
  $('chart-note').textContent = groups.length
    ? `Facts per ${by === 'province' ? 'province' : 'indicator'}: ${plural(groups.length, 'group')} of ${plural(body.meta.total, 'fact')}. ` +
      'Bars count facts; Σ is their sum where a group has one unit, ≥ when some figures are bounds.'
    : 'No facts to chart.';
  const row = 26;
  const labelWidth = 230;
  const width = 760;
  const height = Math.max(row * groups.length + 10, 40);
  const max = Math.max(1, ...groups.map((g) => g.count));
  const plot = width - labelWidth - 190;
  const root = svg('svg', {
    viewBox: `0 0 ${width} ${height}`, role: 'img',
    'aria-label': `Bar chart: facts per ${by}, ${groups.length} bars`,
  });
  groups.forEach((g, i) => {
    const y = i * row + 4;
    const w = Math.max(2, (g.count / max) * plot);
    const label = groupLabel(g);
    const sum = g.sum === null || g.sum === undefined || NOT_ADDED.includes(g.unit) ? '' :
      `  Σ ${g.bounded ? '≥ ' : ''}${shortNumber(g.sum)}${g.unit === 'count' ? '' : ' ' + g.unit}`;
    root.append(svg('g', { class: 'bar', 'data-key': JSON.stringify(g.key) },
      svg('title', {}, `${label}: ${g.count} facts${sum}`),
      svg('text', { x: labelWidth - 8, y: y + 16, 'text-anchor': 'end' }, label.length > 30 ? label.slice(0, 29) + '…' : label),
      svg('rect', { x: labelWidth, y, width: w, height: row - 8, rx: 2 }),
      svg('text', { x: labelWidth + w + 6, y: y + 16 }, `${g.count}${sum}`)));
  });
  chart.replaceChildren(root);
  $('series-choice').hidden = true;
}

function seriesKey(s) { return `${s.indicator}|${s.subject.id}|${s.unit}|${s.region_id}`; }

async function loadSeries(seq) {
  const body = await api('/v1/series?' + filterQuery(null, { limit: '1000' }));
  if (seq !== chartSeq) return;
  const list = body.data;
  const pick = $('series-pick');
  // Longest first, and among those the ones holding both actuals and targets.
  const ranked = [...list].sort((a, b) => score(b) - score(a));
  function score(s) {
    const kinds = new Set(s.points.map((p) => p.kind));
    return s.points.length * 10 + (kinds.has('actual') && kinds.has('target') ? 5 : 0);
  }
  pick.replaceChildren(...ranked.map((s) => el('option', {
    value: seriesKey(s),
    text: `${s.subject.name_zh} · ${s.indicator} (${s.points.length} point${s.points.length === 1 ? '' : 's'})`,
  })));
  $('series-choice').hidden = false;
  const chosen = ranked.find((s) => seriesKey(s) === state.series) || ranked[0];
  if (chosen) pick.value = seriesKey(chosen);
  $('chart-note').textContent = chosen
    ? `${list.length} series; ${plural(body.meta.without_period, 'fact')} without a period left out. ` +
      'Actual figures: solid line, filled dots. Targets: dashed line, hollow squares.'
    : 'No series: none of these facts has a period.';
  drawSeries(chosen);
}

function drawSeries(s) {
  const chart = $('chart');
  if (!s) { chart.replaceChildren(); return; }
  const width = 760, height = 320, left = 90, right = 20, top = 30, bottom = 50;
  const time = (p) => (Date.parse(p.period_start) + Date.parse(p.period_end)) / 2;
  const xs = s.points.map(time);
  const ys = s.points.flatMap((p) => [p.value, p.value_max ?? p.value]);
  let x0 = Math.min(...xs), x1 = Math.max(...xs);
  if (x0 === x1) { x0 -= 2e10; x1 += 2e10; }
  // Room either side, so the first and last points and their labels stay inside.
  const pad = (x1 - x0) * 0.12;
  x0 -= pad; x1 += pad;
  const y1 = Math.max(...ys, 0) * 1.1 || 1;
  const y0 = Math.min(0, ...ys);
  const X = (t) => left + ((t - x0) / (x1 - x0)) * (width - left - right);
  const Y = (v) => top + (1 - (v - y0) / (y1 - y0)) * (height - top - bottom);
  const root = svg('svg', {
    viewBox: `0 0 ${width} ${height}`, role: 'img',
    'aria-label': `Line chart of ${s.indicator} for ${s.subject.name_en}: ${s.points.length} points, actual and target apart`,
  });
  root.append(svg('line', { class: 'axis', x1: left, y1: Y(y0), x2: width - right, y2: Y(y0) }));
  root.append(svg('line', { class: 'axis', x1: left, y1: top, x2: left, y2: Y(y0) }));
  for (const v of [y0, (y0 + y1) / 2, y1]) {
    root.append(svg('text', { x: left - 6, y: Y(v) + 4, 'text-anchor': 'end' }, shortNumber(v)));
  }
  root.append(svg('text', { x: left, y: 16 }, `${s.subject.name_zh} ${s.subject.name_en} · ${s.indicator} (${s.unit})`));
  const actuals = s.points.filter((p) => p.kind === 'actual');
  for (const kind of ['actual', 'target', 'plan', 'capacity']) {
    const pts = s.points.filter((p) => p.kind === kind);
    if (!pts.length) continue;
    const cls = kind === 'actual' ? 'actual' : 'target';
    // A goal's dashed line sets out from the last actual figure before it, so the gap
    // between what was reached and what is aimed at shows.
    const line = pts.map((p) => `${X(time(p))},${Y(p.value)}`);
    const from = kind === 'actual' ? null
      : actuals.filter((a) => time(a) < time(pts[0])).pop();
    if (from) line.unshift(`${X(time(from))},${Y(from.value)}`);
    root.append(svg('polyline', { class: cls, 'data-kind': kind, points: line.join(' ') }));
    for (const p of pts) {
      const x = X(time(p)), y = Y(p.value);
      const bound = { approx: '≈', more_than: '>', at_least: '≥', less_than: '<', at_most: '≤' }[p.qualifier] || '';
      root.append(svg('text', { x, y: y - 10, 'text-anchor': 'middle', class: 'point-label' },
        bound + shortNumber(p.value)));
      const title = svg('title', {}, `${p.period} ${kind}: ${baseValue({ ...p, unit: s.unit })}`);
      const mark = kind === 'actual'
        ? svg('circle', { class: 'pt-actual point', cx: x, cy: y, r: 5, 'data-kind': kind }, title)
        : svg('rect', { class: 'pt-target point', x: x - 5, y: y - 5, width: 10, height: 10, 'data-kind': kind }, title);
      root.append(mark);
      root.append(svg('text', { x, y: height - bottom + 18, 'text-anchor': 'middle' }, p.period));
    }
  }
  const legend = svg('g', { transform: `translate(${width - 250},${height - 14})` },
    svg('line', { class: 'actual', x1: 0, y1: -4, x2: 28, y2: -4 }),
    svg('text', { x: 34, y: 0 }, 'actual 实际'),
    svg('line', { class: 'target', x1: 120, y1: -4, x2: 148, y2: -4 }),
    svg('text', { x: 154, y: 0 }, 'target 目标'));
  root.append(legend);
  chart.replaceChildren(root);
}

let chartSeq = 0;

async function loadChart() {
  const seq = ++chartSeq;
  for (const r of document.querySelectorAll('input[name=chart]')) r.checked = r.value === state.chart;
  if (state.chart === 'series') return loadSeries(seq);
  return loadBreakdown(seq, state.chart);
}

// The article ---------------------------------------------------------------------------

// `quote_start` counts characters (Unicode scalar values); JavaScript strings count UTF-16
// units, so the text is cut as an array of code points.
async function openArticle(metricId) {
  let m = pageRows.find((r) => r.id === metricId);
  try {
    if (!m) m = (await api('/v1/metrics/' + encodeURIComponent(metricId))).data;
    const source = (await api('/v1/sources/' + encodeURIComponent(m.source_id))).data;
    const chars = Array.from(source.text);
    const length = Array.from(m.quote).length;
    let start = m.quote_start;
    if (chars.slice(start, start + length).join('') !== m.quote) {
      const at = source.text.indexOf(m.quote);
      start = at < 0 ? 0 : Array.from(source.text.slice(0, at)).length;
    }
    const mark = el('mark', { id: 'quote', 'data-metric': m.id, text: chars.slice(start, start + length).join('') });
    $('article-text').replaceChildren(chars.slice(0, start).join(''), mark, chars.slice(start + length).join(''));
    $('article-title').textContent = source.title;
    $('article-meta').textContent = [source.publication, source.published, (source.authors || []).join('、')]
      .filter(Boolean).join(' · ');
    $('article-fact').replaceChildren(el('strong', { lang: 'zh-CN', text: m.original }), ' = ', baseValue(m),
      ' · ', zh(m.indicator_name_zh), ' ', el('span', { class: 'en', text: m.indicator_name_en }),
      ' · ', zh(m.subject.name_zh), ` · ${m.kind}${m.period ? ' · ' + m.period : ''}`);
    const dialog = $('article');
    if (!dialog.open) dialog.showModal();
    mark.scrollIntoView({ block: 'center' });
    $('article-close').focus();
    state.open = metricId;
    saveState(false);
  } catch (e) {
    showError(`Could not open the article: ${e.message}`);
  }
}

// Set while Back or Forward closes the article, so closing does not rewrite the address
// just navigated to.
let navigating = false;

function closeArticle() {
  if (navigating) { navigating = false; return; }
  state.open = '';
  saveState(false);
}

// Search -------------------------------------------------------------------------------

let suggestions = [];
let active = -1;
let searchSeq = 0;
let searchTimer = null;
const TYPE_FILTER = {
  region: 'region', indicator: 'indicator', enterprise: 'subject', project: 'subject',
  policy: 'subject', source: 'source',
};
const TYPE_WORDS = {
  region: 'place 地区', enterprise: 'enterprise 企业', project: 'project 项目', policy: 'policy 政策',
  indicator: 'indicator 指标', source: 'article 文章', metric: 'fact 数据',
};

function closeSuggestions() {
  $('suggestions').hidden = true;
  $('search').setAttribute('aria-expanded', 'false');
  $('search').removeAttribute('aria-activedescendant');
  active = -1;
}

function setActive(i) {
  const items = $('suggestions').querySelectorAll('[role=option]');
  if (!items.length) return;
  active = (i + items.length) % items.length;
  items.forEach((li, j) => li.setAttribute('aria-selected', String(j === active)));
  $('search').setAttribute('aria-activedescendant', items[active].id);
  items[active].scrollIntoView({ block: 'nearest' });
}

async function suggest() {
  const q = $('search').value.trim();
  const seq = ++searchSeq;
  if (!q) { closeSuggestions(); return; }
  let body;
  try {
    body = await api('/v1/search?' + new URLSearchParams({ q, limit: '8' }));
  } catch (e) {
    if (seq === searchSeq) { $('search-status').textContent = e.message; closeSuggestions(); }
    return;
  }
  if (seq !== searchSeq) return;
  suggestions = body.data;
  const list = $('suggestions');
  list.replaceChildren(...suggestions.map((hit, i) => {
    const li = el('li', { id: 'suggestion-' + i, role: 'option', 'aria-selected': 'false', 'data-type': hit.type, 'data-id': hit.id },
      el('span', { class: 'type', text: TYPE_WORDS[hit.type] || hit.type }),
      el('span', {}, zh(hit.name_zh), ' ', el('span', { class: 'en', text: hit.name_zh === hit.name_en ? '' : hit.name_en })));
    // mousedown rather than click, so the input's blur does not close the list first.
    li.addEventListener('mousedown', (e) => { e.preventDefault(); pick(i); });
    return li;
  }));
  const any = suggestions.length > 0;
  list.hidden = !any;
  $('search').setAttribute('aria-expanded', String(any));
  active = -1;
  $('search-status').textContent = any
    ? `${body.meta.total} matches; ${suggestions.length} suggestions shown`
    : 'No matches';
}

function pick(i) {
  const hit = suggestions[i];
  closeSuggestions();
  if (!hit) return;
  $('search').value = '';
  names[hit.id] = `${hit.name_zh} ${hit.name_zh === hit.name_en ? '' : hit.name_en}`.trim();
  if (hit.type === 'metric') { openArticle(hit.id); return; }
  setFilter(TYPE_FILTER[hit.type], hit.id);
}

// Loading ------------------------------------------------------------------------------

async function load() {
  showError('');
  $('f-sort').value = state.sort;
  $('f-limit').value = state.limit;
  renderChips();
  setBusy(1);
  try {
    await Promise.all([loadTable(), loadFacets(), loadChart()]);
    renderChips();
  } catch (e) {
    showError(e.message);
  } finally {
    setBusy(-1);
  }
}

// One part of the page again, its failure shown rather than thrown.
async function step(part) {
  setBusy(1);
  try { await part(); } catch (e) { showError(e.message); } finally { setBusy(-1); }
}

function setFilter(field, value) {
  if (value) state.filters[field] = value; else delete state.filters[field];
  state.cursor = '';
  state.row = 1;
  state.series = '';
  saveState(true);
  load();
}

function init() {
  const input = $('search');
  input.addEventListener('input', () => {
    clearTimeout(searchTimer);
    searchTimer = setTimeout(suggest, 150);
  });
  input.addEventListener('keydown', (e) => {
    const open = !$('suggestions').hidden;
    if (e.key === 'ArrowDown') { e.preventDefault(); if (open) setActive(active + 1); else suggest(); }
    else if (e.key === 'ArrowUp') { e.preventDefault(); if (open) setActive(active - 1); }
    else if (e.key === 'Escape') { closeSuggestions(); }
    else if (e.key === 'Enter') {
      e.preventDefault();
      if (open && active >= 0) pick(active);
      else if (input.value.trim()) { closeSuggestions(); setFilter('q', input.value.trim()); input.value = ''; }
    }
  });
  input.addEventListener('blur', () => setTimeout(closeSuggestions, 100));
  $('search-form').addEventListener('submit', (e) => e.preventDefault());
  for (const f of SELECTS) $('f-' + f).addEventListener('change', (e) => setFilter(f, e.target.value));
  $('f-sort').addEventListener('change', (e) => { state.sort = e.target.value; state.cursor = ''; state.row = 1; saveState(true); load(); });
  $('f-limit').addEventListener('change', (e) => { state.limit = e.target.value; state.cursor = ''; state.row = 1; saveState(true); load(); });
  $('clear').addEventListener('click', () => {
    state.filters = {}; state.cursor = ''; state.row = 1; state.series = ''; saveState(true); load();
  });
  $('next').addEventListener('click', async () => {
    const cursor = $('next').dataset.cursor;
    if (!cursor) return;
    state.row += pageRows.length;
    state.cursor = cursor;
    saveState(true);
    await step(loadTable);
    $('table-section').focus();
  });
  $('first').addEventListener('click', async () => {
    state.cursor = ''; state.row = 1; saveState(true);
    await step(loadTable);
  });
  for (const r of document.querySelectorAll('input[name=chart]')) {
    r.addEventListener('change', async () => {
      state.chart = r.value; state.series = ''; saveState(false);
      await step(loadChart);
    });
  }
  $('series-pick').addEventListener('change', async (e) => {
    state.series = e.target.value; saveState(false);
    await step(loadChart);
  });
  $('article-close').addEventListener('click', () => $('article').close());
  $('article').addEventListener('close', closeArticle);
  window.addEventListener('popstate', () => {
    state = readState();
    if ($('article').open) { navigating = true; $('article').close(); }
    load().then(() => { if (state.open) openArticle(state.open); });
  });
  load().then(() => { if (state.open) openArticle(state.open); });
}

document.documentElement.dataset.busy = '0';
init();
