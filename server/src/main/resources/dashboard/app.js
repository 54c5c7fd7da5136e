/* Ringpool dashboard: one page, vanilla JS, uPlot for time series. Talks to the public API either as
 * a signed-in person (the HttpOnly session cookie, with the CSRF token on every change) or with a
 * site key kept in sessionStorage (this tab only; for machines and tests). Everything it loads comes
 * from this server. accounts.js adds sign-in by password, the site switcher and the settings pages
 * through window.Ringpool. */
(function () {
  'use strict';
  var KEY = 'ringpool.apiKey';
  var CHANNEL_COLORS = { paid: '#2f6fed', organic: '#12a37f', direct: '#8a94a6', referral: '#e39a1b',
    social: '#c2418b', email: '#7b5cd6', '(none)': '#b8c0cc' };
  var state = { key: null, csrf: null, me: null, site: null, from: null, to: null, model: 'last_non_direct', cursor: null, leadCursor: null, charts: {},
    sourcesGroup: 'source,medium', sourcesAll: false, presetDays: 30 };
  var LEAD_STATUSES = ['new', 'qualified', 'spam', 'won', 'lost'];
  var $ = function (id) { return document.getElementById(id); };

  function el(tag, attrs, children) {
    var e = document.createElement(tag);
    if (attrs) Object.keys(attrs).forEach(function (k) {
      if (k === 'class') e.className = attrs[k];
      else if (k === 'text') e.textContent = attrs[k];
      else if (k === 'style') e.setAttribute('style', attrs[k]);
      else if (k.indexOf('on') === 0) e.addEventListener(k.slice(2), attrs[k]);
      else e.setAttribute(k, attrs[k]);
    });
    (children || []).forEach(function (c) { if (c != null) e.appendChild(typeof c === 'string' ? document.createTextNode(c) : c); });
    return e;
  }
  function clear(node) { while (node.firstChild) node.removeChild(node.firstChild); return node; }
  function fmt(n) { return n == null ? '—' : Number(n).toLocaleString('en-US'); }
  /** A call's or lead's value as people read it, "45,000 RUB"; a dash without one. */
  function money(value, currency) {
    return value == null ? '—' : Number(value).toLocaleString('en-US', { maximumFractionDigits: 2 }) + (currency ? ' ' + currency : '');
  }
  /* A URL as people write it: /услуги/импланты, not its percent-escapes (audit AJ3 J3). Display only. */
  function readableUrl(u) {
    if (u == null) return u;
    try { return decodeURI(u); } catch (e) { return u; }
  }
  function pct(x) { return x == null ? '—' : (x * 100).toFixed(x < 0.1 ? 1 : 0) + '%'; }
  function empty(title, text) { return el('div', { class: 'empty' }, [el('strong', { text: title }), text]); }
  function channelColor(c) { return CHANNEL_COLORS[c] || '#5b6b84'; }

  function plural(n, one, many) { return fmt(n) + ' ' + (Number(n) === 1 ? one : (many || one + 's')); }

  /* Every call to the API: the key when signed in with one, else the cookie (sent by the browser)
   * and, on anything but GET, the CSRF token. Errors carry the server's code, message and field. */
  function api(path, options, attempt) {
    options = options || {};
    attempt = attempt || 0;
    var method = (options.method || 'GET').toUpperCase();
    var headers = Object.assign({}, options.headers || {});
    if (state.key) headers['Authorization'] = 'Bearer ' + state.key;
    else if (method !== 'GET' && method !== 'HEAD' && state.csrf) headers['X-CSRF-Token'] = state.csrf;
    if (options.json !== undefined) { headers['Content-Type'] = 'application/json'; options = Object.assign({}, options, { body: JSON.stringify(options.json) }); }
    return fetch(path, Object.assign({}, options, { headers: headers, credentials: 'same-origin' })).then(function (r) {
      // The report lane allows a key a few requests at once: wait as told and ask again.
      if (r.status === 429 && attempt < 5 && !options.noRetry) {
        var wait = Math.min(10, Number(r.headers.get('Retry-After')) || 1);
        return new Promise(function (done) { setTimeout(done, wait * 1000); }).then(function () { return api(path, options, attempt + 1); });
      }
      if (r.status === 401 && !options.quiet401) { signOut(); throw new Error('Your sign-in has ended. Sign in again.'); }
      if (!r.ok) return r.json().catch(function () { return {}; }).then(function (b) {
        var e = new Error((b.error && b.error.message) || ('HTTP ' + r.status));
        e.status = r.status; e.code = b.error && b.error.code; e.field = b.error && b.error.field;
        throw e;
      });
      if (options.raw) return r;
      return r.status === 204 ? null : r.json();
    });
  }
  function site(path) { return '/v1/sites/' + encodeURIComponent(state.site.siteId) + path; }
  function rangeQuery() { return 'from=' + state.from + '&to=' + state.to; }

  function today(zone) { return new Intl.DateTimeFormat('en-CA', { timeZone: zone }).format(new Date()); }
  function addDays(day, n) { var d = new Date(day + 'T00:00:00Z'); d.setUTCDate(d.getUTCDate() + n); return d.toISOString().slice(0, 10); }
  function localTime(iso) {
    return new Intl.DateTimeFormat('en-GB', { timeZone: state.site.timeZone, day: '2-digit', month: 'short',
      hour: '2-digit', minute: '2-digit' }).format(new Date(iso));
  }

  // ---- sign in / out -------------------------------------------------------------------------
  function signIn(key) {
    state.key = key;
    state.me = null;
    return api('/v1/dashboard/site').then(function (s) {
      sessionStorage.setItem(KEY, key);
      showSite(s);
    });
  }
  /* Shows the reports of a site ({siteId, name, timeZone, currency}); the site switcher calls it too. */
  function showSite(s) {
    state.site = s;
    $('signin').hidden = true;
    $('app').hidden = false;
    $('site-name').textContent = '· ' + s.name;
    $('tz-hint').textContent = 'weekday × hour, ' + s.timeZone;
    document.dispatchEvent(new CustomEvent('ringpool:site', { detail: s }));
    // Another site keeps the chosen range: custom dates as they are (an agency compares clients over
    // the same week, audit Q #6), a preset counted again up to today in the new site's zone.
    if (state.presetDays || !state.from) setRange(state.presetDays || 30);
    else load();
  }
  /* The site's settings were changed (the Settings page): every view takes the new ones now, not at
   * the next sign-in. A new zone moves the call times, the heatmap's label and "today" of a preset,
   * so the reports load again (audit AI4 F6: they kept the zone of the sign-in). */
  function siteUpdated(s) {
    ['name', 'timeZone', 'currency', 'country'].forEach(function (k) { if (s[k] !== undefined) state.site[k] = s[k]; });
    $('site-name').textContent = '· ' + state.site.name;
    $('tz-hint').textContent = 'weekday × hour, ' + state.site.timeZone;
    if (state.presetDays) setRange(state.presetDays);
    else load();
  }
  function signOut() {
    var wasPerson = !state.key && state.csrf;
    sessionStorage.removeItem(KEY);
    state.key = null;
    state.me = null;
    state.site = null;
    state.from = state.to = null;
    state.presetDays = 30;
    if (wasPerson) fetch('/v1/auth/logout', { method: 'POST', credentials: 'same-origin', headers: { 'X-CSRF-Token': state.csrf } });
    state.csrf = null;
    forgetSite();
    $('app').hidden = true;
    $('signin').hidden = false;
    document.dispatchEvent(new CustomEvent('ringpool:signout'));
  }
  /* Empties everything shown of a site (figures, call and lead logs, an open detail, a playing
     recording) and drops answers still on their way: after a sign-out the next person at a shared
     computer found the callers of the last in the page's hidden tables (audit AN4 F14). */
  function forgetSite() {
    generations.reports++; generations.calls++; generations.leads++;
    Object.keys(REPORT_VIEWS).forEach(function (v) { clear(REPORT_VIEWS[v]()); });
    clear($('calls')); clear($('leads'));
    $('more-calls').hidden = true; $('more-leads').hidden = true;
    $('export-status').textContent = '';
    hideProblem();
    busy(false);
    var detail = $('detail');
    if (detail) { if (detail.open) detail.close(); clear(detail); }
    var player = $('call-player');
    if (player) { player.pause(); player.removeAttribute('src'); player.load(); }
  }
  $('signin-form').addEventListener('submit', function (e) {
    e.preventDefault();
    var err = $('signin-error');
    err.hidden = true;
    var typed = $('api-key').value.trim();
    signIn(typed).catch(function (x) {
      // Site keys start sk_; anything else (the operator's admin key, audit AN4 F13) opens no site here.
      err.textContent = !/sign-in has ended/.test(x.message) ? x.message : /^sk_/.test(typed) ? 'That key was not accepted.'
        : 'That key was not accepted: it is not a site key (they start sk_). Open a site with its key, or sign in with your e-mail; the operator’s admin key opens no site here.';
      err.hidden = false;
      $('signin').hidden = false;
    });
  });
  $('signout').addEventListener('click', signOut);

  // ---- range ---------------------------------------------------------------------------------
  // Enter in a field must not submit the form (a page load); here, not in an inline handler, which
  // the dashboard's Content-Security-Policy refuses (script-src has no 'unsafe-inline').
  $('range').addEventListener('submit', function (e) { e.preventDefault(); });
  function setRange(days) {
    var t = today(state.site.timeZone);
    state.presetDays = days;
    state.to = t;
    state.from = addDays(t, -(days - 1));
    $('from').value = state.from;
    $('to').value = state.to;
    Array.prototype.forEach.call(document.querySelectorAll('.presets button'), function (b) {
      b.classList.toggle('active', Number(b.dataset.days) === days);
    });
    load();
  }
  Array.prototype.forEach.call(document.querySelectorAll('.presets button'), function (b) {
    b.addEventListener('click', function () { setRange(Number(b.dataset.days)); });
  });
  // Dates the server refuses (To before From, an empty one, a range past 400 days) are asked for
  // all the same: its answer is what the page shows in place of the figures. Returning early kept
  // the previous range's figures under the new dates, without a word (audit AI4 F8).
  ['from', 'to'].forEach(function (id) {
    $(id).addEventListener('change', function () {
      state.from = $('from').value; state.to = $('to').value;
      state.presetDays = null;
      Array.prototype.forEach.call(document.querySelectorAll('.presets button'), function (b) { b.classList.remove('active'); });
      load();
    });
  });
  $('model').addEventListener('change', function () { state.model = $('model').value; load(); });

  // ---- loading -------------------------------------------------------------------------------
  /* Every view of the reports page, loaded again for the range, model and site. While they load
   * the page is marked busy (dimmed); a view whose request fails is emptied and says why, with a
   * retry, and the line at the top says it for the page: figures of another range or site are never
   * left standing under the new dates (audit AI4 F8). Answers of an older load are dropped. */
  function load() {
    var generation = ++generations.reports;
    var q = rangeQuery(), m = '&model=' + state.model;
    var failures = [];
    function report(view, path, render) {
      return api(site(path)).then(function (r) {
        if (generation === generations.reports) render(r);
      }, function (x) {
        if (generation !== generations.reports) return;
        failures.push(x);
        notLoaded(view, x);
      }).catch(function (e) { console.error(e); }); // a fault of the page itself, not an answer
    }
    function log(loading) {
      return loading.then(function (failure) { if (failure) failures.push(failure); }).catch(function (e) { console.error(e); });
    }
    hideProblem();
    busy(true);
    var jobs = [
      report('daily', '/reports/daily?' + q + m, renderDaily),
      report('sources', sourcesPath(), renderSourcesAndTotals),
      report('heatmap', '/reports/time?' + q, renderHeatmap),
      report('devices', '/reports/devices?' + q + '&groupBy=device', renderDevices),
      report('paths', '/reports/paths?' + q + '&limit=6', renderPaths),
      report('pools', '/reports/pools?' + q, renderPools),
      log(loadCalls(true)),
      log(loadLeads(true))
    ];
    return Promise.all(jobs).then(function () {
      if (generation !== generations.reports) return;
      busy(false);
      if (failures.length) showProblem(failures);
      document.body.dataset.loaded = String(Date.now());
    });
  }

  // ---- when data cannot be loaded ------------------------------------------------------------
  /** What went wrong, in words a person can act on; the server's own message where it names the fix. */
  function problemText(x) {
    var said = x && String(x.message || '').replace(/\.$/, '');
    if (!x || x.status == null) return 'The server could not be reached. Check your connection, then try again.';
    if (x.status === 422 && (x.field === 'from' || x.field === 'to')) return 'These dates cannot be shown: ' + said + '. Change From or To.';
    if (x.status === 422 || x.status === 400) return said + '.';
    if (x.status === 404) return 'This site is not available to you any more (it was removed, or your access to it ended). Pick another site, or ask an owner of the workspace.';
    if (x.status === 403) return 'Your role may not see this: ' + said + '.';
    if (x.status === 429 || x.status === 503) return 'The server is busy with other reports just now. Try again in a moment.';
    return 'The server could not answer (HTTP ' + x.status + '). Try again; if it keeps failing, tell whoever runs Ringpool for you.';
  }
  /** A box in place of a view that could not be loaded, with a button that tries again. */
  function problemBox(title, x, retry) {
    return el('div', { class: 'empty problem', role: 'alert' }, [el('strong', { text: title }), el('span', { text: problemText(x) }),
      retry ? el('div', null, [el('button', { type: 'button', class: 'retry', text: 'Try again', onclick: retry })]) : null]);
  }
  /* Each report view, emptied of what it showed (charts, hints, counts): returns where to say why. */
  var REPORT_VIEWS = {
    daily: function () { dropChart('daily'); $('daily-hint').textContent = ''; return $('daily-chart'); },
    sources: function () { clear($('kpis')); $('sources-count').textContent = ''; $('sources-more').hidden = true; return $('sources'); },
    heatmap: function () { return $('heatmap'); },
    devices: function () { return $('devices'); },
    paths: function () { return $('paths'); },
    pools: function () { dropChart('pool'); clear($('pool-summary')); $('pool-hint').textContent = ''; $('pool-picker').hidden = true; return $('pool-chart'); }
  };
  function notLoaded(view, x) {
    clear(REPORT_VIEWS[view]()).appendChild(problemBox('Not loaded', x, function () { load(); }));
  }
  function dropChart(name) { if (state.charts[name]) { state.charts[name].destroy(); delete state.charts[name]; } }
  function busy(on) {
    $('page-reports').classList.toggle('loading', on);
    $('page-reports').setAttribute('aria-busy', String(on));
  }
  function showProblem(failures) {
    var texts = failures.map(problemText).filter(function (t, i, all) { return all.indexOf(t) === i; });
    var box = clear($('load-problem'));
    box.appendChild(el('strong', { text: 'Some of the figures for ' + state.from + ' – ' + state.to + ' could not be loaded, and are not shown. ' }));
    texts.forEach(function (t) { box.appendChild(el('span', { text: t + ' ' })); });
    box.appendChild(el('button', { type: 'button', class: 'retry', id: 'load-retry', text: 'Try again', onclick: function () { load(); } }));
    box.hidden = false;
    // A site gone from the person's list (removed, or their access ended) leaves the switcher too.
    if (failures.some(function (x) { return x.status === 404; }) && window.Ringpool.sitesChanged) window.Ringpool.sitesChanged();
  }
  function hideProblem() { clear($('load-problem')).hidden = true; }

  /* Conversion is calls ÷ visits, as in every row of Top sources, so the card and the rows add up.
   * Calls with no visit (static numbers, unattributed) count as well, so it can pass 100%: the card
   * shows its two figures, which says why (audit Q #6; reports.md). */
  function renderKpis(t) {
    var box = clear($('kpis'));
    [['Visits', fmt(t.visits)], ['Calls', fmt(t.calls)], ['Unique calls', fmt(t.uniqueCalls)],
     ['Target calls', fmt(t.targetCalls)], ['Leads', fmt(t.leads)], ['Contacts', fmt(t.contacts)],
     ['Conversion', pct(t.conversion), plural(t.calls, 'call') + ' ÷ ' + plural(t.visits, 'visit'),
      'Calls ÷ visits, as in Top sources. Calls with no visit (static numbers, unattributed) count too, so it can pass 100%.']
    ].forEach(function (k) {
      box.appendChild(el('div', { class: 'kpi', id: 'kpi-' + k[0].toLowerCase().replace(/ /g, '-'), title: k[3] || '' }, [
        el('div', { class: 'label', text: k[0] }), el('div', { class: 'value', text: k[1] }),
        k[2] ? el('div', { class: 'formula', text: k[2] }) : null]));
    });
  }

  function chartWidth(node) { return Math.max(280, node.clientWidth || node.parentNode.clientWidth - 32); }
  function mountChart(name, node, opts, data) {
    if (state.charts[name]) { state.charts[name].destroy(); delete state.charts[name]; }
    clear(node);
    opts.width = chartWidth(node);
    state.charts[name] = new uPlot(opts, data, node);
  }
  window.addEventListener('resize', function () {
    Object.keys(state.charts).forEach(function (k) {
      var c = state.charts[k];
      c.setSize({ width: chartWidth(c.root.parentNode), height: c.height });
    });
  });

  function renderDaily(r) {
    var node = $('daily-chart');
    var total = r.calls.reduce(function (a, b) { return a + b; }, 0);
    $('daily-hint').textContent = plural(total, 'call') + ' · ' + plural(r.days.length, 'day');
    if (!total) {
      if (state.charts.daily) { state.charts.daily.destroy(); delete state.charts.daily; }
      clear(node).appendChild(empty('No calls in this range yet', 'Calls appear here as soon as your telephony provider reports them.'));
      return;
    }
    var xs = r.days.map(function (d) { return Date.parse(d + 'T00:00:00Z') / 1000; });
    var channels = Object.keys(r.callsByChannel).sort(function (a, b) {
      return sum(r.callsByChannel[b]) - sum(r.callsByChannel[a]);
    });
    // Stacked bars: cumulative series, the tallest drawn first so each layer shows its own slice.
    var cumulative = [], running = xs.map(function () { return 0; });
    channels.forEach(function (c) {
      running = running.map(function (v, i) { return v + r.callsByChannel[c][i]; });
      cumulative.push({ name: c, values: running.slice(), own: r.callsByChannel[c] });
    });
    cumulative.reverse();
    var bars = uPlot.paths.bars({ size: [0.7, 36], gap: 1 });
    var series = [{ label: 'Day', value: function (u, v) { return v == null ? '' : new Date(v * 1000).toISOString().slice(0, 10); } }];
    cumulative.forEach(function (s) {
      series.push({ label: s.name === '(none)' ? 'unattributed' : s.name, fill: channelColor(s.name), stroke: channelColor(s.name), width: 0, paths: bars, points: { show: false },
        value: (function (own) { return function (u, v, si, i) { return i == null ? '' : fmt(own[i]); }; })(s.own) });
    });
    mountChart('daily', node, {
      height: 260, series: series, legend: { live: true }, hooks: legendHooks(),
      tzDate: function (ts) { return uPlot.tzDate(new Date(ts * 1000), 'Etc/UTC'); },
      // Half a day either side, so the first and last bars (today's, usually) are drawn whole (audit Q #5).
      // From the days themselves: with one day uPlot hands the callback its own padded max, years on.
      scales: { x: { time: true, range: function () { return [xs[0] - HALF_DAY, xs[xs.length - 1] + HALF_DAY]; } },
        y: { range: function (u, min, max) { return [0, Math.max(1, Math.ceil(max * 1.1))]; } } },
      axes: [dayAxis(xs, { stroke: '#667085', grid: { show: false } }), countAxis({ stroke: '#667085', grid: { stroke: '#eef0f3' }, size: 40 })],
      cursor: { points: { show: false } }
    }, [xs].concat(cumulative.map(function (s) { return s.values; })));
  }
  /* One bar a day, each on its day's midnight (days are the site's, drawn as UTC midnights): ticks on
   * days only, never hours, each under its bar; every day, or every n-th counted back from the last
   * (today) when the days are too narrow for a label each. */
  var HALF_DAY = 43200;
  var DAY_TICK_STEPS = [1, 2, 3, 7, 14, 28, 56, 91]; // days between labels
  var MIN_TICK_PX = 56; // room for a label such as "28 Nov"
  var dayLabel = new Intl.DateTimeFormat('en-GB', { timeZone: 'UTC', day: 'numeric', month: 'short' });
  function dayAxis(xs, axis) {
    return Object.assign(axis, {
      splits: function (u) {
        var perDay = Math.max(1, u.width - 60) / xs.length;
        var step = DAY_TICK_STEPS.filter(function (n) { return n * perDay >= MIN_TICK_PX; })[0] || DAY_TICK_STEPS[DAY_TICK_STEPS.length - 1];
        return xs.filter(function (x, i) { return (xs.length - 1 - i) % step === 0; });
      },
      values: function (u, splits) { return splits.map(function (x) { return dayLabel.format(new Date(x * 1000)); }); }
    });
  }
  /* The pool chart's x axis, in the site's zone. Its buckets are 15 minutes over up to two days, hours
   * up to a month, days beyond (ReportApi): over up to two days, ticks on whole hours ("14:00", a
   * midnight by its day, "5 Dec"), every 1 to 12 hours as the width allows; over longer ranges, on
   * midnights only ("5 Dec"), every n-th day counted back from the last. Never uPlot's own choice,
   * which put "12am 6am 12pm" under a week of data. Ticks sit on buckets, so they are the chart's own
   * x values. */
  var HOUR_TICK_STEPS = [1, 2, 3, 4, 6, 12];
  var MIN_HOUR_TICK_PX = 44; // room for a label such as "14:00"
  var zonedFormats = {};
  function zonedLabels(zone) {
    return zonedFormats[zone] || (zonedFormats[zone] = {
      clock: new Intl.DateTimeFormat('en-GB', { timeZone: zone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }),
      day: new Intl.DateTimeFormat('en-GB', { timeZone: zone, day: 'numeric', month: 'short' }),
      dayAndTime: new Intl.DateTimeFormat('en-GB', { timeZone: zone, day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' })
    });
  }
  function zonedTimeAxis(xs, bucketSeconds, zone, axis) {
    var labels = zonedLabels(zone);
    var clock = xs.map(function (x) { return labels.clock.format(new Date(x * 1000)); }); // "HH:mm" in the zone
    var span = xs.length ? xs[xs.length - 1] - xs[0] + bucketSeconds : 0;
    var hourly = span <= 2 * 86400;
    function isMidnight(i) { return bucketSeconds >= 86400 || clock[i] === '00:00'; }
    return Object.assign(axis, {
      splits: function (u) {
        var width = Math.max(1, u.width - 80);
        if (hourly) {
          var perHour = width / Math.max(1, span / 3600);
          var hours = HOUR_TICK_STEPS.filter(function (n) { return n * perHour >= MIN_HOUR_TICK_PX; })[0] || 24;
          return xs.filter(function (x, i) { return /:00$/.test(clock[i]) && parseInt(clock[i], 10) % hours === 0; });
        }
        var midnights = xs.filter(function (x, i) { return isMidnight(i); });
        var perDay = width / Math.max(1, span / 86400);
        var days = DAY_TICK_STEPS.filter(function (n) { return n * perDay >= MIN_TICK_PX; })[0] || DAY_TICK_STEPS[DAY_TICK_STEPS.length - 1];
        return midnights.filter(function (x, i) { return (midnights.length - 1 - i) % days === 0; });
      },
      values: function (u, splits) {
        return splits.map(function (x) {
          var at = new Date(x * 1000), hhmm = labels.clock.format(at);
          return hourly && hhmm !== '00:00' ? hhmm : labels.day.format(at);
        });
      }
    });
  }
  /* Counts are whole: ticks at whole steps only, never 0.5 or 2.5. */
  var WHOLE_STEPS = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000, 20000, 50000, 100000];
  function countAxis(axis) {
    return Object.assign(axis, { incrs: WHOLE_STEPS, values: function (u, splits) { return splits.map(function (v) { return Number.isInteger(v) ? fmt(v) : ''; }); } });
  }
  /* The legend shows values only while the pointer is over the chart; before that, just the names
   * (no 'Time' row and no '--' placeholders). */
  function legendHooks() {
    return { ready: [function (u) { u.root.classList.add('idle'); }],
      setCursor: [function (u) { u.root.classList.toggle('idle', u.cursor.idx == null); }] };
  }
  function sum(a) { return a.reduce(function (x, y) { return x + y; }, 0); }

  // ---- top sources ---------------------------------------------------------------------------
  // The top rows of a grouping, and all of them on demand (audit Q #4: 10 rows were shown with no
  // sign of the rest, so a source with the only e-mail lead was hidden and campaigns never shown).
  var SOURCES_TOP = 10, SOURCES_MOST = 1000; // the API's largest limit
  var SOURCE_GROUPINGS = {
    'source,medium': { title: 'Source / medium', name: function (k) { return k.source; }, detail: function (k) { return k.medium || '(none)'; } },
    'source,medium,campaign': { title: 'Campaign', unset: '(no campaign)', name: function (k) { return k.campaign; },
      detail: function (k) { return sourceMedium(k); } },
    'source,medium,campaign,term': { title: 'Keyword', unset: '(no keyword)', name: function (k) { return k.term; },
      detail: function (k) { return sourceMedium(k) + (k.campaign ? ' · ' + k.campaign : ''); } },
    // The page a visit landed on, without its query string (the API's landingPage; audit AI4 F3).
    // The key has no source, so no row is "unattributed": calls and leads with no visit are in the
    // row without a page.
    'landingPage': { title: 'Landing page', unset: '(no landing page)', unattributed: function () { return false; },
      name: function (k) { return readableUrl(k.landingPage); }, detail: function (k) { return k.landingPage == null ? 'calls and leads with no visit' : ''; } }
  };
  function sourceMedium(k) { return k.source + ' / ' + (k.medium || '(none)'); }
  function sourcesPath() {
    return '/reports/sources?' + rangeQuery() + '&model=' + state.model + '&groupBy=' + state.sourcesGroup
      + '&limit=' + (state.sourcesAll ? SOURCES_MOST : SOURCES_TOP);
  }
  function renderSourcesAndTotals(r) { renderKpis(r.totals); renderSources(r); }
  /* Another grouping, or all rows, for the same range: only this card (and the totals) load again. */
  function loadSources() {
    var generation = generations.reports;
    return api(site(sourcesPath())).then(function (r) {
      if (generation === generations.reports) renderSourcesAndTotals(r);
    }, function (x) {
      if (generation === generations.reports) notLoaded('sources', x);
    });
  }
  $('sources-group').addEventListener('change', function () { state.sourcesGroup = $('sources-group').value; loadSources(); });
  $('sources-more').addEventListener('click', function () { state.sourcesAll = !state.sourcesAll; loadSources(); });

  function renderSources(r) {
    var node = clear($('sources')), count = $('sources-count'), more = $('sources-more');
    count.textContent = '';
    more.hidden = true;
    if (!r.rows.length || (!r.totals.calls && !r.totals.visits && !r.totals.leads)) {
      node.appendChild(empty('No visits or calls yet', 'Once the site script runs on your pages, sources show up here.'));
      return;
    }
    var grouping = SOURCE_GROUPINGS[state.sourcesGroup];
    var maxConv = Math.max.apply(null, r.rows.map(function (x) { return x.conversion || 0; }).concat([0.0001]));
    var body = r.rows.map(function (row) {
      var conv = row.conversion, k = row.key;
      // No source: calls and leads that no visit was found for (static numbers without a source, no match).
      var unattributed = grouping.unattributed ? grouping.unattributed(k) : k.source == null;
      var label = unattributed ? [el('div', { class: 'src-name unattributed', text: 'unattributed', title: 'calls and leads with no visit' })]
        : [el('div', { class: 'src-name' + (grouping.name(k) ? '' : ' unset'), text: grouping.name(k) || grouping.unset }),
          el('div', { class: 'src-medium', text: grouping.detail(k) })];
      return el('tr', null, [
        el('td', null, label),
        // data-label: on a phone each row is a card, and a number carries its column's title (phone.css).
        el('td', { class: 'num', 'data-label': 'Visits', text: fmt(row.visits) }),
        el('td', { class: 'num', 'data-label': 'Calls', text: fmt(row.calls) }),
        el('td', { class: 'num', 'data-label': 'Target', text: fmt(row.targetCalls) }),
        el('td', { class: 'num leads', 'data-label': 'Leads', text: fmt(row.leads) }),
        el('td', { class: 'num', 'data-label': 'Contacts', text: fmt(row.contacts) }),
        el('td', { class: 'num', 'data-label': 'Conversion' }, [el('div', { class: 'conv' }, [
          el('div', { class: 'bar', style: 'width:' + Math.round(60 * (conv || 0) / maxConv) + 'px' }), el('span', { text: pct(conv) })])])
      ]);
    });
    node.appendChild(el('table', { id: 'sources-table' }, [
      el('thead', null, [el('tr', null, [el('th', { text: grouping.title }), el('th', { class: 'num', text: 'Visits' }),
        el('th', { class: 'num', text: 'Calls' }), el('th', { class: 'num', text: 'Target' }), el('th', { class: 'num', text: 'Leads' }),
        el('th', { class: 'num', text: 'Contacts', title: 'calls + leads, a person once per uniqueness period' }),
        el('th', { class: 'num', text: 'Conversion' })])]),
      el('tbody', null, body)]));
    var hidden = r.totalRows - r.rows.length;
    if (hidden > 0 || (state.sourcesAll && r.totalRows > SOURCES_TOP)) {
      count.textContent = hidden > 0 ? fmt(r.rows.length) + ' of ' + plural(r.totalRows, 'row') : plural(r.totalRows, 'row');
      more.textContent = state.sourcesAll ? 'Show top ' + SOURCES_TOP
        : r.totalRows > SOURCES_MOST ? 'Show the top ' + fmt(SOURCES_MOST) : 'Show all ' + fmt(r.totalRows);
      more.hidden = false;
    }
  }

  function renderHeatmap(r) {
    var node = clear($('heatmap'));
    if (!r.totalCalls) {
      node.appendChild(empty('No calls to map yet', 'The weekday × hour grid fills in as calls arrive.'));
      return;
    }
    var max = 1;
    r.calls.forEach(function (row) { row.forEach(function (v) { if (v > max) max = v; }); });
    var grid = el('div', { class: 'heatmap', id: 'heatmap-grid', role: 'table' });
    grid.appendChild(el('div'));
    for (var h = 0; h < 24; h++) grid.appendChild(el('div', { class: 'collabel', text: h % 3 === 0 ? String(h) : '' }));
    r.calls.forEach(function (row, w) {
      grid.appendChild(el('div', { class: 'rowlabel', text: r.weekdays[w] }));
      row.forEach(function (v, hour) {
        var a = v ? 0.15 + 0.85 * v / max : 0;
        grid.appendChild(el('div', { class: 'cell', title: r.weekdays[w] + ' ' + hour + ':00 — ' + plural(v, 'call'),
          style: v ? 'background: rgba(47,111,237,' + a.toFixed(2) + ')' : '' }));
      });
    });
    node.appendChild(grid);
    node.appendChild(el('div', { class: 'legend' }, ['0', el('span', { class: 'ramp' }), plural(max, 'call')]));
  }

  function renderDevices(r) {
    var node = clear($('devices'));
    if (!r.totals.visits && !r.totals.calls) {
      node.appendChild(empty('No devices yet', 'Desktop, mobile and tablet shares appear with the first visits.'));
      return;
    }
    var total = Math.max(1, r.totals.calls || r.totals.visits);
    var metric = r.totals.calls ? 'calls' : 'visits';
    var box = el('div', { class: 'bars', id: 'device-bars' });
    r.rows.forEach(function (row) {
      var v = row[metric];
      box.appendChild(el('div', { class: 'barrow' }, [
        el('span', { text: row.key.device || 'unknown' }),
        el('div', { class: 'track' }, [el('div', { class: 'fill', style: 'width:' + (100 * v / total).toFixed(1) + '%' })]),
        el('span', { class: 'n', text: fmt(v) + ' · ' + Math.round(100 * v / total) + '%' })]));
    });
    node.appendChild(box);
    node.appendChild(el('p', { class: 'hint', text: 'Share of ' + metric + ' by device; ' + fmt(r.totals.visits) + ' visits in all.' }));
  }

  function renderPaths(r) {
    var node = clear($('paths'));
    if (!r.rows.length) {
      node.appendChild(empty('No paths yet', 'Sequences of visits show up for callers the pool could trace.'));
      return;
    }
    var box = el('div', { class: 'paths' });
    r.rows.forEach(function (row) {
      var p = el('div', { class: 'path', title: row.path });
      row.steps.forEach(function (s, i) {
        if (i) p.appendChild(el('span', { class: 'arrow', text: '→' }));
        p.appendChild(el('span', { class: 'step' + (s.label === 'direct' ? ' direct' : ''), text: s.label + (s.visits > 1 ? ' ×' + s.visits : '') }));
      });
      // Rows are ordered by calls + leads: a path that brought only a lead says so, not "0" (audit Q #6).
      p.appendChild(el('span', { class: 'count', text: [row.calls ? plural(row.calls, 'call') : '', row.leads ? plural(row.leads, 'lead') : '']
        .filter(Boolean).join(' · ') || '0' }));
      box.appendChild(p);
    });
    node.appendChild(box);
  }

  function renderPools(r) {
    var summary = clear($('pool-summary')), node = $('pool-chart');
    if (!r.pools.length) {
      if (state.charts.pool) { state.charts.pool.destroy(); delete state.charts.pool; }
      clear(node).appendChild(empty('No number pool', 'Create a pool to track visits dynamically.'));
      return;
    }
    var picker = $('pool-picker');
    if (r.pools.length > 1) {
      var chosen = r.pools.some(function (x) { return x.poolId === state.poolId; }) ? state.poolId : r.pools[0].poolId;
      clear(picker);
      r.pools.forEach(function (x) { picker.appendChild(el('option', { value: x.poolId, text: x.name })); });
      picker.value = chosen;
      picker.hidden = false;
      picker.onchange = function () { state.poolId = picker.value; renderPools(r); };
      state.poolId = chosen;
    } else {
      picker.hidden = true;
    }
    var p = r.pools.filter(function (x) { return x.poolId === state.poolId; })[0] || r.pools[0];
    $('pool-hint').textContent = p.name + ' · ' + (r.bucketSeconds >= 86400 ? 'daily' : r.bucketSeconds >= 3600 ? 'hourly' : (r.bucketSeconds / 60) + '-minute') + ' peaks';
    [['Numbers', p.size], ['Peak concurrent', p.peakConcurrent], ['Exhaustions', p.exhaustions.total],
     ['Recommended size', p.recommendedSize]].forEach(function (k, i) {
      var warn = (i === 2 && k[1] > 0) || (i === 3 && k[1] > p.size);
      summary.appendChild(el('div', { class: warn ? 'warn' : '' }, [el('span', { class: 'muted', text: k[0] + ' ' }), el('b', { text: fmt(k[1]) })]));
    });
    // Visitors untracked because their address held its share of the pool: shown only when there were some.
    if (p.addressCapped > 0) {
      summary.appendChild(el('div', { class: 'warn', id: 'pool-address-capped', title: 'visitors from one address (an office, a mobile carrier) hold at most leasing.addressCapPercent of the numbers; the rest saw the default number' },
        [el('span', { class: 'muted', text: 'Untracked by address cap ' }), el('b', { text: fmt(p.addressCapped) })]));
    }
    // Without a finished lease its length is unknown (null), and so is the advice; on a handful of
    // visits the advice is bounded by them, and the server's note says so.
    summary.appendChild(el('div', { class: 'hint', id: 'pool-formula', text: p.averageLeaseSeconds == null
      ? (p.leases ? 'no lease has ended yet' : 'no leases') + ' in this range: no lease length to size the pool from'
      : /^too few visits/.test(p.recommendation || '') ? p.recommendation
      : 'peak × (avg lease ' + p.averageLeaseSeconds + ' s + cool-down ' + p.coolDownSeconds + ' s) ÷ avg lease × 1.2' }));
    var xs = p.buckets.map(function (b) { return Date.parse(b.at) / 1000; });
    var leased = p.buckets.map(function (b) { return b.leased; });
    var busy = p.buckets.map(function (b) { return b.leased + b.cooling; });
    var size = p.buckets.map(function () { return p.size; });
    var ex = p.buckets.map(function (b) { return b.exhaustions || null; });
    var zone = state.site.timeZone;
    mountChart('pool', node, {
      height: 240,
      tzDate: function (ts) { return uPlot.tzDate(new Date(ts * 1000), zone); },
      hooks: legendHooks(),
      series: [{ label: 'Time', value: function (u, v) { return v == null ? '' : zonedLabels(zone).dayAndTime.format(new Date(v * 1000)); } },
        { label: 'Leased + cooling', stroke: '#9fbaf7', fill: 'rgba(159,186,247,.35)', width: 1, points: { show: false } },
        { label: 'Leased', stroke: '#2f6fed', fill: 'rgba(47,111,237,.35)', width: 2, points: { show: false } },
        { label: 'Pool size', stroke: '#1c2430', dash: [6, 4], width: 1, points: { show: false } },
        { label: 'Exhaustions', stroke: '#d92d20', fill: 'rgba(217,45,32,.8)', scale: 'ex', paths: uPlot.paths.bars({ size: [0.5, 10] }), points: { show: false } }],
      scales: { y: { range: function (u, min, max) { return [0, Math.max(p.size, max) + 1]; } },
        ex: { range: function (u, min, max) { return [0, Math.max(4, (max || 0) * 3)]; } } },
      axes: [zonedTimeAxis(xs, r.bucketSeconds, zone, { stroke: '#667085', grid: { show: false } }),
        countAxis({ stroke: '#667085', grid: { stroke: '#eef0f3' }, size: 40 }),
        countAxis({ scale: 'ex', side: 1, stroke: '#d92d20', grid: { show: false }, size: 36 })],
      cursor: { points: { show: false } }
    }, [xs, busy, leased, size, ex]);
  }

  // ---- call log ------------------------------------------------------------------------------
  // Each reset starts a new generation; a page answered for an older one is dropped, so two loads
  // in flight (a preset clicked while the previous range loads) cannot both fill the table.
  var generations = { reports: 0, calls: 0, leads: 0 }, STALE = { stale: true };
  function current(log, generation) { return function (r) { if (generation !== generations[log]) throw STALE; return r; }; }

  function loadCalls(reset) {
    if (reset) { state.cursor = null; clear($('calls')); generations.calls++; }
    // A viewer sees callers masked and may not search by them: the server refuses it, since trying
    // numbers would reveal the hidden digits. Roles that see callers in full get the box.
    var callerBox = $('call-filters').elements.caller;
    callerBox.hidden = !!(window.Ringpool.masksCallers && window.Ringpool.masksCallers());
    if (callerBox.hidden) callerBox.value = '';
    var q = site('/calls?' + rangeQuery() + callFilters() + pluginQuery() + '&limit=25' + (state.cursor ? '&cursor=' + encodeURIComponent(state.cursor) : ''));
    return api(q).then(current('calls', generations.calls)).then(function (r) {
      var node = $('calls');
      var table = $('calls-table');
      if (!table) {
        if (!r.calls.length) {
          node.appendChild(empty(callFilters() ? 'No calls match these filters' : 'No calls in this range',
            callFilters() ? 'Clear a filter or widen the range.' : 'Try a wider range, or check that your telephony provider posts call events.'));
          $('more-calls').hidden = true;
          return;
        }
        table = el('table', { id: 'calls-table' }, [el('thead', null, [el('tr', null, ['Time', 'Caller', 'Source / medium', 'Attribution',
          'Status', 'Talk', 'Value', 'Tags'].map(function (h, i) { return el('th', { class: i === 5 || i === 6 ? 'num' : '', text: h }); }))]), el('tbody')]);
        node.appendChild(table);
      }
      var tbody = table.querySelector('tbody');
      r.calls.forEach(function (c) { tbody.appendChild(callRow(c)); });
      state.cursor = r.nextCursor;
      $('more-calls').hidden = !r.nextCursor;
      $('more-calls').textContent = 'Load more';
      $('more-calls').title = '';
    }).then(function () { return null; }, function (x) {
      if (x === STALE) return null;
      // A filter the server refuses (a caller that is no phone number) is said where the calls were;
      // anything else empties the log and says why: no rows of another range stay under the new one.
      // A page after the first that fails leaves the rows loaded and "Load more" to try again.
      if (x.status === 422 && x.field !== 'from' && x.field !== 'to') {
        clear($('calls')).appendChild(empty('Cannot filter the calls', x.message));
      } else if (reset) {
        clear($('calls')).appendChild(problemBox('The call log could not be loaded', x, function () { loadCalls(true); }));
      } else {
        $('more-calls').textContent = 'Could not load more: try again';
        $('more-calls').title = problemText(x);
        return x;
      }
      $('more-calls').hidden = true;
      return x;
    });
  }
  $('more-calls').addEventListener('click', function () { loadCalls(false); });
  /** This form's filters that are set, as {name, label, value}. */
  function formFilters() {
    return Array.prototype.filter.call(document.querySelectorAll('#call-filters [name]'), function (f) { return f.value.trim(); })
      .map(function (f) { return { name: f.name, label: (f.getAttribute('aria-label') || f.name).toLowerCase(), value: f.value.trim() }; });
  }
  /** Every filter the call log's request carries: the form's, then the plugins' parameters. */
  function logFilters() {
    return formFilters().concat(pluginQuery().split('&').filter(Boolean).map(function (p) {
      var name = p.split('=')[0];
      return { name: name, label: name, value: decodeURIComponent(p.slice(name.length + 1)) };
    }));
  }
  function callFilters() {
    return formFilters().map(function (f) { return '&' + f.name + '=' + encodeURIComponent(f.value); }).join('');
  }
  $('call-filters').addEventListener('submit', function (e) { e.preventDefault(); loadCalls(true); });
  $('call-filters').addEventListener('change', function (e) { if (e.target.tagName === 'SELECT') loadCalls(true); });

  function callRow(c) {
    var a = c.attribution || {};
    var tr = el('tr', { 'data-call-id': c.callId }, [
      el('td', { class: 'call-time', text: localTime(c.startedAt) }),
      el('td', { class: 'call-caller', text: c.caller || '—' }),
      el('td', { class: 'call-source' }, [el('div', { class: 'src-name', text: a.source || '—' }), el('div', { class: 'src-medium', text: [a.medium, a.campaign].filter(Boolean).join(' · ') })]),
      el('td', { class: 'call-method' }, [el('span', { class: 'badge ' + (a.method || 'none'), text: a.method || 'none' })]),
      el('td', { class: 'call-status', text: c.status + (c.endUnknown ? ' ?' : '') + (c.target ? ' ✓' : ''), title: [c.target ? 'target call' : '',
        c.endUnknown ? 'the provider never reported the end: closed by Ringpool six hours after its last event, talk time unknown' : '']
        .filter(Boolean).join('; ') }),
      el('td', { class: 'num call-talk', text: c.talkSeconds == null ? '—' : c.talkSeconds + ' s' }),
      el('td', { class: 'num call-value', text: money(c.value, c.currency) }),
      el('td', { class: 'call-tags' }, [tagsCell(c)])
    ]);
    callLogPlugins.forEach(function (p) { if (p.row) p.row(tr, c); });
    return tr;
  }

  // ---- call-log plugins ----------------------------------------------------------------------
  // recordings.js (player, review, filters) and details.js (a call's detail) plug in here so their
  // code lives in their own files: query() adds query parameters to the call log's request,
  // row(tr, call) adds to each row.
  var callLogPlugins = [];
  function pluginQuery() { return callLogPlugins.map(function (p) { return p.query ? p.query() : ''; }).join(''); }
  window.RingpoolCallLog = {
    use: function (p) { callLogPlugins.push(p); },
    api: api, site: site, el: el, clear: clear, localTime: localTime, money: money, may: may, readableUrl: readableUrl,
    siteCurrency: function () { return state.site && state.site.currency; },
    reload: function () { return loadCalls(true); },
    /* Redraws a call's row from the call the API answered (after a PATCH). */
    replaceRow: function (c) {
      var old = document.querySelector('#calls-table tr[data-call-id="' + CSS.escape(c.callId) + '"]');
      if (!old) return null;
      var tr = callRow(c);
      old.parentNode.replaceChild(tr, old);
      return tr;
    }
  };

  /** Whether the signed-in role may use `perm` (accounts.js knows; a site key may everything). */
  function may(perm) {
    return !window.Ringpool.can || window.Ringpool.can(perm);
  }

  function tagsCell(c) {
    var box = el('div', { class: 'tags' });
    function show() {
      clear(box);
      (c.tags || []).forEach(function (t) { box.appendChild(el('span', { class: 'tag', text: t })); });
      if (may('tags')) box.appendChild(el('button', { type: 'button', class: 'edit', title: 'Edit tags', text: (c.tags && c.tags.length) ? '✎ edit' : '+ tag', onclick: edit }));
    }
    function edit() {
      clear(box);
      var input = el('input', { type: 'text', class: 'tag-input', value: (c.tags || []).join(', '), placeholder: 'lead, sale', 'aria-label': 'Tags, comma separated' });
      input.addEventListener('keydown', function (e) {
        if (e.key === 'Escape') { show(); return; }
        if (e.key !== 'Enter') return;
        var tags = input.value.split(',').map(function (t) { return t.trim(); }).filter(Boolean);
        // Only what this person added and removed is sent (edits.js): a tag someone else put on the
        // call since this row was loaded stays, and is named (audit AI4 F10).
        var changes = window.RingpoolEdits.tagChanges(c.tags, tags);
        if (!Object.keys(changes).length) { show(); return; }
        input.disabled = true;
        api(site('/calls/' + encodeURIComponent(c.callId)), { method: 'PATCH', json: changes }).then(function (updated) {
          var others = window.RingpoolEdits.tagChanges(tags, updated.tags).addTags || [];
          c = updated;
          show();
          if (others.length) box.appendChild(el('span', { class: 'tags-others', role: 'status',
            text: 'Also kept: ' + others.join(', ') + ' (added by someone else meanwhile)' }));
        }).catch(function (x) { input.disabled = false; input.setCustomValidity(x.message); input.reportValidity(); });
      });
      box.appendChild(input);
      input.focus();
    }
    show();
    return box;
  }

  // ---- lead log ------------------------------------------------------------------------------
  // Everything a lead carries was typed by a stranger into a form: it is only ever set as text
  // (el() uses textContent), never parsed as HTML.
  function leadQuery() {
    var q = rangeQuery() + '&limit=25';
    [['kind', $('lead-kind').value], ['status', $('lead-status').value], ['method', $('lead-method').value],
     ['source', $('lead-source').value.trim()], ['medium', $('lead-medium').value.trim()],
     ['campaign', $('lead-campaign').value.trim()], ['tag', $('lead-tag').value.trim()]]
      .forEach(function (f) { if (f[1]) q += '&' + f[0] + '=' + encodeURIComponent(f[1]); });
    return q;
  }
  function loadLeads(reset) {
    if (reset) { state.leadCursor = null; clear($('leads')); generations.leads++; }
    var q = site('/leads?' + leadQuery() + (state.leadCursor ? '&cursor=' + encodeURIComponent(state.leadCursor) : ''));
    return api(q).then(current('leads', generations.leads)).then(function (r) {
      var node = $('leads');
      var table = $('leads-table');
      if (!table) {
        if (!r.leads.length) {
          node.appendChild(empty('No leads in this range', 'Forms sent on your pages and requests your server posts appear here.'));
          $('more-leads').hidden = true;
          return;
        }
        table = el('table', { id: 'leads-table' }, [el('thead', null, [el('tr', null, ['Time', 'Kind', 'Person', 'Message',
          'Source / medium', 'Attribution', 'Status', 'Value'].map(function (h, i) { return el('th', { class: i === 7 ? 'num' : '', text: h }); }))]), el('tbody')]);
        node.appendChild(table);
      }
      var tbody = table.querySelector('tbody');
      r.leads.forEach(function (l) { tbody.appendChild(leadRow(l)); });
      state.leadCursor = r.nextCursor;
      $('more-leads').hidden = !r.nextCursor;
      $('more-leads').textContent = 'Load more';
      $('more-leads').title = '';
    }).then(function () { return null; }, function (x) {
      if (x === STALE) return null;
      if (reset) {
        clear($('leads')).appendChild(problemBox('The lead log could not be loaded', x, function () { loadLeads(true); }));
        $('more-leads').hidden = true;
      } else {
        $('more-leads').textContent = 'Could not load more: try again';
        $('more-leads').title = problemText(x);
      }
      return x;
    });
  }
  $('more-leads').addEventListener('click', function () { loadLeads(false); });
  $('lead-filters').addEventListener('submit', function (e) { e.preventDefault(); loadLeads(true); });
  ['lead-kind', 'lead-status', 'lead-method', 'lead-source', 'lead-medium', 'lead-campaign', 'lead-tag'].forEach(function (id) {
    $(id).addEventListener('change', function () { loadLeads(true); });
  });

  function leadRow(l) {
    var a = l.attribution || {};
    var person = [l.name, l.phone, l.email].filter(Boolean);
    var message = l.message || '';
    var tr = el('tr', { 'data-lead-id': l.leadId }, [
      el('td', { class: 'lead-time', text: localTime(l.at) }),
      el('td', { class: 'lead-kind', text: l.kind + (l.submissions > 1 ? ' ×' + l.submissions : '') + (l.unique || !(l.phoneValid || l.emailValid) ? '' : ' (repeat)') }),
      el('td', { class: 'lead-person' }, person.map(function (p) { return el('div', { text: p }); })),
      el('td', { class: 'lead-message', title: message, text: message.length > 80 ? message.slice(0, 80) + '…' : message }),
      el('td', { class: 'lead-source' }, [el('div', { class: 'src-name', text: a.source || '—' }), el('div', { class: 'src-medium', text: [a.medium, a.campaign].filter(Boolean).join(' · ') })]),
      el('td', { class: 'lead-method' }, [el('span', { class: 'badge ' + (a.method || 'none'), text: a.method || 'none' })]),
      el('td', { class: 'lead-state' }, [statusCell(l)]),
      el('td', { class: 'num lead-value', text: money(l.value, l.currency) })
    ]);
    leadLogPlugins.forEach(function (p) { if (p.row) p.row(tr, l); });
    return tr;
  }

  // ---- lead-log plugins ----------------------------------------------------------------------
  // details.js (a lead's detail) plugs in here as it does into the call log: row(tr, lead) adds to each row.
  var leadLogPlugins = [];
  window.RingpoolLeadLog = {
    use: function (p) { leadLogPlugins.push(p); },
    /* Redraws a lead's row from the lead the API answered (after a PATCH). */
    replaceRow: function (l) {
      var old = document.querySelector('#leads-table tr[data-lead-id="' + CSS.escape(l.leadId) + '"]');
      if (!old) return null;
      var tr = leadRow(l);
      old.parentNode.replaceChild(tr, old);
      return tr;
    }
  };

  function statusCell(l) {
    var select = el('select', { class: 'lead-status', 'aria-label': 'Lead status' }, LEAD_STATUSES.map(function (s) {
      var o = el('option', { value: s, text: s });
      if (s === l.status) o.selected = true;
      return o;
    }));
    if (!may('tags')) {
      select.disabled = true;
      select.title = 'Your role cannot change a lead\'s status';
    }
    select.addEventListener('change', function () {
      select.disabled = true;
      var path = site('/leads/' + encodeURIComponent(l.leadId));
      // With the lead's etag: a status someone else set since this row was loaded is not replaced unseen (audit AI4 F10).
      api(path, { method: 'PATCH', json: { status: select.value }, headers: window.RingpoolEdits.ifMatch(l) })
        .then(function (updated) { l = updated; select.disabled = false; })
        .catch(function (x) {
          select.value = l.status; select.disabled = false; select.title = x.message;
          if (!window.RingpoolEdits.isConflict(x)) return;
          api(path).then(function (fresh) {
            var tr = window.RingpoolLeadLog.replaceRow(fresh);
            var cell = tr && tr.querySelector('select.lead-status');
            if (cell) cell.insertAdjacentElement('afterend', el('p', { class: 'edit-conflict', role: 'alert',
              text: window.RingpoolEdits.conflictText('lead', x, fresh, 'Choose again if it should still change.') }));
          });
        });
    });
    return select;
  }

  // ---- exports -------------------------------------------------------------------------------
  // A conversion upload should hold conversions (PRODUCT.md §2: the target call), so "Target calls
  // only" is on by default and sends target=true: no missed or 5-second call goes to Google Ads as a
  // "Phone call" (audit Q #2). With it the API leaves leads out too (talk time is a call's). Yandex
  // calls is Metrica's call log, missed calls included, and Metrica decides its own goals: the box
  // does not apply to it. Of the log's filters the exports take the tag, status, attribution method
  // and caller under the log's names (session 32); the status line says which filters went into the
  // file and which did not.
  var CALL_LOG_FORMATS = ['yandex-calls'];
  var EXPORTED_LOG_FILTERS = ['tag', 'status', 'method', 'caller'];
  var LEAD_FORMATS = ['google-ads-clicks', 'google-enhanced', 'yandex-offline'];
  var YANDEX_ID_FORMATS = ['yandex-offline', 'yandex-calls'];
  function exportFilters(format) {
    var out = { query: '', applied: [], notApplied: [] };
    if (CALL_LOG_FORMATS.indexOf(format) < 0 && $('export-target').checked) {
      out.query += '&target=true';
      out.applied.push('target calls only' + (LEAD_FORMATS.indexOf(format) >= 0 ? ' (so no leads)' : ''));
    }
    // Session 33: on a small pool a bid on a guessed visit's click teaches the platform the wrong ad.
    if (CALL_LOG_FORMATS.indexOf(format) < 0 && $('export-sure').checked) {
      out.query += '&ambiguous=false';
      out.applied.push('no ambiguous calls');
    }
    // Audit AI4 F15: a site without Metrica has no ClientId, but its Direct calls carry a yclid.
    if (YANDEX_ID_FORMATS.indexOf(format) >= 0 && $('export-id-type').value) {
      out.query += '&idType=' + encodeURIComponent($('export-id-type').value);
      out.applied.push('matched by ' + $('export-id-type').selectedOptions[0].textContent);
    }
    logFilters().forEach(function (f) {
      if (EXPORTED_LOG_FILTERS.indexOf(f.name) >= 0) {
        out.query += '&' + f.name + '=' + encodeURIComponent(f.value);
        out.applied.push(f.name === 'tag' ? 'tag "' + f.value + '"' : f.label + ' ' + f.value);
      } else {
        out.notApplied.push(f.label);
      }
    });
    return out;
  }
  /** The data rows of an export: its records less Google's "Parameters:" line and the header.
   *  A quoted field may hold a line break, so records are counted outside quotes. */
  function csvDataRows(text) {
    var records = 0, quoted = false, started = false, i, ch;
    for (i = 0; i < text.length; i++) {
      ch = text.charCodeAt(i);
      if (ch === 34) quoted = !quoted; // '"'; an escaped "" toggles twice
      else if (ch === 10 && !quoted) { if (started) records++; started = false; continue; }
      if (ch !== 13) started = true;
    }
    if (started) records++;
    var preamble = /^Parameters:/.test(text) ? 1 : 0;
    return Math.max(0, records - preamble - 1);
  }
  /** The name the server gave the file: filename* (UTF-8, a Cyrillic site name) before the ASCII filename (audit AI4 F11). */
  function fileName(r, fallback) {
    var h = r.headers.get('Content-Disposition') || '';
    var star = /filename\*=UTF-8''([^;]+)/i.exec(h), plain = /filename="([^"]+)"/.exec(h);
    try { if (star) return decodeURIComponent(star[1]); } catch (e) { /* a malformed escape: the ASCII name then */ }
    return plain ? plain[1] : fallback;
  }
  /** Whose file it is, on the status line: an agency downloads the same file for several clients. */
  function forSite() { return state.site && state.site.name ? ' (' + state.site.name + ')' : ''; }
  function exportSummary(filters) {
    return ' Filters: ' + (filters.applied.length ? filters.applied.join(', ') : 'none') + '.'
      + (filters.notApplied.length ? ' Not applied (exports have no such filter): ' + filters.notApplied.join(', ') + '.' : '');
  }
  Array.prototype.forEach.call(document.querySelectorAll('#exports button'), function (b) {
    b.addEventListener('click', function () {
      var status = $('export-status'), filters = exportFilters(b.dataset.format);
      status.textContent = 'Preparing ' + b.textContent + '…';
      api(site('/exports/' + b.dataset.format + '.csv?' + rangeQuery() + filters.query), { raw: true }).then(function (r) {
        // Skipped-Rows counts calls and leads; Skipped-Leads the leads among them (audit Q #1).
        var rows = r.headers.get('X-Ringpool-Exported-Rows'), leadsOut = Number(r.headers.get('X-Ringpool-Skipped-Leads')) || 0;
        var callsOut = (Number(r.headers.get('X-Ringpool-Skipped-Rows')) || 0) - leadsOut;
        var out = [callsOut ? plural(callsOut, 'call') : '', leadsOut ? plural(leadsOut, 'lead') : ''].filter(Boolean).join(' and ');
        var name = fileName(r, b.dataset.format + '.csv');
        return r.blob().then(function (blob) {
          var a = el('a', { href: URL.createObjectURL(blob), download: name });
          document.body.appendChild(a); a.click(); a.remove();
          if (rows != null) {
            status.textContent = 'Downloaded ' + name + forSite() + ': ' + plural(rows, 'row') + (out ? ', ' + out + ' left out (no id for this format)' : '') + '.'
              + exportSummary(filters);
            return null;
          }
          // Past 1 MiB the server sends the counts as HTTP trailers, which fetch() never shows
          // (audit AI4 F7: the line read "— rows" and left the left-out count unsaid): the rows are
          // counted in the file, and the left-out count is said to be unknown, not to be none.
          return blob.text().then(function (text) {
            status.textContent = 'Downloaded ' + name + forSite() + ': ' + plural(csvDataRows(text), 'row') + ' (counted in the file). '
              + 'Calls or leads left out for lack of an id: not known for a file over 1 MiB (the server sends that count after the file, '
              + 'where a browser cannot read it).' + exportSummary(filters);
          });
        });
      }).catch(function (x) { status.textContent = 'Export failed: ' + x.message; });
    });
  });

  // ---- start ---------------------------------------------------------------------------------
  window.Ringpool = { state: state, api: api, el: el, clear: clear, fmt: fmt, plural: plural, empty: empty,
    showSite: showSite, siteUpdated: siteUpdated, signOut: signOut, forgetSite: forgetSite, reload: load, $: $, problemText: problemText, problemBox: problemBox,
    site: site, localTime: localTime, fileName: fileName, forSite: forSite, csvDataRows: csvDataRows,
    // downloads.js: each table's CSV asked with the very query its table was loaded with (audit AI4 F16: "what is on screen").
    downloads: {
      calls: function () { return '/calls.csv?' + rangeQuery() + callFilters() + pluginQuery(); },
      leads: function () { return '/leads.csv?' + leadQuery().replace('&limit=25', ''); },
      sources: function () { return sourcesPath().replace('/reports/sources?', '/reports/sources.csv?'); },
      daily: function () { return '/reports/daily.csv?' + rangeQuery() + '&model=' + state.model; },
      time: function () { return '/reports/time.csv?' + rangeQuery(); },
      devices: function () { return '/reports/devices.csv?' + rangeQuery() + '&groupBy=device'; },
      paths: function () { return '/reports/paths.csv?' + rangeQuery() + '&limit=6'; }
    } };
  var saved = sessionStorage.getItem(KEY);
  if (saved) signIn(saved).catch(function () { signOut(); });
  else window.Ringpool.needsSignIn = true; // accounts.js probes the session cookie if this browser signed in, else shows the sign-in
})();
