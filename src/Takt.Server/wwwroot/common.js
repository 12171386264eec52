// Takt dashboard: constants, page state and helpers shared by every tab. Plain JavaScript, no build step, loaded
// first; every piece of text that comes from the ledger or the factory is put on the page with textContent or as an
// attribute value, never as HTML.
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
