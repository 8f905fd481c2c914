import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface SignInChoice {
  /** The provider account to sign in as. */
  readonly account: string;
  /** Press Cancel on the login page instead (the provider answers error=access_denied). */
  readonly cancel?: { readonly description?: string };
}

/**
 * A person's browser at the provider, in plain HTTP: follows redirects by hand with a cookie jar,
 * fills the login and consent forms, and stops at the first redirect that leaves the provider
 * (the bridge's redirect URI with code or error). The jar keeps the provider's session, so a
 * second sign-in with the same agent goes straight through.
 */
export class ProviderUserAgent {
  private readonly jar = new Map<string, string>();

  constructor(private readonly providerOrigin: string) {}

  async signIn(authorizationUrl: string, choice: SignInChoice): Promise<URL> {
    let response = await this.request('GET', authorizationUrl);
    let url = new URL(authorizationUrl);
    for (let hop = 0; hop < 20; hop += 1) {
      const location = response.headers.get('location');
      if (location) {
        url = new URL(location, url);
        if (url.origin !== this.providerOrigin) {
          return url;
        }
        response = await this.request('GET', url.href);
        continue;
      }
      const html = await response.text();
      const action = /<form method="post" action="([^"]+)"/.exec(html)?.[1];
      if (response.status !== 200 || !action) {
        throw new Error(
          `provider page without a form (HTTP ${response.status}): ${html.slice(0, 300)}`,
        );
      }
      const form = new URLSearchParams();
      if (choice.cancel) {
        form.set('cancel', '1');
        if (choice.cancel.description !== undefined) {
          form.set('description', choice.cancel.description);
        }
      } else if (action.endsWith('/login')) {
        form.set('account', choice.account);
      }
      url = new URL(action, url);
      response = await this.request('POST', url.href, form);
    }
    throw new Error('too many redirects at the provider');
  }

  /** Any request to the provider with this agent's cookies (end_session, its confirm form). */
  async request(
    method: 'GET' | 'POST',
    url: string,
    form?: URLSearchParams,
  ): Promise<Response> {
    const headers: Record<string, string> = {};
    if (this.jar.size > 0) {
      headers.cookie = [...this.jar].map(([k, v]) => `${k}=${v}`).join('; ');
    }
    if (form) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
    }
    const response = await fetch(url, {
      method,
      headers,
      redirect: 'manual',
      ...(form ? { body: form.toString() } : {}),
    });
    for (const line of response.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1);
      if (value === '' || /expires=Thu, 01 Jan 1970/i.test(line)) {
        this.jar.delete(name);
      } else {
        this.jar.set(name, value);
      }
    }
    return response;
  }
}

/** The client's back-channel logout endpoint, as far as the provider can tell: records what arrives. */
export interface LogoutReceiver {
  readonly url: string;
  readonly tokens: string[];
  stop(): Promise<void>;
}

export async function startLogoutReceiver(): Promise<LogoutReceiver> {
  const tokens: string[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
      const token = body.get('logout_token');
      if (req.method === 'POST' && token) {
        tokens.push(token);
      }
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/backchannel-logout`,
    tokens,
    stop: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
