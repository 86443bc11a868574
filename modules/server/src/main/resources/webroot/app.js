// Live search over /ws/search: one message per keystroke, newest id wins; candidates are shown
// dimmed, final results replace them. Hits come as the server's snippets (the analyzer's matches in
// <mark>, HTML-escaped), rebuilt here as text nodes and <mark> elements (never innerHTML).
(function () {
  'use strict';
  const queryInput = document.getElementById('query');
  const instructionInput = document.getElementById('instruction');
  const collectionSelect = document.getElementById('collection');
  const results = document.getElementById('results');
  const summary = document.getElementById('summary');
  const status = document.getElementById('status');
  const SNIPPET_CHARS = 400;
  const ENTITIES = { '&lt;': '<', '&gt;': '>', '&amp;': '&', '&quot;': '"', '&#39;': "'" };

  let socket = null;
  let nextId = 1;
  let latestId = 0;
  let sentAt = 0;
  let retryMs = 500;
  const apiKey = poiskApiKey(); // key.js

  function connect() {
    const scheme = location.protocol === 'https:' ? 'wss://' : 'ws://';
    // Browsers cannot set headers on a WebSocket: the key goes as ?key=.
    socket = new WebSocket(scheme + location.host + '/ws/search' + (apiKey ? '?key=' + encodeURIComponent(apiKey) : ''));
    socket.onopen = function () {
      status.textContent = 'connected';
      retryMs = 500;
      if (queryInput.value.trim()) send();
    };
    socket.onclose = function () {
      status.textContent = 'disconnected, retrying…';
      setTimeout(connect, retryMs);
      retryMs = Math.min(retryMs * 2, 10000);
    };
    socket.onmessage = function (event) { onMessage(JSON.parse(event.data)); };
  }

  function loadCollections() {
    const headers = apiKey ? { Authorization: 'Bearer ' + apiKey } : {};
    fetch('/collections', { headers: headers }).then(function (r) {
      if (r.status === 401) throw new Error('this server needs a search key: open the page as /?key=<key>');
      return r.json();
    }).then(function (body) {
      const previous = collectionSelect.value;
      collectionSelect.replaceChildren();
      (body.collections || []).forEach(function (c) {
        const option = document.createElement('option');
        option.value = c.name;
        option.textContent = c.name + ' (' + c.documents + ' docs)';
        collectionSelect.appendChild(option);
      });
      if (previous) collectionSelect.value = previous;
      if (!collectionSelect.value && collectionSelect.options.length) collectionSelect.selectedIndex = 0;
    }).catch(function (e) { showError('cannot list collections: ' + e); });
  }

  function send() {
    const query = queryInput.value.trim();
    if (!query) { results.replaceChildren(); summary.textContent = ''; return; }
    if (!collectionSelect.value) { showError('no collection to search; create one first'); return; }
    if (!socket || socket.readyState !== WebSocket.OPEN) return; // sent again on reconnect
    latestId = nextId++;
    sentAt = performance.now();
    const message = { id: latestId, collection: collectionSelect.value, query: query, k: 10,
      highlight: { max_chars: SNIPPET_CHARS }, return_text: false };
    const instruction = instructionInput.value.trim();
    if (instruction) message.instruction = instruction;
    socket.send(JSON.stringify(message));
  }

  function onMessage(msg) {
    if (msg.id !== latestId) return; // an older query: superseded on the server too
    const ms = Math.round(performance.now() - sentAt);
    if (msg.phase === 'error') { showError(msg.error.code + ': ' + msg.error.message); return; }
    if (msg.phase !== 'candidates' && msg.phase !== 'final') return;
    render(msg.hits);
    results.className = 'results ' + msg.phase;
    results.dataset.phase = msg.phase;
    results.dataset.query = queryInput.value.trim();
    summary.className = 'summary';
    summary.textContent = msg.hits.length + ' ' + (msg.phase === 'final' ? 'results' : 'candidates') + ' in ' + ms + ' ms';
  }

  function showError(text) {
    summary.className = 'summary error';
    summary.textContent = text;
  }

  function render(hits) {
    const items = hits.map(function (hit) {
      const li = document.createElement('li');
      const head = document.createElement('div');
      head.className = 'hit-head';
      const id = document.createElement('span');
      id.textContent = hit.id;
      const score = document.createElement('span');
      score.className = 'score';
      score.textContent = 'score ' + Number(hit.score).toFixed(4);
      head.append(id, score);
      const text = document.createElement('p');
      text.className = 'hit-text';
      appendSnippet(text, hit.snippet || '');
      li.append(head, text);
      return li;
    });
    results.replaceChildren.apply(results, items);
  }

  // The server's snippet is HTML-escaped with matches in <mark>: split on the marks, unescape the five
  // entities the server writes, and append text nodes, so no markup in a document can reach the page.
  function appendSnippet(parent, snippet) {
    let marked = false;
    snippet.split(/(<mark>|<\/mark>)/).forEach(function (piece) {
      if (piece === '<mark>') { marked = true; return; }
      if (piece === '</mark>') { marked = false; return; }
      if (!piece) return;
      const text = piece.replace(/&lt;|&gt;|&amp;|&quot;|&#39;/g, function (e) { return ENTITIES[e]; });
      if (marked) {
        const mark = document.createElement('mark');
        mark.textContent = text;
        parent.appendChild(mark);
      } else {
        parent.appendChild(document.createTextNode(text));
      }
    });
  }

  queryInput.addEventListener('input', send);
  instructionInput.addEventListener('input', send);
  collectionSelect.addEventListener('change', send);
  document.getElementById('search-form').addEventListener('submit', function (e) { e.preventDefault(); send(); });
  loadCollections();
  connect();
}());
