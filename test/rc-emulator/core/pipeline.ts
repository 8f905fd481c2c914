import type { IncomingHttpHeaders } from 'node:http';
import { hashLoginToken } from './crypto.js';
import {
  forbidden,
  MeteorError,
  notLoggedIn,
  resultFromError,
  type ApiResult,
} from './errors.js';
import {
  resolvePerVersion,
  type EmulatorCore,
  type RouteContext,
  type RouteDefinition,
} from './context.js';
import { rateLimitHeaders, tooManyRequestsMessage } from './rate-limiter.js';
import type { UserDoc } from './users.store.js';
import { validate } from './validation.js';

export interface ApiRequest {
  method: string;
  /** Path without query, starting with `/api/`. */
  path: string;
  query: Record<string, unknown>;
  body: Record<string, unknown>;
  headers: IncomingHttpHeaders;
  ip: string;
}

export interface MatchedRoute {
  definition: RouteDefinition;
  params: Record<string, string>;
}

interface CompiledRoute {
  definition: RouteDefinition;
  regex: RegExp;
  names: string[];
}

/** Route table for `/api/...` with `:param` segments. */
export class ApiRouter {
  private readonly routes: CompiledRoute[] = [];

  add(definition: RouteDefinition): void {
    const prefix = (definition.base ?? 'v1') === 'v1' ? '/api/v1/' : '/api/';
    const names: string[] = [];
    const pattern = `${prefix}${definition.key}`
      .split('/')
      .map((segment) => {
        if (segment.startsWith(':')) {
          names.push(segment.slice(1));
          return '([^/]+)';
        }
        return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      })
      .join('/');
    this.routes.push({
      definition,
      regex: new RegExp(`^${pattern}/?$`),
      names,
    });
  }

  match(method: string, path: string): MatchedRoute | null {
    for (const route of this.routes) {
      if (route.definition.method !== method) {
        continue;
      }
      const found = route.regex.exec(path);
      if (found) {
        const params = Object.fromEntries(
          route.names.map((name, i) => [
            name,
            decodeURIComponent(found[i + 1]),
          ]),
        );
        return { definition: route.definition, params };
      }
    }
    return null;
  }
}

function header(
  headers: IncomingHttpHeaders,
  name: string,
): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

async function authenticate(
  core: EmulatorCore,
  headers: IncomingHttpHeaders,
): Promise<{ user: UserDoc; hashedToken: string } | null> {
  const userId = header(headers, 'x-user-id');
  const token = header(headers, 'x-auth-token');
  if (!userId || !token) {
    return null;
  }
  const hashedToken = hashLoginToken(token);
  const user = await core.users.findByIdAndHashedToken(userId, hashedToken);
  return user ? { user, hashedToken } : null;
}

function withHeaders(
  result: ApiResult,
  headers: Record<string, string>,
): ApiResult {
  return { ...result, headers: { ...headers, ...result.headers } };
}

export interface PipelineOutcome {
  result: ApiResult;
  userId: string | null;
}

/**
 * Rocket.Chat's REST execution order (ApiClass + http-router): 8.x validates typed bodies and
 * queries first; then authentication (401), the per-IP rate limiter (429, skipped by
 * `api-bypass-rate-limit`), 7.x parameter validation, `permissionsRequired` (403), 2FA, action.
 */
export async function runRoute(
  core: EmulatorCore,
  matched: MatchedRoute,
  request: ApiRequest,
): Promise<PipelineOutcome> {
  const { definition } = matched;
  const version = core.state.version;
  const bodySchema = resolvePerVersion(definition.body, version, core.state);
  const querySchema = resolvePerVersion(definition.query, version, core.state);
  const input = definition.method === 'GET' ? request.query : request.body;
  const schema = definition.method === 'GET' ? querySchema : bodySchema;

  if (version.major >= 8 && schema) {
    const error = validate(schema, input);
    if (error) {
      const errorType =
        definition.method === 'GET' ? 'error-invalid-params' : 'invalid-params';
      return {
        result: { statusCode: 400, body: { success: false, errorType, error } },
        userId: null,
      };
    }
  }

  let auth: { user: UserDoc; hashedToken: string } | null = null;
  if (definition.authRequired || definition.optionalAuth) {
    auth = await authenticate(core, request.headers);
    if (!auth && definition.authRequired) {
      return { result: notLoggedIn(version), userId: null };
    }
  }
  const user = auth?.user ?? null;
  const userId = user?._id ?? null;

  let limitHeaders: Record<string, string> = {};
  const state = core.state;
  if (
    (definition.base ?? 'v1') === 'v1' &&
    state.bool('API_Enable_Rate_Limiter') &&
    !(
      user &&
      definition.authRequired &&
      state.hasPermission(user.roles, 'api-bypass-rate-limit')
    )
  ) {
    const verdict = core.rateLimiter.hit(
      request.ip,
      `/api/v1/${definition.key}${definition.method.toLowerCase()}`,
      state.int('API_Enable_Rate_Limiter_Limit_Calls_Default'),
      state.int('API_Enable_Rate_Limiter_Limit_Time_Default'),
    );
    limitHeaders = rateLimitHeaders(verdict);
    if (!verdict.allowed) {
      const error = new MeteorError(
        'error-too-many-requests',
        tooManyRequestsMessage(verdict.timeToReset),
      );
      return {
        result: withHeaders(resultFromError(error, version), limitHeaders),
        userId,
      };
    }
  }

  const ctx: RouteContext = {
    core,
    version,
    user,
    userId,
    hashedToken: auth?.hashedToken ?? null,
    body: request.body,
    query: request.query,
    params: matched.params,
    headers: request.headers,
    ip: request.ip,
  };

  try {
    if (version.major < 8 && schema) {
      const error = validate(schema, input);
      if (error) {
        throw new MeteorError('invalid-params', error);
      }
    }
    const permissions = resolvePerVersion(
      definition.permissions,
      version,
      state,
    );
    if (permissions) {
      const check = (p: string) => state.hasPermission(user?.roles, p);
      const ok =
        permissions.operation === 'hasAll'
          ? permissions.list.every(check)
          : permissions.list.some(check);
      if (!ok) {
        // The permissions middleware answers this itself, not through the error switch, so no
        // `errorType` in 9.x either (`v1/middlewares/permissions.ts` @a1167b28).
        return {
          result: withHeaders(
            forbidden(
              'User does not have the permissions required for this action [error-unauthorized]',
            ),
            limitHeaders,
          ),
          userId,
        };
      }
    }
    if (
      user &&
      resolvePerVersion(definition.twoFactorRequired ?? false, version, state)
    ) {
      const code = header(request.headers, 'x-2fa-code');
      const method = header(request.headers, 'x-2fa-method');
      await core.twoFactor.check(
        user,
        { code, method },
        definition.twoFactorOptions,
        {
          hashedToken: ctx.hashedToken ?? undefined,
          userAgent: header(request.headers, 'user-agent'),
          ip: request.ip,
        },
      );
    }
    const result = await definition.handler(ctx);
    return { result: withHeaders(result, limitHeaders), userId };
  } catch (error) {
    return {
      result: withHeaders(resultFromError(error, version), limitHeaders),
      userId,
    };
  }
}
