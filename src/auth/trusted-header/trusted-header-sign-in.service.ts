import { isUtf8 } from 'node:buffer';
import { Injectable, Logger } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import type { FastifyReply, FastifyRequest } from 'fastify';
import {
  InjectConfig,
  type AppConfig,
  type TrustedHeaderConfig,
} from '../../config/index.js';
import type { AuthenticatedPerson } from '../../identity/index.js';
import { SessionService } from '../../session/index.js';
import type { BridgeUser } from '../../users/index.js';
import { ExternalSignInEvent } from '../events/external-sign-in.event.js';
import { loginClient } from '../login/login-client.js';
import { PersonSignIn } from '../sign-in/person-sign-in.service.js';
import { SignInRefusedError } from '../sign-in/sign-in.errors.js';
import { refusalPage, type FailurePage } from '../oidc/sign-in-failure.js';
import { TrustedPeers } from './trusted-peers.js';

/** What the login page does after looking at the trusted header. */
export type HeaderSignIn =
  | { readonly kind: 'none' }
  | { readonly kind: 'signed-in' }
  | { readonly kind: 'refused'; readonly page: FailurePage };

const NONE: HeaderSignIn = { kind: 'none' };
const MAX_VALUE = 256;
/** One warning a minute about headers from untrusted peers, however many arrive. */
const WARN_INTERVAL_MS = 60_000;

/**
 * Sign-in by a forward-auth proxy's header (TRUSTED_HEADER_USER and friends), on the login page:
 * believed only when the request's peer is one of TRUST_PROXY's (ignored, and logged at most once
 * a minute, from anyone else). The person goes through PersonSignIn with source `header` (found by
 * the header's value, created just in time, linked by user name only with
 * TRUSTED_HEADER_LINK_BY_USERNAME, never by e-mail: the proxy does not say whether it verified
 * the address); a browser whose session is someone else's gets a new one. Off when unconfigured.
 */
@Injectable()
export class TrustedHeaderSignIn {
  private readonly logger = new Logger(TrustedHeaderSignIn.name);
  private readonly config: TrustedHeaderConfig | undefined;
  private readonly peers: TrustedPeers;
  private lastWarning = 0;

  constructor(
    @InjectConfig('app') app: AppConfig,
    private readonly people: PersonSignIn,
    private readonly sessions: SessionService,
    private readonly events: EventEmitter2,
  ) {
    this.config = app.trustedHeader;
    this.peers = new TrustedPeers(app.security.trustProxy);
  }

  async signIn(
    request: FastifyRequest,
    reply: FastifyReply,
  ): Promise<HeaderSignIn> {
    const config = this.config;
    if (!config || request.headers[config.userHeader] === undefined) {
      return NONE;
    }
    if (!this.peers.has(request.socket.remoteAddress)) {
      this.warnUntrusted(config.userHeader, request.socket.remoteAddress);
      return NONE;
    }
    const person = personFrom(request, config);
    if (!person) {
      this.logger.warn(
        `Ignored a malformed ${config.userHeader} header from the proxy`,
      );
      return NONE;
    }
    const client = loginClient(request);
    let user: BridgeUser;
    try {
      user = await this.people.resolve(person, {
        byUsername: config.linkByUsername,
        byEmail: false,
      });
    } catch (error) {
      if (!(error instanceof SignInRefusedError)) {
        throw error;
      }
      this.logger.warn(
        `Sign-in through ${config.userHeader} refused (${error.reason}): ${error.message}`,
      );
      this.announce(config, 'failed', client, {
        reason: error.reason,
        username: person.username,
      });
      return {
        kind: 'refused',
        page: refusalPage(error.reason, config.userHeader, person.username),
      };
    }
    if ((await this.sessions.resolve(request))?.userId === user.id) {
      return NONE;
    }
    await this.sessions.create(request, reply, user.id);
    this.logger.log(`User ${user.id} signed in through ${config.userHeader}`);
    this.announce(config, 'succeeded', client, {
      user: { id: user.id, username: user.username },
    });
    return { kind: 'signed-in' };
  }

  private announce(
    config: TrustedHeaderConfig,
    outcome: 'succeeded' | 'failed',
    client: ReturnType<typeof loginClient>,
    detail: ExternalSignInEvent['detail'],
  ): void {
    this.events.emit(
      ExternalSignInEvent.eventName,
      new ExternalSignInEvent(
        'header',
        config.userHeader,
        outcome,
        client,
        detail,
      ),
    );
  }

  private warnUntrusted(header: string, peer: string | undefined): void {
    const now = Date.now();
    if (now - this.lastWarning < WARN_INTERVAL_MS) {
      return;
    }
    this.lastWarning = now;
    this.logger.warn(
      `Ignored ${header} from ${peer ?? 'an unknown peer'}, which is not in TRUST_PROXY (further ones are not logged for a minute)`,
    );
  }
}

/**
 * The person the proxy names; undefined when the id is empty, too long or a list: Node joins a
 * repeated header with commas, and a proxy that appends its value to one the client sent
 * (instead of replacing it) must not let the client's come first.
 */
function personFrom(
  request: FastifyRequest,
  config: TrustedHeaderConfig,
): AuthenticatedPerson | undefined {
  const id = single(request, config.userHeader);
  const username = config.usernameHeader
    ? single(request, config.usernameHeader)
    : id;
  const email = config.emailHeader && single(request, config.emailHeader);
  if (!id || !username || [id, username, email].some((v) => v?.includes(','))) {
    return undefined;
  }
  const name = config.nameHeader && single(request, config.nameHeader);
  const groups = config.groupsHeader
    ? (single(request, config.groupsHeader) ?? '')
        .split(',')
        .map((g) => g.trim())
        .filter((g) => g !== '')
    : [];
  return {
    source: { kind: 'header', id: 'header' },
    externalId: id,
    username,
    ...(email ? { email } : {}),
    emailVerified: false,
    ...(name ? { displayName: name } : {}),
    groups,
  };
}

/**
 * One header's value: trimmed, read as UTF-8 (proxies send names and groups raw), at most 256
 * characters; undefined when absent, repeated or empty.
 */
function single(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name];
  if (typeof value !== 'string') {
    return undefined;
  }
  const bytes = Buffer.from(value, 'latin1');
  const text = (
    bytes.toString('latin1') === value && isUtf8(bytes)
      ? bytes.toString('utf8')
      : value
  ).trim();
  return text !== '' && text.length <= MAX_VALUE ? text : undefined;
}
