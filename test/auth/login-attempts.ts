import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { LightMyRequestResponse } from 'fastify';
import { UserAdminService } from '../../src/users/index.js';
import type { Env } from '../../src/config/index.js';
import { createTestApp, type TestApp } from '../support/app.js';
import { csrfOf, setCookies } from '../support/browser-like-client.js';

export const PASSWORD = 'correct horse battery staple';

export interface AttemptOptions {
  /** The TCP peer address the app sees (app.inject's remoteAddress). */
  readonly ip?: string;
  readonly headers?: Record<string, string>;
}

/**
 * One login as a browser makes it: open the form (its cookie and CSRF token), then post it, from
 * the given peer address.
 */
export async function attemptLogin(
  app: NestFastifyApplication,
  username: string,
  password: string,
  options: AttemptOptions = {},
): Promise<LightMyRequestResponse> {
  const remoteAddress = options.ip ?? '127.0.0.1';
  const page = await app.inject({
    method: 'GET',
    url: '/login',
    remoteAddress,
    headers: options.headers,
  });
  const cookie = setCookies(page)
    .map((line) => line.split(';')[0])
    .join('; ');
  return app.inject({
    method: 'POST',
    url: '/login',
    remoteAddress,
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      'sec-fetch-site': 'same-origin',
      cookie,
      ...options.headers,
    },
    payload: new URLSearchParams({
      csrf: csrfOf(page.body),
      username,
      password,
    }).toString(),
  });
}

/** The real app on a fresh database with the given users (all with PASSWORD). */
export async function appWithUsers(
  label: string,
  usernames: readonly string[],
  env: Env = {},
): Promise<TestApp & { ids: Record<string, string> }> {
  const t = await createTestApp({ label, env });
  const ids: Record<string, string> = {};
  const admin = t.app.get(UserAdminService);
  for (const username of usernames) {
    ids[username] = (await admin.create({ username, password: PASSWORD })).id;
  }
  return { ...t, ids };
}

/** Status, Location and the form's message: what a person would see of an answer. */
export function outcome(response: LightMyRequestResponse): string {
  if (response.statusCode === 303) {
    return `303 ${String(response.headers.location)}`;
  }
  const alert = /role="alert"[\s\S]*?<p>([^<]*)<\/p>/.exec(response.body);
  return `${response.statusCode} ${alert?.[1]?.trim() ?? ''}`.trim();
}
