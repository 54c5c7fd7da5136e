/** @license Ringpool */
// Readable source. The server build (server/pom.xml) minifies it with Closure Compiler (simple
// optimizations: local names shortened, property names kept) into the /s.js every visitor downloads;
// the 4 KB gzip budget and the browser tests apply to that built file.
//
// ES2021 (arrow functions, `?.`, `||=`, optional catch binding, rest and spread), in and out of the
// compiler: every browser a visitor has in 2026 runs it (Chrome and Edge 85, Firefox 79, Safari 14,
// all from 2020, are the first with all of it), and it is what keeps the script within its budget.
// HtmlUnit's engine runs it too, except a spread in a call's arguments (`f(...args)`): not used here.
// A function that uses `this` (the wrappers of the page's form.submit and history methods) stays a
// `function`.
(function (window, document) {
  // --- Tunables -----------------------------------------------------------------------------

  /** The name of everything the script owns: window.ringpool, localStorage key and cookie. */
  var NAME = 'ringpool';
  /** ms between a burst of DOM changes (or a route change) and the rescan it causes. */
  var RESCAN_DELAY = 100;
  /** ms a visitor id is remembered: 30 days. */
  var VISITOR_MEMORY = 2592e6;
  /** ms a lead left unsent by its page is worth sending from the next one: later, it is no longer this visit's (the server dates it on receipt). */
  var LEAD_MEMORY = 18e5;
  /** ms before its expiry at which a stored session is no longer worth showing: the heartbeat would race the lease's end. */
  var EXPIRY_MARGIN = 2e3;
  /** ms an API request may take before the browser gives up on it. */
  var REQUEST_TIMEOUT = 15e3;
  /** Seconds between heartbeats when the server does not say, and the least the script accepts from it. */
  var DEFAULT_HEARTBEAT = 60, MIN_HEARTBEAT = 5;
  /**
   * A page URL with ad tags (UTM tags, click ids: what the server compares, docs/calls.md): a new
   * click starts a new visit (with the same number), so such a page asks the server even when a
   * visit is live. The server tells a new click from the same one.
   */
  var AD_TAGS = /[?&](utm_|\w+(clk?id|braid)=)/i;

  /**
   * Elements that do not end a line of text: a number may run across them (`<span>+7 (495)</span> 139…`).
   * Rare ones a number is not split across (bdi, cite, dfn, kbd, q) are left out for the budget.
   */
  var INLINE_ELEMENTS = /^(A|ABBR|B|CODE|EM|FONT|I|LABEL|MARK|NOBR|S|SMALL|SPAN|STRONG|SUB|SUP|TIME|U)$/;
  /** Elements whose text is never touched (code, form controls, embedded documents). A <template>'s content is no child of it, so the walk never meets it. */
  var UNTOUCHABLE_ELEMENTS = /^(SCRIPT|STYLE|NOSCRIPT|TEXTAREA|INPUT|SELECT|OPTION|IFRAME|OBJECT|CANVAS)$/;
  /**
   * What may stand between two digit groups of one number: up to 4 brackets, dots and dashes, and any
   * whitespace (JavaScript's \s takes in the no-break, figure and thin spaces): the browser shows a
   * newline and a template's indentation as one space (`<span>+7 (495)</span>⏎      <span>123-45-67</span>`).
   * No quantifier nests in another that could take the same character: the test stays linear.
   */
  var GROUP_SEPARATOR = /^\s*([().\-\u2010-\u2015]\s*){0,4}$/;
  /** The calling code at the start of an E.164 number's digits (ITU's 1-, 2- and 3-digit codes). */
  var CALLING_CODE = /^(1|7|2[07]|3[0-469]|4[013-9]|5[1-8]|6[0-6]|8[1246]|9[0-58]|\d{3})/;
  /** Longest digit run worth comparing with a phone number (E.164 has at most 15 digits, plus prefixes). */
  var MAX_NUMBER_DIGITS = 17;
  /** In a `data-ringpool` element any run of 7 to 15 digits is taken for "the" number. */
  var MIN_MARKED_DIGITS = 7, MAX_MARKED_DIGITS = 15;
  /**
   * Longest value sent per lead field, in characters (UTF-16 units, as the server counts): the
   * server refuses a longer one (422) and stores nothing, so the script cuts it instead.
   */
  var LEAD_FIELD_LIMITS = {phone: 64, email: 254, name: 200, message: 4000};
  /** Longest form id and page URL sent with a lead (the server's limits). */
  var MAX_FORM_ID = 200, MAX_URL = 4000;
  /** Form controls whose value may be read at all: no hidden, password, file, checkbox, select… */
  var READABLE_TYPES = /^(text|tel|email|textarea)$/;
  /**
   * Hints (type, name, id, autocomplete, placeholder, each ended by a newline but the placeholder) of
   * fields never read, in English and Russian. Card data, whose fields are often type=tel for the
   * numeric keypad: a word starting "cc" (autocomplete cc-number, cc-csc…; ccnum, cc_number), card,
   * cvv/cvc/cvn, csc, pan as a word, карта. One-time codes: otp, and a name, id or autocomplete that
   * ends in the word "code" (code, sms_code, one-time-code; so also phone_code, a country code, and
   * tel-area-code), not a placeholder's "with area code". Passwords: pass…, парол…. And a company's
   * name (company_name comes before the person's on B2B forms): no secret, but no lead field either.
   */
  var SECRET_HINTS = /[\W_](cc|otp|pan[\W_]|code\n)|card|cv[cnv]|csc|compan|pass|карт|парол/i;
  /**
   * Hints that say what a field holds (word stems, English and Russian); the first that matches, in
   * the order written here (Object.keys keeps it for such keys in every engine), wins, so "phone name" is
   * a phone. `tel` only as a word of its own (`tel`, `your-tel`, `user_tel`, `tel2`), not in "hotel"
   * or "telegram".
   */
  var FIELD_HINTS = {
    phone: /phone|[\W_]tel([\W_\d]|$)|телеф/i,
    email: /mail|почт/i,
    message: /messag|comment|сообщ|коммент/i,
    name: /name|fio|фио|имя/i
  };

  /** NodeFilter.SHOW_ELEMENT | NodeFilter.SHOW_TEXT, FILTER_ACCEPT and FILTER_REJECT (the constants themselves cost bytes). */
  var SHOW_ELEMENTS_AND_TEXT = 5, ACCEPT = 1, REJECT_SUBTREE = 2;

  // --- State ----------------------------------------------------------------------------------

  var queuedCalls = window[NAME];   // the README's stub (calls queued in .q) or an already running copy of this script
  var startedAt = Date.now();
  var answerDeadline;               // ms after startedAt; a later first answer is not shown (data-timeout)
  var sessionsUrl;                  // where /s.js came from + 'v1/sessions': every call goes there
  var siteKey;
  var running;                      // started, and consent not withdrawn
  var settled;                      // the number is shown, or the script gave up; 'number' callbacks have run
  var consented = 1;
  var stored = {};                  // what localStorage keeps: see load()
  // this page's session as the server answered it (sessionId, tracked, number, defaultNumber, expiresAt, heartbeatSeconds…), or 0;
  // an untracked one (the pool was full) shows the default number and heartbeats too: its heartbeat brings a number once one frees
  var session;
  var visitSessionId;               // this page's session, leased or not (leads are attributed by it)
  var starting;                     // a start is asked and not yet answered
  var awaitingLeads = [];           // lead bodies of forms sent while starting: they go to the session the answer names
  // fields the person has been in: one its form hides later (a step done) is no bot trap; made when
  // the page's events are hooked (once per page: it is the mark that they are), before any form is read
  var focusedFields;
  var shownNumber;                  // the number the page now shows (E.164)
  var siteNumber;                   // the number it replaces (the site's default, E.164)
  var shownNational;                // national digits of shownNumber
  var siteNational;                 // national digits of siteNumber
  var earlierNumbers = [];          // numbers shown before a lease renewal changed it: they are swapped too
  var replaceableRuns = {};         // digit run (without separators) that shows a replaced number -> length of its national part
  var undoLog = [];                 // [node, isHref, old value]: how to put the page back when consent is withdrawn
  var numberCallbacks = [];
  var observer, changedRoots = [], rescanTimer, heartbeatTimer;
  var lastWake;                     // when the page, shown again, last sent a heartbeat (ms)
  var lastUrl = location.href.replace(/#(?![!/]).*/, '');

  /** Wraps an entry point so that nothing the script does can throw into the page. */
  const guarded = fn => (...args) => {
    try {
      return fn.apply(0, args);
    } catch {
    }
  };

  /** Why the script stays idle, or '' when it may run: every skip reason lives here. */
  const skipReason = () =>
    !siteKey ? 'no_site_key'
        : !consented ? 'no_consent'
        : !/^https?:$/.test(location.protocol) ? 'protocol'
        : '';

  /** window.ringpool(command, argument): the public API (README "Public API"). */
  const api = guarded((command, argument) => {
    if (command == 'swap') rescan(document.body);
    if (command == 'lead') reportForm(argument, 1);
    if (command == 'consent') argument === false ? withdrawConsent() : (consented = 1, start(1));
    if (command == 'number') numberCallbacks.push(argument), settled && settle();   // settled: run it now
  });

  // --- Talking to the server ------------------------------------------------------------------

  /**
   * POSTs `body` as JSON to /v1/sessions`path`. No Content-Type is set, so the browser sends
   * text/plain: a CORS-simple request needs no preflight, and the first swap costs one round trip.
   */
  const post = (path, body, onAnswer) => {
    var request = new XMLHttpRequest();
    request.open('POST', sessionsUrl + path);
    request.timeout = REQUEST_TIMEOUT;
    // the browser parses: an answer that is not JSON (a proxy's error page) is null, not a throw
    request.responseType = 'json';
    // loadend: after the answer, an error or the timeout, as readyState 4
    request.onloadend = guarded(() => onAnswer?.(request.status, request.response));
    request.send(JSON.stringify(body));
  };

  /**
   * POSTs `body` (a JSON string) to /v1/sessions`path` so that it leaves even when the page is being
   * unloaded (a form that navigates, a tab closing), as text/plain: no CORS preflight. The way
   * depends on where Ringpool is (js-snippet/README.md, "When ad blockers are in the way"):
   * - On another origin than the page's: fetch with keepalive first. EasyPrivacy refuses every
   *   third-party sendBeacon (`$ping,third-party`, on in uBlock Origin), and a blocker refuses it
   *   after sendBeacon has returned true, so no fallback would ever run; a fetch is typed
   *   xmlhttprequest, which no rule of the lists refuses on its own. Only where fetch keeps a
   *   request alive: Firefox before 133 ignores the option and would cancel the request as the page
   *   goes, and it has no Request#keepalive (the attribute ships with the option). sendBeacon only
   *   when fetch is missing or throws at once: a rejection may come after the page is gone, or
   *   after a delivered request (an answer CORS did not let us read), so it is ignored.
   * - On the page's own origin: sendBeacon first, the surest way out of a closing page (none of the
   *   measured lists refuses a first-party ping), and fetch when it refuses.
   * Browsers hold at most 64 KB of such bodies in flight per page; a lead is at most about 30 KB.
   */
  const postBeforeLeaving = (path, body) => {
    var url = sessionsUrl + path, init = {method: 'POST', body, keepalive: 1};
    try {
      // without fetch or Request this throws too
      if (sessionsUrl.indexOf(location.origin + '/') && 'keepalive' in Request.prototype) return fetch(url, init).catch(ignore);
    } catch {
    }
    navigator.sendBeacon?.(url, body) || window.fetch?.(url, init).catch(ignore);
  };

  /** Keeps a failed request from reaching the page's unhandledrejection handlers. */
  const ignore = () => {};

  /** Soft-releases a lease. */
  const endSession = id => postBeforeLeaving(`/${id}/end`, '{}');

  // --- Storage --------------------------------------------------------------------------------

  /**
   * The visit as stored, in localStorage or, where that is unavailable, a first-party cookie:
   * {t: saved at (ms), v: visitor id, s: the leased session as the server answered it, or 0,
   * l: lead bodies a page left before its start was answered, for the next page to send}.
   * This is a format: every visitor's browser keeps it across versions of this script, and other
   * tabs read it. (Before 2026-12 the session was kept as {i, n, d, e, h}; such a stored session is
   * not read, so a visit in progress at the upgrade asks for its session again and, by its visitor
   * id, gets the same one back.)
   */
  const load = () => {
    var text;
    try {
      text = window.localStorage.getItem(NAME);
    } catch {
    }
    try {
      // no cookie ("undefined" is no JSON), a malformed one or text that is no JSON: nothing stored
      text = JSON.parse(text || decodeURIComponent(fromCookies(/(?:^|; )ringpool=([^;]+)/)));
    } catch {
    }
    return text?.t > Date.now() - VISITOR_MEMORY ? text : {};
  };

  const save = () => {
    if (!consented) return;
    stored.t = Date.now();
    stored.s = session || 0;
    // The replacer hands back each value as it is, so an Array.prototype.toJSON of the page's
    // (Prototype.js 1.6 returns the array's JSON text) cannot turn the kept leads (l) into a string:
    // toJSON runs before the replacer, the array as serialised is the one the replacer returns
    // (ECMA-262 SerializeJSONProperty). Audit AG1 F3.
    var text = JSON.stringify(stored, function (key) {
      return this[key];
    });
    try {
      window.localStorage.setItem(NAME, text);
    } catch {
      // Safari's private mode and storage-blocking settings throw here: fall back to a cookie
      writeCookie(encodeURIComponent(text) + ';path=/;max-age=2592000;samesite=lax');
    }
  };

  // In a sandboxed iframe without allow-same-origin, document.cookie throws (a SecurityError) as
  // localStorage does: there the script works without storage, each page a visit of its own.

  /** The first group of `pattern` in the page's cookies, or undefined (which JSON.stringify leaves out). */
  const fromCookies = guarded(pattern => pattern.exec(document.cookie)[1]);

  const writeCookie = guarded(value => document.cookie = NAME + '=' + value);

  // --- Session life ---------------------------------------------------------------------------

  /** @param {*=} late 1 when consent came later: the answer deadline no longer applies (nothing is hidden any more). */
  const start = late => {
    if (running || (api.skip = skipReason())) return;
    running = 1;
    settled = 0;
    listenToThePage();
    stored = load();
    // The visitor id is made and kept here, before the first answer, not left to the server: a page
    // left before its start was answered (a quick click onwards, a form sent at once) has its visit
    // resumed by the next page's start, not a new one, and that page sends the forms it left behind.
    // (52 random bits, without the time before them since session 46: those bytes paid for audit AM4 F7)
    stored.v = stored.v || 'v' + Math.random().toString(36);
    session = Date.parse(stored.s?.expiresAt) > Date.now() + EXPIRY_MARGIN ? stored.s : 0;
    awaitingLeads = [].concat(stored.t > Date.now() - LEAD_MEMORY && stored.l || []);
    sendLeads();
    if (session) {
      // another page or tab of this visit holds a live lease: show it at once, then confirm it;
      // a landing from an ad asks the server instead (a new click starts a new visit, same number)
      show(session.number, session.defaultNumber);
      AD_TAGS.test(location.href) ? openSession(1) : heartbeat(1);
    } else {
      openSession(late);
    }
  };

  /**
   * @param {*=} late see start()
   * @param {*=} again 1 when this page's session ended under it: the start is no landing, and the
   *     visitor's live visit (perhaps a newer click's, from another tab) is resumed whatever this URL's tags
   */
  const openSession = (late, again) => {
    starting = 1;
    post('', {
      siteKey, visitorId: stored.v, url: location.href, referrer: document.referrer, title: document.title,
      // the analytics ids already on the page (Yandex Metrica's and Google Analytics' cookies), for attribution
      clientIds: {ym: fromCookies(/_ym_uid=(\d+)/), ga: fromCookies(/_ga=GA\d\.\d\.(\d+\.\d+)/)}, webdriver: !!navigator.webdriver, landing: !again
    }, (status, answer) => {
      var leasedId = answer?.tracked && answer.sessionId;
      starting = 0;
      if (!running) return leasedId && endSession(leasedId);   // consent withdrawn meanwhile
      visitSessionId = answer?.sessionId;
      // a form sent in the page's first moments, before this answer: its lead belongs to this visit
      // (when no session came back, the server down or a bot, it stays kept for the next page)
      sendLeads();
      // the landing of a live visit (its number already shown) that got no session back (the server
      // down, or the address over its budget): keep the visit as stored, as a page without ad tags would
      if (session && !visitSessionId) return heartbeat(1);
      if (!answer?.number) return settle();
      stored.v = answer.visitorId || stored.v;
      if (!late && Date.now() - startedAt > answerDeadline) {
        // too late: the visitor already saw the page as it is; changing it now would be a flicker
        leasedId && endSession(leasedId);
        session = 0;
        save();
        return settle();
      }
      session = visitSessionId ? answer : 0;
      save();
      show(answer.number, answer.defaultNumber || answer.number);
      // a route the app took meanwhile is a page view now
      routeChanged();
      // the answer itself is the lease's latest renewal: the first heartbeat is due a period later
      heartbeat(2);
    });
  };

  /**
   * Keeps the lease alive while the page is visible; a hidden page lets it lapse (the server then
   * cools the number down for the next visitor). A 410 (or 404) means the lease is gone: a new
   * session is opened for the same visitor and its number swapped in. An untracked visit heartbeats
   * too: once a number of the pool is free again the answer brings it (tracked), and it is swapped
   * in place of the default number.
   * @param {*=} countPageView 1 on a page that showed a stored session: the heartbeat confirms it
   *     first; 2 right after a start, whose answer renewed the lease: only the next one is scheduled.
   */
  const heartbeat = countPageView => {
    clearTimeout(heartbeatTimer);
    if (!session || !running || document.hidden) return;
    var id = session.sessionId;
    countPageView == 2 || post(`/${id}/heartbeat`, {}, (status, answer) => {
      if (session?.sessionId != id) return;
      if (status == 200 && answer) {
        session.expiresAt = answer.expiresAt || session.expiresAt;
        session.tracked = answer.tracked;
        answer.number && answer.number != session.number && show(session.number = answer.number, siteNumber);
        // saved with its new number: the next page shows that one, and tells ringpool('number') so (audit AG1 F4)
        save();
        countPageView && sendPageView();
      } else if (status == 410 || status == 404) {
        session = 0;
        save();
        openSession(1, 1);
      }
    });
    heartbeatTimer = setTimeout(guarded(heartbeat), Math.max(session.heartbeatSeconds || DEFAULT_HEARTBEAT, MIN_HEARTBEAT) * 1e3);
  };

  const sendPageView = () => session && post(`/${session.sessionId}/pageviews`, {url: location.href, title: document.title});

  /** Reports a tel: link clicked or text copied (`kind`) when `text` shows the visitor's leased number. */
  const sendIntent = (kind, text) => session && shownNational && String(text).replace(/\D/g, '').includes(shownNational)
      && post(`/${session.sessionId}/intent`, {kind});

  /**
   * A single-page app changed its URL: count a page view and look at the new view once it has
   * rendered. An in-page anchor (#prices) is no new view; a hash route (#/prices, #!prices) is.
   */
  const routeChanged = url => {
    url = location.href.replace(/#(?![!/]).*/, '');
    // Not before the visit has a session (there is none while the script is not running): a route
    // the app took while the start was on its way is counted when the answer comes (openSession
    // calls this again), not lost (audit AA2 #1).
    if (session && url != lastUrl) {
      lastUrl = url;
      setTimeout(guarded(() => {
        sendPageView();
        rescan(document.body);
      }), RESCAN_DELAY);
    }
  };

  const listenToThePage = () => {
    if (focusedFields) return;
    focusedFields = new Set;
    // A page shown again renews its lease at once. One restored from the back/forward cache runs no
    // script again (its timers were frozen) and gets both events, pageshow and visibilitychange: the
    // second comes less than MIN_HEARTBEAT seconds after the first, and sends nothing. (The timer's
    // next heartbeat is at least that far off, so one skipped here is never the one that restarts it.)
    const wake = () => Date.now() - lastWake < MIN_HEARTBEAT * 1e3 || (lastWake = Date.now(), heartbeat());
    document.addEventListener('visibilitychange', guarded(() => {
      document.hidden || wake();
    }));
    window.addEventListener('pageshow', guarded(event => {
      event.persisted && wake();
    }));
    // pagehide, not unload: unload is unreliable on mobile and keeps pages out of the back/forward cache
    window.addEventListener('pagehide', guarded(() => {
      session && running && endSession(session.sessionId);
    }));
    // capture phase: the page's own handlers may stop the click from bubbling
    document.addEventListener('click', guarded(event => {
      var link = event.target.closest('a');
      var href = link?.getAttribute('href');
      /^\s*tel:/i.test(href) && sendIntent('tel_click', href);
    }), 1);
    document.addEventListener('copy', guarded(() => {
      sendIntent('copy', window.getSelection());
    }));
    // there is no event for pushState/replaceState: wrap them (the page's own call runs first, unchanged)
    window.addEventListener('popstate', guarded(routeChanged));
    // Form submissions, in the capture phase on window: it runs before any handler of the page, so a
    // page that posts the form itself (preventDefault + fetch/XHR) or stops the event is seen too,
    // and the beacon leaves before a native submission navigates away. Nothing here touches the event.
    window.addEventListener('submit', guarded(event => {
      reportForm(event.target);
    }), 1);
    // Focus, not input: a browser's autofill types into fields the person never went to, hidden ones
    // too. In the capture phase, where focus (which does not bubble) passes the document too, before a
    // page's handler may stop it. (Unguarded: Set#add never throws; a WeakSet's does for a non-object.
    // The Set holds the few fields a person goes to.)
    document.addEventListener('focus', event => focusedFields.add(event.target), 1);
    // form.submit() from a page's script fires no submit event: wrap it (the page's call runs unchanged)
    var formPrototype = HTMLFormElement.prototype, nativeSubmit = formPrototype.submit;
    formPrototype.submit = function () {
      guarded(reportForm)(this);
      return nativeSubmit.apply(this, arguments);
    };
    ['pushState', 'replaceState'].forEach(method => {
      var original = history[method];
      // (every browser that runs ES2021 has both)
      history[method] = function () {
        var result = original.apply(this, arguments);
        guarded(routeChanged)();
        return result;
      };
    });
  };

  /** Consent withdrawn: release the lease, forget the visitor, put the page back as it was. */
  const withdrawConsent = () => {
    consented = 0;
    if (running) {
      running = 0;
      session && endSession(session.sessionId);
      clearTimeout(heartbeatTimer);
      observer?.disconnect();
      observer = 0;
    }
    session = visitSessionId = 0;
    awaitingLeads = [];
    stored = {};
    try {
      window.localStorage.removeItem(NAME);
    } catch {
    }
    writeCookie(';path=/;max-age=0');   // a no-op where there is no such cookie
    for (var change; change = undoLog.pop();) change[1] ? change[0].setAttribute('href', change[2]) : change[0].data = change[2];
    shownNumber = 0;
    earlierNumbers = [];
    settle();
  };

  const revealHiddenNumbers = () => {
    // the class the README's anti-flicker snippet puts on <html>; classList writes no class="" to an
    // <html> without one (DOM standard: its update steps return when there is neither attribute nor token)
    document.documentElement.classList.remove('ringpool-hide');
  };

  /** Settled, with a number or without (gave up, or consent withdrawn): show what was hidden and tell whoever asked. */
  const settle = () => {
    revealHiddenNumbers();
    settled = 1;
    while (numberCallbacks.length) guarded(numberCallbacks.shift())(shownNumber, tracked());
  };

  /** Whether the page shows a number of the pool, leased to this visit. */
  const tracked = () => !!session?.tracked;

  // --- Leads: form submissions ---------------------------------------------------------------

  /** Which of the four lead fields `field` holds (phone, email, name, message), or a falsy value: never a secret or a hidden field. */
  const leadFieldOf = field => {
    var type = field.type,
        // the input type first: type=tel or type=email says it all (FIELD_HINTS reads "tel", "email")
        hints = ['', type, ...['name', 'id', 'autocomplete', 'placeholder'].map(field.getAttribute, field)].join('\n');
    return READABLE_TYPES.test(type) && !SECRET_HINTS.test(hints)
        // not rendered (display:none, or its form step is): a hidden field, often a trap for bots, unless
        // the person has been in it (a multi-step form's earlier step, hidden by "Next"; audit AK1 F1):
        // a field that is not rendered cannot take focus, so a trap hidden from the start never has it
        && (field.getClientRects().length || focusedFields.has(field))
        // Object.keys, not for-in: a page may have added an enumerable something to Object.prototype
        && (Object.keys(FIELD_HINTS).find(kind => FIELD_HINTS[kind].test(hints)) || type == 'textarea' && 'message');
  };

  /**
   * Sends a lead for `form` when it is one: it has a phone or e-mail field or is marked
   * data-ringpool-lead (or `always`: the page asked with ringpool('lead', form)), and neither it
   * nor an ancestor is marked data-ringpool-ignore. Reads only the four lead fields; nothing on the
   * form changes. Before the start's answer the lead waits for it, and a form that navigates away
   * first is sent by the visit's next page; without a session (consent withheld, server down)
   * nothing is sent.
   * @param {*=} always
   */
  const reportForm = (form, always) => {
    var fields = {}, contactField, sent, field, kind, value;
    if (!running || !(session || visitSessionId || starting) || form.closest('[data-ringpool-ignore]')) return;
    for (field of form.elements) {
      if (!(kind = leadFieldOf(field))) continue;
      contactField ||= kind == 'phone' || kind == 'email';
      value = field.value.trim().slice(0, LEAD_FIELD_LIMITS[kind]);
      // the first filled field of a kind wins; a phone has 5 digits at least (not an input mask's
      // empty "+7 (___) ___-__-__", a card's expiry or security code, a country code's "+7") and 15
      // at most, E.164's most: 16 to 19 are a card number in a field without a card hint
      // (name="field_5" type="tel", audit AG1 F1), never sent, and the next phone field is read.
      // (The server's Luhn test, docs/leads.md, costs the budget ~75 bytes: a phone written with a
      // long extension, 16 digits and more, is given up instead.) A value that starts with 13 digits
      // with at most a space between them has a card's shape too (Amex's 15, Diners' 14, Visa's old
      // 13; audit AH1 #1): a phone that long is written with a "+", dashes, brackets or words.
      if (value && !fields[kind] && (kind != 'phone' || /^(?!(\d ?){13})\D*(\d\D*){5,15}$/.test(value))) sent = fields[kind] = value;
    }
    if (!sent || !(always || contactField || form.hasAttribute('data-ringpool-lead'))) return;
    // a form reported twice (a validation plugin's submit event, then its form.submit()) is one lead:
    // the server merges repeats of a person and form within its duplicates window
    awaitingLeads.push(JSON.stringify({
      kind: 'form',
      formId: String(form.getAttribute('id') || form.getAttribute('name') || [...document.forms].indexOf(form)).slice(0, MAX_FORM_ID),
      url: location.href.slice(0, MAX_URL),
      fields
    }));
    sendLeads();
  };

  /**
   * Sends the leads read so far to this page's session, once there is one. Until then they are
   * kept in storage too: a page left before its start was answered has them sent by the next one.
   */
  const sendLeads = () => {
    var sessionId = session?.sessionId || visitSessionId, lead;
    while (sessionId && (lead = awaitingLeads.shift())) postBeforeLeaving(`/${sessionId}/leads`, lead);
    stored.l = awaitingLeads;
    save();
  };

  // --- Swapping -------------------------------------------------------------------------------

  const nationalDigits = e164 => e164.replace(/\D/g, '').replace(CALLING_CODE, '');

  /** Shows `number` wherever the page shows `replaced` (or a number shown earlier), and keeps doing so as the page changes. */
  const show = (number, replaced) => {
    if (shownNumber && shownNumber != number) earlierNumbers.push(shownNumber);
    shownNumber = number;
    siteNumber = replaced;
    shownNational = nationalDigits(shownNumber);
    siteNational = nationalDigits(siteNumber);
    replaceableRuns = {};
    for (var old of [siteNumber, ...earlierNumbers]) {
      var all = old.replace(/\D/g, ''), national = all.replace(CALLING_CODE, '');
      // the ways a page writes a number: with its calling code, national, with trunk prefix 8 or 0, with 00
      if (old != shownNumber) {
        for (var run of [all, national, '8' + national, '0' + national, '00' + all]) replaceableRuns[run] = national.length;
      }
    }
    rescan(document.body || document.documentElement);
    // (every browser that runs ES2021 has MutationObserver)
    if (!observer) {
      observer = new MutationObserver(guarded(collectChanges));
      observer.observe(document.documentElement,
          // (attributes: true is implied by attributeFilter, DOM standard; it costs bytes of the size budget.
          // The others stay true: HtmlUnit, unlike browsers, does not take 1 for it)
          {childList: !0, subtree: !0, characterData: !0, attributeFilter: ['href']});
    }
    settle();
  };

  /** Pages change in bursts (a framework renders a view): collect the changed places, rescan them once. */
  const collectChanges = records => {
    for (var record of records) {
      // An added node is rescanned itself (with its line: rescanChanged), not the node it went into,
      // which may be <body> or a list of thousands of cards: rescanning that for every toast a widget
      // showed cost a 40k-element page seconds of every ten (audit AM4 F7). A changed text or href is
      // rescanned where it is. A removed text or inline element may have stood between two digit runs
      // that now read as one number: its line is rescanned; a removed block (a toast, a card) or <br>
      // is not looked at. ('childList'[9] is undefined, 'characterData'[9] and 'attributes'[9] are
      // letters; rescanChanged skips a falsy root. Spread into an array, not into push(): HtmlUnit runs
      // no spread in a call's arguments.)
      changedRoots = [...changedRoots, ...record.addedNodes, (record.type[9] || inline(record.removedNodes[0])) && record.target];
    }
    rescanTimer ||= setTimeout(guarded(rescanChanged), RESCAN_DELAY);
  };

  const rescanChanged = () => {
    var roots = changedRoots, done = [], root, block;
    rescanTimer = 0;
    changedRoots = [];
    for (root of roots) {
      // rescan the whole line: a change to one <span> may complete a number that runs across several
      block = enclosingBlock(root);
      if (block && !done.includes(block) && document.documentElement.contains(block)) {
        done.push(block);
        rescan(block);
      }
    }
  };

  /** Whether `node` is text or an element that does not end a line (INLINE_ELEMENTS); not when there is no node. */
  const inline = node => node && (node.nodeType != 1 || INLINE_ELEMENTS.test(node.nodeName));

  const enclosingBlock = node => inline(node) ? enclosingBlock(node.parentNode) : node;

  const rescan = root => {
    if (!shownNumber || !running || !root) return;
    var found, i;
    // the marked element root is in, if any, then those in it
    if (shownNumber != siteNumber) for (i of [root.closest('[data-ringpool]'), ...root.querySelectorAll('[data-ringpool]')]) i && swapText(i, 1);
    swapText(root);
    found = root.querySelectorAll('a[href]');
    for (i of found) swapTelLink(i);
    // our own changes are no news: drop them before the observer reports them back to us
    observer?.takeRecords();
  };

  /** The digits that replace `run` when its last `nationalLength` digits are the replaced national number. */
  const replacementDigits = (run, nationalLength) =>
    run.length >= nationalLength
        ? run.slice(0, -nationalLength) + shownNational   // (nationalLength is 1 at least)
        : shownNational.slice(-run.length);

  /** Puts `digits` into `text` one by one where its digits are, keeping every separator; extra digits go into the last place. */
  const withDigits = (text, digits) => {
    var k = 0, count = text.replace(/\D/g, '').length;
    return text.replace(/\d/g, () => ++k < count ? digits.charAt(k - 1) : digits.slice(k - 1));
  };

  const swapTelLink = link => {
    var href = link.getAttribute('href'), tel = /^\s*tel:([^;,?]*)/i.exec(href), number, digits, marked, nationalLength, newHref;
    if (!tel) return;
    // (\s*: the browser dials " tel:+7…" as "tel:+7…", dropping the space a template's line break
    // or indentation left, audit AG1 F5)
    // the number as the phone dials it: CMSs percent-encode it ("tel:+7%20(495)%20123-45-67"), and
    // the digits of "%20" are none of the number's (unescape, unlike decodeURIComponent, never throws)
    number = unescape(tel[1]);
    digits = number.replace(/\D/g, '');
    marked = shownNumber != siteNumber && link.closest('[data-ringpool]');
    if (nationalLength = replaceableRuns[digits] || marked && digits.length >= MIN_MARKED_DIGITS && siteNational.length) {
      // only the number part is rewritten, so an href showing the site's own number (an untracked
      // visit) stays as the page wrote it; the number part has digits, which "tel:" has not, so the
      // first occurrence is it (and a "$" pattern in a number that can be dialled is none)
      newHref = href.replace(tel[1], withDigits(number, replacementDigits(digits, nationalLength)));
      if (newHref != href) {
        undoLog.push([link, 1, href]);
        link.setAttribute('href', newHref);
      }
    }
  };

  // (text and the document have neither such a name nor isContentEditable)
  const untouchable = node => UNTOUCHABLE_ELEMENTS.test(node.nodeName) || node.isContentEditable;

  /**
   * Swaps the number in the text under `root`. The text nodes are read as lines (joined across
   * inline elements, split by any other), digit groups are matched against replaceableRuns, and
   * each matched digit is written back into the text node it came from, so tags and separators stay.
   * @param {*=} anyNumber 1 in a data-ringpool element: the one number there is swapped whatever it is.
   */
  const swapText = (root, anyNumber) => {
    for (var up = root; up; up = up.parentNode) if (untouchable(up)) return;
    var walker = document.createTreeWalker(root, SHOW_ELEMENTS_AND_TEXT, node => untouchable(node) ? REJECT_SUBTREE : ACCEPT),
        // segments: [offset in text, text node, and once a digit of it changes, its characters]
        segments = [], text = '', groups = [], digitGroup = /\d+/g,
        node, block, lastBlock, lineBreak, group, i, j, k, run, matchEnd, nationalLength, positions, segment, joinedBefore, replacement, newText;

    // 1. the text of the subtree as one string; '|' between lines so that no number runs across them
    while (node = walker.nextNode()) {
      if (node.nodeType == 1) {
        lineBreak ||= !inline(node);
      } else {
        block = enclosingBlock(node);
        if (lineBreak || block != lastBlock) text += '|';
        lineBreak = 0;
        lastBlock = block;
        segments.push([text.length, node]);
        text += node.data;
      }
    }

    /** Whether digit group j continues the number of group j-1 (only separators between them). */
    const joined = j => GROUP_SEPARATOR.test(text.slice(groups[j - 1].index + groups[j - 1][0].length, groups[j].index));

    // 2. the longest run of joined digit groups starting at each group that shows a replaced number
    while (group = digitGroup.exec(text)) groups.push(group);
    for (i = 0; i < groups.length; i++) {
      joinedBefore = i && joined(i);
      for (run = '', matchEnd = -1, j = i; j < groups.length && (j == i || joined(j)); j++) {
        run += groups[j][0];
        if (run.length > MAX_NUMBER_DIGITS) break;
        if (anyNumber
            ? run.length >= MIN_MARKED_DIGITS && run.length <= MAX_MARKED_DIGITS && !(groups[j + 1] && joined(j + 1))
            // a bare national number right after joined digits is the tail of another number
            : replaceableRuns[run] && (!joinedBefore || run.length > replaceableRuns[run])) {
          matchEnd = j;
          nationalLength = anyNumber ? siteNational.length : replaceableRuns[run];
          replacement = run;
        }
      }
      if (matchEnd < 0) continue;

      // 3. the new digits, written back digit by digit into the text nodes they came from
      for (positions = []; i <= matchEnd; i++) {
        for (j = 0; j < groups[i][0].length; j++) positions.push(groups[i].index + j);
      }
      i = matchEnd;
      replacement = replacementDigits(replacement, nationalLength);
      for (j = 0; j < positions.length; j++) {
        for (k = segments.length - 1; segments[k][0] > positions[j]; k--) {}
        segment = segments[k];
        segment[2] = segment[2] || segment[1].data.split('');
        // (replacement[j] past its end is undefined, which join() writes as '', as charAt(j) would be)
        segment[2][positions[j] - segment[0]] = j < positions.length - 1 ? replacement[j] : replacement.slice(j);
      }
    }
    for (segment of segments) {
      if (segment[2] && (newText = segment[2].join('')) != segment[1].data) {
        undoLog.push([segment[1], 0, segment[1].data]);
        segment[1].data = newText;
      }
    }
  };

  // --- Start ----------------------------------------------------------------------------------

  try {
    if (queuedCalls?.v) return;   // the script is on the page twice: the first copy runs
    var script = document.currentScript || document.querySelector('script[data-site]');
    siteKey = script.getAttribute('data-site');
    sessionsUrl = script.src.split('?')[0].replace(/[^\/]*$/, 'v1/sessions');
    if (script.getAttribute('data-consent') == 'false') consented = 0;
    api.v = 1;
    window[NAME] = api;
    answerDeadline = +script.getAttribute('data-timeout') || 1000;
    // hidden numbers are shown after the deadline even when no answer ever comes
    setTimeout(guarded(() => shownNumber || settle()), answerDeadline);
    for (var call of queuedCalls?.q || []) api.apply(0, call);
    start();
    running || settle();
  } catch {
    revealHiddenNumbers();
  }
})(window, document);
