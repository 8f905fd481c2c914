import { createServer, type Server } from 'node:http';
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
export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: ARGS });
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
