/** One answer as the fault suites record it. */
export interface Answer {
  readonly step: string;
  readonly status: number;
  readonly ms: number;
  readonly body: string;
  readonly headers: Headers;
  /** When it was sent (ms since the epoch). */
  readonly at: number;
}

/**
 * A browser over real HTTP (fetch) with its own cookie jar and client address: what the login page
 * and Rocket.Chat's web client send, no more. Never follows redirects; every request gives up
 * after `limitMs`, so a hung bridge shows up as status 0 instead of a hung test.
 */
export class HttpVisitor {
  private readonly cookies = new Map<string, string>();

  constructor(
    private readonly baseUrl: string,
    private readonly rocketChatOrigin: string,
    private readonly address: string,
    private readonly limitMs = 30_000,
  ) {}

  get hasSession(): boolean {
    return [...this.cookies.keys()].some((name) => !name.endsWith('_login'));
  }

  /** Login page, then its form: 303 on success. */
  async login(username: string, password: string): Promise<Answer[]> {
    const page = await this.send(
      'login page',
      'GET',
      '/login?next=/rocketchat/redirect',
      {
        accept: 'text/html',
      },
    );
    if (page.status !== 200) {
      return [page];
    }
    const csrf = /name="csrf" value="([^"]*)"/.exec(page.body)?.[1] ?? '';
    const body = new URLSearchParams({ csrf, username, password }).toString();
    const form = await this.send(
      'login',
      'POST',
      '/login',
      {
        'content-type': 'application/x-www-form-urlencoded',
        'sec-fetch-site': 'same-origin',
        accept: 'text/html',
      },
      body,
    );
    return [page, form];
  }

  /** Rocket.Chat's web client asking the API URL (7.8+: no headers, no body). */
  apiUrl(step = 'api url'): Promise<Answer> {
    return this.send(step, 'POST', '/rocketchat/api', {
      origin: this.rocketChatOrigin,
      'sec-fetch-site': 'cross-site',
    });
  }

  /** Rocket.Chat's logout script telling the bridge. */
  reverseLogout(): Promise<Answer> {
    return this.send('logout', 'POST', '/rocketchat/logout', {
      origin: this.rocketChatOrigin,
      'sec-fetch-site': 'cross-site',
    });
  }

  /** The post-login page inside Rocket.Chat's frame. */
  postLoginPage(): Promise<Answer> {
    return this.send('post-login page', 'GET', '/rocketchat/redirect', {
      'sec-fetch-dest': 'iframe',
      'sec-fetch-site': 'cross-site',
      accept: 'text/html',
    });
  }

  private async send(
    step: string,
    method: 'GET' | 'POST',
    path: string,
    headers: Record<string, string>,
    body?: string,
  ): Promise<Answer> {
    const at = Date.now();
    const cookie = [...this.cookies].map(([n, v]) => `${n}=${v}`).join('; ');
    try {
      const response = await fetch(`${this.baseUrl}${path}`, {
        method,
        headers: {
          ...headers,
          ...(cookie ? { cookie } : {}),
          'x-forwarded-for': this.address,
        },
        ...(body === undefined ? {} : { body }),
        redirect: 'manual',
        signal: AbortSignal.timeout(this.limitMs),
      });
      const text = await response.text();
      this.remember(response.headers.getSetCookie());
      return {
        step,
        status: response.status,
        ms: Date.now() - at,
        body: text,
        headers: response.headers,
        at,
      };
    } catch {
      return {
        step,
        status: 0,
        ms: Date.now() - at,
        body: '',
        headers: new Headers(),
        at,
      };
    }
  }

  private remember(lines: string[]): void {
    for (const line of lines) {
      const [pair] = line.split(';');
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq);
      const value = pair.slice(eq + 1);
      if (/;\s*Max-Age=0/i.test(line) || value === '') {
        this.cookies.delete(name);
      } else {
        this.cookies.set(name, value);
      }
    }
  }
}
