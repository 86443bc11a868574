// The operator console: polls GET /metrics (Prometheus text) and GET /collections every POLL_MS and draws
// rates and latencies from the differences between two polls. Plain JS and <canvas>; nothing from a CDN.
'use strict';

// the admin key (key.js): /metrics and the collection listing need one while the server has keys
const API_KEY = poiskApiKey();
const AUTH = API_KEY ? { Authorization: 'Bearer ' + API_KEY } : {};
const POLL_MS = 2000;
const KEEP = 90; // points per chart: three minutes at one poll every two seconds
const charts = {
  throughput: { canvas: document.getElementById('chart-throughput'), series: { searches: [] }, colors: ['#20324a'] },
  latency: { canvas: document.getElementById('chart-latency'), series: { mean: [], p99: [] }, colors: ['#2a7ab0', '#c0392b'] },
  queue: { canvas: document.getElementById('chart-queue'), series: { queued: [] }, colors: ['#8e44ad'] },
  http: { canvas: document.getElementById('chart-http'), series: { requests: [] }, colors: ['#16a085'] },
};
let previous = null;

/** Prometheus text format: [{name, labels: {..}, value}] (comments skipped). */
function parseMetrics(text) {
  const samples = [];
  const line = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)/;
  const label = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;
  for (const l of text.split('\n')) {
    if (!l || l.startsWith('#')) continue;
    const m = line.exec(l);
    if (!m) continue;
    const labels = {};
    if (m[2]) for (const lm of m[2].matchAll(label)) labels[lm[1]] = lm[2];
    samples.push({ name: m[1], labels, value: Number(m[3]) });
  }
  return samples;
}

const sum = (samples, name, filter = () => true) =>
  samples.filter(s => s.name === name && filter(s.labels)).reduce((a, s) => a + s.value, 0);

/** Cumulative bucket counts of poisk_search_seconds summed over modes, by upper bound. */
function searchBuckets(samples) {
  const byLe = new Map();
  for (const s of samples) {
    if (s.name !== 'poisk_search_seconds_bucket') continue;
    const le = s.labels.le === '+Inf' ? Infinity : Number(s.labels.le);
    byLe.set(le, (byLe.get(le) || 0) + s.value);
  }
  return [...byLe.entries()].sort((a, b) => a[0] - b[0]);
}

/** The upper bound of the bucket holding the q-quantile of the searches between two polls (what histogram_quantile does, roughly). */
function quantile(q, before, after) {
  const old = new Map(before);
  const deltas = after.map(([le, c]) => [le, c - (old.get(le) || 0)]);
  const total = deltas.length ? deltas[deltas.length - 1][1] : 0;
  if (total <= 0) return null;
  for (const [le, c] of deltas) if (c >= q * total) return Number.isFinite(le) ? le : null;
  return null;
}

function snapshot(samples) {
  return {
    at: performance.now(),
    searches: sum(samples, 'poisk_search_seconds_count'),
    searchSeconds: sum(samples, 'poisk_search_seconds_sum'),
    buckets: searchBuckets(samples),
    queued: sum(samples, 'poisk_embedding_queue_depth'),
    http: sum(samples, 'vertx_http_server_requests_total'),
  };
}

function push(chart, name, value) {
  const s = charts[chart].series[name];
  s.push(value);
  if (s.length > KEEP) s.shift();
}

function record(now) {
  if (previous) {
    const seconds = (now.at - previous.at) / 1000;
    const searches = now.searches - previous.searches;
    push('throughput', 'searches', searches / seconds);
    push('latency', 'mean', searches > 0 ? 1000 * (now.searchSeconds - previous.searchSeconds) / searches : null);
    const p99 = quantile(0.99, previous.buckets, now.buckets);
    push('latency', 'p99', p99 == null ? null : 1000 * p99);
    push('http', 'requests', (now.http - previous.http) / seconds);
  }
  push('queue', 'queued', now.queued);
  previous = now;
}

