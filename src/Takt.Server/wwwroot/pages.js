// Takt dashboard: runs, checks and quarantines, the scheduler, metrics, waste and the catalog.
'use strict';

// ------------------------------------------------------------------ runs

async function loadRuns() {
  const data = await api('/api/runs?limit=200');
  state.runs = data.runs;
  const table = clear($('runs'));
  table.append(el('tr', null, ...['started', 'command', 'env', 'status', 'duration', 'built', 'reused', 'stopped', 'blocked', 'failed']
    .map((h, i) => el('th', { class: i >= 4 ? 'num' : null, text: h }))));
  for (const run of data.runs) {
    const s = run.summary || {};
    const tr = el('tr', { class: 'clickable', dataset: { run: run.id } },
      el('td', { class: 'nowrap', text: fmtTime(run.startedAt) }), el('td', { text: run.command }), el('td', { text: run.env }),
      el('td', null, ...runStatus(run)), el('td', { class: 'num', text: fmtDuration(run.durationMs) }),
      el('td', { class: 'num', text: fmtNumber(s.Built) }), el('td', { class: 'num', text: fmtNumber(s.Reused) }),
      el('td', { class: 'num', text: fmtNumber(s.Quarantined) }), el('td', { class: 'num', text: fmtNumber(s.Blocked) }),
      el('td', { class: 'num', text: fmtNumber(s.Failed) }));
    tr.addEventListener('click', () => showRun(run.id));
    if (run.id === state.selectedRun) tr.classList.add('selected');
    table.append(tr);
  }
  if (!data.runs.length) table.append(el('tr', null, el('td', { colspan: 10, class: 'muted', text: 'No runs yet: `build` records one.' })));
  if (state.selectedRun) await showRun(state.selectedRun);
}

// A run whose process is gone: "died (last seen 14:03:07Z)".
function runStatus(run) {
  if (run.status !== 'died') return [badge(run.status)];
  const seen = fmtTime(run.lastSeenAt), started = fmtTime(run.startedAt);
  return [badge('died'), ` (last seen ${seen.slice(0, 10) === started.slice(0, 10) ? seen.slice(11) : seen})`];
}

async function showRun(id) {
  state.selectedRun = id;
  for (const tr of document.querySelectorAll('#runs tr[data-run]')) tr.classList.toggle('selected', tr.dataset.run === id);
  const details = clear($('run-details'));
  const data = await api(`/api/runs/${encodeURIComponent(id)}`);
  const run = data.run;
  details.append(el('h3', { text: `run ${run.id}` }),
    el('p', null, `${run.command} in ${run.env}, started ${fmtTime(run.startedAt)}, `, ...runStatus(run), run.finishedAt ? ` after ${fmtDuration(run.durationMs)}` : ''));
  const statusFilter = el('select', { 'aria-label': 'Task status' }, el('option', { value: '', text: 'all tasks' }),
    ...[...new Set(data.tasks.map(t => t.status))].map(s => el('option', { value: s, text: s })));
  details.append(el('div', { class: 'toolbar' }, statusFilter, el('span', { class: 'muted', text: `${data.tasks.length} task(s); click one for its log` })));
  const max = Math.max(1, ...data.tasks.map(t => t.durationMs));
  const table = el('table', { class: 'grid tasks' });
  const render = () => {
    clear(table);
    table.append(el('tr', null, ...['dataset', 'box', 'why', 'status', 'tries', 'rows', 'duration', ''].map((h, i) => el('th', { class: i === 4 || i === 5 || i === 6 ? 'num' : null, text: h }))));
    for (const t of data.tasks.filter(t => !statusFilter.value || t.status === statusFilter.value)) {
      const bar = el('div', { class: 'bar' });
      bar.style.width = `${Math.max(1, Math.round(120 * t.durationMs / max))}px`;
      const tr = el('tr', { class: 'clickable', dataset: { task: String(t.id) } },
        el('td', { class: 'nowrap', text: t.dataset }), el('td', { class: 'nowrap', text: t.box }), el('td', { text: t.reason }), el('td', null, badge(t.status)),
        el('td', { class: 'num', text: t.attempts }), el('td', { class: 'num', text: fmtNumber(t.rows) }),
        el('td', { class: 'num', text: fmtDuration(t.durationMs) }), el('td', null, bar));
      tr.addEventListener('click', () => toggleLog(tr, t));
      table.append(tr);
    }
  };
  statusFilter.addEventListener('change', render);
  render();
  details.append(table);
}

