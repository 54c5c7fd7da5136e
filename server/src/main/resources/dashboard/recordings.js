/* Listening and reviewing calls in the call log (issue 16): a player in place under a call's row,
 * with the caller, source and attribution beside it; tags, a reviewed flag and a note set while
 * listening, by mouse or keyboard; filters for unreviewed calls and calls with or without a
 * recording. Plugs into app.js through window.RingpoolCallLog; everything here is its own code.
 *
 * The <audio> element cannot send the site key, so each play first asks the server for a one-call
 * playback link (POST …/recording/link, valid 2 hours); the server answers byte ranges, so seeking
 * works. All text from calls (caller, tags, notes, transcripts, UTM values typed by strangers) is set
 * with textContent through el(), never parsed as HTML. */
(function () {
  'use strict';
  var log = window.RingpoolCallLog;
  if (!log) return;
  var el = log.el;
  // Tags offered in the picker before the site has used any; the picker adds every tag it sees.
  var STARTER_TAGS = ['sales', 'spam', 'proper', 'support', 'wrong number'];
  // Seconds the arrow keys move the playhead: long enough to skip a greeting, short enough to re-hear a phrase.
  var SEEK_STEP = 5;
  var SHORTCUTS = [
    ['Space or K', 'play / pause'],
    ['← / →  or J / L', 'back / forward ' + SEEK_STEP + ' s'],
    ['1 … 9', 'toggle the tag with that number'],
    ['R', 'mark reviewed / not reviewed'],
    ['N', 'write a note (Ctrl+Enter saves, Esc leaves the note)'],
    ['] / [', 'next / previous call with a recording'],
    ['Esc', 'close the player']
  ];
  var known = STARTER_TAGS.slice();
  var open = null; // { call, row, panel, audio, tags, reviewed, note, status }

  function learn(tags) { (tags || []).forEach(function (t) { if (known.indexOf(t) < 0) known.push(t); }); }
  function clock(s) {
    if (s == null || isNaN(s)) return '—';
    s = Math.round(s);
    return Math.floor(s / 60) + ':' + String(s % 60).padStart(2, '0');
  }
  /* With the call's etag: a note or review someone else wrote since the player opened is refused,
   * not replaced unseen; tags go as added/removed, which replace nobody's (edits.js, audit AI4 F10). */
  function patch(call, body) {
    return log.api(log.site('/calls/' + encodeURIComponent(call.callId)), { method: 'PATCH', json: body,
      headers: window.RingpoolEdits.ifMatch(call) });
  }

  // ---- filters -------------------------------------------------------------------------------
  var filters = el('form', { id: 'review-filters', class: 'review-filters', 'aria-label': 'Review filters', onsubmit: function (e) { e.preventDefault(); } }, [
    el('label', null, ['Review ', el('select', { id: 'filter-reviewed', 'data-param': 'reviewed' }, [
      el('option', { value: '', text: 'all calls' }), el('option', { value: 'false', text: 'unreviewed' }),
      el('option', { value: 'true', text: 'reviewed' })])]),
    el('label', null, ['Recording ', el('select', { id: 'filter-recording', 'data-param': 'recording' }, [
      el('option', { value: '', text: 'any' }), el('option', { value: 'true', text: 'with a recording' }),
      el('option', { value: 'false', text: 'without a recording' })])]),
    el('details', { class: 'shortcut-help', id: 'shortcut-help' }, [el('summary', { text: 'Keyboard shortcuts while listening' }),
      el('dl', null, SHORTCUTS.reduce(function (a, s) { return a.concat([el('dt', null, [el('kbd', { text: s[0] })]), el('dd', { text: s[1] })]); }, []))])
  ]);
  var calls = document.getElementById('calls');
  calls.parentNode.insertBefore(filters, calls);
  filters.addEventListener('change', function () { close(); log.reload(); });

  // ---- the call log's extra column -----------------------------------------------------------
  log.use({
    query: function () {
      var q = '';
      Array.prototype.forEach.call(filters.querySelectorAll('select[data-param]'), function (s) {
        if (s.value) q += '&' + s.dataset.param + '=' + encodeURIComponent(s.value);
      });
      return q;
    },
    row: function (tr, c) {
      learn(c.tags);
      tr.appendChild(el('td', { class: 'listen' }, [listenCell(c)]));
      if (c.recording) tr.dataset.recording = 'true';
      // The header is app.js's; add this column's title once.
      setTimeout(function () {
        var head = document.querySelector('#calls-table thead tr');
        if (head && !head.querySelector('th.listen')) head.appendChild(el('th', { class: 'listen', text: 'Listen / review' }));
      }, 0);
    }
  });

  function listenCell(c) {
    var box = el('div', { class: 'listen-cell' });
    if (c.recording) {
      box.appendChild(el('button', { type: 'button', class: 'play', title: 'Play the recording here', 'aria-label': 'Play the recording of this call',
        text: '▶ ' + clock(c.recording.durationSeconds), onclick: function () { toggle(c, box.closest('tr')); } }));
    } else {
      var why = { queued: 'fetching…', failed: 'not fetched', deleted: 'deleted' }[c.recordingStatus] || 'no recording';
      box.appendChild(el('span', { class: 'no-recording', text: why }));
    }
    if (c.reviewed) box.appendChild(el('span', { class: 'reviewed-mark', title: 'Reviewed', text: '✓ reviewed' }));
    if (c.note) box.appendChild(el('span', { class: 'note-mark', title: c.note, text: '✎' }));
    return box;
  }

  // ---- the player ----------------------------------------------------------------------------
  function toggle(c, tr) {
    if (open && open.call.callId === c.callId) { close(); return; }
    close();
    show(c, tr);
  }

  function close() {
    if (!open) return;
    open.audio.pause();
    open.audio.removeAttribute('src');
    open.panel.remove();
    if (open.row) open.row.classList.remove('playing');
    open = null;
  }

  function show(c, tr) {
    var a = c.attribution || {};
    var audio = el('audio', { id: 'call-player', controls: '', preload: 'auto' });
    var status = el('p', { class: 'player-status', role: 'status' });
    var tagBox = el('div', { class: 'tag-picker', role: 'group', 'aria-label': 'Tags' });
    var reviewed = el('input', { type: 'checkbox', id: 'player-reviewed' });
    var note = el('textarea', { id: 'player-note', rows: '3', maxlength: '2000', placeholder: 'What was the call about? (Ctrl+Enter saves)' });
    note.value = c.note || '';
    reviewed.checked = !!c.reviewed;
    var facts = el('dl', { class: 'call-facts' }, [
      el('dt', { text: 'Caller' }), el('dd', { text: c.caller || '—' }),
      el('dt', { text: 'When' }), el('dd', { text: log.localTime(c.startedAt) + (c.talkSeconds != null ? ' · talk ' + clock(c.talkSeconds) : '') }),
      el('dt', { text: 'Source' }), el('dd', { text: [a.source || '(none)', a.medium || '(none)', a.campaign].filter(Boolean).join(' / ') }),
      el('dt', { text: 'Attribution' }), el('dd', null, [el('span', { class: 'badge ' + (a.method || 'none'), text: a.method || 'none' }),
        a.landingPage ? el('span', { class: 'landing', title: a.landingPage, text: ' ' + a.landingPage }) : null]),
      el('dt', { text: 'Status' }), el('dd', { text: c.status + (c.target ? ' · target call' : '') })
    ]);
    var panel = el('tr', { class: 'player-row', 'data-player-for': c.callId }, [el('td', { colspan: String(tr.children.length) }, [
      el('div', { class: 'player' }, [
        // A phone has no Esc, and the row's ▶ that closes the player may be panned out of sight.
        el('div', { class: 'player-main' }, [audio, status, facts, el('button', { type: 'button', class: 'ghost small player-close',
          text: 'Close the player', onclick: function () { close(); } })]),
        el('div', { class: 'player-review' }, [
          el('div', { class: 'picker-title', text: 'Tags (keys 1–9)' }), tagBox,
          el('label', { class: 'reviewed-toggle' }, [reviewed, ' Reviewed (R)']),
          el('label', { for: 'player-note', class: 'picker-title', text: 'Note (N)' }), note,
          c.transcript ? el('details', { class: 'transcript' }, [el('summary', { text: 'Transcript' }), el('p', { text: c.transcript })]) : null
        ])
      ])])]);
    tr.parentNode.insertBefore(panel, tr.nextSibling);
    fit(panel);
    tr.classList.add('playing');
    open = { call: c, row: tr, panel: panel, audio: audio, tags: tagBox, reviewed: reviewed, note: note, status: status };
    drawTags();

    reviewed.addEventListener('change', function () { save({ reviewed: reviewed.checked }); });
    note.addEventListener('keydown', function (e) {
      if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) { e.preventDefault(); saveNote(); }
      else if (e.key === 'Escape') { e.preventDefault(); e.stopPropagation(); note.blur(); }
    });
    note.addEventListener('blur', saveNote);

    status.textContent = 'Loading the recording…';
    log.api(log.site('/calls/' + encodeURIComponent(c.callId) + '/recording/link'), { method: 'POST' }).then(function (r) {
      if (!open || open.audio !== audio) return;
      audio.src = r.url;
      audio.play().catch(function () { /* autoplay refused: the controls are there */ });
    }).catch(function (x) { status.textContent = 'Cannot play: ' + x.message; });
    audio.addEventListener('canplay', function () { if (status.textContent === 'Loading the recording…') status.textContent = ''; });
    audio.addEventListener('error', function () { status.textContent = 'The browser could not play this recording.'; });
  }

  /* In a window narrower than the call table (a tablet; a phone shows each call as a card, phone.css)
   * the table scrolls sideways inside its box: the player, a
   * row under the call, spanned the whole table, 850 px with its controls off-screen (audit AI4
   * F12). It is made as wide as the box shows and kept at the box's left edge (position: sticky in
   * recordings.css), so it fits the screen however far the table is panned. */
  function fit(panel) {
    var box = document.getElementById('calls'), td = panel.firstChild, player = td.firstChild;
    if (!box || box.scrollWidth <= box.clientWidth + 1) { player.style.width = ''; return; }
    var style = getComputedStyle(td);
    player.style.width = Math.max(0, box.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight)) + 'px';
  }
  window.addEventListener('resize', function () { if (open) fit(open.panel); });

  function drawTags() {
    var box = log.clear(open.tags), tags = open.call.tags || [];
    known.forEach(function (t, i) {
      var on = tags.indexOf(t) >= 0;
      box.appendChild(el('button', { type: 'button', class: 'pick' + (on ? ' on' : ''), 'aria-pressed': String(on), 'data-tag': t,
        title: i < 9 ? 'Key ' + (i + 1) : '', onclick: function () { toggleTag(t); } },
        [i < 9 ? el('kbd', { text: String(i + 1) }) : null, ' ' + t]));
    });
    // No maxlength: it counts UTF-16 units, an emoji as two, where a tag is 50 characters as people count them.
    var add = el('input', { type: 'text', class: 'new-tag', placeholder: '+ new tag', 'aria-label': 'New tag' });
    add.addEventListener('keydown', function (e) {
      if (e.key !== 'Enter') return;
      e.preventDefault();
      var t = add.value.trim();
      if (!t) return;
      if (t.replace(/[\uD800-\uDBFF][\uDC00-\uDFFF]/g, '_').length > 50) {
        open.status.textContent = 'A tag is at most 50 characters.';
        return;
      }
      learn([t]);
      if ((open.call.tags || []).indexOf(t) < 0) toggleTag(t); else drawTags();
    });
    box.appendChild(add);
  }

  function toggleTag(t) {
    save((open.call.tags || []).indexOf(t) >= 0 ? { removeTags: [t] } : { addTags: [t] });
  }

  function saveNote() {
    if (!open || open.note.value === (open.call.note || '')) return;
    save({ note: open.note.value });
  }

  /* PATCHes the call and redraws its row and the picker from the answer (the server's truth). */
  function save(body) {
    var here = open;
    here.status.textContent = 'Saving…';
    return patch(here.call, body).then(function (updated) {
      if (open !== here) return;
      here.call = updated;
      learn(updated.tags);
      var row = log.replaceRow(updated);
      if (row) { here.row = row; row.classList.add('playing'); }
      here.reviewed.checked = !!updated.reviewed;
      if (document.activeElement !== here.note) here.note.value = updated.note || '';
      drawTags();
      here.status.textContent = 'Saved.';
    }).catch(function (x) {
      if (open !== here) return;
      here.reviewed.checked = !!here.call.reviewed;
      here.status.textContent = 'Not saved: ' + x.message;
      if (window.RingpoolEdits.isConflict(x)) return conflict(here, x);
    });
  }

  /* Someone else wrote the note or review since the player opened: take the call as it is now and
   * say so; a note being typed stays in the box, and the next save is checked against theirs. */
  function conflict(here, x) {
    return log.api(log.site('/calls/' + encodeURIComponent(here.call.callId))).then(function (fresh) {
      if (open !== here) return;
      here.call = fresh;
      var row = log.replaceRow(fresh);
      if (row) { here.row = row; row.classList.add('playing'); }
      here.reviewed.checked = !!fresh.reviewed;
      if (x.field !== 'note' || here.note.value === '') here.note.value = fresh.note || '';
      learn(fresh.tags);
      drawTags();
      here.status.textContent = window.RingpoolEdits.conflictText('call', x, fresh, x.field === 'note'
        ? 'Your note is still in the box: save it again (Ctrl+Enter) to replace theirs.' : 'Make your change again if it still applies.');
    });
  }

  function step(direction) {
    var rows = Array.prototype.slice.call(document.querySelectorAll('#calls-table tbody tr[data-recording="true"]'));
    var i = rows.indexOf(open.row) + direction;
    if (i < 0 || i >= rows.length) return;
    var id = rows[i].dataset.callId;
    rows[i].querySelector('button.play').click();
    if (open && open.call.callId === id) open.row.scrollIntoView({ block: 'nearest' });
  }

  // ---- keyboard ------------------------------------------------------------------------------
  document.addEventListener('keydown', function (e) {
    if (!open || e.ctrlKey || e.metaKey || e.altKey) return;
    var t = e.target, typing = t && (t.tagName === 'INPUT' && t.type !== 'checkbox' || t.tagName === 'TEXTAREA' || t.tagName === 'SELECT' || t.isContentEditable);
    // Keys pressed in a call's or lead's detail (details.js, a modal dialog) are that dialog's.
    if (typing || (t && t.closest && t.closest('dialog[open]'))) return;
    var k = e.key, audio = open.audio;
    if (k === ' ' || k === 'k' || k === 'K') { if (audio.paused) audio.play().catch(function () {}); else audio.pause(); }
    else if (k === 'ArrowLeft' || k === 'j' || k === 'J') audio.currentTime = Math.max(0, audio.currentTime - SEEK_STEP);
    else if (k === 'ArrowRight' || k === 'l' || k === 'L') audio.currentTime = Math.min(audio.duration || Infinity, audio.currentTime + SEEK_STEP);
    else if (/^[1-9]$/.test(k)) { if (known[Number(k) - 1] != null) toggleTag(known[Number(k) - 1]); }
    else if (k === 'r' || k === 'R') { open.reviewed.checked = !open.reviewed.checked; save({ reviewed: open.reviewed.checked }); }
    else if (k === 'n' || k === 'N') open.note.focus();
    else if (k === ']') step(1);
    else if (k === '[') step(-1);
    else if (k === 'Escape') close();
    else return;
    e.preventDefault();
  });

  // A new range, site or sign-out empties the log: the player goes with it.
  new MutationObserver(function () { if (open && !document.body.contains(open.panel)) close(); })
    .observe(calls, { childList: true });
})();
