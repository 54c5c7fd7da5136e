/* Ringpool integrations page: the site's webhooks, upload destinations and feeds with their last
 * delivery, failures and a retry button. Uses the key the reports page keeps in sessionStorage, or
 * the signed-in person's session (cookie, CSRF token from GET /v1/me, the site last chosen). */
(function () {
  'use strict';
  var KEY = 'ringpool.apiKey';
  var state = { key: sessionStorage.getItem(KEY), csrf: null, site: null };
  var $ = function (id) { return document.getElementById(id); };

  function el(tag, attrs, children) {
    var e = document.createElement(tag);
    if (attrs) Object.keys(attrs).forEach(function (k) {
      if (k === 'class') e.className = attrs[k];
      else if (k === 'text') e.textContent = attrs[k];
      else if (k.indexOf('on') === 0) e.addEventListener(k.slice(2), attrs[k]);
      else e.setAttribute(k, attrs[k]);
    });
    (children || []).forEach(function (c) { if (c != null) e.appendChild(typeof c === 'string' ? document.createTextNode(c) : c); });
    return e;
  }
  function clear(node) { while (node.firstChild) node.removeChild(node.firstChild); return node; }
  function when(iso) {
    if (!iso) return '—';
    return new Intl.DateTimeFormat('en-GB', { timeZone: state.site.timeZone, day: '2-digit', month: 'short',
      hour: '2-digit', minute: '2-digit', second: '2-digit' }).format(new Date(iso));
  }
  function api(path, options) {
    options = options || {};
    var headers = state.key ? { 'Authorization': 'Bearer ' + state.key } : (options.method && options.method !== 'GET' ? { 'X-CSRF-Token': state.csrf } : {});
    return fetch(path, Object.assign({}, options, { headers: headers, credentials: 'same-origin' })).then(function (r) {
      if (r.status === 401) { location.href = './'; throw new Error('sign in again'); }
      if (!r.ok) return r.json().catch(function () { return {}; }).then(function (b) {
        throw Object.assign(new Error((b.error && b.error.message) || ('HTTP ' + r.status)), { status: r.status });
      });
      return r.json();
    });
  }
  function site(path) { return '/v1/sites/' + encodeURIComponent(state.site.siteId) + path; }
  function say(text, bad) { var s = $('status'); s.textContent = text; s.className = 'status' + (bad ? ' error' : ''); }

  function statePill(d) {
    if (!d) return el('span', { class: 'small', text: 'nothing sent yet' });
    var cls = d.state === 'delivered' ? 'ok' : d.state === 'failed' ? 'bad' : 'wait';
    var label = d.state === 'pending' && d.attempts > 0 ? 'retrying' : d.state;
    return el('span', {}, [el('span', { class: 'pill ' + cls, text: label }), ' ',
      el('span', { class: 'small', text: d.type + ' · ' + when(d.lastAttemptAt || d.createdAt)
        + (d.responseCode != null ? ' · HTTP ' + d.responseCode : '')
        + (d.lastError && d.lastError !== 'HTTP ' + d.responseCode ? ' · ' + d.lastError : '') })]);
  }
  function retryButton(base, d) {
    if (!d || d.state === 'delivered') return null;
    return el('button', { type: 'button', 'data-retry': d.deliveryId, text: 'Retry', onclick: function () {
      api(base + '/deliveries/' + encodeURIComponent(d.deliveryId) + '/retry', { method: 'POST' })
        .then(function () { say('Queued ' + d.deliveryId + ' again.'); setTimeout(load, 800); })
        .catch(function (e) { say(e.message, true); });
    } });
  }
  /* After an outage: every failed delivery queued again in one request (in event order; enables a disabled webhook). */
  function retryAllButton(base, c) {
    if (!c || !c.failed) return null;
    return el('button', { type: 'button', 'data-retry-all': base, text: 'Retry all failed', onclick: function () {
      api(base + '/deliveries/retry', { method: 'POST' })
        .then(function (r) { say('Queued ' + r.queued + ' failed deliveries again' + (r.paused ? ' (outbound is paused on this server: nothing is sent from it).' : '.')); setTimeout(load, 800); })
        .catch(function (e) { say(e.message, true); });
    } });
  }
  function counts(c) {
    return el('span', { class: 'small', text: c.delivered + ' delivered · ' + c.pending + ' pending · ' + c.failed + ' failed' });
  }
  function deliveriesDetails(base) {
    var box = el('details', {}, [el('summary', { class: 'small', text: 'Recent deliveries' })]);
    box.addEventListener('toggle', function () {
      if (!box.open || box.dataset.loaded) return;
      box.dataset.loaded = '1';
      api(base + '/deliveries?limit=20').then(function (r) {
        var rows = r.deliveries.map(function (d) {
          return el('tr', {}, [el('td', { text: when(d.createdAt) }), el('td', {}, [statePill(d)]),
            el('td', { class: 'num', text: String(d.attempts) }), el('td', { class: 'actions' }, [retryButton(base, d)])]);
        });
        box.appendChild(el('table', {}, [el('thead', {}, [el('tr', {}, ['Event', 'Outcome', 'Attempts', ''].map(function (h) {
          return el('th', { text: h }); }))]), el('tbody', {}, rows)]));
      }).catch(function (e) { say(e.message, true); });
    });
    return box;
  }

  /* The endpoint asked to be left alone (429/503 with Retry-After, Google's RetryInfo): nothing goes to it before then. */
  function held(x) {
    var paused = x.paused ? el('div', { class: 'small', title: 'outbound.paused is set on this server: deliveries stay pending',
      text: 'outbound paused: nothing is sent from this server' }) : '';
    return x.heldUntil ? el('div', {}, [el('div', { class: 'small', title: 'The endpoint asked to wait (Retry-After); every delivery to it waits until then',
      text: 'held until ' + when(x.heldUntil) }), paused]) : paused;
  }
  /* Settings today's checks refuse (a GA4 event name from before they existed): nothing is sent until a PATCH fixes them. */
  function problems(d) {
    return (d.problems || []).length ? el('div', {}, [el('span', { class: 'pill bad', text: 'not sending' }), ' ',
      el('span', { class: 'small', text: d.problems.map(function (p) { return p.message; }).join('; ') })]) : '';
  }

  /* Who made a feed or webhook (audit AM2 F10: so an owner sees what a leaving person set up); empty when not known. */
  function madeBy(c) {
    if (!c) return '';
    return 'made by ' + (c.kind === 'user' ? c.label : c.kind === 'site_key' ? 'the site key' : 'the operator');
  }

  function renderWebhooks(list) {
    var box = clear($('webhooks'));
    if (!list.length) { box.appendChild(el('div', { class: 'empty' }, [el('strong', { text: 'No webhooks' }),
      'Create one with POST ' + site('/webhooks') + ' (see docs/integrations.md).'])); return; }
    var rows = list.map(function (w) {
      var base = site('/webhooks/' + encodeURIComponent(w.webhookId));
      // Failing but not yet disabled: said on the row, not left to a "pending" that reads as normal traffic (audit AN2 F5).
      var status = !w.enabled
        ? el('span', {}, [el('span', { class: 'pill bad', text: 'disabled' }), ' ', el('span', { class: 'small', text: w.disabledReason || '' })])
        : w.failingSince ? el('span', { 'data-failing': w.webhookId }, [el('span', { class: 'pill bad', text: 'failing' }), ' ',
          el('span', { class: 'small', text: 'every attempt since ' + when(w.failingSince) + ' failed (last ' + when(w.lastFailureAt)
            + '); disabled after 24 h. Recent deliveries show the answers.' })])
        : el('span', { class: 'pill ok', text: 'enabled' });
      return el('tr', { 'data-webhook': w.webhookId }, [
        el('td', {}, [el('div', { text: w.url }), el('div', { class: 'small', text: w.events.join(', ') }),
          el('div', { class: 'small', text: madeBy(w.createdBy) }), deliveriesDetails(base)]),
        el('td', {}, [status, el('div', {}, [counts(w.deliveries)]), held(w)]),
        el('td', {}, [statePill(w.lastDelivery)]),
        el('td', { class: 'actions' }, [retryButton(base, w.lastDelivery), retryAllButton(base, w.deliveries)])]);
    });
    box.appendChild(el('table', {}, [el('thead', {}, [el('tr', {}, ['Endpoint', 'Status', 'Last delivery', ''].map(function (h) {
      return el('th', { text: h }); }))]), el('tbody', {}, rows)]));
  }

  function renderDestinations(list) {
    var box = clear($('destinations'));
    if (!list.length) { box.appendChild(el('div', { class: 'empty' }, [el('strong', { text: 'No destinations' }),
      'Create one with POST ' + site('/destinations') + '.'])); return; }
    var rows = list.map(function (d) {
      var base = site('/destinations/' + encodeURIComponent(d.destinationId));
      var settings = Object.keys(d.settings).filter(function (k) { return k !== 'baseUrl' && k !== 'tokenUrl'; })
        .map(function (k) { return k + '=' + d.settings[k]; }).join(' · ');
      // Without a filter a conversion upload takes every answered call, short ones too: say so. Metrica's
      // call log and GA4 take missed calls as well, marked missed.
      var everything = d.type === 'yandex-metrica-calls' || d.type === 'ga4' ? 'every call' : 'every answered call';
      settings += (settings ? ' · ' : '') + 'uploads: ' + ((d.filter && feedFilters(d.filter)) || everything);
      return el('tr', { 'data-destination': d.destinationId }, [
        el('td', {}, [el('div', { text: d.type + (d.dryRun ? ' (dry run)' : '') }), el('div', { class: 'small', text: settings }),
          deliveriesDetails(base)]),
        el('td', {}, [problems(d), counts(d.deliveries), held(d)]),
        el('td', {}, [statePill(d.lastDelivery)]),
        el('td', { class: 'actions' }, [retryButton(base, d.lastDelivery), retryAllButton(base, d.deliveries)])]);
    });
    box.appendChild(el('table', {}, [el('thead', {}, [el('tr', {}, ['Destination', 'Uploads', 'Last upload', ''].map(function (h) {
      return el('th', { text: h }); }))]), el('tbody', {}, rows)]));
  }

  /* A feed's or destination's filters in words ("target calls, tag sale"); empty for every call. */
  function feedFilters(f) {
    var parts = [];
    if (f.target === true) parts.push('target calls'); else if (f.target === false) parts.push('non-target calls');
    if (f.unique === true) parts.push('unique calls'); else if (f.unique === false) parts.push('repeat calls');
    if (f.uniqueTarget === true) parts.push('unique target calls'); else if (f.uniqueTarget === false) parts.push('not unique target');
    if (f.tag) parts.push('tag ' + f.tag);
    if (f.idType) parts.push('by ' + f.idType);
    if (f.leads === false) parts.push('no leads');
    return parts.join(', ');
  }

  function renderFeeds(list) {
    var box = clear($('feeds'));
    if (!list.length) { box.appendChild(el('div', { class: 'empty' }, [el('strong', { text: 'No feeds' }),
      'Create one with POST ' + site('/feeds') + '.'])); return; }
    var rows = list.map(function (f) {
      return el('tr', { 'data-feed': f.feedId }, [el('td', {}, [el('div', { text: f.format + (f.layout === 'data-manager' ? ' (Data Manager layout)' : '')
          + (feedFilters(f) ? ': ' + feedFilters(f) : '') }),
        el('div', { class: 'small', text: f.url }), el('div', { class: 'small', text: madeBy(f.createdBy) })]),
        el('td', { text: f.username }), el('td', { class: 'num', text: f.windowDays + ' days' }),
        el('td', { text: f.lastFetchAt ? when(f.lastFetchAt) + ' (' + f.fetchCount + ' fetches)' : 'never fetched' })]);
    });
    box.appendChild(el('table', {}, [el('thead', {}, [el('tr', {}, ['Feed', 'Username', 'Window', 'Last fetch'].map(function (h) {
      return el('th', { text: h }); }))]), el('tbody', {}, rows)]));
  }

  function load() {
    return Promise.all([api(site('/webhooks')), api(site('/destinations')), api(site('/feeds'))]).then(function (r) {
      renderWebhooks(r[0].webhooks);
      renderDestinations(r[1].destinations);
      renderFeeds(r[2].feeds);
      if ($('status').classList.contains('error')) say(''); // a failure said before is over; a "Queued …" line stays
    }).catch(function (e) {
      // A role without the permission: said as the dashboard's other pages say it, with no retry,
      // which could never help (audit AN4 F12).
      if (e.status === 403) {
        ['webhooks', 'destinations', 'feeds'].forEach(function (id) { clear($(id)); });
        say('You cannot open Integrations. ' + (state.workspace ? 'Your role in ' + state.workspace.name + ' is ' + state.workspace.role + '. ' : '')
          + 'Ask an owner if you need more.', true);
        return;
      }
      // A failed refresh empties the lists rather than leave the last ones as if current (audit AI4 F8).
      ['webhooks', 'destinations', 'feeds'].forEach(function (id) {
        clear($(id)).appendChild(el('p', { class: 'small', text: 'Not loaded: see the message above, then Refresh.' }));
      });
      say('Could not load the integrations: ' + (e instanceof TypeError ? 'the server could not be reached; check your connection' : e.message)
        + '. Press Refresh to try again.', true);
    });
  }

  $('refresh').addEventListener('click', load);
  // With a key: whose site it is. Signed in as a person: the site chosen on the reports page.
  (state.key ? api('/v1/dashboard/site') : api('/v1/me').then(function (me) {
    state.csrf = me.csrfToken;
    var sites = [];
    me.workspaces.forEach(function (w) { w.sites.forEach(function (x) { sites.push(x); }); });
    var wanted = sessionStorage.getItem('ringpool.site') || localStorage.getItem('ringpool.site'); // this tab's client first
    var chosen = sites.filter(function (x) { return x.siteId === wanted; })[0] || sites[0];
    state.workspace = chosen && me.workspaces.filter(function (w) { return w.sites.indexOf(chosen) >= 0; })[0];
    return chosen || Promise.reject(new Error('no site yet'));
  })).then(function (s) {
    state.site = s;
    $('site-name').textContent = '· ' + s.name;
    return load();
  }).catch(function (e) { say(e.message, true); });
})();
