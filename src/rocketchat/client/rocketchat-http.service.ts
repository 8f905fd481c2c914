import { randomInt } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import { HttpService } from '@nestjs/axios';
import type { AxiosResponse } from 'axios';
import { InjectConfig, type RocketChatConfig } from '../../config/index.js';
import {
  MetricsService,
  rocketChatOutcome,
} from '../../observability/index.js';
import { Clock } from '../../common/index.js';
import { remainingCallBudget } from './call-budget.js';
import { CircuitBreaker } from './circuit-breaker.js';
import { interpretResponse, type JsonObject } from './rocketchat-response.js';
import {
  RocketChatRateLimitedError,
  RocketChatUnavailableError,
} from './rocketchat.errors.js';

/** Credentials for one call: a user id with a resume token or personal access token. */
export interface RocketChatAuth {
  readonly userId: string;
  readonly token: string;
}

export interface RocketChatCall {
  readonly method: 'GET' | 'POST';
  /** REST route name (`users.info`), or `info` for `/api/info`. Also the metric label. */
  readonly endpoint: string;
  readonly query?: Readonly<Record<string, string>>;
  readonly body?: JsonObject;
  readonly auth?: RocketChatAuth;
  /** Extra request headers (2FA: `x-2fa-code`, `x-2fa-method`). */
  readonly headers?: Readonly<Record<string, string>>;
}

/** Largest answer accepted; Rocket.Chat's answers to the bridge's calls are a few KB. */
const MAX_BODY_BYTES = 1024 * 1024;
const BACKOFF_BASE_MS = 100;
/**
 * All attempts of one read together take at most this many single-call timeouts, and so do all
 * calls of one request (see withCallBudget).
 */
export const RETRY_BUDGET = 1.5;
const MIN_ATTEMPT_MS = 200;

/**
 * The only owner of the HTTP connection to Rocket.Chat. Every call has a deadline (body
 * included), goes through the circuit breaker, is recorded in the metrics and ends as parsed JSON
 * or a domain error. Only GETs are retried (timeouts, network errors, 5xx), with jittered
 * backoff; a POST is sent once. Axios errors never leave this class: they carry the request
 * headers, i.e. the tokens. The breaker and Rocket.Chat's rate-limit resets are judged by the
 * application's Clock (tests move it); deadlines of calls in flight are real time.
 */
@Injectable()
export class RocketChatHttp {
  private readonly logger = new Logger(RocketChatHttp.name);
  readonly breaker: CircuitBreaker;
  /** Per endpoint: no call before this time (Rocket.Chat's rate-limit reset). */
  private readonly limitedUntil = new Map<string, number>();

  constructor(
    private readonly http: HttpService,
    @InjectConfig('rocketchat') private readonly config: RocketChatConfig,
    private readonly metrics: MetricsService,
    private readonly clock: Clock,
  ) {
    this.breaker = new CircuitBreaker({
      failures: config.http.breakerFailures,
      windowMs: config.http.breakerWindowMs,
      cooldownMs: config.http.breakerCooldownMs,
      now: () => clock.now(),
    });
  }

  async call(call: RocketChatCall): Promise<JsonObject> {
    const { timeoutMs } = this.config.http;
    const attempts =
      call.method === 'GET' ? 1 + this.config.http.readRetries : 1;
    // Retries share one budget, so a read never takes much longer than a single call would; a
    // request's calls share its budget too.
    const left = remainingCallBudget();
    const deadline =
      Date.now() + Math.min(timeoutMs * RETRY_BUDGET, left ?? Infinity);
    for (let attempt = 1; ; attempt += 1) {
      const remaining = deadline - Date.now();
      if (left !== undefined && remaining < MIN_ATTEMPT_MS) {
        throw new RocketChatUnavailableError(
          call.endpoint,
          'budget-spent',
          'not called: the request has no time left for Rocket.Chat',
        );
      }
      try {
        return await this.once(call, Math.min(timeoutMs, remaining));
      } catch (error) {
        const retryable =
          error instanceof RocketChatUnavailableError &&
          error.reason !== 'circuit-open' &&
          error.reason !== 'not-found' &&
          error.reason !== 'budget-spent';
        const delay = backoff(attempt);
        if (
          !retryable ||
          attempt >= attempts ||
          deadline - Date.now() - delay < MIN_ATTEMPT_MS
        ) {
          throw error;
        }
        await sleep(delay);
      }
    }
  }