async function toggleLog(tr, task) {
  const next = tr.nextElementSibling;
  if (next && next.classList.contains('log-row')) { next.remove(); return; }
  const data = await api(`/api/tasks/${encodeURIComponent(task.id)}/log`);
  const lines = [...data.lines];
  if (task.error) lines.push(`error: ${task.error}`);
  const pre = el('pre', { class: 'log', text: lines.length ? lines.join('\n') : '(no log lines)' });
  tr.after(el('tr', { class: 'log-row' }, el('td', { colspan: 8 }, pre)));
}

// ------------------------------------------------------------------ checks, quarantines, overrides

async function loadChecks() {
  const [q, andon, overrides] = await Promise.all([
    api('/api/quarantines'),
    api('/api/events?kind=andon&limit=50'),
    api('/api/events?kind=override&limit=50'),
  ]);
  const list = clear($('quarantines'));
  if (!q.quarantines.length) list.append(el('p', { class: 'muted', text: 'No box is stopped: the line runs.' }));
  for (const item of q.quarantines) {
    const card = el('div', { class: 'card', dataset: { dataset: item.dataset, box: item.box } },
      el('h3', { text: `${item.dataset}@${item.box}` }),
      el('div', { class: 'muted', text: `owner ${item.owner} · version ${item.version} · ${fmtNumber(item.rows)} rows · ${fmtTime(item.createdAt)}` }),
      el('ul', null, item.failedChecks.map(c => el('li', null, el('span', { class: 'mono', text: c.name }), ` (${c.severity}): `, c.message,
        c.failingRows ? ` — ${fmtNumber(c.failingRows)} failing row(s)` : ''))),
      el('div', { class: 'actions' }, el('button', { class: 'danger override', text: 'Override…', onclick: () => openOverride(item.dataset, item.box) })));
    list.append(card);
  }
  const events = [...andon.events, ...overrides.events].sort((a, b) => b.id - a.id).slice(0, 60);
  clear($('check-events')).append(...eventItems(events));
  if (!events.length) $('check-events').append(el('li', { class: 'muted', text: 'Nothing yet.' }));

  const select = $('checks-dataset');
  if (!select.options.length) {
    const lineage = state.lineage || await api('/api/lineage');
    state.lineage = lineage;
    for (const n of lineage.nodes) select.append(el('option', { value: n.id, text: n.id }));
    const withChecks = lineage.nodes.find(n => n.checks && n.checks.length);
    if (withChecks) select.value = withChecks.id;
    select.addEventListener('change', loadCheckStats);
  }
  await loadCheckStats();
}

async function loadCheckStats() {
  const dataset = $('checks-dataset').value;
  const target = clear($('check-stats'));
  if (!dataset) return;
  const data = await api(`/api/checks?dataset=${encodeURIComponent(dataset)}`);
  const stats = new Map(data.stats.map(s => [s.check, s]));
  const table = el('table', { class: 'grid' }, el('tr', null, el('th', { text: 'check' }), el('th', { text: 'severity' }), el('th', { class: 'num', text: 'runs' }), el('th', { class: 'num', text: 'failures' })));
  for (const c of data.declared) {
    const s = stats.get(c.name) || { runs: 0, failures: 0 };
    table.append(el('tr', null, el('td', { class: 'mono', text: c.name }), el('td', { text: c.severity }), el('td', { class: 'num', text: fmtNumber(s.runs) }), el('td', { class: 'num', text: fmtNumber(s.failures) })));
  }
  if (!data.declared.length) table.append(el('tr', null, el('td', { colspan: 4, class: 'muted', text: 'No checks declared.' })));
  target.append(table);
}

function eventItems(events) {
  return events.map(e => el('li', { dataset: { kind: e.kind, event: String(e.id) } },
    el('span', { class: 'when', text: fmtTime(e.at) }), badge(e.kind),
    e.dataset ? el('span', { class: 'what', text: e.box ? `${e.dataset}@${e.box}` : e.dataset }) : null,
    el('span', { class: 'message', text: e.message })));
}

