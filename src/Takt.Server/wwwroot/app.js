// Takt dashboard. Plain JavaScript, no build step. Every piece of text that comes from the ledger or the factory is
// put on the page with textContent or as an attribute value, never as HTML.
(function () {
  'use strict';

  const SVG = 'http://www.w3.org/2000/svg';
  const STATUS = { f: 'fresh', s: 'stale', m: 'missing', q: 'quarantined', b: 'blocked', w: 'waiting', '-': 'none' };
  const LEGEND_ORDER = ['f', 's', 'm', 'w', 'b', 'q', '-'];
  const LAYER_COLORS = ['#4c78a8', '#59a14f', '#b07aa1', '#f28e2b', '#76b7b2', '#e15759', '#edc948', '#9c755f', '#ff9da7', '#bab0ac'];
  const DAY_MS = 86400000;
  const MAX_PAGE_DAYS = 7320; // the API's longest page of the box matrix (20 years)

  const state = {
    tab: 'graph',
    info: null,
    lineage: null,
    layerColor: new Map(),
    view: null,            // graph viewBox {x, y, w, h}
    graphSize: null,
    selected: null,        // dataset selected in the graph
    matrix: null,
    matrixSelection: null,
    runs: null,
    selectedRun: null,
    overrideTarget: null,
  };

  // ------------------------------------------------------------------ helpers

  function el(tag, props, ...children) {
    const node = document.createElement(tag);
    applyProps(node, props);
    append(node, children);
    return node;
  }

  function svg(tag, attrs, ...children) {
    const node = document.createElementNS(SVG, tag);
    if (attrs) for (const [k, v] of Object.entries(attrs)) if (v !== undefined && v !== null) node.setAttribute(k, String(v));
    append(node, children);
    return node;
  }

  function applyProps(node, props) {
    if (!props) return;
    for (const [k, v] of Object.entries(props)) {
      if (v === undefined || v === null || v === false) continue;
      if (k === 'class') node.className = v;
      else if (k === 'text') node.textContent = String(v);
      else if (k === 'dataset') Object.assign(node.dataset, v);
      else if (k.startsWith('on')) node.addEventListener(k.slice(2), v);
      else node.setAttribute(k, v === true ? '' : String(v));
    }
  }

  function append(node, children) {
    for (const child of children.flat()) {
      if (child === undefined || child === null || child === false) continue;
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
  }

  function clear(node) { while (node.firstChild) node.removeChild(node.firstChild); return node; }
  const $ = (id) => document.getElementById(id);

  async function api(path, options) {
    const response = await fetch(path, Object.assign({ credentials: 'same-origin', headers: { Accept: 'application/json' } }, options || {}));
    let body = null;
    try { body = await response.json(); } catch (e) { body = null; }
    if (!response.ok) {
      const error = new Error((body && body.error) || `${response.status} ${response.statusText}`);
      error.status = response.status;
      error.field = body && body.field;
      throw error;
    }
    return body;
  }

  function pad(n) { return String(n).padStart(2, '0'); }
  function fmtTime(ms) {
    if (ms === null || ms === undefined) return '';
    const d = new Date(ms);
    return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}Z`;
  }
  function fmtDuration(ms) {
    if (ms === null || ms === undefined || isNaN(ms)) return '';
    if (ms < 1000) return `${ms} ms`;
    if (ms < 60000) return `${(ms / 1000).toFixed(1)} s`;
    const m = Math.floor(ms / 60000);
    return `${m} min ${Math.round((ms % 60000) / 1000)} s`;
  }
  function fmtNumber(n) { return n === null || n === undefined ? '' : Number(n).toLocaleString('en-US'); }
  function isoDay(date) { return date.toISOString().slice(0, 10); }
  function parseDay(text) { return new Date(text + 'T00:00:00Z'); }
  function addDays(text, n) { return isoDay(new Date(parseDay(text).getTime() + n * DAY_MS)); }
  function daysBetween(a, b) { return Math.round((parseDay(b) - parseDay(a)) / DAY_MS); }

  function setStatus(text, isError) {
    const line = $('status-line');
    line.textContent = text || '';
    line.classList.toggle('error', !!isError);
  }

  function badge(text, kind) { return el('span', { class: `badge ${kind || text}`, text }); }

  function legend(container) {
    clear(container);
    for (const code of LEGEND_ORDER)
      container.append(el('span', null, el('span', { class: `swatch st-${code === '-' ? 'none' : code}` }), STATUS[code]));
  }

  function layerColor(layer) {
    if (!state.layerColor.has(layer)) state.layerColor.set(layer, LAYER_COLORS[state.layerColor.size % LAYER_COLORS.length]);
    return state.layerColor.get(layer);
  }

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

  // ------------------------------------------------------------------ lineage graph

  async function loadGraph() {
    const lineage = await api('/api/lineage');
    state.lineage = lineage;
    drawGraph(lineage);
  }

  function nodeState(n) {
    if (n.quarantined > 0) return 'q';
    if (n.blocked > 0) return 'b';
    if (n.stale > 0) return 's';
    if (n.waiting > 0) return 'w';
    if (n.fresh > 0) return 'f';
    return 'm';
  }

  function drawGraph(lineage) {
    const graphEl = $('graph');
    clear(graphEl);
    const g = new dagre.graphlib.Graph({ multigraph: true });
    g.setGraph({ rankdir: 'LR', nodesep: 16, ranksep: 56, edgesep: 12, marginx: 20, marginy: 20 });
    g.setDefaultEdgeLabel(() => ({}));
    const height = 46;
    // As wide as the name (bold 12 px) and the owner (10.5 px) need.
    const widthOf = (n) => Math.round(Math.min(280, Math.max(140, n.id.length * 7.8 + 36, n.owner.length * 6.1 + 26)));
    for (const n of lineage.nodes) g.setNode(n.id, { width: widthOf(n), height });
    lineage.edges.forEach((e, i) => {
      const label = e.kind === 'input' && e.mapping !== 'same box' ? e.mapping : '';
      g.setEdge(e.from, e.to, { label, width: label ? label.length * 5.6 : 0, height: label ? 12 : 0, labelpos: 'c' }, `e${i}`);
    });
    dagre.layout(g);

    const defs = svg('defs', null,
      svg('marker', { id: 'arrow', viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, orient: 'auto-start-reverse' },
        svg('path', { d: 'M 0 0 L 10 5 L 0 10 z', fill: '#8893a3' })));
    const root = svg('g', { id: 'graph-root' });
    graphEl.append(defs, root);

    const layers = [...new Set(lineage.nodes.map(n => n.layer))];
    layers.forEach(layerColor);
    const legendEl = clear($('graph-legend'));
    for (const layer of layers) {
      const sw = el('span', { class: 'swatch' });
      sw.style.background = layerColor(layer);
      legendEl.append(el('span', null, sw, layer));
    }

    lineage.edges.forEach((e, i) => {
      const edge = g.edge({ v: e.from, w: e.to, name: `e${i}` });
      if (!edge) return;
      const pts = edge.points;
      let d = `M ${pts[0].x} ${pts[0].y}`;
      if (pts.length === 2) d += ` L ${pts[1].x} ${pts[1].y}`;
      for (let k = 1; k < pts.length - 1; k++) {
        const mid = k === pts.length - 2 ? pts[k + 1] : { x: (pts[k].x + pts[k + 1].x) / 2, y: (pts[k].y + pts[k + 1].y) / 2 };
        d += ` Q ${pts[k].x} ${pts[k].y} ${mid.x} ${mid.y}`;
      }
      const group = svg('g', { class: `edge ${e.kind}`, 'data-from': e.from, 'data-to': e.to },
        svg('path', { d, 'marker-end': 'url(#arrow)' }),
        svg('title', null, `${e.from} → ${e.to} (${e.mapping})`));
      const label = edge.label;
      if (label) group.append(svg('text', { x: edge.x, y: edge.y + 3, 'text-anchor': 'middle' }, label));
      root.append(group);
    });

    for (const n of lineage.nodes) {
      const pos = g.node(n.id);
      const width = pos.width;
      const x = pos.x - width / 2, y = pos.y - height / 2;
      const st = nodeState(n);
      const group = svg('g', { class: 'node', 'data-dataset': n.id, 'data-layer': n.layer, 'data-width': width, transform: `translate(${x},${y})`, tabindex: 0 },
        svg('rect', { class: 'box', width, height, rx: 6, ry: 6 }),
        svg('rect', { class: 'layer-bar', width: 6, height, rx: 3, fill: layerColor(n.layer) }),
        svg('text', { x: 14, y: 18, 'font-weight': 600 }, n.id),
        svg('text', { class: 'owner', x: 14, y: 35 }, n.owner),
        svg('circle', { class: `state st-${st}`, cx: width - 12, cy: 12, r: 6 }),
        svg('title', null, `${n.id} (${n.kind})\n${n.description}\nowner ${n.owner}\n${n.fresh} fresh, ${n.stale} stale, ${n.quarantined} stopped, ${n.blocked} blocked, ${n.waiting} waiting`));
      group.addEventListener('click', (ev) => { ev.stopPropagation(); selectDataset(n.id); });
      group.addEventListener('keydown', (ev) => { if (ev.key === 'Enter') selectDataset(n.id); });
      root.append(group);
    }

    const info = g.graph();
    state.graphSize = { w: Math.max(info.width || 1, 1), h: Math.max(info.height || 1, 1) };
    if (!state.view) fitGraph(0.7); else applyView();
    if (state.selected && lineage.nodes.some(n => n.id === state.selected)) selectDataset(state.selected);
    applyFilter();
  }

  // Shows the whole graph, unless that would shrink its text below minScale: then the sources' end at that scale.
  function fitGraph(minScale) {
    const s = state.graphSize || { w: 100, h: 100 };
    const rect = $('graph').getBoundingClientRect();
    const cw = rect.width || 1000, ch = rect.height || 700;
    let scale = Math.min(cw / s.w, ch / s.h, 1.6);
    if (minScale && scale < minScale) scale = minScale;
    const w = cw / scale, h = ch / scale;
    state.view = { x: Math.min(0, (s.w - w) / 2), y: Math.min(0, (s.h - h) / 2), w, h };
    if (s.h > h) state.view.y = 0;
    applyView();
  }

  function applyView() {
    const v = state.view;
    $('graph').setAttribute('viewBox', `${v.x} ${v.y} ${v.w} ${v.h}`);
  }

  function closure(start, forward) {
    const seen = new Set([start]);
    const queue = [start];
    while (queue.length) {
      const cur = queue.shift();
      for (const e of state.lineage.edges) {
        const next = forward ? (e.from === cur ? e.to : null) : (e.to === cur ? e.from : null);
        if (next && !seen.has(next)) { seen.add(next); queue.push(next); }
      }
    }
    return seen;
  }

  function selectDataset(id) {
    state.selected = id;
    const up = closure(id, false), down = closure(id, true);
    const related = new Set([...up, ...down]);
    for (const node of document.querySelectorAll('#graph .node')) {
      node.classList.toggle('selected', node.dataset.dataset === id);
      node.classList.toggle('dim', !related.has(node.dataset.dataset));
    }
    for (const edge of document.querySelectorAll('#graph .edge')) {
      const lit = (up.has(edge.dataset.from) && up.has(edge.dataset.to)) || (down.has(edge.dataset.from) && down.has(edge.dataset.to));
      edge.classList.toggle('lit', lit);
      edge.classList.toggle('dim', !lit);
    }
    const n = state.lineage.nodes.find(x => x.id === id);
    const details = clear($('graph-details'));
    if (!n) return;
    details.append(
      el('h3', { text: n.id }),
      el('p', { text: n.description || '(no description)' }),
      el('dl', null,
        el('dt', { text: 'owner' }), el('dd', { text: n.owner }),
        el('dt', { text: 'kind' }), el('dd', { text: n.kind }),
        el('dt', { text: 'boxes' }), el('dd', { text: `${n.grain}${n.first ? `, ${n.first} … ${n.last}` : ', none yet'}` }),
        el('dt', { text: 'status' }), el('dd', null,
          `${fmtNumber(n.fresh)} fresh · ${fmtNumber(n.stale)} to build · ${fmtNumber(n.quarantined)} stopped · ${fmtNumber(n.blocked)} blocked · ${fmtNumber(n.waiting)} waiting`),
        n.readyWithinHours !== null && n.readyWithinHours !== undefined ? [el('dt', { text: 'SLA' }), el('dd', { text: `ready within ${n.readyWithinHours} h of the box's end` })] : null,
        el('dt', { text: 'reads' }), el('dd', { text: state.lineage.edges.filter(e => e.to === id).map(e => `${e.from} (${e.mapping})`).join(', ') || '—' }),
        el('dt', { text: 'read by' }), el('dd', { text: [...state.lineage.edges.filter(e => e.from === id).map(e => e.to), ...(n.usedBy || [])].join(', ') || 'nobody' }),
        el('dt', { text: 'checks' }), el('dd', { text: (n.checks || []).join(', ') || '—' })),
      el('button', { text: 'Show its boxes', onclick: () => { state.matrixFocus = id; showTab('matrix'); } }));
  }

  function applyFilter() {
    const q = $('graph-filter').value.trim().toLowerCase();
    for (const node of document.querySelectorAll('#graph .node')) {
      const n = state.lineage && state.lineage.nodes.find(x => x.id === node.dataset.dataset);
      const match = q.length > 0 && n && (n.id.includes(q) || n.owner.toLowerCase().includes(q));
      node.classList.toggle('match', !!match);
    }
  }

  function setupGraphInteraction() {
    const graphEl = $('graph');
    graphEl.addEventListener('wheel', (ev) => {
      ev.preventDefault();
      if (!state.view) return;
      const rect = graphEl.getBoundingClientRect();
      const v = state.view;
      const scale = ev.deltaY > 0 ? 1.15 : 1 / 1.15;
      // keep the proportions of what is shown when the element is wider or taller than the viewBox
      const fx = (ev.clientX - rect.left) / rect.width, fy = (ev.clientY - rect.top) / rect.height;
      const px = v.x + fx * v.w, py = v.y + fy * v.h;
      v.w *= scale; v.h *= scale;
      v.x = px - fx * v.w; v.y = py - fy * v.h;
      applyView();
    }, { passive: false });
    let drag = null;
    graphEl.addEventListener('mousedown', (ev) => {
      drag = { x: ev.clientX, y: ev.clientY, view: Object.assign({}, state.view), moved: false };
      graphEl.classList.add('dragging');
    });
    window.addEventListener('mousemove', (ev) => {
      if (!drag) return;
      const rect = graphEl.getBoundingClientRect();
      const k = Math.max(drag.view.w / rect.width, drag.view.h / rect.height);
      state.view.x = drag.view.x - (ev.clientX - drag.x) * k;
      state.view.y = drag.view.y - (ev.clientY - drag.y) * k;
      drag.moved = true;
      applyView();
    });
    window.addEventListener('mouseup', () => { drag = null; graphEl.classList.remove('dragging'); });
    $('graph-fit').addEventListener('click', () => fitGraph());
    $('graph-filter').addEventListener('input', applyFilter);
  }

  // ------------------------------------------------------------------ box matrix

  async function loadMatrix() {
    if (!state.info) state.info = await api('/api/info');
    const fromInput = $('matrix-from'), toInput = $('matrix-to');
    const asked = state.matrixAsked;
    state.matrixAsked = null;
    if (asked && asked.from && asked.to) {
      fromInput.value = asked.from;
      toInput.value = asked.to;
    } else if (!fromInput.value || !toInput.value) {
      fromInput.value = state.info.range.from;
      toInput.value = state.info.range.to;
    }
    const data = await api(`/api/matrix?from=${encodeURIComponent(fromInput.value)}&to=${encodeURIComponent(toInput.value)}`);
    state.matrix = data;
    drawMatrix(data);
    // The page's address names its range, so that it can be shared or reloaded.
    const hash = `#matrix?from=${data.from}&to=${data.to}`;
    if (state.tab === 'matrix' && location.hash !== hash) history.replaceState(null, '', hash);
  }

  function cellWidth() { return Number($('matrix-zoom').value) || 12; }

  // A canvas is at most this wide; longer pages draw several days in a pixel.
  const MAX_CANVAS = 16000;
  const SEVERITY = { '-': 0, f: 1, m: 2, s: 3, w: 4, b: 5, q: 6 };

  /** The row's boxes: one status character each, with the key of box i. Hourly rows come as runs of boxes, the others one per day. */
  function rowBoxes(row, from) {
    if (row.grain === 'hourly' && row.boxes) {
      const codes = new Array(row.boxes.count);
      let i = 0;
      for (const [, code, n] of row.boxes.runs.matchAll(/([^0-9])([0-9]+)/g)) codes.fill(code, i, i += Number(n));
      return { codes, perDay: 24, key: (b) => `${addDays(from, Math.floor(b / 24))}T${pad(b % 24)}` };
    }
    const key = row.grain === 'monthly' ? (b) => addDays(from, b).slice(0, 7) : row.grain === 'unpartitioned' ? () => 'all' : (b) => addDays(from, b);
    return { codes: row.cells, perDay: 1, key, day: (b) => addDays(from, b) };
  }

  /**
   * Draws the row's boxes on a canvas, one pixel column at a time: a column that covers several boxes shows the worst
   * of them, so a stopped box never disappears in a long page. Returns, per column, the box it names (-1: none).
   */
  function paintRow(canvas, boxes, dayWidth, colors) {
    const width = canvas.width, height = canvas.height;
    const ctx = canvas.getContext('2d');
    ctx.clearRect(0, 0, width, height);
    const perBox = dayWidth / boxes.perDay; // pixels per box
    const gap = perBox >= 8 ? 1 : 0;
    const named = new Int32Array(width).fill(-1);
    const n = boxes.codes.length;
    for (let x = 0; x < width; x++) {
      const first = Math.floor(x / perBox);
      const last = Math.min(n - 1, Math.max(first, Math.ceil((x + 1) / perBox) - 1));
      let worst = -1;
      for (let b = first; b <= last; b++)
        if (boxes.codes[b] !== '-' && (worst < 0 || SEVERITY[boxes.codes[b]] > SEVERITY[boxes.codes[worst]])) worst = b;
      if (gap && worst >= 0 && x === Math.round((worst + 1) * perBox) - 1) continue; // a thin gap between wide boxes
      named[x] = worst;
    }
    for (let x = 0; x < width;) {
      const code = named[x] < 0 ? '-' : boxes.codes[named[x]];
      let end = x + 1;
      while (end < width && (named[end] < 0 ? '-' : boxes.codes[named[end]]) === code) end++;
      if (code !== '-') {
        ctx.fillStyle = colors[code];
        ctx.fillRect(x, 0, end - x, height);
      }
      x = end;
    }
    return named;
  }

  function statusColors() {
    const style = getComputedStyle(document.documentElement);
    const colors = {};
    for (const [code, name] of Object.entries(STATUS)) if (code !== '-') colors[code] = style.getPropertyValue(`--${name}`).trim();
    return colors;
  }

  function countsText(counts) {
    return LEGEND_ORDER.filter(c => c !== '-' && counts[STATUS[c]]).map(c => `${fmtNumber(counts[STATUS[c]])} ${STATUS[c]}`).join(', ') || 'no boxes';
  }

  function drawMatrix(data) {
    const container = clear($('matrix'));
    // Short pages fill the width; long ones scroll at the chosen cell width, up to a canvas's width.
    const room = Math.floor(($('matrix-wrap').clientWidth - 230) / Math.max(1, data.days));
    const w = Math.min(28, Math.max(cellWidth(), room), MAX_CANVAS / Math.max(1, data.days));
    state.cellWidth = w;
    const totalWidth = Math.max(1, Math.floor(data.days * w));

    const head = el('div', { class: 'mrow head' }, el('div', { class: 'mname', text: `${data.rows.length} datasets` }));
    const axis = el('div', { class: 'mcells' });
    axis.style.width = `${totalWidth}px`;
    let lastMonth = '';
    for (let i = 0; i < data.days; i++) {
      const day = addDays(data.from, i);
      const month = day.slice(0, 7);
      if (month !== lastMonth) {
        // Every month when a month is wide enough for its name, otherwise the years.
        const label = w * 28 >= 52 || i === 0 ? month : month.endsWith('-01') ? month.slice(0, 4) : '';
        if (label) {
          const mark = el('div', { class: 'month', text: label });
          mark.style.left = `${Math.floor(i * w)}px`;
          axis.append(mark);
        }
        lastMonth = month;
      }
      if (w >= 8 && new Date(parseDay(day)).getUTCDay() === 1) {
        const tick = el('div', { class: 'tick' });
        tick.style.left = `${i * w}px`;
        axis.append(tick);
      }
    }
    head.append(axis);
    container.append(head);

    const colors = statusColors();
    const tip = el('div', { id: 'matrix-tip', role: 'tooltip', hidden: true });
    container.append(tip);
    for (const row of data.rows) {
      const counts = row.counts || {};
      const line = el('div', { class: 'mrow', dataset: { dataset: row.dataset, counts: JSON.stringify(counts) } });
      const name = el('div', { class: 'mname', title: `${row.dataset} (${row.owner}, ${row.grain}): ${countsText(counts)}`, text: row.dataset });
      const cells = el('div', { class: 'mcells' });
      cells.style.width = `${totalWidth}px`;
      const canvas = el('canvas', { width: totalWidth, height: 14, role: 'img', 'aria-label': `${row.dataset}: ${countsText(counts)}` });
      cells.append(canvas);
      const boxes = rowBoxes(row, data.from);
      const named = paintRow(canvas, boxes, w, colors);
      const boxAt = (ev) => {
        const x = Math.floor(ev.clientX - canvas.getBoundingClientRect().left);
        return x >= 0 && x < named.length ? named[x] : -1;
      };
      canvas.addEventListener('mousemove', (ev) => {
        const b = boxAt(ev);
        if (b < 0) { tip.hidden = true; return; }
        const perPixel = boxes.perDay / w;
        tip.textContent = `${row.dataset}@${boxes.key(b)} · ${STATUS[boxes.codes[b]]}${perPixel > 1 ? ` (the worst of the ${Math.round(perPixel)} boxes in this pixel)` : ''}`;
        tip.hidden = false;
        const at = container.getBoundingClientRect();
        tip.style.left = `${ev.clientX - at.left + 12}px`;
        tip.style.top = `${ev.clientY - at.top + 14}px`;
      });
      canvas.addEventListener('mouseleave', () => { tip.hidden = true; });
      canvas.addEventListener('click', (ev) => {
        const b = boxAt(ev);
        if (b < 0) return;
        const perBox = w / boxes.perDay;
        showBox(row.dataset, boxes.day ? boxes.day(b) : boxes.key(b), cells, Math.floor(b * perBox), Math.max(1, Math.round(perBox)));
      });
      line.append(name, cells);
      container.append(line);
    }
    legend($('matrix-legend'));
    if (state.matrixFocus) {
      const focus = container.querySelector(`.mrow[data-dataset="${CSS.escape(state.matrixFocus)}"]`);
      if (focus) focus.scrollIntoView({ block: 'center' });
      state.matrixFocus = null;
    }
    // A new page shows its newest days first (scrolled to the right end); a refresh keeps the scroll position.
    const key = `${data.from}/${data.to}/${w}`;
    if (state.matrixKey !== key) $('matrix-wrap').scrollLeft = $('matrix-wrap').scrollWidth;
    state.matrixKey = key;
    // For tests and the browser benchmark: the matrix is on screen once this frame is.
    requestAnimationFrame(() => {
      performance.mark('takt-matrix-drawn');
      document.body.dataset.matrixDrawn = key;
    });
  }

  async function showBox(dataset, day, cells, left, width) {
    for (const old of document.querySelectorAll('.matrix .selected-cell')) old.remove();
    if (cells) {
      const mark = el('div', { class: 'selected-cell' });
      mark.style.left = `${left}px`;
      mark.style.width = `${width}px`;
      cells.append(mark);
    }
    const details = clear($('box-details'));
    details.append(el('p', { class: 'muted', text: `loading ${dataset}@${day}…` }));
    let box;
    try {
      box = await api(`/api/boxes/${encodeURIComponent(dataset)}/${encodeURIComponent(day)}`);
    } catch (e) {
      clear(details).append(el('p', { class: 'error', text: e.message }));
      return;
    }
    clear(details);
    details.dataset.box = `${box.dataset}@${box.box}`;
    append(details, [
      el('h3', { text: `${box.dataset}@${box.box}` }),
      el('p', null, badge(box.status)),
      box.held && box.held.length ? el('p', { text: `held back: ${box.held.join('; ')}` }) : null,
      el('dl', null,
        el('dt', { text: 'current' }), el('dd', { class: 'mono', text: box.current || '—' }),
        el('dt', { text: 'head' }), el('dd', { class: 'mono', text: box.head ? `${box.head} (${box.headStatus})` : '—' }))]);
    if (box.status === 'quarantined')
      details.append(el('button', { class: 'danger', text: 'Override…', onclick: () => openOverride(box.dataset, box.box) }));
    if (box.checks && box.checks.length) {
      details.append(el('h3', { text: 'Checks of the head version' }));
      details.append(checksTable(box.checks));
    }
    if (box.versions && box.versions.length) {
      details.append(el('h3', { text: 'Versions' }));
      const table = el('table', { class: 'grid' }, el('tr', null, el('th', { text: 'version' }), el('th', { text: 'status' }), el('th', { class: 'num', text: 'rows' }), el('th', { text: 'made' })));
      for (const v of box.versions)
        table.append(el('tr', null, el('td', { class: 'mono', text: v.id.slice(0, 12) + '…', title: v.id }), el('td', null, badge(v.status)), el('td', { class: 'num', text: fmtNumber(v.rows) }), el('td', { class: 'nowrap', text: fmtTime(v.createdAt) })));
      details.append(table);
    }
    if (box.events && box.events.length) {
      details.append(el('h3', { text: 'Events' }));
      details.append(eventList(box.events));
    }
  }

  function checksTable(checks) {
    const table = el('table', { class: 'grid checks' }, el('tr', null, el('th', { text: 'check' }), el('th', { text: 'result' }), el('th', { class: 'num', text: 'failing' })));
    for (const c of checks) {
      const result = c.passed ? badge('passed', 'ok') : c.severity === 'warn' ? badge('warned', 'stale') : badge('failed', 'failed');
      table.append(el('tr', { dataset: { check: c.name } },
        el('td', null, el('div', { class: 'mono', text: c.name }), c.message ? el('div', { class: 'muted small', text: c.message }) : null),
        el('td', null, result), el('td', { class: 'num', text: fmtNumber(c.failingRows) })));
    }
    return table;
  }

  function setupMatrix() {
    const span = () => {
      const v = $('matrix-span').value;
      return v === 'all' ? null : Number(v);
    };
    $('matrix-show').addEventListener('click', refresh);
    $('matrix-zoom').addEventListener('change', () => state.matrix && drawMatrix(state.matrix));
    $('matrix-span').addEventListener('change', () => {
      const n = span();
      const info = state.info && state.info.range;
      if (n === null && info && info.first) {
        $('matrix-from').value = info.first;
        $('matrix-to').value = info.last;
        const days = daysBetween(info.first, info.last) + 1;
        if (days > MAX_PAGE_DAYS) $('matrix-from').value = addDays(info.last, -(MAX_PAGE_DAYS - 1));
      } else if (n !== null) {
        const to = $('matrix-to').value || (info && info.to);
        $('matrix-from').value = addDays(to, -(n - 1));
      }
      refresh();
    });
    const shift = (direction) => {
      const from = $('matrix-from').value, to = $('matrix-to').value;
      if (!from || !to) return;
      const n = daysBetween(from, to) + 1;
      $('matrix-from').value = addDays(from, direction * n);
      $('matrix-to').value = addDays(to, direction * n);
      refresh();
    };
    $('matrix-earlier').addEventListener('click', () => shift(-1));
    $('matrix-later').addEventListener('click', () => shift(1));
  }

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
})();
