import { connect } from 'node:net';
import { performance } from 'node:perf_hooks';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { CredentialsService } from '../../src/users/index.js';
import { MongoConnectionService } from '../../src/database/index.js';
import { LoginService } from '../../src/auth/login/login.service.js';
import { freePort } from '../support/browser.js';
import { csrfOf, setCookies } from '../support/browser-like-client.js';
import {
  appWithUsers,
  attemptLogin,
  outcome,
  PASSWORD,
} from '../auth/login-attempts.js';

type App = Awaited<ReturnType<typeof appWithUsers>>;

/** A form post that passes the CSRF check, with any body and content type. */
async function formPost(
  t: App,
  payload: string | Buffer,
  contentType = 'application/x-www-form-urlencoded',
) {
  const page = await t.app.inject({ method: 'GET', url: '/login' });
  const cookie = setCookies(page)[0].split(';')[0];
  const csrf = csrfOf(page.body);
  return t.app.inject({
    method: 'POST',
    url: '/login',
    headers: {
      'content-type': contentType,
      'sec-fetch-site': 'same-origin',
      cookie,
    },
    payload:
      typeof payload === 'string' ? payload.replace('CSRF', csrf) : payload,
  });
}

/** Nothing an attacker could use: no stack frame, no driver or parser message, no echo. */
function expectGeneric(body: string, echoed: string[] = []): void {
  expect(body).not.toMatch(
    /\n\s+at |Mongo|SyntaxError|Unexpected token|FST_|position \d/,
  );
  for (const input of echoed) {
    expect(body).not.toContain(input);
  }
}

