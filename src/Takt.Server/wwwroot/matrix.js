// Takt dashboard: the box matrix tab (a canvas per dataset, the worst box of each pixel).
'use strict';

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
