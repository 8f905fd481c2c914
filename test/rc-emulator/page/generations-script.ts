/**
 * `tryLogin` / `loginWithToken` of each web client generation, spliced into CLIENT_SCRIPT.
 * Sources: S3 IframeLogin.ts + Meteor `http` (meteor), S4 useIframeLogin.ts (react),
 * S5 hooks/iframe/useIframe.ts (modern).
 */
export const GENERATIONS_SCRIPT = String.raw`
  var GENERATIONS = {
    // Meteor HTTP.call over XHR: withCredentials, no headers; the callback gets the response
    // even for status >= 400; 'data' is parsed only for JSON/JavaScript content types.
    meteor: {
      loginWithTokenData: function (tokenData, callback) {
        if (!enabled) { return; }
        if (typeof tokenData === 'string') { tokenData = { token: tokenData }; }
        if ('loginToken' in tokenData) { return loginWithToken(tokenData.loginToken, callback); }
        loginWithIframe(tokenData.token, callback);
      },
      tryLogin: function (callback) {
        if (!enabled) { return; }
        var url = iframeUrl();
        var xhr = new XMLHttpRequest();
        apiStart();
        xhr.open(settings.Accounts_Iframe_api_method, settings.Accounts_Iframe_api_url, true);
        xhr.withCredentials = true;
        xhr.onreadystatechange = function () {
          if (xhr.readyState !== 4) { return; }
          var error = null;
          var result;
          if (!xhr.status) {
            error = new Error('Connection lost');
            apiEnd('error');
          } else {
            var contentType = xhr.getResponseHeader('content-type') || '';
            result = { statusCode: xhr.status, content: xhr.responseText, data: null };
            var type = contentType.split(';')[0];
            if (['application/json', 'text/javascript', 'application/javascript', 'application/x-javascript'].indexOf(type) >= 0) {
              try { result.data = JSON.parse(result.content); } catch (e) { result.data = null; }
            }
            if (xhr.status >= 400) {
              var message = 'failed [' + xhr.status + ']';
              if (result.content) {
                var text = result.content.replace(/\n/g, ' ');
                message += ' ' + (text.length > 500 ? text.slice(0, 500) + '...' : text);
              }
              error = new Error(message);
            }
            apiEnd(xhr.status, contentType);
          }
          if (result && result.data && (result.data.token || result.data.loginToken)) {
            GENERATIONS.meteor.loginWithTokenData(result.data, function (loginError) {
              if (loginError) { showIframe(url); } else { hideIframe(); }
              if (callback) { callback(loginError, result); }
            });
          } else {
            showIframe(url);
            if (callback) { callback(error, result); }
          }
        };
        xhr.send(null);
      },
    },

    // React era: fetch with Content-Type: application/json (preflight), credentials: include;
    // only 200 succeeds; a rejected fetch or an invalid body is not caught.
    react: {
      loginWithTokenData: function (tokenData, callback) {
        if (!enabled) { return; }
        if (typeof tokenData === 'string') { tokenData = { token: tokenData }; }
        if ('loginToken' in tokenData) { return loginWithToken(tokenData.loginToken, callback); }
        loginWithIframe(tokenData.token, callback);
      },
      tryLogin: async function (callback) {
        if (!enabled) { return; }
        var url = iframeUrl();
        apiStart();
        var result = await fetch(settings.Accounts_Iframe_api_url, {
          method: settings.Accounts_Iframe_api_method,
          headers: { 'Content-Type': 'application/json' },
          credentials: 'include',
        });
        apiEnd(result.status, result.headers.get('content-type'));
        if (!result.ok || result.status !== 200) {
          showIframe(url);
          if (callback) { callback(new Error(), null); }
          return;
        }
        GENERATIONS.react.loginWithTokenData(await result.json(), async function (error) {
          if (error) { showIframe(url); } else { hideIframe(); }
          if (callback) { callback(error, await result.json()); }
        });
      },
    },

    // 7.8+: fetch without headers; only 200 succeeds; fetch/JSON errors are caught and show the
    // iframe; loginToken and token are checked independently (both fire when both are sent).
    modern: {
      loginWithTokenData: function (tokenData, callback) {
        if (typeof tokenData === 'string') { tokenData = { token: tokenData }; }
        if ('loginToken' in tokenData) { loginWithToken(tokenData.loginToken, callback); }
        if ('token' in tokenData) { loginWithIframe(tokenData.token, callback); }
      },
      tryLogin: async function (callback) {
        if (!enabled) { return; }
        var url = iframeUrl();
        var counted = false;
        try {
          apiStart();
          var result = await fetch(settings.Accounts_Iframe_api_url, {
            method: settings.Accounts_Iframe_api_method,
            headers: undefined,
            credentials: 'include',
          });
          counted = true;
          apiEnd(result.status, result.headers.get('content-type'));
          if (!result.ok || result.status !== 200) {
            showIframe(url);
            if (callback) { callback(new Error(), null); }
            return;
          }
          GENERATIONS.modern.loginWithTokenData(await result.json(), async function (error) {
            if (error) { showIframe(url); } else { hideIframe(); }
            if (callback) { callback(error, await result.json()); }
          });
        } catch (error) {
          if (!counted) { apiEnd('error'); }
          record('api-error', { message: error && error.message ? error.message : String(error) });
          showIframe(url);
          if (callback) { callback(error instanceof Error ? error : undefined, null); }
        }
      },
    },
  };
`;