describe('bad input (app.inject)', () => {
  let t: App;
  beforeAll(async () => {
    t = await appWithUsers('bad_input', ['alice'], { RATE_LIMIT_FORMS: 'off' });
  });
  afterAll(() => t.close());

  it.each([
    [
      'malformed JSON',
      '{"username": "alice", "password": ',
      'application/json',
      400,
    ],
    [
      'JSON with __proto__',
      '{"__proto__": {"admin": true}}',
      'application/json',
      400,
    ],
    [
      'JSON with a raw NUL',
      '{"username": "a\u0000b"}',
      'application/json',
      400,
    ],
    [
      'invalid UTF-8 percent-encoded',
      'csrf=CSRF&username=%C3%28&password=x',
      undefined,
      400,
    ],
    [
      'a NUL percent-encoded',
      'csrf=CSRF&username=ali%00ce&password=x',
      undefined,
      400,
    ],
    [
      'a broken percent sign',
      'csrf=CSRF&username=%E0%A4%A&password=x',
      undefined,
      400,
    ],
    [
      'a __proto__ field',
      'csrf=CSRF&__proto__=x&username=a&password=b',
      undefined,
      400,
    ],
    [
      'too many fields',
      Array.from({ length: 70 }, (_, i) => `f${i}=1`).join('&'),
      undefined,
      400,
    ],
    [
      'XML',
      '<login><username>alice</username></login>',
      'application/xml',
      415,
    ],
    [
      'multipart',
      '--x\r\nContent-Disposition: form-data; name="a"\r\n\r\nb\r\n--x--',
      'multipart/form-data; boundary=x',
      415,
    ],
  ])(
    'should answer %s with a short 4xx and never reach the credential check',
    async (_case, payload, type, status) => {
      const verify = vi.spyOn(t.app.get(CredentialsService), 'verify');
      const response = await formPost(t, payload, type);
      expect(response.statusCode).toBe(status);
      expect(verify).not.toHaveBeenCalled();
      expect(response.headers['content-type']).toBe(
        'application/json; charset=utf-8',
      );
      const body = JSON.parse(response.body) as Record<string, unknown>;
      expect(body).toEqual({
        statusCode: status,
        error: expect.any(String),
        message: expect.any(String),
        requestId: response.headers['x-request-id'],
      });
      expectGeneric(response.body, ['alice', 'admin']);
    },
  );

  it('should refuse raw invalid UTF-8 bytes in a form body', async () => {
    const response = await formPost(
      t,
      Buffer.concat([
        Buffer.from('username=al'),
        Buffer.from([0xff, 0xfe]),
        Buffer.from('&password=x'),
      ]),
    );
    expect(response.statusCode).toBe(400);
  });

  it('should answer a 1 MB password 413 quickly, with no hashing (PWD-2)', async () => {
    const verify = vi.spyOn(t.app.get(CredentialsService), 'verify');
    const started = performance.now();
    const response = await formPost(
      t,
      `csrf=CSRF&username=alice&password=${'p'.repeat(1024 * 1024)}`,
    );
    const ms = performance.now() - started;
    expect(response.statusCode).toBe(413);
    expect(verify).not.toHaveBeenCalled();
    expect(ms).toBeLessThan(2000); // measured ~15 ms; loose for a busy runner
    expectGeneric(response.body);
  });

  it.each([
    ['a space', 'ali ce'],
    ['markup', '<script>alert(1)</script>'],
    ['a line break', 'alice\nadmin'],
    ['an ANSI escape', 'alice\u001b[31m'],
    ['a bidi override', 'alice\u202e'],
    ['a zero-width space', 'ali\u200bce'],
    ['NoSQL syntax', '$where'],
  ])(
    'should answer a username with %s 400 with the form again, before any lookup',
    async (_case, username) => {
      const verify = vi.spyOn(t.app.get(CredentialsService), 'verify');
      const response = await attemptLogin(t.app, username, PASSWORD);
      expect(outcome(response)).toBe(
        '400 Enter your username as plain text: letters, digits and the characters _ . @ + - only.',
      );
      expect(verify).not.toHaveBeenCalled();
    },
  );

  it('should answer an unknown route 404 without echoing the path, as JSON or as a page', async () => {
    const json = await t.app.inject({
      method: 'GET',
      url: '/no/such/<b>thing</b>?x=1',
    });
    expect(json.statusCode).toBe(404);
    expect(JSON.parse(json.body)).toMatchObject({
      statusCode: 404,
      message: 'Not found',
    });
    expectGeneric(json.body, ['such', 'thing']);
    const page = await t.app.inject({
      method: 'GET',
      url: '/no/such/thing',
      headers: { accept: 'text/html' },
    });
    expect(page.statusCode).toBe(404);
    expect(page.body).toContain('Page not found');
    expect(page.body).toContain(
      `<code>${String(page.headers['x-request-id'])}</code>`,
    );
    expectGeneric(page.body, ['such']);
  });

  it.each([
    ['a URL that does not percent-decode', `/login/${'%'.repeat(3000)}`, 400],
    ['an over-long asset name', `/assets/${'a'.repeat(300)}`, 403],
  ])(
    'should answer %s with the generic body, never quoting it',
    async (_case, url, status) => {
      const response = await t.app.inject({ method: 'GET', url });
      expect(response.statusCode).toBe(status);
      expect(JSON.parse(response.body)).toMatchObject({
        statusCode: status,
        requestId: response.headers['x-request-id'],
      });
      expect(response.body.length).toBeLessThan(300);
      expect(response.headers['x-content-type-options']).toBe('nosniff');
    },
  );

  it('should answer a thrown error 500 with a generic body and the request id, never its message or stack (SEC-3)', async () => {
    vi.spyOn(t.app.get(MongoConnectionService), 'ping').mockRejectedValue(
      new Error('mongodb://admin:hunter2@db failed at /srv/secret.ts:12'),
    );
    const json = await t.app.inject({ method: 'GET', url: '/health/ready' });
    expect(json.statusCode).toBe(500);
    expect(JSON.parse(json.body)).toEqual({
      statusCode: 500,
      error: 'Internal Server Error',
      message: 'Internal error; quote the request id when reporting it',
      requestId: json.headers['x-request-id'],
    });
    expectGeneric(json.body, ['hunter2', 'secret', 'mongodb']);

    vi.spyOn(t.app.get(LoginService), 'target').mockImplementation(() => {
      throw new TypeError("Cannot read properties of undefined (reading 'x')");
    });
    const page = await t.app.inject({ method: 'GET', url: '/login' });
    expect(page.statusCode).toBe(500);
    expect(page.body).toContain('Something went wrong');
    expectGeneric(page.body, ['Cannot read', 'undefined']);
  });
});