function draw(chart) {
  const { canvas, series, colors } = chart;
  const g = canvas.getContext('2d');
  const w = canvas.width, h = canvas.height, pad = 28;
  g.clearRect(0, 0, w, h);
  const all = Object.values(series).flat().filter(v => v != null);
  const max = (Math.max(0, ...all) || 1) * 1.1; // an all-zero series still gets a scale
  g.strokeStyle = '#ddd'; g.fillStyle = '#777'; g.font = '10px system-ui';
  g.beginPath(); g.moveTo(pad, 4); g.lineTo(pad, h - pad / 2); g.lineTo(w - 4, h - pad / 2); g.stroke();
  g.fillText(max.toPrecision(3), 2, 12);
  g.fillText('0', 2, h - pad / 2);
  let points = 0;
  Object.values(series).forEach((values, i) => {
    g.strokeStyle = colors[i % colors.length]; g.lineWidth = 1.5; g.beginPath();
    let started = false;
    values.forEach((v, x) => {
      if (v == null) { started = false; return; }
      const px = pad + (w - pad - 6) * x / (KEEP - 1), py = (h - pad / 2) - (h - pad / 2 - 6) * v / max;
      if (started) g.lineTo(px, py); else g.moveTo(px, py);
      started = true;
      points++;
    });
    g.stroke();
  });
  canvas.dataset.points = String(points); // drawn points, for tests and the curious
}

function cell(text, numeric) {
  const td = document.createElement('td');
  td.textContent = text; // never innerHTML: names and errors come from the server
  if (numeric) td.className = 'num';
  return td;
}

function fillTable(id, rows) {
  const body = document.querySelector('#' + id + ' tbody');
  body.replaceChildren(...rows.map(cells => {
    const tr = document.createElement('tr');
    cells.forEach(c => tr.appendChild(cell(c, typeof c === 'number')));
    return tr;
  }));
}

function showCollections(list, samples) {
  const live = name => sum(samples, 'poisk_collection_live_documents', l => l.collection === name);
  fillTable('collections', list.collections.map(c => c.status === 'ready'
    ? [c.name, c.status, c.model, c.documents, c.segments, live(c.name)]
    : [c.name, c.status, '', '', '', '']));
}

function showQueues(samples) {
  const rows = [];
  for (const s of samples) {
    if (s.name === 'poisk_embedding_queue_depth') rows.push(['embedding queue ' + s.labels.model, s.value]);
    if (s.name === 'poisk_embedding_rejected_total') rows.push(['embedding refusals (429) ' + s.labels.model, s.value]);
    if (s.name === 'poisk_rerank_budget_cuts_total') rows.push(['rerank budget cuts ' + s.labels.model, s.value]);
    if (s.name === 'poisk_rejected_requests_total') rows.push(['refused ' + s.labels.reason + ' (' + s.labels.status + ')', s.value]);
  }
  const hits = sum(samples, 'cache_gets_total', l => l.cache === 'poisk_query_embedding' && l.result === 'hit');
  const misses = sum(samples, 'cache_gets_total', l => l.cache === 'poisk_query_embedding' && l.result === 'miss');
  rows.push(['query-embedding cache hits / misses', hits + ' / ' + misses]);
  fillTable('queues', rows);
}

async function poll() {
  const status = document.getElementById('status');
  try {
    const [metrics, collections] = await Promise.all([
      fetch('/metrics', { headers: AUTH }).then(r => {
        if (r.status === 401 || r.status === 403) throw new Error('/metrics needs an admin key: open the console as /ui/console.html?key=<key>');
        if (!r.ok) throw new Error('/metrics answered ' + r.status);
        return r.text();
      }),
      fetch('/collections', { headers: AUTH }).then(r => r.json()),
    ]);
    const samples = parseMetrics(metrics);
    record(snapshot(samples));
    Object.values(charts).forEach(draw);
    showCollections(collections, samples);
    showQueues(samples);
    status.textContent = 'updated ' + new Date().toLocaleTimeString();
  } catch (e) {
    status.textContent = 'error: ' + e.message;
  } finally {
    setTimeout(poll, POLL_MS);
  }
}

poll();
