/**
 * The web client's iframe-login behaviour (protocol doc §2, §3), in plain browser JS, for the
 * three generations: `meteor` (Meteor HTTP.call over XHR), `react` (fetch with a JSON content
 * type, uncaught errors) and `modern` (7.8+ fetch, errors caught). Served inline with a nonce.
 * No template literals inside: this file is itself a template string.
 */
export const CLIENT_SCRIPT = String.raw`
(function () {
  'use strict';
  var config = JSON.parse(document.getElementById('rc-config').textContent);
  var settings = config.settings;
  var generation = config.generation;
  var TOKEN_KEY = 'Meteor.loginToken';
  var EXPIRES_KEY = 'Meteor.loginTokenExpires';
  var USER_KEY = 'Meteor.userId';
  var body = document.body;
  var rc = (window.__rc = {
    generation: generation,
    events: [],
    apiCalls: 0,
    apiPending: 0,
    mobileMessages: [],
    state: 'loading',
    user: null,
  });

  function record(type, detail) {
    var entry = { type: type, at: Date.now() };
    if (detail) {
      for (var key in detail) {
        entry[key] = detail[key];
      }
    }
    rc.events.push(entry);
    body.setAttribute('data-events', String(rc.events.length));
  }

  function render() {
    body.setAttribute('data-state', rc.state);
    body.setAttribute('data-api-calls', String(rc.apiCalls));
    body.setAttribute('data-api-pending', rc.apiPending > 0 ? 'true' : 'false');
    body.setAttribute('data-user-id', rc.user ? rc.user._id : '');
    document.getElementById('login-form').hidden = rc.state !== 'login-form';
    document.getElementById('iframe-area').hidden = rc.state !== 'iframe';
    document.getElementById('home').hidden = rc.state !== 'logged-in';
    document.getElementById('loading').hidden = rc.state !== 'loading';
    if (rc.user) {
      document.getElementById('user-name').textContent = rc.user.name || rc.user.username || '';
      document.getElementById('user-username').textContent = rc.user.username || '';
    }
  }

  function setState(state) {
    rc.state = state;
    render();
  }

  window.addEventListener('unhandledrejection', function (e) {
    var reason = e.reason;
    record('unhandled-rejection', { message: reason && reason.message ? reason.message : String(reason) });
    body.setAttribute('data-unhandled-rejections', String(rc.events.filter(function (x) {
      return x.type === 'unhandled-rejection';
    }).length));
    // Observation only: an uncaught API call never finishes from the client's point of view.
    if (rc.apiPending > 0) {
      rc.apiPending -= 1;
      body.setAttribute('data-last-api-status', 'uncaught');
      render();
    }
  });

  // --- iframe settings (all four needed, protocol doc §1) ---
  var enabled = Boolean(settings.Accounts_iframe_enabled && settings.Accounts_iframe_url &&
    settings.Accounts_Iframe_api_url && settings.Accounts_Iframe_api_method);
  body.setAttribute('data-iframe-auth', enabled ? 'enabled' : 'disabled');

  function iframeUrl() {
    var url = settings.Accounts_iframe_url;
    var separator = url.indexOf('?') > -1 ? '&' : '?';
    if (navigator.userAgent.indexOf('Electron') > -1) {
      url += separator + 'client=electron';
    }
    return url;
  }

  // Rocket.Chat keeps the iframe URL in state but renders the frame only on its login page, which
  // a logged-in user (or one whose stored token is being resumed: Meteor presents that user as
  // logged in at once, accounts-base accounts_client.js "optimistically present us as logged in")
  // never sees. So a failed API URL call while logged in shows, and loads, nothing.
  function showIframe(url) {
    if (rc.state === 'logged-in' || rc.state === 'loading') {
      record('iframe-url-set', { url: url });
      return;
    }
    var area = document.getElementById('iframe-area');
    var frame = area.querySelector('iframe');
    if (!frame || frame.getAttribute('src') !== url) {
      area.textContent = '';
      frame = document.createElement('iframe');
      frame.setAttribute('title', 'Login');
      frame.setAttribute('src', url);
      frame.style.width = '100%';
      frame.style.height = '100%';
      frame.style.border = '0';
      area.appendChild(frame);
    }
    setState('iframe');
    record('iframe-shown', { url: url });
  }

  function hideIframe() {
    document.getElementById('iframe-area').textContent = '';
  }

  // --- Iframe Integration events (General > Iframe Integration) ---
  function fireGlobalEvent(name, data) {
    window.dispatchEvent(new CustomEvent(name, { detail: data }));
    if (settings.Iframe_Integration_send_enable) {
      window.parent.postMessage({ eventName: name, data: data }, settings.Iframe_Integration_send_target_origin || '*');
    }
  }

  // --- DDP stand-in ---
  function ddp(method, payload) {
    return fetch('/_ddp/' + method, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(payload),
    }).then(function (r) { return r.json(); });
  }

  function storedToken() {
    return localStorage.getItem(TOKEN_KEY);
  }

  function storeLogin(result) {
    localStorage.setItem(TOKEN_KEY, result.token);
    localStorage.setItem(EXPIRES_KEY, result.tokenExpires);
    localStorage.setItem(USER_KEY, result.id);
  }

  var onUnstore = function () {};

  function unstoreLoginToken() {
    if (generation === 'meteor') {
      onUnstore();
    }
    localStorage.removeItem(TOKEN_KEY);
    localStorage.removeItem(EXPIRES_KEY);
    localStorage.removeItem(USER_KEY);
    if (generation !== 'meteor') {
      onUnstore();
    }
  }

  function loggedIn(user) {
    rc.user = user;
    hideIframe();
    setState('logged-in');
    record('logged-in', { userId: user._id, username: user.username });
    fireGlobalEvent('Custom_Script_Logged_In');
  }

  function callLoginMethod(kind, args, callback) {
    record('login-attempt', { kind: kind });
    ddp('login', args).then(function (answer) {
      if (answer.error) {
        var error = new Error(answer.error.message);
        error.error = answer.error.error;
        error.details = answer.error.details;
        record('login-failed', { kind: kind, message: error.message });
        body.setAttribute('data-last-login-error', error.message);
        if (callback) { callback(error); }
        return;
      }
      storeLogin(answer.result);
      record('login-succeeded', { kind: kind, userId: answer.result.id });
      loggedIn(answer.result.user);
      if (callback) { callback(undefined); }
    }, function (error) {
      record('login-failed', { kind: kind, message: error.message });
      if (callback) { callback(error); }
    });
  }

  function loginWithToken(token, callback) {
    callLoginMethod('resume', { resume: token }, callback);
  }

  function loginWithIframe(token, callback) {
    callLoginMethod('iframe', { iframe: true, token: token }, callback);
  }

  function apiStart() {
    rc.apiCalls += 1;
    rc.apiPending += 1;
    record('api-call', { method: settings.Accounts_Iframe_api_method, url: settings.Accounts_Iframe_api_url });
    render();
  }

  function apiEnd(status, contentType) {
    rc.apiPending = Math.max(rc.apiPending - 1, 0);
    body.setAttribute('data-last-api-status', String(status));
    record('api-response', { status: status, contentType: contentType || null });
    render();
  }

  //__GENERATIONS__

  //__MOBILE_APP__

  //__WIRING__
})();
`;