/** Raw bytes to a listening app; resolves with what came back once the server closed or answered. */
function raw(
  port: number,
  data: string | Buffer,
  waitMs = 2000,
): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    let received = '';
    const done = () => {
      clearTimeout(timer);
      socket.destroy();
      resolve(received);
    };
    const timer = setTimeout(done, waitMs);
    socket.on('data', (chunk) => {
      received += chunk.toString('latin1');
      if (
        /\r\n\r\n/.test(received) &&
        /content-length: 0|\r\n0\r\n\r\n|}$/i.test(received)
      ) {
        done();
      }
    });
    socket.on('error', done);
    socket.on('close', done);
    socket.write(data);
  });
}

describe('bad input over real sockets', () => {
  let t: App;
  let port: number;
  beforeAll(async () => {
    t = await appWithUsers('bad_input_http', ['alice'], {
      HTTP_REQUEST_TIMEOUT: '2s',
      RATE_LIMIT_FORMS: 'off',
      LOGIN_IP_MAX_FAILURES: '0',
    });
    port = await freePort();
    await t.app.listen({ port, host: '127.0.0.1' });
  });
  afterAll(() => t.close());

  it('should answer 431 to more than 16 KB of headers', async () => {
    const answer = await raw(
      port,
      `GET /health/live HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20 * 1024)}\r\nConnection: close\r\n\r\n`,
    );
    expect(answer).toMatch(/^HTTP\/1\.1 431 /);
  });

  it('should close the socket of a client that sends its headers too slowly (slowloris)', async () => {
    const started = performance.now();
    const closed = await new Promise<string>((resolve) => {
      const socket = connect(port, '127.0.0.1');
      let received = '';
      const drip = setInterval(() => socket.write('X-Slow: 1\r\n'), 200);
      socket.on('data', (chunk) => (received += chunk.toString()));
      socket.on('close', () => {
        clearInterval(drip);
        resolve(received);
      });
      socket.on('error', () => undefined);
      socket.write('GET /health/live HTTP/1.1\r\nHost: x\r\n');
    });
    const seconds = (performance.now() - started) / 1000;
    // HTTP_REQUEST_TIMEOUT=2s, checked every second: closed after 2 to 3 s (408 or no answer).
    expect(seconds).toBeGreaterThan(1.5);
    expect(seconds).toBeLessThan(8);
    expect(closed === '' || closed.startsWith('HTTP/1.1 408')).toBe(true);
  });

  it('should stay up and serve logins after a stream of 300 malformed requests', async () => {
    const hostile: (string | Buffer)[] = [
      'GET / HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n',
      'POST /login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 8\r\nConnection: close\r\n\r\n{"a":tru',
      'POST /login HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 12\r\nConnection: close\r\n\r\nusername=%ff',
      Buffer.concat([
        Buffer.from(
          'POST /login HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 6\r\nConnection: close\r\n\r\n',
        ),
        Buffer.from([0x61, 0x3d, 0x00, 0xff, 0xfe, 0x41]),
      ]),
      'GARBAGE\r\n\r\n',
      `GET /${'%'.repeat(3000)} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`,
      `POST /login HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\nContent-Length: 40000\r\nConnection: close\r\n\r\n${'x'.repeat(40000)}`,
      'POST /login HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Type: application/json\r\nConnection: close\r\n\r\nzz\r\n',
      'GET /login HTTP/1.1\r\nHost: x\r\nCookie: \u0000\u0001\r\nConnection: close\r\n\r\n',
      'POST /login HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 5\r\nConnection: close\r\n\r\na=%00',
    ];
    const answers: string[] = [];
    for (let round = 0; round < 30; round++) {
      answers.push(
        ...(await Promise.all(
          hostile.map((request) => raw(port, request, 3000)),
        )),
      );
    }
    expect(answers).toHaveLength(300);
    const statuses = answers.map(
      (a) => /^HTTP\/1\.1 (\d{3})/.exec(a)?.[1] ?? 'closed',
    );
    expect(statuses.filter((s) => s.startsWith('5'))).toEqual([]);
    expect(
      answers.filter((a) => /\n\s+at |Mongo|FST_|SyntaxError/.test(a)),
    ).toEqual([]);

    const live = await fetch(`http://127.0.0.1:${port}/health/live`);
    expect(live.status).toBe(200);
    expect(outcome(await attemptLogin(t.app, 'alice', PASSWORD))).toBe(
      '303 http://localhost:8000/rocketchat/redirect',
    );
  });
});