function eventList(events) { return el('ul', { class: 'events' }, ...eventItems(events)); }

function openOverride(dataset, box) {
  state.overrideTarget = { dataset, box };
  $('override-target').textContent = `${dataset}@${box}: its quarantined version becomes current and its downstream builds on the next build.`;
  $('override-reason').value = '';
  $('override-error').textContent = '';
  $('override-dialog').showModal();
  $('override-reason').focus();
}

function setupOverride() {
  const dialog = $('override-dialog');
  $('override-cancel').addEventListener('click', () => dialog.close());
  $('override-form').addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const reason = $('override-reason').value.trim();
    if (!reason) { $('override-error').textContent = 'Say why: the reason is recorded in the ledger.'; return; }
    const target = state.overrideTarget;
    try {
      const result = await api('/api/override', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
        body: JSON.stringify({ dataset: target.dataset, box: target.box, reason }),
      });
      dialog.close();
      setStatus(`released ${result.dataset}@${result.box} (version ${result.version})`);
      await refresh();
      if (state.tab === 'matrix') await showBox(result.dataset, result.box);
    } catch (e) {
      $('override-error').textContent = e.message;
    }
  });
}

// ------------------------------------------------------------------ scheduler

async function loadSchedules() {
  const data = await api('/api/schedules');
  const target = clear($('schedules'));
  if (!data.enabled) target.append(el('p', { class: 'muted', text: 'No scheduler: the factory declares no schedules and no SLAs.' }));
  else if (!data.schedules.length) target.append(el('p', { class: 'muted', text: 'No cron schedules or sensors are declared; SLAs are tracked.' }));
  else {
    const table = el('table', { class: 'grid' }, el('tr', null, ...['schedule', 'kind', 'when', 'targets', 'next', 'state', 'last', 'runs', 'skipped'].map(h => el('th', { text: h }))));
    for (const s of data.schedules)
      table.append(el('tr', { dataset: { schedule: s.name } }, el('td', { text: s.name }), el('td', { text: s.kind }), el('td', { text: s.definition }),
        el('td', { text: s.targets.join(', ') }), el('td', { text: s.nextDue ? fmtTime(s.nextDue) : '—' }),
        el('td', { title: s.pending ? `pending: ${s.pending}` : '' }, s.running ? badge('running') : s.pending ? badge('pending', 'waiting') : badge('idle', 'none')),
        el('td', null, s.lastStatus ? badge(s.lastStatus) : '—', s.lastSummary ? ` ${s.lastSummary}` : ''),
        el('td', { text: s.runs }), el('td', { text: s.skipped })));
    target.append(table);
  }
  const slas = clear($('slas'));
  if (!data.slas.length) slas.append(el('p', { class: 'muted', text: 'No dataset declares when its boxes must be ready.' }));
  else slas.append(el('ul', null, data.slas.map(s => el('li', { text: `${s.dataset}: each box ready within ${s.readyWithinHours} h of its end` }))));
  clear($('schedule-events')).append(...eventItems(data.events));
  if (!data.events.length) $('schedule-events').append(el('li', { class: 'muted', text: 'Nothing yet.' }));
}

// ------------------------------------------------------------------ metrics, waste and catalog

/** The answer of the API at path, or null after showing the error in target. */
async function loadInto(path, target) {
  try {
    return await api(path);
  } catch (e) {
    clear(target).append(el('p', { class: 'error', text: e.message }));
    return null;
  }
}