  private async once(
    call: RocketChatCall,
    timeoutMs: number,
  ): Promise<JsonObject> {
    const limited = this.limitedUntil.get(call.endpoint);
    const now = this.clock.now();
    if (limited !== undefined && limited > now) {
      throw new RocketChatRateLimitedError(call.endpoint, limited - now);
    }
    const admission = this.breaker.admit();
    if (!admission.allowed) {
      this.metrics.rocketChatCall(call.endpoint, 'error', 0);
      throw new RocketChatUnavailableError(
        call.endpoint,
        'circuit-open',
        'not called: Rocket.Chat failed repeatedly, waiting before trying again',
        undefined,
        admission.retryAfterMs,
      );
    }
    const done = this.metrics.startRocketChatCall(call.endpoint);
    let response: AxiosResponse<string>;
    try {
      response = await this.send(call, timeoutMs);
    } catch (error) {
      this.breaker.failure();
      done(rocketChatOutcome(error));
      throw transportError(call.endpoint, error, timeoutMs);
    }
    done(rocketChatOutcome(response.status));
    const result = interpretResponse(
      call.endpoint,
      response.status,
      response.headers,
      typeof response.data === 'string' ? response.data : '',
    );
    if (result.ok) {
      this.breaker.success();
      return result.body;
    }
    const { error } = result;
    if (error instanceof RocketChatUnavailableError) {
      this.breaker.failure();
    } else {
      // Rocket.Chat answered (400, 401, 429...): it is alive.
      this.breaker.success();
    }
    if (error instanceof RocketChatRateLimitedError) {
      this.limitedUntil.set(
        call.endpoint,
        this.clock.now() + error.retryAfterMs,
      );
      this.logger.warn(error.message);
    }
    throw error;
  }

  private send(
    call: RocketChatCall,
    timeoutMs: number,
  ): Promise<AxiosResponse<string>> {
    const headers: Record<string, string> = {
      accept: 'application/json',
      ...call.headers,
    };
    if (call.auth) {
      headers['x-user-id'] = call.auth.userId;
      headers['x-auth-token'] = call.auth.token;
    }
    if (call.body !== undefined) {
      headers['content-type'] = 'application/json';
    }
    const path =
      call.endpoint === 'info' ? '/api/info' : `/api/v1/${call.endpoint}`;
    return this.http.axiosRef.request<string>({
      method: call.method,
      url: path,
      params: call.query,
      data: call.body === undefined ? undefined : JSON.stringify(call.body),
      headers,
      // The status is interpreted here, not by axios; the body is parsed here too.
      validateStatus: () => true,
      responseType: 'text',
      transformResponse: [(data: unknown) => data],
      maxRedirects: 0,
      maxContentLength: MAX_BODY_BYTES,
      maxBodyLength: MAX_BODY_BYTES,
      timeout: timeoutMs,
      // axios' timeout is per socket inactivity in Node; this bounds the whole call.
      signal: AbortSignal.timeout(timeoutMs),
    });
  }
}

/** A thrown axios error as a domain error: only its code is looked at, never logged. */
function transportError(
  endpoint: string,
  error: unknown,
  timeoutMs: number,
): RocketChatUnavailableError {
  const outcome = rocketChatOutcome(error);
  if (outcome === 'timeout') {
    return new RocketChatUnavailableError(
      endpoint,
      'timeout',
      `no answer within ${timeoutMs} ms`,
    );
  }
  const code = (error as { code?: unknown }).code;
  const cause = (error as { cause?: { code?: unknown } }).cause?.code;
  const name =
    typeof cause === 'string' ? cause : typeof code === 'string' ? code : '';
  if (
    name === 'ERR_BAD_RESPONSE' ||
    name === 'ERR_FR_MAX_BODY_LENGTH_EXCEEDED'
  ) {
    return new RocketChatUnavailableError(
      endpoint,
      'malformed',
      'answered with an oversized or unreadable body',
    );
  }
  return new RocketChatUnavailableError(
    endpoint,
    'network',
    `unreachable${/^[A-Z][A-Z0-9_]+$/.test(name) ? ` (${name})` : ''}`,
  );
}

function backoff(attempt: number): number {
  const base = BACKOFF_BASE_MS * 2 ** (attempt - 1);
  return base + randomInt(0, base);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
