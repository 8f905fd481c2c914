/**
 * `fetch` with a cookie jar, no redirects followed, and the headers a browser sends on the
 * bridge's own form posts: enough to walk the login flow against a real server over HTTP.
 */
export class CookieFetch {
  readonly cookies = new Map<string, string>();

  async get(
    url: string,
    headers: Record<string, string> = {},
  ): Promise<Response> {
    return this.send(url, { method: 'GET', headers });
  }

  /** A urlencoded post as the bridge's own page sends it (`Sec-Fetch-Site: same-origin`). */
  async postForm(
    url: string,
    fields: Record<string, string>,
    headers: Record<string, string> = {},
  ): Promise<Response> {
    return this.send(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        'sec-fetch-site': 'same-origin',
        ...headers,
      },
      body: new URLSearchParams(fields).toString(),
    });
  }

  async post(
    url: string,
    headers: Record<string, string> = {},
    body?: string,
  ): Promise<Response> {
    return this.send(url, { method: 'POST', headers, body });
  }

  private async send(url: string, init: RequestInit): Promise<Response> {
    const headers = new Headers(init.headers);
    if (this.cookies.size > 0) {
      headers.set(
        'cookie',
        [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; '),
      );
    }
    const response = await fetch(url, {
      ...init,
      headers,
      redirect: 'manual',
      signal: AbortSignal.timeout(10_000),
    });
    for (const line of response.headers.getSetCookie()) {
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
    return response;
  }
}

export function csrfOf(html: string): string {
  return /name="csrf" value="([^"]*)"/.exec(html)?.[1] ?? '';
}
