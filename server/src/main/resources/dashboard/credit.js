/* Audit AI4 F14: under the default model (last non-direct) Top sources counts a direct call under
 * the visitor's earlier ad visit, while the call log shows and filters by the call's own visit, so
 * "google / cpc: 2 calls" found one call in the log and nothing said why. The log keeps filtering
 * by the call's own visit (the API's answers are unchanged); each row whose credit the picked
 * model moves says where the report counts it ("credited to google / cpc"), worked out from the
 * earlier visits the call already carries, as the report does (SiteFacts.link: a direct visit takes
 * the visitor's latest non-direct visit within 90 days; first click, the first visit within 90
 * days). A note under Top sources says the same in words. */
(function () {
  var log = window.RingpoolCallLog, R = window.Ringpool;
  if (!log || !R) return;
  var LOOKBACK_MS = 90 * 86400000;
  var EARLIER_KEPT = 10; // CallAttributor.EARLIER_VISITS_MAX: a full list may have lost older visits
  var MODEL_NAMES = { last_non_direct: 'last non-direct', first_click: 'first click' };

  function model() { return R.state.model || 'last_non_direct'; }

  /** The earlier visit the model credits instead of the call's own, or null when it credits the call's own. */
  function credited(c, m) {
    var a = c.attribution || {}, earlier = a.earlierVisits || [];
    if (!earlier.length) return null; // only a call with a visit has earlier ones (a viewer sees no sessionId)
    var at = Date.parse(c.startedAt);
    var inWindow = earlier.filter(function (v) { return at - Date.parse(v.startedAt) <= LOOKBACK_MS; });
    if (m === 'last_non_direct') {
      if (a.channel !== 'direct') return null;
      for (var i = inWindow.length - 1; i >= 0; i--) if (inWindow[i].channel !== 'direct') return inWindow[i];
      return null;
    }
    if (m === 'first_click') {
      // Oldest first; when the list is full an older visit may be missing, and a guess is not shown.
      return earlier.length < EARLIER_KEPT && inWindow.length ? inWindow[0] : null;
    }
    return null;
  }

  log.use({
    row: function (tr, c) {
      var m = model(), v = credited(c, m);
      if (!v) return;
      var cell = tr.children[2];
      cell.appendChild(log.el('div', { class: 'src-medium credited', 'data-credited-source': v.source || '',
        title: 'Top sources (' + MODEL_NAMES[m] + ' model) counts this call under the visitor\'s visit of ' + log.localTime(v.startedAt)
          + '; filtering the log by source finds it under its own visit.',
        text: 'credited to ' + (v.source || '(direct)') + ' / ' + (v.medium || '(none)') + ' (' + MODEL_NAMES[m] + ')' }));
    }
  });

  var note = R.el('p', { class: 'hint', id: 'sources-credit-note' });
  var card = document.getElementById('sources').closest('article');
  card.appendChild(note);
  function explain() {
    var m = model();
    note.textContent = m === 'last_click'
      ? 'Each call counts under its own visit, as the call log shows and filters it.'
      : 'Calls count under the source the ' + MODEL_NAMES[m] + ' model credits'
        + (m === 'last_non_direct' ? ' (a direct visit takes the visitor\'s latest non-direct source within 90 days)'
          : ' (the visitor\'s first visit within 90 days)')
        + '. The call log shows and filters each call by its own visit, and marks a call credited elsewhere "credited to …".';
  }
  explain();
  document.getElementById('model').addEventListener('change', explain);
})();
