import { freshDatabaseUri } from '../support/mongo.js';
import {
  startRocketChatEmulator,
  type RocketChatEmulator,
  type RocketChatEmulatorOptions,
} from './index.js';

/** Starts an emulator on a fresh database of the run's MongoDB server. */
export function startTestEmulator(
  options: Partial<RocketChatEmulatorOptions> = {},
): Promise<RocketChatEmulator> {
  const { uri } = freshDatabaseUri('rcemu');
  return startRocketChatEmulator({ mongoUri: uri, ...options });
}

export interface Credentials {
  userId: string;
  token: string;
}

export interface HttpAnswer {
  status: number;
  headers: Headers;
  text: string;
  // Parsed JSON body (undefined when the body is not JSON).
  body: any;
}

export interface RequestOptions {
  auth?: Credentials;
  headers?: Record<string, string>;
  query?: Record<string, string>;
  signal?: AbortSignal;
}

/** Real HTTP calls against an emulator. */
export class RcClient {
  constructor(private readonly base: string) {}

  async request(
    method: string,
    path: string,
    body?: unknown,
    options: RequestOptions = {},
  ): Promise<HttpAnswer> {
    const url = new URL(path, this.base);
    for (const [key, value] of Object.entries(options.query ?? {})) {
      url.searchParams.set(key, value);
    }
    const headers: Record<string, string> = { ...options.headers };
    if (options.auth) {
      headers['x-user-id'] = options.auth.userId;
      headers['x-auth-token'] = options.auth.token;
    }
    if (body !== undefined) {
      headers['content-type'] = 'application/json';
    }
    const response = await fetch(url, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: options.signal,
    });
    const text = await response.text();
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    return {
      status: response.status,
      headers: response.headers,
      text,
      body: parsed,
    };
  }

  get(path: string, options: RequestOptions = {}): Promise<HttpAnswer> {
    return this.request('GET', path, undefined, options);
  }

  post(
    path: string,
    body: unknown = {},
    options: RequestOptions = {},
  ): Promise<HttpAnswer> {
    return this.request('POST', path, body, options);
  }
}

export function asCredentials(user: {
  userId: string;
  pat?: string;
  resumeToken?: string;
}): Credentials {
  const token = user.pat ?? user.resumeToken;
  if (!token) {
    throw new Error('user has no token');
  }
  return { userId: user.userId, token };
}
