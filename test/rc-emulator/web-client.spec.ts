import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Script } from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RocketChatEmulator } from './index.js';
import { RcClient, startTestEmulator } from './test-helpers.js';

describe('rc-emulator: DDP login stand-in and web client page', () => {
  let emu: RocketChatEmulator;
  let rc: RcClient;

  beforeAll(async () => {
    emu = await startTestEmulator({
      version: '8.0.0',
      rateLimit: { calls: 1 },
    });
    rc = new RcClient(emu.url);
  });

  afterAll(async () => {
    await emu.close();
  });

  const ddp = (method: string, body: unknown) =>
    rc.post(`/_ddp/${method}`, body);

  it('should resume without issuing a token and log in with an iframe token issuing one', async () => {
    const user = await emu.control.createUser({
      resumeToken: true,
      iframeToken: 'iframe-token-1',
    });
    for (let i = 0; i < 3; i += 1) {
      const resumed = await ddp('login', { resume: user.resumeToken });
      expect(resumed.body.result).toMatchObject({
        id: user.userId,
        token: user.resumeToken,
        type: 'resume',
      });
    }
    expect(await emu.control.tokenCount(user.userId)).toBe(1);
    const iframe = await ddp('login', {
      iframe: true,
      token: 'iframe-token-1',
    });
    expect(iframe.body.result).toMatchObject({
      id: user.userId,
      type: 'iframe',
      user: { username: user.username },
    });
    expect(iframe.body.result.token).not.toBe(user.resumeToken);
    expect(await emu.control.tokenCount(user.userId)).toBe(2);
    // The iframe token is not single-use.
    expect(
      (await ddp('login', { iframe: true, token: 'iframe-token-1' })).body
        .result.id,
    ).toBe(user.userId);
  });

  it('should apply check(String) and Rocket.Chat login errors to iframe logins', async () => {
    const missing = await ddp('login', { iframe: true });
    expect(missing.body.error).toMatchObject({
      error: 400,
      reason: 'Match failed',
      message: 'Match failed [400]',
    });
    const unknown = await ddp('login', {
      iframe: true,
      token: 'no-such-token',
    });
    expect(unknown.body.error).toMatchObject({
      error: 401,
      message: 'User not found [401]',
    });
    // The '' hazard of protocol doc §4.1: a blank iframe token is a valid key.
    const blank = await emu.control.createUser({ iframeToken: '' });
    expect(
      (await ddp('login', { iframe: true, token: '' })).body.result.id,
    ).toBe(blank.userId);
    await emu.control.setIframeToken(blank.userId, null);
  });

  it('should require 2FA for iframe logins of verified e-mail 2FA users but not for resume', async () => {
    const user = await emu.control.createUser({
      verified: true,
      email2fa: true,
      iframeToken: 'mfa-iframe',
      resumeToken: true,
    });
    const iframe = await ddp('login', { iframe: true, token: 'mfa-iframe' });
    expect(iframe.body.error).toMatchObject({
      error: 'totp-required',
      message: 'TOTP Required [totp-required]',
    });
    expect(
      (await ddp('login', { resume: user.resumeToken })).body.result.id,
    ).toBe(user.userId);
  });

  it('should not rate limit the DDP stand-in, remove the token on logout and report revocation', async () => {
    const user = await emu.control.createUser({ resumeToken: true });
    for (let i = 0; i < 5; i += 1) {
      expect(
        (await ddp('check', { token: user.resumeToken })).body.result,
      ).toEqual({ valid: true, userId: user.userId });
    }
    expect((await ddp('logout', { token: user.resumeToken })).body).toEqual({
      result: null,
    });
    expect(
      (await ddp('check', { token: user.resumeToken })).body.result,
    ).toEqual({ valid: false, reason: 'removed' });
    const other = await emu.control.issueResumeToken(user.userId);
    await emu.control.expireToken(user.userId, other);
    expect((await ddp('check', { token: other })).body.result).toEqual({
      valid: false,
      reason: 'expired',
    });
  });

  it('should serve the web client with a nonce CSP, the iframe settings and a compilable script', async () => {
    emu.control.configureIframe({
      iframeUrl: 'http://bridge.test/login?x=1',
      apiUrl: 'http://bridge.test/api',
      apiMethod: 'GET',
    });
    for (const generation of ['meteor', 'react', 'modern']) {
      const page = await rc.get('/', { query: { generation, mobile: '1' } });
      expect(page.status).toBe(200);
      expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
      const csp = page.headers.get('content-security-policy') as string;
      const nonce = /'nonce-([^']+)'/.exec(csp)?.[1] as string;
      expect(csp).toContain("default-src 'none'");
      expect(csp).toContain('frame-src *');
      expect(page.text).toContain(`<script nonce="${nonce}">`);
      expect(page.text).toContain(`data-generation="${generation}"`);
      const config = JSON.parse(
        /<script type="application\/json" id="rc-config">(.*?)<\/script>/s.exec(
          page.text,
        )?.[1] as string,
      );
      expect(config).toMatchObject({
        generation,
        mobile: true,
        app: { platform: 'android', version: '4.65.0', delayMs: 3000 },
        settings: {
          Accounts_iframe_enabled: true,
          Accounts_iframe_url: 'http://bridge.test/login?x=1',
          Accounts_Iframe_api_url: 'http://bridge.test/api',
          Accounts_Iframe_api_method: 'GET',
        },
      });
      const start =
        page.text.indexOf(`<script nonce="${nonce}">`) +
        `<script nonce="${nonce}">`.length;
      const inline = page.text.slice(
        start,
        page.text.indexOf('</script>', start),
      );
      expect(inline).toContain('GENERATIONS');
      expect(() => new Script(inline)).not.toThrow();
      expect(inline).not.toContain('//__GENERATIONS__');
      expect(inline).not.toContain('//__WIRING__');
      expect(inline).not.toContain('//__MOBILE_APP__');
      expect(inline).toContain('wireMobileApp()');
    }
  });

  it("should make the mobile app's own API-URL request like the app: its user agent, no cookie, no Origin, then resume", async () => {
    const user = await emu.control.createUser({ resumeToken: true });
    const seen: { method?: string; headers: IncomingHttpHeaders }[] = [];
    let answer: { status: number; body: string } = { status: 401, body: '' };
    const apiUrl = createServer((request, response) => {
      seen.push({ method: request.method, headers: request.headers });
      response.writeHead(answer.status, {
        'content-type': 'application/json',
      });
      response.end(answer.body);
    });
    await new Promise<void>((resolve) =>
      apiUrl.listen(0, '127.0.0.1', resolve),
    );
    try {
      const { port } = apiUrl.address() as AddressInfo;
      emu.control.configureIframe({
        iframeUrl: 'http://bridge.test/login',
        apiUrl: `http://127.0.0.1:${port}/api`,
        apiMethod: 'GET',
      });
      const tryLogin = (body: object) =>
        rc.post('/_app/try-iframe-login', body);

      // An empty 401: response.json() rejects and the app stops.
      const empty = await tryLogin({});
      expect(empty.body).toMatchObject({
        status: 401,
        jsonError: true,
        resume: false,
      });
      expect(seen[0].method).toBe('GET');
      expect(seen[0].headers['user-agent']).toMatch(
        /^RC Mobile; android 14; v4\.65\.0 \(\d+\)$/,
      );
      expect(seen[0].headers.cookie).toBeUndefined();
      expect(seen[0].headers.origin).toBeUndefined();

      // Before 4.65.0, React Native's own user agent.
      await tryLogin({ platform: 'ios', appVersion: '4.64.2' });
      expect(seen[1].headers['user-agent']).toMatch(/CFNetwork/);

      // `data.login || data.loginToken` is resumed; a dead token is not.
      answer = {
        status: 200,
        body: JSON.stringify({ loginToken: user.resumeToken }),
      };
      expect((await tryLogin({})).body).toMatchObject({
        status: 200,
        resume: true,
        loggedInUserId: user.userId,
      });
      answer = { status: 200, body: JSON.stringify({ login: 'dead-token' }) };
      expect((await tryLogin({})).body).toMatchObject({
        resume: true,
        loginError: expect.stringMatching(/\[40[13]\]/),
      });
      // Only those two fields: an iframe token (`token`) means nothing to the app.
      answer = { status: 200, body: JSON.stringify({ token: 'iframe' }) };
      expect((await tryLogin({})).body).toMatchObject({ resume: false });
    } finally {
      await new Promise((resolve) => apiUrl.close(resolve));
    }
  });

  it('should serve Custom_Script_* settings as window event listeners in /scripts.js', async () => {
    emu.control.setSettings({
      Custom_Script_On_Logout:
        'window.location.href = "http://bridge.test/logout";',
    });
    const scripts = await rc.get('/scripts.js');
    expect(scripts.headers.get('content-type')).toContain(
      'application/javascript',
    );
    expect(scripts.text).toContain(
      'window.addEventListener(\'Custom_Script_On_Logout\', function() {\nwindow.location.href = "http://bridge.test/logout";\n});',
    );
    expect(() => new Script(scripts.text)).not.toThrow();
  });
});
