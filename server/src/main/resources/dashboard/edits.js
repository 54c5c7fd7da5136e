/* Two people editing one call or lead (audit AI4 F10): the later edit, made from a page loaded before
 * the earlier one, silently replaced it. The API now gives each call and lead an `etag` and refuses a
 * PATCH whose If-Match is stale in a part it writes (412 changed_since, naming the part), and takes
 * addTags/removeTags, which change the stored list whatever it has become. The call log, the
 * recording player and the detail dialogs send tags as those changes and everything else with
 * If-Match; on a refusal they read the item again and say, in words, what someone else changed.
 * Loaded before app.js; its functions are used only when a person edits. */
(function () {
  'use strict';
  function key(t) { return String(t).toLowerCase(); }
  function has(list, t) { return list.some(function (x) { return key(x) === key(t); }); }

  /* What turns the tags as read into the tags wanted, as {addTags, removeTags} (empty lists left out).
   * Case-insensitive, as the API compares them. */
  function tagChanges(before, after) {
    before = before || []; after = after || [];
    var out = {};
    var add = after.filter(function (t) { return !has(before, t); });
    var remove = before.filter(function (t) { return !has(after, t); });
    if (add.length) out.addTags = add;
    if (remove.length) out.removeTags = remove;
    return out;
  }

  /* The tags after such changes, as the server applies them (TagChange): removed ones go, added ones join at the end. */
  function applyTagChanges(tags, changes) {
    var out = (tags || []).filter(function (t) { return !has(changes.removeTags || [], t); });
    (changes.addTags || []).forEach(function (t) { if (!has(out, t)) out.push(t); });
    return out;
  }

  /* The If-Match header for an item as read (none for an item without an etag: an older server). */
  function ifMatch(item) { return item && item.etag ? { 'If-Match': '"' + item.etag + '"' } : {}; }

  function quoted(text) {
    if (text == null || text === '') return 'empty';
    text = String(text);
    return '“' + (text.length > 120 ? text.slice(0, 120) + '…' : text) + '”';
  }
  /* A part of a call or lead as people read it: "tags lead, vip", "note “…”". */
  function describe(part, fresh) {
    if (part === 'tags') return 'tags: ' + ((fresh.tags || []).join(', ') || 'none');
    if (part === 'value') return 'value: ' + (fresh.value == null ? 'none' : Number(fresh.value).toLocaleString('en-US') + ' ' + (fresh.currency || ''));
    if (part === 'note') return 'note: ' + quoted(fresh.note);
    if (part === 'reviewed') return 'reviewed: ' + (fresh.reviewed ? 'yes' : 'no');
    if (part === 'status') return 'status: ' + fresh.status;
    return null;
  }

  /* The words for a 412: who changed what, what it is now, and that nothing of this person's was saved. */
  function conflictText(kind, x, fresh, again) {
    var part = x && x.field && x.field !== 'If-Match' ? x.field : null;
    var now = part && fresh ? describe(part, fresh) : null;
    return 'Not saved: someone else changed this ' + kind + (part ? '’s ' + part : '') + ' while you had it open' +
      (now ? ' (now ' + now + ')' : '') + '. ' + (again || 'What is shown now is the ' + kind + ' as it is; make your change again if it still applies.');
  }

  window.RingpoolEdits = { tagChanges: tagChanges, applyTagChanges: applyTagChanges, ifMatch: ifMatch, conflictText: conflictText,
    isConflict: function (x) { return !!x && x.status === 412; } };
})();
