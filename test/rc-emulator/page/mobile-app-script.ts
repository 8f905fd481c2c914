/**
 * The React Native app around its login WebView (mobile-app.ts has the sources), spliced into
 * CLIENT_SCRIPT for `?mobile=1`: it watches the WebView's URL as `onNavigationStateChange` does
 * and reacts to the JSON the injected script wrote into the hash. `login-with-token`: a resume
 * login after `appDelayMs` (the app's 3 s trailing debounce); `try-iframe-login`: the app's own
 * API-URL request, made by the emulator server like a native request (`POST /_app/try-iframe-login`:
 * no cookie, no Origin, the app version's user agent), leading-edge debounced for 3 s. The app's
 * login is its own (DDP, no WebView storage). State for tests: `data-app-state`
 * (`idle|logging-in|logged-in|failed`), `data-app-user-id`, `data-app-native-status`, and the
 * events `app-native-api-call`, `app-native-api-response`, `app-login-failed`, `app-logged-in`.
 * No template literals inside: this file is itself a template string.
 */
export const MOBILE_APP_SCRIPT = String.raw`
  function wireMobileApp() {
    var mobileApp = (rc.app = { state: 'idle', userId: null, native: [] });
    var loginTimer = null;
    var tryLoginUntil = 0;
    body.setAttribute('data-app-state', 'idle');

    function setApp(state, userId) {
      mobileApp.state = state;
      mobileApp.userId = userId || null;
      body.setAttribute('data-app-state', state);
      body.setAttribute('data-app-user-id', userId || '');
    }

    function loggedInApp(userId) {
      record('app-logged-in', { userId: userId });
      // The app then closes the WebView (navigation.pop): the launch is over.
      setApp('logged-in', userId);
    }

    function appLogin(resume) {
      setApp('logging-in');
      ddp('login', { resume: resume }).then(function (answer) {
        if (answer.error) {
          record('app-login-failed', { message: answer.error.message });
          setApp('failed');
          return;
        }
        loggedInApp(answer.result.id);
      }, function (error) {
        record('app-login-failed', { message: String(error) });
        setApp('failed');
      });
    }

    function appTryLogin() {
      var now = Date.now();
      if (now < tryLoginUntil) {
        return;
      }
      tryLoginUntil = now + 3000;
      record('app-native-api-call', { userAgentVersion: config.app.version });
      fetch('/_app/try-iframe-login', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ platform: config.app.platform, appVersion: config.app.version }),
      }).then(function (r) { return r.json(); }).then(function (report) {
        mobileApp.native.push(report);
        body.setAttribute('data-app-native-status', String(report.status));
        record('app-native-api-response', { status: report.status, resume: report.resume });
        if (report.loggedInUserId) {
          loggedInApp(report.loggedInUserId);
        } else if (report.loginError) {
          record('app-login-failed', { message: report.loginError });
          setApp('failed');
        }
      }, function () {});
    }

    window.addEventListener('hashchange', function () {
      var url = decodeURIComponent(window.location.href);
      if (url.indexOf(window.location.origin) !== 0 || !/(event|loginToken|token)/.test(url)) {
        return;
      }
      var credentials;
      try {
        credentials = JSON.parse(url.split('#')[1]);
      } catch (e) {
        return;
      }
      switch (credentials && credentials.event) {
        case 'try-iframe-login':
          appTryLogin();
          break;
        case 'login-with-token':
          clearTimeout(loginTimer);
          var resume = credentials.token || credentials.loginToken;
          loginTimer = setTimeout(function () { appLogin(resume); }, config.app.delayMs);
          break;
      }
    });
  }
`;
