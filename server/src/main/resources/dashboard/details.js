/* A call's or a lead's detail (audit AI4 F1): everything the API knows about it, opened from its row
 * in the call or lead log (a click on the row, or the time, a button, by keyboard), in a modal
 * <dialog>: the browser keeps the focus inside it, Esc closes it and the focus goes back to the row.
 * A role with the `tags` permission (analysts and up; a site key) sets the value and currency the
 * conversion exports carry, the tags, and for a call the reviewed flag and a note, which until now
 * only the recording player had, so a call without a recording could get no note. A viewer sees the
 * same facts read-only, with the caller and contacts masked as the API masks them.
 *
 * Plugs into app.js through window.RingpoolCallLog and window.RingpoolLeadLog. Everything shown came
 * from the API and much of it was typed by strangers (UTM values, pages, lead messages): it is set
 * as text through el(), never parsed as HTML. */
(function () {
  'use strict';
  var calls = window.RingpoolCallLog, leads = window.RingpoolLeadLog;
  if (!calls || !leads) return;
  var el = calls.el, clear = calls.clear, api = calls.api, site = calls.site, localTime = calls.localTime, money = calls.money;
  var readableUrl = calls.readableUrl;

  // What each attribution method means, in the words of calls.md's table and leads.md.
  var METHOD_MEANS = {
    active: 'the number was shown to this visit when the call came',
    cooling: 'the visit had left the number shortly before the call, and nobody held it since',
    ambiguous: 'several visitors could have called; the likeliest was chosen (see the candidates)',
    repeat: 'no visit held the number; this caller\'s earlier attributed call gave the visit',
    'static': 'a static number, with the source it was given',
    none: 'no visit to bet on',
    session: 'sent from this visit',
    visitor: 'sent by a visitor seen before',
    click_id: 'matched by the ad click id',
    contact: 'the same phone or e-mail as an earlier call or lead',
    landing: 'no visit seen; named from the landing URL, referrer or click id the sender gave'
  };
  // Words a person can act on, for the fields the API names in its 422s; other fields keep its message.
  var FIELD_ADVICE = {
    value: 'Write an amount of 0 or more in digits, such as 45000 or 1999.90.',
    currency: 'Write a three-letter currency code, such as RUB, USD or EUR.',
    note: 'A note is at most 2,000 characters: shorten it.',
    tags: 'Tags are separated by commas; each is 1 to 50 characters, at most 20 tags.',
    status: 'Choose one of the statuses offered.'
  };
  var COMMON_CURRENCIES = ['RUB', 'USD', 'EUR', 'KZT', 'BYN', 'UZS', 'GBP', 'TRY', 'AED', 'CNY'];

  var dialog = el('dialog', { id: 'detail', class: 'detail', 'aria-labelledby': 'detail-title' });
  document.body.appendChild(dialog);
  document.body.appendChild(el('datalist', { id: 'detail-currencies' }, COMMON_CURRENCIES.map(function (c) { return el('option', { value: c }); })));
  var showing = 0; // counts each item shown, save and close: a read answered after another counted is dropped
  var opener = null; // { kind: 'call'|'lead', id } whose row gets the focus back on close
  dialog.addEventListener('close', function () {
    if (dialog.open) return; // opened again before this (queued) event came
    showing++; // a read still on its way must not open it again
    clear(dialog);
    if (!opener) return;
    var attr = opener.kind === 'call' ? 'data-call-id' : 'data-lead-id';
    var row = document.querySelector('tr[' + attr + '="' + CSS.escape(opener.id) + '"] .open-detail');
    opener = null;
    if (row) row.focus();
  });
  // A click on the backdrop (outside the dialog's box) closes it, as people expect of a sheet.
  dialog.addEventListener('click', function (e) { if (e.target === dialog && !keepsUnsaved()) dialog.close(); });
  // Esc (the browser's cancel) would drop a note typed and not saved: the first one says so, a second closes.
  dialog.addEventListener('cancel', function (e) { if (keepsUnsaved()) e.preventDefault(); });
  function keepsUnsaved() {
    var form = dialog.querySelector('.detail-form[data-touched]');
    if (!form || form.dataset.warned) return false;
    form.dataset.warned = 'true';
    form.querySelector('.detail-saved').textContent = 'Not saved yet: press Save, or Esc again to close without saving.';
    return true;
  }

  // ---- opening from the logs -------------------------------------------------------------------
  function wire(tr, kind, item) {
    var id = kind === 'call' ? item.callId : item.leadId;
    var when = tr.firstChild;
    var button = el('button', { type: 'button', class: 'open-detail', 'aria-haspopup': 'dialog',
      title: kind === 'call' ? 'Open the call' : 'Open the lead', text: when.textContent });
    clear(when).appendChild(button);
    button.addEventListener('click', function () { open(kind, id, item); });
    tr.classList.add('opens-detail');
    // The whole row opens it too, but not a click on its own controls (tags, play, status) nor the end of a text selection.
    tr.addEventListener('click', function (e) {
      if (e.target.closest('button, a, input, select, textarea, label, .tags')) return;
      if (String(window.getSelection ? window.getSelection() : '')) return;
      open(kind, id, item);
    });
  }
  calls.use({ row: function (tr, c) { wire(tr, 'call', c); } });
  leads.use({ row: function (tr, l) { wire(tr, 'lead', l); } });

  /* Shows the row's call or lead at once, and reads it afresh: the row can be older than an inline
   * change (a tag, a lead's status). The fresh one is drawn only while the dialog still shows that
   * item and nobody has typed in its form yet; a save or another item counts up `showing`, which
   * drops the answer. Opened from a link in another detail there is no row's copy: it waits. */
  function open(kind, id, item) {
    var mine = ++showing;
    opener = { kind: kind, id: id };
    if (item) show(kind, item);
    var path = site((kind === 'call' ? '/calls/' : '/leads/') + encodeURIComponent(id));
    delete dialog.dataset.fresh;
    return api(path).then(function (fresh) {
      if (mine !== showing) return;
      dialog.dataset.fresh = 'true'; // what the page shows is now what the API answered (tests wait for it)
      if (item && (dialog.querySelector('.detail-form[data-touched]') || JSON.stringify(fresh) === JSON.stringify(item))) return;
      var focusWasOnClose = document.activeElement && document.activeElement.classList.contains('detail-close');
      show(kind, fresh);
      if (focusWasOnClose || !dialog.contains(document.activeElement)) dialog.querySelector('.detail-close').focus();
    }).catch(function (x) {
      if (mine !== showing) return;
      var why = window.Ringpool.problemText ? window.Ringpool.problemText(x) : x.message;
      if (!item) { showProblem(kind === 'call' ? 'This call could not be opened' : 'This lead could not be opened', why); return; }
      // The row's copy stays open, said to be the log's copy: it may be older than the API's (audit AI4 F8).
      var head = dialog.querySelector('.detail-head');
      if (head) head.insertAdjacentElement('afterend', el('p', { class: 'error detail-not-fresh', role: 'alert',
        text: 'Shown as the log loaded it: it could not be read again just now. ' + why }));
    });
  }

  function frame(title, subtitle) {
    clear(dialog);
    var body = el('div', { class: 'detail-body' });
    dialog.appendChild(el('header', { class: 'detail-head' }, [
      el('div', null, [el('h2', { id: 'detail-title', text: title }), subtitle ? el('p', { class: 'hint', text: subtitle }) : null]),
      el('button', { type: 'button', class: 'ghost detail-close', 'aria-label': 'Close', title: 'Close (Esc)', text: '✕',
        onclick: function () { dialog.close(); } })]));
    dialog.appendChild(body);
    if (!dialog.open) dialog.showModal();
    dialog.scrollTop = 0;
    return body;
  }
  function showProblem(title, text) { frame(title).appendChild(el('p', { class: 'error', role: 'alert', text: text })); }
  function show(kind, item) { if (kind === 'call') showCall(item); else showLead(item); }

  // ---- facts -----------------------------------------------------------------------------------
  function present(v) { return v != null && v !== '' && !(Array.isArray(v) && !v.length); }
  /** A definition list of [label, value] pairs; a value is text or a node; empty ones are left out unless marked always. */
  function facts(rows) {
    var dl = el('dl', { class: 'detail-facts' });
    rows.forEach(function (r) {
      if (!r || (!present(r[1]) && !r[2])) return;
      dl.appendChild(el('dt', { text: r[0] }));
      dl.appendChild(el('dd', null, [present(r[1]) ? (typeof r[1] === 'object' ? r[1] : String(r[1])) : '—']));
    });
    return dl;
  }
  function section(title, children) {
    return el('section', { class: 'detail-section' }, [el('h3', { text: title })].concat(children));
  }
  function pairs(map) {
    return Object.keys(map || {}).filter(function (k) { return present(map[k]); }).map(function (k) { return k + ' ' + map[k]; }).join(' · ');
  }
  function duration(s) { return s == null ? null : s < 60 ? s + ' s' : Math.floor(s / 60) + ' min' + (s % 60 ? ' ' + s % 60 + ' s' : ''); }
  function badge(method) {
    return el('span', null, [el('span', { class: 'badge ' + (method || 'none'), text: method || 'none' }),
      METHOD_MEANS[method] ? ' ' + METHOD_MEANS[method] : '']);
  }

  /* The visit's facts, the same for calls and leads (the API gives both the same attribution fields). */
  function sourceFacts(a) {
    var clickIds = Object.assign({}, a.clickIds || {});
    if (a.gclid) clickIds.gclid = a.gclid;
    if (a.yclid) clickIds.yclid = a.yclid;
    return facts([
      ['Attribution', badge(a.method), true],
      ['Source / medium', [a.source || '(none)', a.medium || '(none)'].join(' / '), true],
      ['Campaign', a.campaign],
      ['Keyword (term)', a.term],
      ['Content', a.content],
      ['Channel', a.channel],
      ['Label', a.label],
      ['Landing page', a.landingPage ? el('span', { class: 'detail-url', text: readableUrl(a.landingPage) }) : null, a.method !== 'static'],
      ['Referrer', a.referrer ? el('span', { class: 'detail-url', text: readableUrl(a.referrer) }) : null],
      ['Click ids', pairs(clickIds)],
      ['Client ids', pairs(a.clientIds)],
      ['Device', [a.device, a.browser, a.os].filter(Boolean).join(' · ')],
      ['Visit', a.sessionId],
      ['Visitor', a.visitorId],
      ['Inherited from', a.contactOf]
    ]);
  }

  function link(text, onclick) { return el('button', { type: 'button', class: 'link', text: text, onclick: onclick }); }

  // ---- the call --------------------------------------------------------------------------------
  function showCall(c) {
    var a = c.attribution || {};
    var body = frame('Call · ' + localTime(c.startedAt), [c.caller || 'hidden caller', c.status + (c.target ? ' · target call' : ''),
      c.talkSeconds != null ? 'talk ' + duration(c.talkSeconds) : null].filter(Boolean).join(' · '));
    dialog.classList.add('call-detail');
    dialog.classList.remove('lead-detail');
    dialog.dataset.callId = c.callId;
    delete dialog.dataset.leadId;

    var recording = c.recording ? el('span', null, ['kept, ' + duration(c.recording.durationSeconds) + ' ',
      link('▶ Play in the call log', function () { play(c.callId); })])
      : { queued: 'being fetched', failed: 'could not be fetched', deleted: 'deleted', stored: 'kept' }[c.recordingStatus] || 'none';
    var left = el('div', { class: 'detail-facts-column' }, [
      section('The call', [facts([
        ['Caller', c.caller, true],
        ['Number dialled', c.number],
        ['Started', localTime(c.startedAt)],
        ['Answered', c.answeredAt ? localTime(c.answeredAt) : null],
        ['Ended', c.endedAt ? localTime(c.endedAt) : null],
        ['Status', c.status + (c.endUnknown ? ' · end not reported by the provider (closed six hours after its last event; talk time unknown)' : '')
          + (c.target ? ' · target call' : '') + (c.firstTime ? ' · first call from this number' : c.unique ? ' · unique' : ' · repeat call')],
        ['Talk time', duration(c.talkSeconds), true],
        ['Duration', duration(c.durationSeconds)],
        ['Recording', recording, true],
        ['Automatic tags', (c.autoTags || []).map(function (t) { return t.tag; }).join(', ')],
        ['Provider', c.provider]
      ]), c.transcript ? el('details', { class: 'transcript' }, [el('summary', { text: 'Transcript' }), el('p', { text: c.transcript })]) : null]),
      section('Visit and source', [sourceFacts(a)]),
      present(a.earlierVisits) ? section('Earlier visits of this visitor', [el('ol', { class: 'detail-list' }, a.earlierVisits.map(function (v) {
        return el('li', { text: localTime(v.startedAt) + ' · ' + [v.source || '(none)', v.medium || '(none)'].join(' / ') + (v.channel ? ' · ' + v.channel : '') });
      }))]) : null,
      present(a.candidates) && (a.candidates.length > 1 || a.method === 'ambiguous') ? section('Candidates (visits that could have called)', [
        el('ol', { class: 'detail-list candidates' }, a.candidates.map(function (k) {
          return el('li', { class: k.chosen ? 'chosen' : '' }, [el('strong', { text: Math.round((k.score || 0) * 100) + '%' + (k.chosen ? ' · chosen' : '') }),
            ' ' + (k.reason || ''), el('div', { class: 'hint', text: 'visit ' + (k.sessionId || '—') })]);
        }))]) : null,
      section('Leads from this phone', [present(c.leads) ? el('ul', { class: 'detail-list' }, c.leads.map(function (l) {
        return el('li', null, [link(l.kind + ' · ' + localTime(l.at), function () { open('lead', l.leadId); })]);
      })) : el('p', { class: 'hint', text: c.leads ? 'None sent from this phone before the call.' : 'Not known for this call.' })])
    ]);
    var right = el('div', { class: 'detail-review' }, [section('Value and review', [reviewForm('call', c)])]);
    body.appendChild(el('div', { class: 'detail-grid' }, [right, left]));
  }

  /* The player lives in the call log (recordings.js): close this and press the row's play button. */
  function play(callId) {
    opener = null;
    dialog.close();
    var b = document.querySelector('tr[data-call-id="' + CSS.escape(callId) + '"] button.play');
    if (b) { b.click(); b.focus(); }
  }

  // ---- the lead --------------------------------------------------------------------------------
  function showLead(l) {
    var body = frame('Lead · ' + l.kind + ' · ' + localTime(l.at), [l.name, l.phone, l.email].filter(Boolean).join(' · '));
    dialog.classList.add('lead-detail');
    dialog.classList.remove('call-detail');
    dialog.dataset.leadId = l.leadId;
    delete dialog.dataset.callId;
    var left = el('div', { class: 'detail-facts-column' }, [
      section('The lead', [facts([
        ['Kind', l.kind + (l.submissions > 1 ? ' · sent ' + l.submissions + ' times' : '') + (l.unique ? '' : ' · repeat')],
        ['Name', l.name], ['Phone', l.phone], ['E-mail', l.email],
        ['Message', l.message ? el('span', { class: 'detail-message', text: l.message }) : null],
        ['Page', l.url ? el('span', { class: 'detail-url', text: readableUrl(l.url) }) : null],
        ['Form', l.formId],
        ['Sent', localTime(l.at)],
        ['Last sent', l.lastAt && l.lastAt !== l.at ? localTime(l.lastAt) : null],
        ['Status', l.status]
      ])]),
      section('Visit and source', [sourceFacts(l.attribution || {})]),
      section('Calls from this phone', [present(l.calls) ? el('ul', { class: 'detail-list' }, l.calls.map(function (c) {
        return el('li', null, [link('call · ' + localTime(c.startedAt), function () { open('call', c.callId); })]);
      })) : el('p', { class: 'hint', text: 'None since the lead.' })])
    ]);
    var right = el('div', { class: 'detail-review' }, [section('Value and status', [reviewForm('lead', l)])]);
    body.appendChild(el('div', { class: 'detail-grid' }, [right, left]));
  }

  // ---- the form --------------------------------------------------------------------------------
  function field(label, name, input, hint) {
    input.setAttribute('name', name);
    input.id = 'detail-' + name;
    return el('div', { class: 'field' }, [el('label', { for: input.id, text: label }), input, hint ? el('span', { class: 'hint', text: hint }) : null]);
  }
  function amountText(v) { return v == null ? '' : String(v); }
  /** "45 000", "1999,90", "1 999.90" as people write amounts; NaN when it is no number. */
  function parseAmount(text) {
    var t = text.replace(/[\s\u00a0\u202f']/g, '').replace(',', '.');
    return /^-?\d+(\.\d+)?$/.test(t) ? Number(t) : NaN;
  }

  /* Value, currency and tags (and for a call reviewed and note; for a lead its status) in one form;
   * Save sends only what changed, and the answer (the server's truth) redraws the dialog and row. */
  function reviewForm(kind, item) {
    var editable = calls.may('tags');
    if (!editable) {
      return el('div', null, [facts([
        ['Value', money(item.value, item.currency), true],
        ['Tags', (item.tags || []).join(', '), true],
        kind === 'call' ? ['Reviewed', item.reviewed ? 'yes' : 'no'] : ['Status', item.status],
        kind === 'call' ? ['Note', item.note ? el('span', { class: 'detail-message', text: item.note }) : null, true] : null
      ]), el('p', { class: 'hint read-only', text: 'Your role can see this ' + kind + ' but not change it.' })]);
    }
    var siteCurrency = calls.siteCurrency();
    var value = el('input', { type: 'text', inputmode: 'decimal', autocomplete: 'off', placeholder: 'e.g. 45000', value: amountText(item.value) });
    var currency = el('input', { type: 'text', autocomplete: 'off', list: 'detail-currencies', size: '4', spellcheck: 'false',
      value: item.currency || siteCurrency || '' });
    currency.addEventListener('input', function () { currency.value = currency.value.toUpperCase(); });
    var tags = el('input', { type: 'text', autocomplete: 'off', placeholder: 'lead, sale', value: (item.tags || []).join(', ') });
    var form = el('form', { class: 'detail-form', novalidate: '' }, [
      el('div', { class: 'detail-money' }, [field(kind === 'call' ? 'Value (sale amount)' : 'Value', 'value', value), field('Currency', 'currency', currency)]),
      el('p', { class: 'hint', text: 'Goes into the conversion exports (Google Ads, Yandex). Leave empty for no value.' }),
      field('Tags', 'tags', tags, 'Comma separated')
    ]);
    var reviewed, note, status;
    if (kind === 'call') {
      reviewed = el('input', { type: 'checkbox', name: 'reviewed', id: 'detail-reviewed' });
      reviewed.checked = !!item.reviewed;
      note = el('textarea', { rows: '4', placeholder: 'What was the call about?' });
      note.value = item.note || '';
      form.appendChild(el('label', { class: 'reviewed-toggle', for: 'detail-reviewed' }, [reviewed, ' Reviewed']));
      form.appendChild(field('Note', 'note', note));
    } else {
      status = el('select', null, ['new', 'qualified', 'spam', 'won', 'lost'].map(function (s) {
        var o = el('option', { value: s, text: s });
        if (s === item.status) o.selected = true;
        return o;
      }));
      form.appendChild(field('Status', 'status', status));
    }
    var said = el('p', { class: 'status detail-saved', role: 'status' });
    form.appendChild(el('div', { class: 'detail-actions' }, [el('button', { type: 'submit', class: 'primary', text: 'Save' }), said]));

    function touched() { form.dataset.touched = 'true'; }
    form.addEventListener('input', touched);
    form.addEventListener('change', touched);
    form.addEventListener('submit', function (e) {
      e.preventDefault();
      showing++; // an answer to the opening read, still on its way, is older than this save
      clearErrors(form);
      said.textContent = '';
      var changes = {};
      var amount = value.value.trim();
      if (amount === '') {
        if (item.value != null) changes.value = null;
      } else {
        var n = parseAmount(amount);
        if (isNaN(n)) { showError(form, { field: 'value', message: FIELD_ADVICE.value }); return; }
        if (n !== item.value || currency.value.trim().toUpperCase() !== (item.currency || '')) {
          changes.value = n;
          changes.currency = currency.value.trim();
        }
      }
      var tagList = tags.value.split(',').map(function (t) { return t.trim(); }).filter(Boolean);
      // Tags go as added/removed (edits.js): one someone else put on meanwhile is kept, not replaced.
      Object.assign(changes, window.RingpoolEdits.tagChanges(item.tags, tagList));
      if (kind === 'call') {
        if (reviewed.checked !== !!item.reviewed) changes.reviewed = reviewed.checked;
        if (note.value !== (item.note || '')) changes.note = note.value;
      } else if (status.value !== item.status) {
        changes.status = status.value;
      }
      if (!Object.keys(changes).length) { said.textContent = 'Nothing changed.'; return; }
      var button = form.querySelector('button[type=submit]');
      button.disabled = true;
      said.textContent = 'Saving…';
      var path = site((kind === 'call' ? '/calls/' + encodeURIComponent(item.callId) : '/leads/' + encodeURIComponent(item.leadId)));
      // The rest goes with the etag the form was drawn from: a part someone else changed since is
      // refused (412) instead of silently replaced (audit AI4 F10).
      api(path, { method: 'PATCH', json: changes, headers: window.RingpoolEdits.ifMatch(item) }).then(function (updated) {
        (kind === 'call' ? calls : leads).replaceRow(updated);
        var others = window.RingpoolEdits.tagChanges(tagList, updated.tags).addTags || [];
        show(kind, updated);
        var now = dialog.querySelector('.detail-saved');
        if (now) now.textContent = 'Saved.' + (others.length ? ' Also kept: ' + others.join(', ') + ' (added by someone else meanwhile).' : '');
        // The form was drawn again from the answer: keep the focus where it was, on Save.
        var again = dialog.querySelector('.detail-form button[type=submit]');
        if (again) again.focus();
      }).catch(function (x) {
        button.disabled = false;
        said.textContent = '';
        if (window.RingpoolEdits.isConflict(x)) { conflict(x); return; }
        showError(form, x);
      });
    });

    /* Someone else changed a part this save wrote since the form was drawn: nothing was saved. The
     * form keeps what this person typed, the next Save is checked against the item as it is now,
     * and "Show theirs" draws the form from it. */
    function conflict(x) {
      showing++;
      return api(site((kind === 'call' ? '/calls/' : '/leads/') + encodeURIComponent(kind === 'call' ? item.callId : item.leadId)))
        .then(function (fresh) {
          // The tags this person added and removed, on the tags as they are now: the next Save
          // sends the same change, not the removal of a tag someone else added.
          var typed = tags.value.split(',').map(function (t) { return t.trim(); }).filter(Boolean);
          var mine = window.RingpoolEdits.tagChanges(item.tags, typed);
          tags.value = window.RingpoolEdits.applyTagChanges(fresh.tags, mine).join(', ');
          item = fresh;
          (kind === 'call' ? calls : leads).replaceRow(fresh);
          var words = window.RingpoolEdits.conflictText(kind, x, fresh,
            'Your entries are still here: press Save to replace theirs with yours, or show theirs.');
          var msg = el('p', { class: 'form-error edit-conflict', role: 'alert' }, [words + ' ',
            el('button', { type: 'button', class: 'link show-theirs', text: 'Show theirs', onclick: function () { show(kind, fresh); } })]);
          form.appendChild(msg);
        }, function (y) { showError(form, { message: 'Not saved: someone else changed this ' + kind + ' meanwhile, and it could not be read again: ' + y.message }); });
    }
    return form;
  }

  function clearErrors(form) {
    Array.prototype.forEach.call(form.querySelectorAll('.field-error, .form-error'), function (n) { n.remove(); });
    Array.prototype.forEach.call(form.querySelectorAll('[aria-invalid]'), function (n) { n.removeAttribute('aria-invalid'); n.removeAttribute('aria-describedby'); });
  }
  /* The API's error beside the field it names (tags[2] is the tags box), in words a person can act on. */
  function showError(form, x) {
    var name = x.field ? x.field.replace(/\[\d+\]$/, '') : null;
    var input = name ? form.querySelector('[name="' + name + '"]') : null;
    var words = (name && FIELD_ADVICE[name]) || (x.message || 'Not saved.').replace(/'([a-zA-Z\[\]0-9]+)'/g, '$1');
    var index = name === 'tags' && /\[(\d+)\]$/.exec(x.field);
    if (index) words = 'Tag ' + (Number(index[1]) + 1) + ' ' + String(x.message).replace(/^'[^']*'\s*/, '') + '. ' + words;
    if (x.status === 403) words = 'Your role cannot change this. ' + (x.message || '');
    if (!x.status && !name) words = 'Not saved: ' + (x.message || 'the server could not be reached') + '. Try again.';
    var msg = el('p', { class: input ? 'field-error' : 'form-error', role: 'alert', text: words });
    if (input) {
      msg.id = input.id + '-error';
      input.setAttribute('aria-invalid', 'true');
      input.setAttribute('aria-describedby', msg.id);
      (input.type === 'checkbox' ? input.parentNode : input).insertAdjacentElement('afterend', msg);
      input.focus();
    } else {
      form.appendChild(msg);
    }
  }
})();
