/**
 * Event wiring of the emulated web client, spliced into CLIENT_SCRIPT: the `message` listener
 * (protocol doc §3.1), the mobile app's injected script (§9) and the app watching the WebView's
 * URL (MOBILE_APP_SCRIPT), re-running the API URL flow when the token is unstored (§2.1),
 * server-side revocation, logout, the login form and start-up.
 */
export const WIRING_SCRIPT = String.raw`
  var impl = GENERATIONS[generation];

  // --- message listener: no origin or source check, as in Rocket.Chat (protocol doc §3.1) ---
  if (generation !== 'modern' || enabled) {
    window.addEventListener('message', function (e) {
      if (!(typeof e.data === 'function' || (typeof e.data === 'object' && !!e.data))) {
        return;
      }
      var reply = function (error) {
        if (error) {
          e.source.postMessage({ event: 'login-error', response: error.message }, e.origin);
          record('login-error-posted', { response: error.message, origin: e.origin });
        }
      };
      switch (e.data.event) {
        case 'try-iframe-login':
          record('message', { event: 'try-iframe-login', origin: e.origin });
          impl.tryLogin(reply);
          break;
        case 'login-with-token':
          record('message', { event: 'login-with-token', origin: e.origin });
          impl.loginWithTokenData(e.data, reply);
          break;
      }
    });
  }

  // --- mobile app: the React Native injected script (every object message -> location.hash) ---
  if (config.mobile) {
    window.addEventListener('message', function (e) {
      if (e.data && typeof e.data === 'object') {
        rc.mobileMessages.push(e.data);
        window.location.hash = JSON.stringify(e.data);
      }
    });
    wireMobileApp();
  }

  // Whenever the stored token goes away, ask the API URL again (protocol doc §2.1, #28006).
  onUnstore = function () {
    if (enabled) {
      impl.tryLogin();
    }
  };

  // --- server-side token removal: Meteor closes the connection, the resume then fails ---
  setInterval(function () {
    var token = storedToken();
    if (!token || rc.state !== 'logged-in') {
      return;
    }
    ddp('check', { token: token, userId: localStorage.getItem(USER_KEY) }).then(function (answer) {
      if (answer.result && answer.result.valid === false && storedToken() === token) {
        record('server-logout', { reason: answer.result.reason });
        rc.user = null;
        setState('login-form');
        unstoreLoginToken();
      }
    }, function () {});
  }, config.pollMs);

  // --- logout button ---
  // Meteor destroys the connection's resume token on the server
  // (meteor/meteor packages/accounts-base/accounts_server.js @59d35ba3, methods.logout →
  // destroyToken), so that token is refused from then on, whoever hands it back.
  document.getElementById('logout').addEventListener('click', function () {
    var token = storedToken();
    record('logout');
    ddp('logout', { token: token }).then(function () {}, function () {}).then(function () {
      rc.user = null;
      setState('login-form');
      unstoreLoginToken();
      record('custom-script', { name: 'Custom_Script_On_Logout' });
      fireGlobalEvent('Custom_Script_On_Logout');
    });
  });

  // --- the default login form (break-glass, Meteor.loginWithPassword) ---
  document.getElementById('password-form').addEventListener('submit', function (e) {
    e.preventDefault();
    var form = e.target;
    callLoginMethod('password', {
      user: { username: form.elements.username.value },
      password: form.elements.password.value,
    }, function (error) {
      document.getElementById('form-error').textContent = error ? error.message : '';
    });
  });

  // --- startup ---
  // Meteor resumes a stored token by itself (accounts-base). The API URL is asked, per generation:
  // meteor only without a stored token (IframeLogin.ts @15e6ef47: "if (!Accounts._storedLoginToken())
  // this.tryLogin()"); react (7.8.0: hooks/iframe/useIframe.ts @8320a447 under
  // views/root/hooks/useIframeLoginListener.ts @b5869398) and modern (7.8.x on: useIframe.ts
  // @2bb1afe0, useIframeLoginListener.ts @46a90ce7) on every page load, token or not: AppLayout
  // mounts the listener for everyone and its first effect calls tryLogin(), which never looks at
  // the stored token. (The React hook before 7.8, MainLayout/useIframeLogin.ts @1384c562, lived in
  // LoginPage, so it asked only while logged out, like meteor; the react generation here is 7.8.0.)
  var token = storedToken();
  if (token) {
    setState('loading');
    loginWithToken(token, function (error) {
      if (error) {
        record('resume-failed', { message: error.message });
        rc.user = null;
        setState('login-form');
        unstoreLoginToken();
      }
    });
  } else {
    setState('login-form');
    fireGlobalEvent('Custom_Script_Logged_Out');
  }
  if (enabled && (!token || generation !== 'meteor')) {
    record('page-load-api-call', { storedToken: Boolean(token) });
    impl.tryLogin();
  }
`;
