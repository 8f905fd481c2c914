import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { LightMyRequestResponse } from 'fastify';

/**
 * `app.inject()` with a cookie jar and the headers a browser sends on its own form posts, so
 * tests read like a visit: open the page, post its form, follow the redirect.
 */
export class BrowserLikeClient {
  readonly cookies = new Map<string, string>();

  constructor(
    private readonly app: NestFastifyApplication,
    private readonly defaults: Record<string, string> = {},
  ) {}

  cookieHeader(): string | undefined {
    return this.cookies.size === 0
      ? undefined
      : [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
  }

  async get(
    url: string,
    headers: Record<string, string> = {},
  ): Promise<LightMyRequestResponse> {
    return this.send('GET', url, undefined, headers);
  }

  /** A urlencoded form post from the bridge's own page (Sec-Fetch-Site: same-origin). */
  async post(
    url: string,
    fields: Record<string, string | string[]> | string,
    headers: Record<string, string> = {},
  ): Promise<LightMyRequestResponse> {
    const body =
      typeof fields === 'string'
        ? fields
        : new URLSearchParams(toPairs(fields)).toString();
    return this.send('POST', url, body, {
      'content-type': 'application/x-www-form-urlencoded',
      'sec-fetch-site': 'same-origin',
      ...headers,
    });
  }

  /** Opens a page and returns it with the CSRF token of its (first) form. */
  async open(
    url: string,
  ): Promise<{ response: LightMyRequestResponse; csrf: string }> {
    const response = await this.get(url);
    return { response, csrf: csrfOf(response.body) };
  }

  private async send(
    method: 'GET' | 'POST',
    url: string,
    payload: string | undefined,
    headers: Record<string, string>,
  ): Promise<LightMyRequestResponse> {
    const cookie = this.cookieHeader();
    const all: Record<string, string> = { ...this.defaults, ...headers };
    if (cookie && !('cookie' in all)) {
      all.cookie = cookie;
    }
    for (const [name, value] of Object.entries(all)) {
      if (value === '') {
        delete all[name];
      }
    }
    const response = await this.app.inject({
      method,
      url,
      payload,
      headers: all,
    });
    this.remember(response);
    return response;
  }

  private remember(response: LightMyRequestResponse): void {
    for (const line of setCookies(response)) {
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

export function setCookies(response: LightMyRequestResponse): string[] {
  const header = response.headers['set-cookie'];
  if (header === undefined) {
    return [];
  }
  return Array.isArray(header) ? header : [header];
}

export function csrfOf(html: string): string {
  return /name="csrf" value="([^"]*)"/.exec(html)?.[1] ?? '';
}

function toPairs(
  fields: Record<string, string | string[]>,
): [string, string][] {
  return Object.entries(fields).flatMap(([name, value]) =>
    Array.isArray(value)
      ? value.map((v): [string, string] => [name, v])
      : [[name, value]],
  );
}

/** Handlebars escapes `=` and `&` in attribute values; browsers read them back as written. */
export function decoded(html: string): string {
  return html.replaceAll('&#x3D;', '=').replaceAll('&amp;', '&');
}
