import { existsSync } from 'node:fs';
import { createServer, request as httpRequest, type Server } from 'node:http';
import { chromium, type Browser } from 'playwright-core';

/** Debian's Chromium; tests that need it fail clearly when it is missing. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/**
 * A Chromium with a fresh temporary profile (one per test file: call it in `beforeAll`). Its
 * defaults matter to these tests: third-party cookies are blocked, so a cookie reaches a cross-site
 * iframe only as `SameSite=None; Secure; Partitioned` (and over plain http, `Secure` is accepted
 * only on localhost and 127.0.0.1).
 */
export function launchChromium(
  options: {
    /**
     * Keep Chromium's pop-up blocker (Playwright turns it off by default): a window opened without
     * a user's click is then refused, as in a person's browser.
     */
    popupBlocker?: boolean;
  } = {},
): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    // Said once by the global setup too; here so the failing test names it as well.
    throw new Error(
      `Chromium is not at ${CHROMIUM}: apt-get install chromium, or set CHROMIUM_PATH`,
    );
  }
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ARGS,
    ...(options.popupBlocker
      ? { ignoreDefaultArgs: ['--disable-popup-blocking'] }
      : {}),
  });
}

export interface StaticSite {
  readonly origin: string;
  readonly port: number;
  close(): Promise<void>;
}

/**
 * A tiny site on `http://localhost:<port>` serving one HTML page at `/` (say, a page framing the
 * bridge), so the framing document and the bridge on 127.0.0.1 are cross-site.
 */
export async function serveFramingPage(
  html: (origin: string) => string,
  host = 'localhost',
): Promise<StaticSite> {
  let origin = '';
  const server: Server = createServer((request, response) => {
    if (request.url === '/' || request.url?.startsWith('/?')) {
      response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      response.end(html(origin));
    } else {
      response.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  origin = `http://${host}:${port}`;
  return {
    origin,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A port that was free a moment ago, for an app whose PUBLIC_URL must name it before it listens. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export interface RecordedRequest {
  readonly method: string;
  readonly url: string;
  readonly cookie: string | undefined;
}

export interface RecordingProxy {
  readonly requests: RecordedRequest[];
  close(): Promise<void>;
}

/**
 * An HTTP proxy on 127.0.0.1:`port` in front of 127.0.0.1:`targetPort` that records each request's
 * method, URL and Cookie header: what the browser really sent (Playwright does not always show
 * cookies of cross-site frames and fetches).
 */
export async function recordingProxy(
  port: number,
  targetPort: number,
): Promise<RecordingProxy> {
  const requests: RecordedRequest[] = [];
  const server = createServer((incoming, outgoing) => {
    requests.push({
      method: incoming.method ?? '',
      url: incoming.url ?? '',
      cookie: incoming.headers.cookie,
    });
    const upstream = httpRequest(
      {
        host: '127.0.0.1',
        port: targetPort,
        method: incoming.method,
        path: incoming.url,
        headers: incoming.headers,
      },
      (response) => {
        outgoing.writeHead(response.statusCode ?? 502, response.headers);
        response.pipe(outgoing);
      },
    );
    upstream.on('error', () => outgoing.destroy());
    incoming.pipe(upstream);
  });
  await new Promise<void>((resolve) =>
    server.listen(port, '127.0.0.1', resolve),
  );
  return {
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