async function loadMetrics() {
  const target = $('metrics');
  const m = await loadInto('/api/metrics', target);
  if (!m) return;
  clear(target);
  const num = (v, digits, unit) => v === null || v === undefined ? '—' : `${Number(v).toFixed(digits)}${unit || ''}`;
  target.append(el('div', { class: 'kpis' },
    kpi(num(m.meanTimeToRecoverMinutes, 1, ' min'), `mean time to recover (${fmtNumber(m.recoveries)} recovered, ${fmtNumber(m.openStops)} open)`),
    kpi(num(m.deploysPerWeek, 2), 'deploys per week'),
    kpi(num(m.meanCycleTimeHours, 2, ' h'), `cycle time (${fmtNumber(m.cycleTimeSamples)} change(s))`)));
  const weeks = Array.isArray(m.weeks) ? m.weeks : [];
  if (weeks.length) {
    const byWeek = new Map();
    for (const w of weeks) {
      const agg = byWeek.get(w.week) || { week: w.week, block: 0, warn: 0, processing: 0, timeliness: 0, recompute: 0, fresh: 0 };
      agg.block += w.dataQualityBlocking || 0; agg.warn += w.dataQualityWarnings || 0;
      agg.processing += w.processingErrors || 0; agg.timeliness += w.timelinessErrors || 0;
      agg.recompute += (w.recomputeMs || 0) / 1000; agg.fresh += (w.newBuildMs || 0) / 1000;
      byWeek.set(w.week, agg);
    }
    const rows = [...byWeek.values()].sort((a, b) => a.week.localeCompare(b.week));
    target.append(barChart('Errors per week', rows, [
      ['block', 'quality (block)', 'var(--quarantined)'], ['warn', 'quality (warn)', 'var(--stale)'],
      ['processing', 'processing', 'var(--blocked)'], ['timeliness', 'timeliness', 'var(--waiting)']]));
    target.append(barChart('Build time per week (s)', rows, [['fresh', 'new boxes', 'var(--fresh)'], ['recompute', 'recompute', 'var(--stale)']]));
    const table = el('table', { class: 'grid' }, el('tr', null, ...['week', 'owner', 'quality (block)', 'quality (warn)', 'processing', 'timeliness', 'recompute s', 'new s', 'deploys'].map(h => el('th', { text: h }))));
    for (const w of weeks)
      table.append(el('tr', null, el('td', { text: w.week }), el('td', { text: w.owner }), el('td', { text: w.dataQualityBlocking }), el('td', { text: w.dataQualityWarnings }),
        el('td', { text: w.processingErrors }), el('td', { text: w.timelinessErrors }), el('td', { text: ((w.recomputeMs || 0) / 1000).toFixed(1) }),
        el('td', { text: ((w.newBuildMs || 0) / 1000).toFixed(1) }), el('td', { text: w.deploys })));
    target.append(el('h2', { text: 'Per week and owner' }), table);
  }
  if (Array.isArray(m.data)) {
    const table = el('table', { class: 'grid' }, el('tr', null, ...['layer', 'datasets', 'versions', 'rows (current)', 'MiB'].map(h => el('th', { text: h }))));
    for (const l of m.data)
      table.append(el('tr', null, el('td', { text: l.layer }), el('td', { text: l.datasets }), el('td', { text: fmtNumber(l.versions) }), el('td', { text: fmtNumber(l.rows) }), el('td', { text: (l.bytes / 1048576).toFixed(1) })));
    target.append(el('h2', { text: 'Data inventory' }), table);
  }
  if (m.code) target.append(el('h2', { text: 'Code inventory' }),
    el('p', { text: `${m.code.sources} sources, ${m.code.sqlTransforms} SQL transforms (${m.code.sqlLines} lines of SQL), ${m.code.cSharpTransforms} C# transforms` }));
  const waste = await loadInto('/api/waste', target);
  if (!waste) return;
  const wasteTable = el('table', { class: 'grid', id: 'waste' }, el('tr', null, ...['kind', 'dataset', 'owner', 'what', 'MiB held'].map(h => el('th', { text: h }))));
  for (const w of waste.items)
    wasteTable.append(el('tr', { dataset: { dataset: w.dataset, kind: w.kind } }, el('td', { text: w.kind }), el('td', { class: 'mono', text: w.dataset }),
      el('td', { text: w.owner }), el('td', { text: w.what }), el('td', { text: (w.bytesHeld / 1048576).toFixed(2) })));
  target.append(el('h2', { text: `Waste (last ${waste.days} days)` }),
    waste.items.length ? wasteTable : el('p', { class: 'muted', text: 'Nothing: every dataset is read, every output changes, every check has failed at least once.' }));
}

function kpi(value, label) { return el('div', { class: 'kpi' }, el('div', { class: 'value', text: value }), el('div', { class: 'label', text: label })); }

