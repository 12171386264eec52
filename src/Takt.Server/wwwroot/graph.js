// Takt dashboard: the lineage graph tab.
'use strict';

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
