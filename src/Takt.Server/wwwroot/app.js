// Takt dashboard: tabs and start. Loaded last, after common.js, graph.js, matrix.js and pages.js (see index.html).
'use strict';

// ------------------------------------------------------------------ tabs

const loaders = {
  graph: loadGraph,
  matrix: loadMatrix,
  runs: loadRuns,
  checks: loadChecks,
  schedules: loadSchedules,
  metrics: loadMetrics,
  catalog: loadCatalog,
};

function showTab(hash) {
  let [tab, query] = hash.split('?');
  if (tab === 'matrix' && query) {
    const params = new URLSearchParams(query);
    state.matrixAsked = { from: params.get('from'), to: params.get('to') };
  }
  if (!loaders[tab]) tab = 'graph';
  state.tab = tab;
  for (const button of document.querySelectorAll('#tabs button'))
    button.setAttribute('aria-selected', button.dataset.tab === tab ? 'true' : 'false');
  for (const panel of document.querySelectorAll('.panel')) panel.hidden = panel.dataset.panel !== tab;
  if (location.hash.split('?')[0] !== '#' + tab) history.replaceState(null, '', '#' + tab);
  refresh();
}

async function refresh() {
  const tab = state.tab;
  setStatus('loading…');
  try {
    await loaders[tab]();
    setStatus(`updated ${fmtTime(Date.now())}`);
    document.body.dataset.loaded = tab;
  } catch (e) {
    setStatus(e.message, true);
    document.body.dataset.loaded = tab;
  }
}

// ------------------------------------------------------------------ start

async function start() {
  for (const button of document.querySelectorAll('#tabs button')) button.addEventListener('click', () => showTab(button.dataset.tab));
  $('refresh').addEventListener('click', refresh);
  setupGraphInteraction();
  setupMatrix();
  setupOverride();
  legend($('matrix-legend'));
  try {
    state.info = await api('/api/info');
    $('factory-name').textContent = state.info.factory;
    $('env-name').textContent = state.info.env;
    document.title = `Takt · ${state.info.factory}`;
  } catch (e) {
    setStatus(e.message, true);
  }
  showTab((location.hash || '#graph').slice(1));
  window.addEventListener('hashchange', () => showTab((location.hash || '#graph').slice(1)));
  // Keep what is on screen current, unless someone is typing a reason.
  setInterval(() => {
    if (!document.hidden && !$('override-dialog').open && ['graph', 'matrix', 'checks', 'schedules'].includes(state.tab)) refresh();
  }, 30000);
}

start();
