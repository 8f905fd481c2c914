import { Injectable } from '@nestjs/common';
import {
  Counter,
  Histogram,
  Registry,
  collectDefaultMetrics,
} from 'prom-client';
import { droppedLogLines } from '../logging/bounded-log-stream.js';

export type LoginOutcome = 'ok' | 'failed' | 'locked';
export type TokenEvent = 'minted' | 'reused' | 'revoked';
/** An HTTP status class, or why no status came back. */
export type RocketChatOutcome =
  '2xx' | '3xx' | '4xx' | '5xx' | 'timeout' | 'network' | 'error';
export type MongoCommandOutcome = 'ok' | 'error';

const LOGIN_OUTCOMES: readonly LoginOutcome[] = ['ok', 'failed', 'locked'];
const TOKEN_EVENTS: readonly TokenEvent[] = ['minted', 'reused', 'revoked'];

/** Label values that come from code (endpoint or command names); anything else is `other`. */
const NAME_LABEL = /^[A-Za-z][A-Za-z0-9._-]{0,63}$/;

function nameLabel(value: string): string {
  return NAME_LABEL.test(value) ? value : 'other';
}

let processRegistry: Registry | undefined;

/**
 * Node's standard process metrics (CPU, memory, GC, event-loop lag: `nodejs_eventloop_lag_*`),
 * collected once per process: they describe the process, and several apps may share one (tests).
 */
function processMetrics(): Registry {
  if (!processRegistry) {
    processRegistry = new Registry();
    collectDefaultMetrics({ register: processRegistry });
  }
  return processRegistry;
}

/**
 * The bridge's Prometheus metrics. Other modules count through the typed methods; every label has
 * a small fixed set of values (route templates, endpoint names, outcomes), never user input.
 */
@Injectable()
export class MetricsService {
  readonly registry = new Registry();

  private readonly httpDuration = new Histogram({
    name: 'rcbridge_http_request_duration_seconds',
    help: 'HTTP requests served, by method, route template and status code',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });

  private readonly logins = new Counter({
    name: 'rcbridge_login_attempts_total',
    help: 'Login attempts on the login page, by outcome (ok, failed, locked)',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });

  private readonly tokens = new Counter({
    name: 'rcbridge_rocketchat_tokens_total',
    help: 'Rocket.Chat login tokens handed out or ended, by event (minted, reused, revoked)',
    labelNames: ['event'] as const,
    registers: [this.registry],
  });

  private readonly rocketChatDuration = new Histogram({
    name: 'rcbridge_rocketchat_request_duration_seconds',
    help: 'Calls to the Rocket.Chat REST API, by endpoint and outcome (status class, timeout, network, error)',
    labelNames: ['endpoint', 'outcome'] as const,
    buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [this.registry],
  });

  private readonly mongoDuration = new Histogram({
    name: 'rcbridge_mongodb_command_duration_seconds',
    help: 'MongoDB commands sent by the bridge, by command name and outcome',
    labelNames: ['command', 'outcome'] as const,
    buckets: [
      0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5,
    ],
    registers: [this.registry],
  });

  private readonly logDrops = logDropsCounter(this.registry);

  constructor() {
    // Every series exists from the start, so rate() and alerts work before the first event.
    for (const outcome of LOGIN_OUTCOMES) {
      this.logins.inc({ outcome }, 0);
    }
    for (const event of TOKEN_EVENTS) {
      this.tokens.inc({ event }, 0);
    }
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  /** One login form submission: `ok`, `failed` (bad credentials) or `locked` (refused by lockout). */
  loginAttempt(outcome: LoginOutcome): void {
    this.logins.inc({ outcome });
  }

  /** A Rocket.Chat login token `minted`, `reused` from the session, or `revoked`. */
  tokenEvent(event: TokenEvent): void {
    this.tokens.inc({ event });
  }

  /**
   * One Rocket.Chat REST call. `endpoint` is the REST route name (`users.createToken`), never a
   * URL; see {@link rocketChatOutcome} for `outcome`.
   */
  rocketChatCall(
    endpoint: string,
    outcome: RocketChatOutcome,
    seconds: number,
  ): void {
    this.rocketChatDuration.observe(
      { endpoint: nameLabel(endpoint), outcome },
      seconds,
    );
  }

  /** Starts timing a Rocket.Chat call; call the result with its outcome when it ends. */
  startRocketChatCall(endpoint: string): (outcome: RocketChatOutcome) => void {
    const start = process.hrtime.bigint();
    return (outcome) =>
      this.rocketChatCall(
        endpoint,
        outcome,
        Number(process.hrtime.bigint() - start) / 1e9,
      );
  }

  /** One HTTP request served (recorded by the observability module's response hook). */
  httpRequest(
    method: string,
    route: string,
    status: number,
    seconds: number,
  ): void {
    this.httpDuration.observe(
      { method, route, status: String(status) },
      seconds,
    );
  }

  /** One MongoDB command (recorded from the driver's command monitoring). */
  mongoCommand(
    command: string,
    outcome: MongoCommandOutcome,
    seconds: number,
  ): void {
    this.mongoDuration.observe(
      { command: nameLabel(command), outcome },
      seconds,
    );
  }

  /** The exposition text: the bridge's metrics, then the process's. */
  async render(): Promise<string> {
    return Registry.merge([this.registry, processMetrics()]).metrics();
  }
}

/**
 * Log lines the process dropped because stdout was not being read fast enough (its buffer was
 * full) or was gone; read from the log stream at every scrape.
 */
function logDropsCounter(registry: Registry): Counter {
  let counted = 0;
  return new Counter({
    name: 'rcbridge_log_lines_dropped_total',
    help: 'Log lines dropped because stdout was not read (its buffer was full) or was closed',
    registers: [registry],
    collect() {
      const total = droppedLogLines();
      this.inc(total - counted);
      counted = total;
    },
  });
}