function barChart(title, rows, series) {
  const width = Math.max(420, rows.length * 46 + 60), height = 180, left = 40, bottom = 28, top = 10;
  const max = Math.max(1, ...rows.map(r => series.reduce((sum, [k]) => sum + r[k], 0)));
  const chart = svg('svg', { width, height, viewBox: `0 0 ${width} ${height}`, role: 'img', 'aria-label': title });
  const plotH = height - bottom - top;
  chart.append(svg('line', { x1: left, y1: top + plotH, x2: width, y2: top + plotH, stroke: '#c7ccd4' }));
  chart.append(svg('text', { x: 4, y: top + 8 }, max.toFixed(max < 10 ? 1 : 0)), svg('text', { x: 4, y: top + plotH }, '0'));
  rows.forEach((r, i) => {
    let y = top + plotH;
    const x = left + 8 + i * 46;
    for (const [key, label, color] of series) {
      const h = plotH * r[key] / max;
      if (h > 0) {
        y -= h;
        const rect = svg('rect', { x, y, width: 30, height: h, fill: color }, svg('title', null, `${r.week} ${label}: ${Number(r[key]).toFixed(key === 'fresh' || key === 'recompute' ? 1 : 0)}`));
        rect.style.fill = color;
        chart.append(rect);
      }
    }
    chart.append(svg('text', { x: x + 15, y: height - 10, 'text-anchor': 'middle' }, r.week));
  });
  const legendEl = el('span', { class: 'legend' });
  for (const [, label, color] of series) {
    const sw = el('span', { class: 'swatch' });
    sw.style.background = color;
    legendEl.append(el('span', null, sw, label));
  }
  return el('div', { class: 'chart' }, el('h3', null, title, legendEl), chart);
}

async function loadCatalog() {
  const target = $('catalog');
  const c = await loadInto('/api/catalog', target);
  if (!c) return;
  clear(target);
  const entries = Array.isArray(c.datasets) ? c.datasets : [];
  const search = el('input', { type: 'search', placeholder: 'Find a dataset, column or owner', 'aria-label': 'Find in the catalog' });
  const list = el('div');
  const render = () => {
    const q = search.value.trim().toLowerCase();
    clear(list);
    for (const d of entries) {
      const hay = JSON.stringify(d).toLowerCase();
      if (q && !hay.includes(q)) continue;
      const columns = el('table', { class: 'grid' }, el('tr', null, ...['column', 'type', 'nullable', 'semantic type', 'description'].map(h => el('th', { text: h }))));
      for (const col of d.columns || [])
        columns.append(el('tr', null, el('td', { class: 'mono', text: col.name }), el('td', { text: col.type }), el('td', { text: col.nullable ? 'yes' : 'no' }),
          el('td', { text: col.semantic || '' }), el('td', { text: col.description || '' })));
      list.append(el('div', { class: 'catalog-entry', dataset: { dataset: d.dataset } },
        el('h3', { text: d.dataset }),
        el('p', { text: d.description || '' }),
        el('dl', null,
          el('dt', { text: 'owner' }), el('dd', { text: d.owner }),
          el('dt', { text: 'kind' }), el('dd', { text: `${d.kind || ''}, ${d.partitioning || ''}` }),
          el('dt', { text: 'upstream' }), el('dd', { text: (d.upstream || []).join(', ') || '—' }),
          el('dt', { text: 'downstream' }), el('dd', { text: (d.downstream || []).join(', ') || '—' }),
          el('dt', { text: 'checks' }), el('dd', { text: (d.checks || []).join(', ') || '—' }),
          el('dt', { text: 'latest' }), el('dd', { text: d.latestBox ? `${d.latestBox} (${d.lastCommittedAt || ''})` : '—' })),
        columns));
    }
  };
  search.addEventListener('input', render);
  target.append(el('div', { class: 'toolbar' }, search));
  if (Array.isArray(c.semanticTypes) && c.semanticTypes.length) {
    const table = el('table', { class: 'grid' }, el('tr', null, ...['semantic type', 'meaning', 'truth', 'columns'].map(h => el('th', { text: h }))));
    for (const t of c.semanticTypes)
      table.append(el('tr', null, el('td', { class: 'mono', text: t.name }), el('td', { text: t.description }), el('td', { class: 'mono', text: t.truth || '—' }),
        el('td', { text: (t.columns || []).join(', ') })));
    target.append(el('h2', { text: 'One truth per semantic type' }), table, el('h2', { text: 'Datasets' }));
  }
  target.append(list);
  render();
}
