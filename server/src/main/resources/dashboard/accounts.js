/* Ringpool dashboard, accounts part: sign-in with e-mail and password, invitation and reset links,
 * the site switcher, and the pages that run a site (pools, static numbers, settings, keys, sites,
 * people, audit log, the person's own account). Pages appear by the signed-in person's permissions (GET /v1/me); the server
 * checks them again on every request, so hiding a page is a courtesy, not the protection. Forms
 * show the server's own error messages next to the field it names. */
(function () {
  'use strict';
  var R = window.Ringpool, state = R.state, api = R.api, el = R.el, clear = R.clear, $ = R.$;
  var SAVED_SITE = 'ringpool.site';
  /* Set while this browser has signed in and not out. The session cookie is HttpOnly, so without
     this mark the first page load would have to ask GET /v1/me, and its 401 is a console error on
     every visit of a signed-out browser. */
  var SIGNED_IN = 'ringpool.signedIn';
  /* Each page and the permission it needs (the names of GET /v1/me's "permissions"). Pages marked
   * person are about a workspace, so a site key never sees them. */
  var PAGES = [
    { id: 'reports', label: 'Reports', perm: 'reports' },
    { id: 'pools', label: 'Pools', perm: 'pools_read' },
    { id: 'numbers', label: 'Static numbers', perm: 'pools_read' },
    { id: 'settings', label: 'Settings', perm: 'site_settings' },
    { id: 'keys', label: 'Keys', perm: 'keys' },
    { id: 'sites', label: 'Sites', perm: 'users', person: true },
    { id: 'people', label: 'People', perm: 'users', person: true },
    { id: 'audit', label: 'Audit log', perm: 'users', person: true },
    // Every person's own password and sessions, whatever their role (audit AG2 #5).
    { id: 'account', label: 'Your account', person: true }
  ];
  var SITE_PERMISSIONS = ['site_read', 'site_settings', 'pools_read', 'pools', 'reports', 'call_log', 'lead_log', 'tags', 'exports',
    'erase', 'webhooks', 'keys'];
  var renderers = {};


  // ---- who may do what ---------------------------------------------------------------------
  function workspace() {
    if (!state.me) return null;
    var ws = state.me.workspaces;
    if (state.site) {
      for (var i = 0; i < ws.length; i++) {
        if (ws[i].sites.some(function (s) { return s.siteId === state.site.siteId; })) return ws[i];
      }
    }
    return state.workspaceId ? ws.filter(function (w) { return w.workspaceId === state.workspaceId; })[0] || ws[0] : ws[0];
  }
  function can(perm) {
    if (state.key) return SITE_PERMISSIONS.indexOf(perm) >= 0;
    var w = workspace();
    return !!w && w.permissions.indexOf(perm) >= 0;
  }
  function pageAllowed(p) {
    if (p.person && state.key) return false;
    // A person's own page needs no site: an owner whose workspace has none yet still changes their password (audit AH1).
    if (!state.site && p.id !== 'sites' && !p.person) return false;
    return !p.perm || can(p.perm);
  }

  // ---- forms with the server's messages ----------------------------------------------------
  function fieldNamed(form, field) {
    if (!field) return null;
    var base = field.replace(/\[\d+\]$/, '').replace(/^.*\./, '');
    return form.querySelector('[name="' + base + '"]') || form.querySelector('[data-field="' + base + '"]');
  }
  function clearErrors(form) {
    Array.prototype.forEach.call(form.querySelectorAll('.field-error, .form-error'), function (n) { n.remove(); });
    Array.prototype.forEach.call(form.querySelectorAll('[aria-invalid]'), function (n) { n.removeAttribute('aria-invalid'); });
  }
  function showError(form, x) {
    var input = fieldNamed(form, x.field);
    var msg = el('p', { class: input ? 'field-error' : 'form-error', role: 'alert', text: x.message });
    if (input) { input.setAttribute('aria-invalid', 'true'); input.insertAdjacentElement('afterend', msg); input.focus(); }
    else form.appendChild(msg);
  }
  /* Runs work(form) on submit; its promise's failure is shown on the form. */
  function onSubmit(form, work) {
    form.addEventListener('submit', function (e) {
      e.preventDefault();
      clearErrors(form);
      var button = form.querySelector('button[type=submit]');
      if (button) button.disabled = true;
      Promise.resolve().then(function () { return work(form); })
        .catch(function (x) { showError(form, x); })
        .then(function () { if (button) button.disabled = false; });
    });
    return form;
  }
  function value(form, name) { var f = form.elements[name]; return f ? f.value.trim() : ''; }
  function list(text) { return text.split(/[\s,;]+/).map(function (x) { return x.trim(); }).filter(Boolean); }
  // Phone numbers are written with spaces, brackets and dashes ("+7 495 200-00-01"), so only line
  // breaks, commas and semicolons separate them, and a '+' after a space starts another number
  // ("+74950000101 +74950000102"): splitting on spaces sent "+7" as a number (audit AA1 #1).
  function numberList(text) {
    return text.split(/[\n,;]+/).reduce(function (all, piece) {
      return all.concat(piece.split(/\s+(?=\+)/));
    }, []).map(function (x) { return x.trim(); }).filter(Boolean);
  }
  // Numbers are read as written locally in the site's country too (8 (495) 200-00-01 with RU); the
  // server reads them, so the page sends them as typed.
  function numbersHint(many) {
    var country = state.site && state.site.country;
    return 'with the country code (+7 495 200-00-01) or as written locally in ' + (country || 'the site’s country')
      + (many ? ', one per line or separated by commas' : '');
  }
  function field(label, input, hint) {
    return el('label', { class: 'field' }, [el('span', { text: label }), input, hint ? el('small', { class: 'hint', text: hint }) : null]);
  }
  function input(name, attrs) { return el('input', Object.assign({ name: name, type: 'text' }, attrs || {})); }
  function once(title, rows) {
    return el('div', { class: 'secret-box', role: 'status' }, [el('strong', { text: title })].concat(rows.map(function (r) {
      return el('div', { class: 'secret' }, [el('span', { class: 'muted', text: r[0] + ' ' }), el('code', { text: r[1] })]);
    })));
  }
  function when(iso) { return iso ? new Date(iso).toLocaleString('en-GB', { dateStyle: 'medium', timeStyle: 'short' }) : '—'; }

  // ---- pages and navigation ----------------------------------------------------------------
  function renderTabs() {
    var nav = clear($('tabs'));
    PAGES.forEach(function (p) {
      if (!pageAllowed(p)) return;
      nav.appendChild(el('a', { href: '#' + p.id, 'data-page': p.id, text: p.label }));
    });
    // Controls outside the pages are offered only to a role that may use them (audit K #8).
    var integrations = document.querySelector('a[href="integrations.html"]');
    if (integrations) integrations.hidden = !can('webhooks') || !state.site; // it works on a site
    if ($('exports')) $('exports').hidden = !can('exports');
  }
  /* The page's section; a fresh one replaces the old when the page is drawn again, so an answer
     still on its way for the page as it was (another client picked meanwhile: audit AN4 F11) draws
     into a section no longer in the document, never under the new client's name. */
  function pageSection(id, fresh) {
    var s = $('page-' + id);
    if (!s || fresh) {
      var made = el('section', { id: 'page-' + id, class: 'page', hidden: '' });
      if (s) s.parentNode.replaceChild(made, s); else $('pages').appendChild(made);
      s = made;
    }
    return s;
  }
  /** Request paths of one site: a page acts on the site it was drawn for, whatever is picked later. */
  function pathsOf(s) {
    return function (path) { return '/v1/sites/' + encodeURIComponent(s.siteId) + path; };
  }
  function route() {
    var hash = location.hash.replace(/^#/, '');
    if (/^(invite|reset)=/.test(hash)) { showLinkPage(hash); return; }
    if ($('app').hidden) return;
    var id = hash || 'reports';
    var page = PAGES.filter(function (p) { return p.id === id; })[0] || PAGES[0];
    Array.prototype.forEach.call(document.querySelectorAll('#tabs a'), function (a) { a.classList.toggle('active', a.dataset.page === page.id); });
    $('page-reports').hidden = page.id !== 'reports';
    Array.prototype.forEach.call($('pages').children, function (s) { s.hidden = true; });
    $('range').classList.toggle('reports-only', page.id !== 'reports');
    if (page.id === 'reports') {
      if (!pageAllowed(page)) { $('page-reports').hidden = true; denied(page); } // no empty figures under the reason
      return;
    }
    var section = pageSection(page.id, true);
    section.hidden = false;
    if (!pageAllowed(page)) { denied(page, section); return; }
    section.appendChild(el('p', { class: 'muted', text: 'Loading…' }));
    Promise.resolve(renderers[page.id](section, state.site ? pathsOf(state.site) : null)).catch(function (x) {
      if (!section.isConnected) return; // drawn again since: this answer is of no page on screen
      // In place of the page, never a part of it: what went wrong, in words to act on, and a retry.
      clear(section).appendChild(R.problemBox(x.status === 403 ? 'Not allowed' : 'Could not load ' + page.label, x, route));
      if (x.status === 404) refreshMe().catch(function () {});
    }).then(function () { if (section.isConnected) document.body.dataset.page = page.id + ':' + Date.now(); });
  }
  function denied(page, section) {
    section = section || pageSection('denied');
    section.hidden = false;
    var w = workspace();
    // A page of a site, with no site to show: none was given yet, which is not a matter of role (audit AN4 F5).
    var noSite = !state.site && !page.person && !state.key && w && (!page.perm || w.permissions.indexOf(page.perm) >= 0 || !w.sites.length);
    clear(section).appendChild(noSite
      ? el('div', { class: 'empty denied', id: 'denied' }, [el('strong', { text: 'No sites in ' + w.name + ' yet' }),
        w.permissions.indexOf('users') >= 0 ? 'Create the first one on the Sites page.' : 'You have no sites in ' + w.name + ' yet: ask an owner to give you one.'])
      : el('div', { class: 'empty denied', id: 'denied' }, [el('strong', { text: 'You cannot open ' + page.label }),
        w ? 'Your role in ' + w.name + ' is ' + w.role + '. Ask an owner if you need more.' : 'This needs a signed-in owner.']));
    document.body.dataset.page = 'denied:' + Date.now();
  }
  window.addEventListener('hashchange', route);
  document.addEventListener('ringpool:site', function () {
    // This tab's client in sessionStorage (a second tab on another client must not move this one:
    // audit AI4 F9, Integrations opened the client last picked in the other tab); localStorage only
    // gives a new tab its first client.
    if (state.site) { sessionStorage.setItem(SAVED_SITE, state.site.siteId); localStorage.setItem(SAVED_SITE, state.site.siteId); }
    renderTabs();
    renderWho();
    if ($('site-switcher').value !== (state.site && state.site.siteId) && state.site) $('site-switcher').value = state.site.siteId;
    route();
  });
  document.addEventListener('ringpool:signout', function () {
    localStorage.removeItem(SIGNED_IN);
    clear($('tabs')); clear($('pages')); $('site-switcher').hidden = true; $('site-name').hidden = false; $('who').textContent = '';
    if (location.hash) history.replaceState(null, '', location.pathname);
  });

  // ---- signing in as a person ---------------------------------------------------------------
  function renderWho() {
    var w = workspace();
    $('who').textContent = state.me ? state.me.email + (w ? ' · ' + w.role : '') : '';
  }
  /* Workspaces and their sites by name, as people look a client up (case aside, in the reader's
     language): they came in id order, which is random (audit AN4 F1). */
  function byName(a, b) { return a.name.localeCompare(b.name, undefined, { sensitivity: 'base' }); }
  function ordered(me) {
    me.workspaces.sort(byName);
    me.workspaces.forEach(function (w) { w.sites.sort(byName); });
    return me;
  }
  var WORKSPACE_OPTION = 'workspace:';
  /* A workspace without a site is an entry of its own, leading to its Sites page: the workspace was
     found through the current site, so an owner of a new, empty workspace who also belonged to
     another could never reach it (audit AN4 F19). */
  function fillSwitcher() {
    var sw = clear($('site-switcher'));
    var count = 0;
    state.me.workspaces.forEach(function (w) {
      var g = el('optgroup', { label: w.name });
      w.sites.forEach(function (s) { g.appendChild(el('option', { value: s.siteId, text: s.name })); count++; });
      if (!w.sites.length) { g.appendChild(el('option', { value: WORKSPACE_OPTION + w.workspaceId, text: w.name + ': no sites yet' })); count++; }
      sw.appendChild(g);
    });
    sw.hidden = count < 1;
    $('site-name').hidden = count > 0; // the switcher names the site
    if (state.site) sw.value = state.site.siteId;
    else if (state.workspaceId) sw.value = WORKSPACE_OPTION + state.workspaceId;
  }
  function allSites() {
    var out = [];
    state.me.workspaces.forEach(function (w) { w.sites.forEach(function (s) { out.push(s); }); });
    return out;
  }
  $('site-switcher').addEventListener('change', function () {
    var picked = $('site-switcher').value;
    if (picked.indexOf(WORKSPACE_OPTION) === 0) { showWorkspace(picked.slice(WORKSPACE_OPTION.length)); return; }
    var s = allSites().filter(function (x) { return x.siteId === picked; })[0];
    if (s) R.showSite(s);
  });
  /* A workspace without a site: its Sites page for an owner (to create the first), else a word that
     there is none yet. The previous site's figures are emptied from the page. */
  function showWorkspace(workspaceId) {
    var w = state.me.workspaces.filter(function (x) { return x.workspaceId === workspaceId; })[0];
    state.site = null;
    state.workspaceId = w ? w.workspaceId : null;
    if (R.forgetSite) R.forgetSite();
    $('app').hidden = false;
    $('site-name').textContent = w ? '· ' + w.name : '';
    fillSwitcher();
    renderTabs();
    renderWho();
    var first = can('users') ? '#sites' : '#reports'; // a member without a site is told there is none yet
    if (location.hash !== first) location.hash = first; else route();
    document.body.dataset.loaded = String(Date.now());
  }
  /* After a sign-in (or with a live cookie): who am I, which sites, then the first page. */
  function startPerson(preferSiteId) {
    return api('/v1/me', { quiet401: true }).then(function (me) {
      localStorage.setItem(SIGNED_IN, '1');
      state.key = null;
      state.me = ordered(me);
      state.csrf = me.csrfToken;
      fillSwitcher();
      var sites = allSites();
      var wanted = preferSiteId || sessionStorage.getItem(SAVED_SITE) || localStorage.getItem(SAVED_SITE);
      var chosen = sites.filter(function (s) { return s.siteId === wanted; })[0] || sites[0];
      $('signin').hidden = true;
      $('link-page').hidden = true;
      if (chosen) { R.showSite(chosen); return; }
      // No site yet: owners create one; others wait for one.
      showWorkspace(me.workspaces.length ? me.workspaces[0].workspaceId : null);
    });
  }
  function refreshMe() {
    return api('/v1/me').then(function (me) { state.me = ordered(me); state.csrf = me.csrfToken; fillSwitcher(); renderTabs(); });
  }
  /* The server's Retry-After in words, and what else to do (audit AN4 F8: "try again later" said neither). */
  function lockedOut(retryAfter) {
    var minutes = Math.max(1, Math.ceil((Number(retryAfter) || 900) / 60));
    return 'Too many failed sign-ins. Try again in ' + (minutes === 1 ? 'a minute' : minutes + ' minutes') + ', or ask an owner for a reset link.';
  }
  onSubmit($('password-form'), function (form) {
    $('password-error').hidden = true;
    return fetch('/v1/auth/login', { method: 'POST', credentials: 'same-origin', headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ email: value(form, 'email'), password: form.elements.password.value }) }).then(function (r) {
      if (r.status === 204) { form.elements.password.value = ''; return startPerson(); }
      return r.json().catch(function () { return {}; }).then(function (b) {
        var x = new Error(r.status === 401 ? 'Wrong e-mail or password.' : r.status === 429 ? lockedOut(r.headers.get('Retry-After'))
          : (b.error && b.error.message) || ('HTTP ' + r.status));
        x.field = r.status === 422 || r.status === 400 ? b.error && b.error.field : null;
        throw x;
      });
    });
  });

  // ---- invitation and reset links -----------------------------------------------------------
  function showLinkPage(hash) {
    var kind = hash.slice(0, hash.indexOf('=')), token = hash.slice(hash.indexOf('=') + 1);
    var form = $('link-form');
    $('signin').hidden = true;
    $('app').hidden = true;
    $('link-page').hidden = false;
    $('link-title').textContent = kind === 'invite' ? 'Join your team' : 'Choose a new password';
    $('link-text').textContent = kind === 'invite'
      ? 'Choose your password. If you already have a Ringpool account, enter its password to add this workspace to it.'
      : 'Every device signed in with the old password is signed out.';
    form.elements.name.hidden = kind !== 'invite';
    form.querySelector('[data-for=name]').hidden = kind !== 'invite';
    form.dataset.kind = kind;
    form.dataset.token = token;
  }
  onSubmit($('link-form'), function (form) {
    var token = encodeURIComponent(form.dataset.token), password = form.elements.password.value;
    if (form.dataset.kind === 'reset') {
      return api('/v1/password-resets/' + token, { method: 'POST', json: { password: password }, quiet401: true }).then(function () {
        history.replaceState(null, '', location.pathname);
        $('link-page').hidden = true;
        $('signin').hidden = false;
        $('password-error').textContent = 'Password changed. Sign in with the new one.';
        $('password-error').hidden = false;
      });
    }
    var body = { password: password };
    if (value(form, 'name')) body.name = value(form, 'name');
    return api('/v1/invites/' + token, { method: 'POST', json: body, quiet401: true }).then(function (member) {
      return fetch('/v1/auth/login', { method: 'POST', credentials: 'same-origin', headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ email: member.email, password: password }) });
    }).then(function () {
      history.replaceState(null, '', location.pathname);
      form.elements.password.value = '';
      return startPerson();
    }, function (x) {
      if (x.code === 'invalid_credentials') x.message = 'You already have an account with this e-mail: enter its password.';
      throw x;
    });
  });

  // ---- pools --------------------------------------------------------------------------------
  // The list comes in pages (at most 100 pools and about 10,000 numbers each): 'Load more' follows nextCursor.
  renderers.pools = function (section, at) {
    var grid = el('div', { class: 'grid' });
    var more = el('button', { type: 'button', class: 'ghost', text: 'Load more pools', hidden: '' });
    function page(cursor) {
      return api(at('/pools' + (cursor ? '?cursor=' + encodeURIComponent(cursor) : ''))).then(function (r) {
        if (!cursor) {
          clear(section);
          section.appendChild(grid);
          section.appendChild(el('div', { class: 'more' }, [more]));
          if (can('pools')) grid.appendChild(poolForm(at));
          if (!r.pools.length) grid.appendChild(el('article', { class: 'card' }, [R.empty('No pool yet', 'A pool is a set of numbers shown to visitors, one each, so calls can be traced to visits.')]));
        }
        r.pools.forEach(function (p) { grid.appendChild(poolCard(p, at)); });
        more.hidden = !r.nextCursor;
        more.onclick = function () { page(r.nextCursor); };
      });
    }
    return page(null);
  };
  function poolCard(p, at) {
    var match = Object.keys(p.match || {}).map(function (k) { return k + ' = ' + p.match[k]; }).join(', ') || 'any visit';
    var card = el('article', { class: 'card pool-card', 'data-pool-id': p.poolId }, [
      el('header', null, [el('h2', { text: p.name }), el('span', { class: 'hint', text: 'priority ' + p.priority + ' · ' + match })]),
      el('p', { class: 'muted', text: R.plural(p.size, 'number') + ' · ' + p.leased + ' leased · ' + p.coolingDown + ' cooling · ' + p.free + ' free · ' +
        R.plural(p.exhaustions, 'exhaustion') + ' · ' + (p.recommendedSize == null ? 'no recommended size yet' : 'recommended size ' + p.recommendedSize) }),
      // The basis of the recommendation, or why there is none yet (a new pool: no lease has ended).
      p.recommendation ? el('p', { class: 'hint pool-recommendation', text: p.recommendation }) : null
    ]);
    var ul = el('ul', { class: 'numbers' });
    p.numbers.forEach(function (n) {
      var li = el('li', null, [el('code', { text: n })]);
      if (can('pools')) li.appendChild(el('button', { type: 'button', class: 'ghost small', text: 'Retire', title: 'No new leases; history kept',
        onclick: function () {
          if (!confirm('Retire ' + n + '? It gets no new visitors; its history stays.')) return;
          api(at('/pools/' + encodeURIComponent(p.poolId) + '/numbers/' + encodeURIComponent(n)), { method: 'DELETE' })
            .then(function () { route(); }, function (x) { alert(x.message); });
        } }));
      ul.appendChild(li);
    });
    card.appendChild(ul);
    if (can('pools')) {
      card.appendChild(onSubmit(el('form', { class: 'inline-form' }, [
        field('Add numbers', el('textarea', { name: 'numbers', rows: '2', placeholder: '+74950000104, +74950000105' }), numbersHint(true)),
        el('button', { type: 'submit', text: 'Add' })]), function (form) {
        return api(at('/pools/' + encodeURIComponent(p.poolId) + '/numbers'), { method: 'POST', json: { numbers: numberList(value(form, 'numbers')) } })
          .then(function () { route(); });
      }));
    }
    return card;
  }
  function poolForm(at) {
    var form = el('form', { id: 'pool-form', class: 'card form-card' }, [
      el('header', null, [el('h2', { text: 'New pool' }), el('span', { class: 'hint', text: 'visits matching the rule get its numbers; higher priority is tried first' })]),
      field('Name', input('name', { placeholder: 'Google Ads' })),
      field('Priority', input('priority', { type: 'number', step: '1', placeholder: '0' })),
      el('div', { class: 'row', 'data-field': 'match' }, [
        field('Source', input('source', { placeholder: 'google' })), field('Medium', input('medium', { placeholder: 'cpc' })),
        field('Campaign', input('campaign', { placeholder: 'any' }))]),
      field('Numbers', el('textarea', { name: 'numbers', rows: '3', placeholder: '+74950000101\n+74950000102' }), numbersHint(true)),
      el('button', { type: 'submit', text: 'Create pool' })]);
    return onSubmit(form, function () {
      var match = {};
      ['source', 'medium', 'campaign'].forEach(function (k) { if (value(form, k)) match[k] = value(form, k); });
      var body = { numbers: numberList(value(form, 'numbers')), match: match };
      if (value(form, 'name')) body.name = value(form, 'name');
      if (value(form, 'priority')) body.priority = Number(value(form, 'priority'));
      return api(at('/pools'), { method: 'POST', json: body }).then(function () { route(); });
    });
  }

  // ---- static numbers -----------------------------------------------------------------------
  renderers.numbers = function (section, at) {
    return api(at('/static-numbers')).then(function (r) {
      clear(section);
      var grid = el('div', { class: 'grid' });
      section.appendChild(grid);
      var editable = can('pools');
      var card = el('article', { class: 'card' }, [el('header', null, [el('h2', { text: 'Static numbers' }),
        el('span', { class: 'hint', text: 'one number, always the same source: a billboard, a directory, a partner' })])]);
      var form = el('form', { id: 'static-form', class: 'card form-card' }, [el('header', null, [el('h2', { text: 'Add a static number' })]),
        field('Number', input('number', { placeholder: '+74950000900' }), numbersHint(false)), field('Source', input('source', { placeholder: 'billboard' })),
        field('Medium', input('medium')), field('Campaign', input('campaign')), field('Label', input('label', { placeholder: 'Ring road, km 12' })),
        el('button', { type: 'submit', text: 'Add' })]);
      // Edit fills the form with the row; saving changes the calls that follow, not the ones stored.
      function edit(n) {
        form.dataset.editing = n.number;
        form.querySelector('h2').textContent = 'Edit ' + n.number;
        form.querySelector('button[type=submit]').textContent = 'Save';
        form.elements.number.value = n.number;
        form.elements.number.disabled = true;
        ['source', 'medium', 'campaign', 'label'].forEach(function (k) { form.elements[k].value = n[k] || ''; });
        form.elements.source.focus();
      }
      function retire(n) {
        if (!confirm('Retire ' + n.number + '? Calls from now on are no longer attributed to ' + n.source + '; its calls so far keep theirs.')) return;
        api(at('/static-numbers/' + encodeURIComponent(n.number)), { method: 'DELETE' })
          .then(function () { route(); }, function (x) { alert(x.message); });
      }
      var headings = ['Number', 'Source', 'Medium', 'Campaign', 'Label'].concat(editable ? [''] : []);
      if (!r.staticNumbers.length) card.appendChild(R.empty('No static numbers', 'Calls to them are attributed to their source.'));
      else card.appendChild(el('table', { id: 'static-table' }, [el('thead', null, [el('tr', null, headings.map(function (h) { return el('th', { text: h }); }))]),
        el('tbody', null, r.staticNumbers.map(function (n) {
          // data-label names the column where a narrow window stacks the cells (app.css).
          var cells = [n.number, n.source, n.medium, n.campaign, n.label].map(function (v, i) { return el('td', { text: v || '—', 'data-label': headings[i] }); });
          if (editable) cells.push(el('td', null, [
            el('button', { type: 'button', class: 'ghost small', text: 'Edit', onclick: function () { edit(n); } }),
            el('button', { type: 'button', class: 'ghost small', text: 'Retire', title: 'No further calls attributed to it; history kept',
              onclick: function () { retire(n); } })]));
          return el('tr', { 'data-number': n.number }, cells);
        }))]));
      grid.appendChild(card);
      if (!editable) return;
      grid.appendChild(onSubmit(form, function () {
        var body = {};
        if (form.dataset.editing) {
          ['source', 'medium', 'campaign', 'label'].forEach(function (k) { body[k] = k === 'source' ? value(form, k) : value(form, k) || null; });
          return api(at('/static-numbers/' + encodeURIComponent(form.dataset.editing)), { method: 'PATCH', json: body }).then(function () { route(); });
        }
        ['number', 'source', 'medium', 'campaign', 'label'].forEach(function (k) { if (value(form, k)) body[k] = value(form, k); });
        return api(at('/static-numbers'), { method: 'POST', json: body }).then(function () { route(); });
      }));
    });
  };

  // ---- settings -----------------------------------------------------------------------------
  // [field, label, hint, kind]: kind is how it is typed (text when none). README's site-settings
  // table, all of it: recording, keyword rules, titles, query parameters and the lead window were
  // API-only (audit AI4 F13), so turning recording on for a client meant curl.
  var SETTINGS = [
    ['name', 'Name'], ['domains', 'Domains', 'where the script may run; subdomains included; empty = any'],
    ['defaultNumber', 'Default number', 'the number on your pages'], ['forwardTo', 'Forward calls to'],
    ['timeZone', 'Time zone'], ['currency', 'Currency'], ['country', 'Country', 'for callers’ local formats'],
    ['leaseTtlSeconds', 'Lease without heartbeat, s'], ['heartbeatSeconds', 'Heartbeat, s'], ['endGraceSeconds', 'Grace after leaving, s'],
    ['coolDownSeconds', 'Cool-down, s'], ['intentHoldSeconds', 'Hold after a tel: click, s'], ['exhaustionPolicy', 'When the pool is exhausted'],
    ['uniquenessDays', 'Unique caller window, days', '0 = ever'], ['targetCallSeconds', 'Target call, s of talk'],
    ['retentionDays', 'Keep caller numbers, days'], ['twilioAuthToken', 'Twilio auth token', 'write-only'],
    ['leadDuplicateMinutes', 'Same form again within, minutes', 'is one lead; 0 = never merged'],
    ['storeTitles', 'Store page titles', 'a title can name a person (“Order of Jane Doe”)', 'check'],
    ['queryParameters', 'Query parameters kept in URLs', 'besides utm_* and click ids, separated by commas; the rest is dropped', 'list'],
    ['recordCalls', 'Record calls', 'recording is personal data: in many places callers must be told first (the notice below)', 'check', 'recording'],
    ['recordingNotice', 'Recording notice', 'said to the caller before connecting; or one http(s) link to an audio file', 'textarea', 'recording'],
    ['recordingRetentionDays', 'Keep recordings, days', '1 to 3650; older recordings are deleted, the calls stay', null, 'recording'],
    ['keywordRules', 'Keyword rules', 'one a line: tag: phrase, phrase — a call whose transcript has a phrase gets the tag', 'rules', 'recording']];
  // Words a person can act on beside the API's message, for the fields whose rule is not in the message itself.
  var SETTING_ADVICE = {
    recordingNotice: 'Write the words to say before the call is connected (at most 1,000 characters), or one http(s) link to an audio file.',
    queryParameters: 'Write parameter names separated by commas, such as ref, promo: at most 50, each up to 64 characters.',
    keywordRules: 'One rule a line: the tag, a colon, then phrases separated by commas, such as “spam: wrong number, ошиблись номером”.'
  };
  /** Keyword rules as the box shows them: "spam: wrong number, no such person", one a line. */
  function rulesText(rules) {
    return (rules || []).map(function (r) { return r.tag + ': ' + (r.any || []).join(', '); }).join('\n');
  }
  /** The box's lines as the API's rules; a line without a colon is sent as a tag with no phrases, which the API refuses by line. */
  function rulesOf(text) {
    return text.split('\n').map(function (l) { return l.trim(); }).filter(Boolean).map(function (l) {
      var colon = l.indexOf(':');
      return { tag: (colon < 0 ? l : l.slice(0, colon)).trim(),
        any: colon < 0 ? [] : l.slice(colon + 1).split(',').map(function (p) { return p.trim(); }).filter(Boolean) };
    });
  }
  function settingText(control) { return control.type === 'checkbox' ? String(control.checked) : control.value; }
  /* The API names a rule's field as keywordRules[2].any: that is line 3 of the rules box. */
  function settingError(x) {
    var rule = x.field && /^keywordRules\[(\d+)\]/.exec(x.field);
    var base = x.field ? x.field.replace(/\[\d+\].*$/, '') : null;
    // The API's 'recordingRetentionDays' is the field's label here: “Keep recordings, days”.
    var words = (x.message || '').replace(/'([a-zA-Z\[\]0-9.]+)'/g, function (all, name) {
      var f = SETTINGS.filter(function (g) { return g[0] === name; })[0];
      return f ? '“' + f[1] + '”' : name;
    });
    if (rule) words = 'Line ' + (Number(rule[1]) + 1) + ': ' + words;
    if (base && SETTING_ADVICE[base]) words += '. ' + SETTING_ADVICE[base];
    return Object.assign(new Error(words), { status: x.status, code: x.code, field: base || x.field });
  }
  renderers.settings = function (section, at) {
    return api(at('')).then(function (s) {
      clear(section);
      var form = el('form', { id: 'settings-form', class: 'card form-card settings' }, [el('header', null, [el('h2', { text: 'Site settings' }),
        el('span', { class: 'hint', text: 'site id ' + s.siteId + ' · public key ' + s.publicKey })])]);
      var recordingHeader = false;
      SETTINGS.forEach(function (f) {
        var name = f[0], kind = f[3];
        var current = name === 'domains' || name === 'queryParameters' ? (s[name] || []).join(', ') : name === 'keywordRules' ? rulesText(s[name]) : s[name];
        var control;
        if (f[4] === 'recording' && !recordingHeader) {
          recordingHeader = true;
          form.appendChild(el('h3', { class: 'settings-group', text: 'Call recording' }));
        }
        if (name === 'exhaustionPolicy') {
          control = el('select', { name: name }, [el('option', { value: 'reuse_cooling', text: 'lend the number longest in cool-down' }),
            el('option', { value: 'fallback', text: 'show the default number, untracked' })]);
          control.value = current;
        } else if (kind === 'check') {
          control = input(name, { type: 'checkbox' });
          control.checked = !!current;
        } else if (kind === 'textarea' || kind === 'rules') {
          control = el('textarea', { name: name, rows: kind === 'rules' ? '4' : '3', spellcheck: kind === 'rules' ? 'false' : 'true',
            placeholder: kind === 'rules' ? 'spam: wrong number, ошиблись номером' : 'This call may be recorded.' });
          control.value = current == null ? '' : String(current);
        } else if (name === 'twilioAuthToken' && !can('keys')) {
          // Owners only: a manager's token was refused with the whole form, other changes too (audit AN4 F7).
          control = input(name, { type: 'password', disabled: '', placeholder: 'owners only' });
        } else {
          control = input(name, { value: current == null ? '' : String(current), type: name === 'twilioAuthToken' ? 'password' : 'text',
            placeholder: name === 'twilioAuthToken' ? (s.twilioConfigured ? 'set (hidden)' : 'not set') : '' });
        }
        control.dataset.initial = settingText(control);
        var wrap = field(f[1], control, f[2]);
        if (kind === 'check') wrap.classList.add('field-check');
        if (kind === 'textarea' || kind === 'rules') wrap.classList.add('field-wide');
        form.appendChild(wrap);
      });
      form.appendChild(el('button', { type: 'submit', text: 'Save changes' }));
      form.appendChild(el('p', { class: 'status', id: 'settings-status', role: 'status' }));
      section.appendChild(onSubmit(form, function () {
        var body = {};
        Array.prototype.forEach.call(form.elements, function (c) {
          if (!c.name || settingText(c) === c.dataset.initial) return;
          var v = c.value.trim();
          if (c.type === 'checkbox') body[c.name] = c.checked;
          else if (c.name === 'domains' || c.name === 'queryParameters') body[c.name] = list(v);
          else if (c.name === 'keywordRules') body.keywordRules = rulesOf(v);
          else if (c.name === 'recordingNotice') body.recordingNotice = v || null;
          else if (/Seconds$|Days$|Minutes$/.test(c.name) && /^-?\d+$/.test(v)) body[c.name] = Number(v);
          else body[c.name] = v;
        });
        if (!Object.keys(body).length) { $('settings-status').textContent = 'Nothing changed.'; return null; }
        return api(at(''), { method: 'PATCH', json: body }).catch(function (x) { throw settingError(x); }).then(function (updated) {
          // The page's copy of the site and the switcher's list were those of the sign-in: a new
          // zone or name reached neither until a reload (audit AI4 F6).
          if (state.site && state.site.siteId === updated.siteId) {
            R.siteUpdated({ name: updated.name, timeZone: updated.timeZone, currency: updated.currency, country: updated.country });
          }
          return (state.me ? refreshMe() : null);
        }).then(function () {
          return renderers.settings(section, at).then(function () {
            var saved = 'Saved: ' + Object.keys(body).join(', ') + '.';
            if (body.recordCalls === true && !$('settings-form').elements.recordingNotice.value.trim()) {
              saved += ' Calls are recorded from now on without a notice: check that your callers need not be told.';
            }
            $('settings-status').textContent = saved;
          });
        });
      }));
    });
  };

  // ---- keys ---------------------------------------------------------------------------------
  // The tag to put on the site's pages (js-snippet/README.md), from this server's own address: the
  // dashboard is served by the server that serves /s.js. Audit AA1: no page showed it.
  function installTag(publicKey) {
    var tag = '<script async src="' + location.origin + '/s.js" data-site="' + publicKey + '"></script>';
    var code = el('pre', { class: 'install-tag', id: 'install-tag' }, [el('code', { text: tag })]);
    var copy = el('button', { type: 'button', class: 'ghost small', text: 'Copy', onclick: function () {
      var done = function () { copy.textContent = 'Copied'; };
      if (navigator.clipboard && navigator.clipboard.writeText) navigator.clipboard.writeText(tag).then(done, function () { select(code); });
      else select(code);
    } });
    return el('div', { class: 'install' }, [el('p', null, ['Put this tag on every page of the site, before ', el('code', { text: '</body>' }),
      ' (the phone number in the page is swapped where it is written, in any format): ']), code, copy]);
  }
  function select(node) {
    var range = document.createRange();
    range.selectNodeContents(node);
    var sel = window.getSelection();
    sel.removeAllRanges();
    sel.addRange(range);
  }

  // The rotation route replaces one key at a time, and the old one keeps working for the overlap
  // asked (the API's default is 24 h): the page asks both, and says until when the old one works.
  // It sent {} before, which the server refused ('key' is required: audit AN4 F10).
  var ROTATABLE = [['api', 'API key', 'apiKey', 'your server’s scripts and tools use it', 'API key'],
    ['webhook', 'Webhook secret', 'webhookSecret', 'signs the telephony events your PBX sends', 'webhook secret'],
    ['twilio', 'Twilio auth token', null, 'made in Twilio’s console: paste the new one here', 'Twilio auth token']];
  function rotateForm(s, at) {
    var out = el('div', { id: 'rotate-output' });
    var token = field('New Twilio auth token', input('value', { type: 'password', autocomplete: 'off' }), 'rotate it in Twilio first, then paste it here');
    var form = el('form', { id: 'rotate-form', class: 'inline-form' }, [el('h3', { text: 'Replace a key' }),
      field('Key', el('select', { name: 'key' }, ROTATABLE.map(function (k) { return el('option', { value: k[0], text: k[1] + ' — ' + k[3] }); }))),
      token,
      field('The old one', el('select', { name: 'overlapSeconds' }, [
        el('option', { value: '86400', text: 'keeps working 24 hours, while you update your tools' }),
        el('option', { value: '0', text: 'stops working now (it leaked)' })])),
      el('button', { type: 'submit', id: 'rotate-keys', text: 'Rotate' }), out]);
    function showToken() { token.hidden = form.elements.key.value !== 'twilio'; }
    form.elements.key.addEventListener('change', showToken);
    showToken();
    return onSubmit(form, function () {
      var kind = ROTATABLE.filter(function (k) { return k[0] === form.elements.key.value; })[0];
      var overlap = Number(form.elements.overlapSeconds.value);
      if (!confirm('Replace the ' + kind[4] + ' of ' + s.name + '? '
          + (overlap ? 'The old one keeps working for 24 hours.' : 'The old one stops working at once.'))) return null;
      var body = { key: kind[0], overlapSeconds: overlap };
      if (kind[0] === 'twilio') body.value = form.elements.value.value;
      return api(at('/keys/rotate'), { method: 'POST', json: body }).then(function (k) {
        form.elements.value.value = '';
        var until = overlap && k.previousValidUntil ? 'The old one works until ' + when(k.previousValidUntil) + '.' : 'The old one no longer works.';
        clear(out).appendChild(kind[2]
          ? once(kind[1] + ' of ' + s.name + ' replaced — copy the new one now, it is not shown again. ' + until, [[kind[1], k[kind[2]]]])
          : el('p', { class: 'status', role: 'status', text: kind[1] + ' of ' + s.name + ' replaced. ' + until }));
      }, function (x) {
        if (x.code === 'twilio_not_configured') x.message = 'This site has no Twilio token to replace: set it on the Settings page.';
        throw x;
      });
    });
  }

  renderers.keys = function (section, at) {
    return api(at('')).then(function (s) {
      clear(section);
      var card = el('article', { class: 'card form-card', id: 'keys-card', 'data-site-id': s.siteId }, [el('header', null, [el('h2', { text: 'Keys of ' + s.name })]),
        el('p', null, ['Public key (for the script on your pages): ', el('code', { text: s.publicKey })]),
        installTag(s.publicKey),
        el('p', { class: 'muted', text: 'The API key and the webhook secret are shown only when they are made. Replacing one makes a new one; '
          + 'tools and telephony providers that use the old one must be given the new one.' })]);
      card.appendChild(rotateForm(s, at));
      section.appendChild(card);
    });
  };

  // ---- sites of the workspace ---------------------------------------------------------------
  renderers.sites = function (section) {
    var w = workspace();
    clear(section);
    var grid = el('div', { class: 'grid' });
    section.appendChild(grid);
    var card = el('article', { class: 'card', id: 'site-list' });
    function renderList() {
      w = workspace();
      clear(card).appendChild(el('header', null, [el('h2', { text: 'Sites of ' + (w ? w.name : 'this workspace') })]));
      if (!w || !w.sites.length) card.appendChild(R.empty('No sites yet', 'Create the first one: the site your visitors call from.'));
      else card.appendChild(el('ul', { class: 'site-list' }, w.sites.map(function (s) {
        return el('li', null, [el('b', { text: s.name }), ' ', el('span', { class: 'muted', text: s.siteId + ' · ' + s.timeZone }),
          el('button', { type: 'button', class: 'ghost small', text: 'Open', onclick: function () { R.showSite(s); location.hash = '#reports'; } })]);
      })));
    }
    renderList();
    grid.appendChild(card);
    if (!w) return null;
    var out = el('div');
    var form = el('form', { id: 'site-form', class: 'card form-card' }, [el('header', null, [el('h2', { text: 'New site' })]),
      field('Name', input('name', { placeholder: 'Client shop' })),
      field('Default number', input('defaultNumber', { placeholder: '+74951234567' }), 'the number on the site today: with the country code, or as written locally in the country below'),
      field('Country', input('country', { placeholder: 'RU' }), 'ISO code; reads numbers written locally; empty = the default number’s'),
      field('Domains', input('domains', { placeholder: 'shop.example.com' }), 'comma separated; empty = any'),
      field('Time zone', input('timeZone', { value: Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC' })),
      field('Currency', input('currency', { placeholder: 'USD' })),
      el('button', { type: 'submit', text: 'Create site' }), out]);
    grid.appendChild(onSubmit(form, function () {
      var body = { name: value(form, 'name'), defaultNumber: value(form, 'defaultNumber') };
      if (value(form, 'domains')) body.domains = list(value(form, 'domains'));
      ['timeZone', 'currency', 'country'].forEach(function (k) { if (value(form, k)) body[k] = value(form, k); });
      return api('/v1/workspaces/' + encodeURIComponent(w.workspaceId) + '/sites', { method: 'POST', json: body }).then(function (created) {
        return refreshMe().then(function () {
          renderList();
          clear(out).appendChild(once('Created ' + created.name + ' — copy these now, they are not shown again',
            [['API key', created.apiKey], ['Webhook secret', created.webhookSecret], ['Public key', created.publicKey]]));
          var open = el('button', { type: 'button', id: 'open-new-site', text: 'Open ' + created.name, onclick: function () {
            R.showSite({ siteId: created.siteId, name: created.name, timeZone: created.timeZone, currency: created.currency, country: created.country });
            location.hash = '#pools';
          } });
          out.appendChild(open);
        });
      });
    }));
    return null;
  };

  // ---- people -------------------------------------------------------------------------------
  renderers.people = function (section) {
    var w = workspace();
    var base = '/v1/workspaces/' + encodeURIComponent(w.workspaceId);
    return api(base + '/members').then(function (m) {
      clear(section);
      var grid = el('div', { class: 'grid' });
      section.appendChild(grid);
      var siteNames = {};
      w.sites.forEach(function (s) { siteNames[s.siteId] = s.name; });
      var out = el('div', { id: 'people-output' });
      var members = el('article', { class: 'card wide' }, [el('header', null, [el('h2', { text: 'People of ' + w.name })]), out,
        el('table', { id: 'members-table' }, [el('thead', null, [el('tr', null, ['Person', 'Role', 'Sites', ''].map(function (h) { return el('th', { text: h }); }))]),
          el('tbody', null, m.members.map(function (p) {
            return el('tr', { 'data-user-id': p.userId }, [el('td', null, [el('b', { text: p.name || '' }), ' ', el('span', { class: 'muted', text: p.email })]),
              el('td', null, [roleEditor(w, base, p)]),
              el('td', null, [el('span', { text: p.allSites ? 'all sites' : (p.sites || []).map(function (id) { return siteNames[id] || id; }).join(', ') }),
                p.role === 'owner' ? null : memberSites(w, base, p)]),
              el('td', { class: 'actions' }, [
                el('button', { type: 'button', class: 'ghost small', text: 'Password reset link', onclick: function () {
                  api(base + '/members/' + encodeURIComponent(p.userId) + '/password-reset', { method: 'POST', json: {} }).then(function (x) {
                    clear(out).appendChild(once('Reset link for ' + p.email + ' (valid 24 h, works once) — send it to them', [['Link', x.resetUrl]]));
                  }, function (x) { clear(out).appendChild(el('p', { class: 'form-error', text: x.message })); });
                } }),
                el('button', { type: 'button', class: 'ghost small', text: 'Remove', onclick: function () {
                  if (!confirm('Remove ' + p.email + ' from ' + w.name + '?')) return;
                  api(base + '/members/' + encodeURIComponent(p.userId), { method: 'DELETE' }).then(function () { route(); },
                    function (x) { clear(out).appendChild(el('p', { class: 'form-error', text: x.message })); });
                } })])]);
          }))])]);
      grid.appendChild(members);
      var pending = el('article', { class: 'card', id: 'pending-invites' });
      var links = el('div', { id: 'invite-links' });
      grid.appendChild(inviteForm(w, base, links, function () { return showPending(pending, base, links); }));
      fillPending(pending, base, links, m.invites);
      grid.appendChild(pending);
    });
  };

  // ---- the person's own account --------------------------------------------------------------
  renderers.account = function (section) {
    return api('/v1/me/sessions').then(function (r) {
      clear(section);
      var grid = el('div', { class: 'grid' });
      section.appendChild(grid);
      grid.appendChild(passwordForm(section));
      var mine = el('article', { class: 'card wide', id: 'my-sessions' }, [el('header', null, [el('h2', { text: 'Your sessions' }),
        el('span', { class: 'hint', text: 'devices signed in as ' + state.me.email })])]);
      r.sessions.forEach(function (s) {
        mine.appendChild(el('div', { class: 'invite-row' }, [el('span', { text: (s.current ? 'This browser' : (s.userAgent || 'unknown device').slice(0, 60))
          + ' · ' + (s.address || '') + ' · since ' + when(s.createdAt) }),
          s.current ? null : el('button', { type: 'button', class: 'ghost small', text: 'Sign out', onclick: function () {
            api('/v1/me/sessions/' + encodeURIComponent(s.sessionId), { method: 'DELETE' }).then(function () { route(); });
          } })]));
      });
      grid.appendChild(mine);
    });
  };
  // Passwords are sent exactly as typed (never trimmed): the server keeps spaces as part of them.
  // A wrong current password is 403 with its field; too many are 429, not retried like a busy lane.
  function passwordForm(section) {
    var form = el('form', { id: 'own-password-form', class: 'card form-card' }, [el('header', null, [el('h2', { text: 'Change your password' })]),
      field('Current password', input('currentPassword', { type: 'password', autocomplete: 'current-password' })),
      field('New password', input('password', { type: 'password', autocomplete: 'new-password' }), 'at least 10 characters'),
      field('New password again', input('passwordAgain', { type: 'password', autocomplete: 'new-password' })),
      el('button', { type: 'submit', text: 'Change password' })]);
    return onSubmit(form, function () {
      var chosen = form.elements.password.value;
      if (chosen !== form.elements.passwordAgain.value) {
        var e = new Error('The two new passwords differ.'); e.field = 'passwordAgain'; throw e;
      }
      return api('/v1/me/password', { method: 'POST', json: { currentPassword: form.elements.currentPassword.value, password: chosen }, noRetry: true })
        .then(function () { return renderers.account(section); })
        .then(function () {
          $('own-password-form').appendChild(el('p', { class: 'hint', id: 'password-changed', role: 'status',
            text: 'Password changed. Your other devices are signed out; this one stays signed in.' }));
        });
    });
  }
  // A role is changed by its Save button after a confirm naming what follows, never the moment the
  // select changes: a slip on a phone made an owner a viewer of their own workspace (audit AN4 F6).
  function roleEditor(w, base, p) {
    var role = el('select', { 'aria-label': 'Role of ' + p.email }, ['owner', 'manager', 'analyst', 'viewer'].map(function (x) { return el('option', { value: x, text: x }); }));
    role.value = p.role;
    var save = el('button', { type: 'button', class: 'small role-save', text: 'Save role', hidden: '' });
    role.addEventListener('change', function () { save.hidden = role.value === p.role; });
    save.addEventListener('click', function () {
      if (!confirm(roleChangeText(w, p, role.value))) { role.value = p.role; save.hidden = true; return; }
      save.disabled = true;
      api(base + '/members/' + encodeURIComponent(p.userId), { method: 'PATCH', json: { role: role.value } })
        .then(function () { return refreshMe(); }).then(function () { route(); }, function (x) { role.value = p.role; save.hidden = true; save.disabled = false; alert(x.message); });
    });
    return el('span', { class: 'role-editor' }, [role, ' ', save]);
  }
  function roleChangeText(w, p, to) {
    var me = state.me && p.email.toLowerCase() === state.me.email.toLowerCase();
    var who = me ? 'yourself' : p.email;
    var text = 'Make ' + who + ' ' + to + ' of ' + w.name + '?';
    if (to === 'owner') text += (me ? '' : ' They will see all ' + R.plural(w.sites.length, 'site') + ', also future ones, the people and the keys.');
    else if (p.role === 'owner') text += me ? ' You will no longer manage the people, sites and keys of ' + w.name + '; only another owner can undo it.'
      : ' They will no longer manage the people, sites and keys.';
    return text;
  }
  /* Which sites a member sees: every site (future ones too) only when that is chosen in words; an
     empty selection is no site, never "all" (audit AN4 F2: unticking a client's only site gave that
     client every site of the agency). value() is null for every site, else the ticked ids. */
  function sitesChooser(w, allSites, ticked, legend) {
    var name = 'scope-' + Math.random().toString(36).slice(2);
    var all = el('input', { type: 'radio', name: name, value: 'all', class: 'sites-all' });
    var some = el('input', { type: 'radio', name: name, value: 'some', class: 'sites-some' });
    all.defaultChecked = all.checked = allSites; some.defaultChecked = some.checked = !allSites; // a form's reset goes back to these
    var boxes = w.sites.map(function (s) {
      var box = el('input', { type: 'checkbox', value: s.siteId, class: 'site-box' });
      box.defaultChecked = box.checked = !allSites && (ticked || []).indexOf(s.siteId) >= 0;
      box.addEventListener('change', function () { if (box.checked) { some.checked = true; } });
      return el('label', null, [box, ' ' + s.name]);
    });
    all.addEventListener('change', function () { boxes.forEach(function (b) { b.firstChild.checked = false; }); });
    var node = el('fieldset', { class: 'sites-boxes', 'data-field': 'sites' }, [el('legend', { text: legend }),
      el('label', { class: 'sites-scope' }, [all, ' All sites of ' + w.name + ' (also future ones)']),
      el('label', { class: 'sites-scope' }, [some, ' Only the sites ticked:'])].concat(boxes));
    return { node: node, value: function () {
      if (all.checked) return null;
      return boxes.map(function (b) { return b.firstChild; }).filter(function (b) { return b.checked; }).map(function (b) { return b.value; });
    } };
  }
  /** Asks before a member is given no site; true to go on. */
  function noSiteConfirmed(w, email, sites) {
    return sites === null || sites.length > 0
      || confirm('No site is ticked: ' + email + ' will see no site of ' + w.name + ' until one is given. Go on?');
  }
  // A member's sites are changed where they are shown; an owner always has every site.
  function memberSites(w, base, p) {
    var chooser = sitesChooser(w, p.allSites, p.sites, 'Sites ' + p.email + ' sees');
    var form = el('form', { class: 'member-sites', 'data-field': 'sites' }, [chooser.node, el('button', { type: 'submit', class: 'small', text: 'Save sites' })]);
    onSubmit(form, function () {
      var sites = chooser.value();
      if (!noSiteConfirmed(w, p.email, sites)) return null;
      return api(base + '/members/' + encodeURIComponent(p.userId), { method: 'PATCH', json: { sites: sites } })
        .then(function () { return refreshMe(); }).then(function () { route(); });
    });
    return el('details', { class: 'member-sites-editor' }, [el('summary', { text: 'Change sites', 'aria-label': 'Change sites of ' + p.email }), form]);
  }
  // Links made on this page stay listed until it is left (an invitation's link is shown only when
  // it is made: the store keeps a hash), and a pending invitation whose link was lost gets a new
  // one: audit AA1 #2 lost two links of three made in a row.
  function showLink(links, i) {
    links.insertBefore(once('Invitation for ' + i.email + ' (valid 7 days, works once) — send it to them', [['Link', i.inviteUrl]]), links.firstChild);
  }
  function showPending(pending, base, links) {
    return api(base + '/members').then(function (m) { fillPending(pending, base, links, m.invites); });
  }
  function fillPending(pending, base, links, invites) {
    clear(pending).appendChild(el('header', null, [el('h2', { text: 'Pending invitations' })]));
    if (!invites.length) pending.appendChild(el('p', { class: 'muted', text: 'None.' }));
    invites.forEach(function (i) {
      pending.appendChild(el('div', { class: 'invite-row', 'data-invite-id': i.inviteId }, [el('span', { text: i.email + ' · ' + i.role + ' · until ' + when(i.expiresAt) }),
        el('button', { type: 'button', class: 'ghost small', text: 'New link', title: 'Makes a new link and withdraws this one', onclick: function () {
          var again = { email: i.email, role: i.role };
          if (i.name) again.name = i.name;
          if (i.allSites === false && i.sites) again.sites = i.sites;
          // The new invitation first: if it is refused, the old one still stands.
          api(base + '/invites', { method: 'POST', json: again }).then(function (made) {
            showLink(links, made);
            return api(base + '/invites/' + encodeURIComponent(i.inviteId), { method: 'DELETE' });
          }).then(function () { return showPending(pending, base, links); }, function (x) { alert(x.message); });
        } }),
        el('button', { type: 'button', class: 'ghost small', text: 'Withdraw', onclick: function () {
          api(base + '/invites/' + encodeURIComponent(i.inviteId), { method: 'DELETE' })
            .then(function () { return showPending(pending, base, links); }, function (x) { alert(x.message); });
        } })]));
    });
  }
  function inviteForm(w, base, links, invited) {
    var out = el('div', null, [links]);
    var chooser = sitesChooser(w, true, [], 'Sites');
    var boxes = chooser.node;
    var form = el('form', { id: 'invite-form', class: 'card form-card' }, [el('header', null, [el('h2', { text: 'Invite someone' })]),
      field('E-mail', input('email', { type: 'email', placeholder: 'client@example.com' })), field('Name', input('name')),
      field('Role', el('select', { name: 'role' }, [['viewer', 'viewer — reports only, callers masked'], ['analyst', 'analyst — reports, call log, tags, exports'],
        ['manager', 'manager — also settings, pools, numbers, webhooks'], ['owner', 'owner — everything, people']].map(function (o) {
        return el('option', { value: o[0], text: o[1] });
      }))), boxes, el('button', { type: 'submit', text: 'Create invitation link' }), out]);
    // An owner sees every site (the server refuses a site list for one), so the boxes go for owners.
    var roleSelect = form.querySelector('select[name="role"]');
    function ownerSeesAll() { boxes.hidden = roleSelect.value === 'owner'; }
    roleSelect.addEventListener('change', ownerSeesAll);
    form.addEventListener('reset', function () { setTimeout(ownerSeesAll, 0); });
    return onSubmit(form, function () {
      var body = { email: value(form, 'email'), role: value(form, 'role') };
      if (value(form, 'name')) body.name = value(form, 'name');
      var sites = chooser.value();
      if (body.role !== 'owner') {
        if (!noSiteConfirmed(w, body.email || 'they', sites)) return null;
        if (sites !== null) body.sites = sites;
      }
      return api(base + '/invites', { method: 'POST', json: body }).then(function (i) {
        showLink(links, i);
        form.reset();
        return invited();
      });
    });
  }

  // ---- audit log ----------------------------------------------------------------------------
  renderers.audit = function (section) {
    var w = workspace();
    var base = '/v1/workspaces/' + encodeURIComponent(w.workspaceId) + '/audit?limit=50';
    clear(section);
    var tbody = el('tbody');
    var more = el('button', { type: 'button', class: 'ghost', text: 'Load more', hidden: '' });
    section.appendChild(el('article', { class: 'card' }, [el('header', null, [el('h2', { text: 'Audit log of ' + w.name }),
      el('span', { class: 'hint', text: 'who changed what, when, from where' })]),
      el('div', { class: 'table-wrap' }, [el('table', { id: 'audit-table' }, [el('thead', null, [el('tr', null, ['When', 'Who', 'What', 'Target', 'Detail', 'Address']
        .map(function (h) { return el('th', { text: h }); }))]), tbody])]), el('div', { class: 'more' }, [more])]));
    function page(cursor) {
      return api(base + (cursor ? '&cursor=' + encodeURIComponent(cursor) : '')).then(function (r) {
        r.entries.forEach(function (e) {
          tbody.appendChild(el('tr', null, [when(e.at), e.actor.label, e.action, e.target, e.detail, e.address].map(function (v) { return el('td', { text: v || '—' }); })));
        });
        more.hidden = !r.nextCursor;
        more.onclick = function () { page(r.nextCursor); };
      });
    }
    return page(null);
  };

  // ---- start --------------------------------------------------------------------------------
  R.renderTabs = renderTabs;
  R.can = can;
  /** Whether the signed-in person sees callers masked (a viewer): the server refuses them a caller search. */
  R.masksCallers = function () {
    if (state.key) return false;
    var w = workspace();
    return !!w && w.role === 'viewer';
  };
  R.route = route;
  /** Asks again which sites the person has: one the server no longer shows them leaves the switcher. */
  R.sitesChanged = function () { if (state.me) refreshMe().catch(function () {}); };
  if (/^#(invite|reset)=/.test(location.hash)) {
    showLinkPage(location.hash.slice(1));
  } else if (R.needsSignIn) {
    // A live session cookie signs in without a form; otherwise, the form.
    if (localStorage.getItem(SIGNED_IN)) {
      startPerson().catch(function () { localStorage.removeItem(SIGNED_IN); $('signin').hidden = false; });
    } else {
      $('signin').hidden = false;
    }
  }
})();
