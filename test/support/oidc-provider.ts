import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  exportJWK,
  generateKeyPair,
  importJWK,
  SignJWT,
  type JWK,
  type JWTPayload,
} from 'jose';
import {
  Provider,
  type ClientMetadata,
  type Configuration,
} from 'oidc-provider';
import type Koa from 'koa';
import { interactionRoutes } from './oidc-interactions.js';

export interface TestAccount {
  readonly sub: string;
  /** preferred_username, email, email_verified, name, groups, ... as the provider releases them. */
  readonly claims: Readonly<Record<string, unknown>>;
}

export interface TestOidcProviderOptions {
  readonly clients: readonly ClientMetadata[];
  readonly accounts: readonly TestAccount[];
  /** Put the scope-requested claims into the ID token too (Keycloak does; oidc-provider not by default). */
  readonly claimsInIdToken?: boolean;
}

/** Slow or wrong answers on demand, for the failure tests. */
export interface ProviderFaults {
  /** Delay every response whose path matches by this long. */
  delay?: { readonly paths: RegExp; readonly ms: number };
  /** Serve a discovery document naming this issuer instead. */
  wrongIssuer?: string;
}

/**
 * panva's oidc-provider on 127.0.0.1 (plain http: openid-client is told so by the bridge's
 * localhost rule, and the provider needs nothing special for code flow clients on http), with our
 * own accounts, login and consent pages, back-channel and RP-initiated logout, and levers the tests
 * pull: rotate and drop signing keys, stop and restart on the same port with the same keys and
 * state, slow or wrong answers, logout tokens the provider emits itself or forged with its key.
 */
export class TestOidcProvider {
  readonly faults: ProviderFaults = {};
  private server: Server | undefined;
  private provider!: Provider;
  private clients: ClientMetadata[];
  private readonly accounts: Map<string, TestAccount>;

  private constructor(
    readonly port: number,
    private keys: JWK[],
    private readonly options: TestOidcProviderOptions,
  ) {
    this.clients = [...options.clients];
    this.accounts = new Map(options.accounts.map((a) => [a.sub, a]));
  }

  static async start(
    options: TestOidcProviderOptions,
  ): Promise<TestOidcProvider> {
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const { port } = probe.address() as AddressInfo;
    await new Promise((resolve) => probe.close(resolve));
    const harness = new TestOidcProvider(
      port,
      [await newSigningKey()],
      options,
    );
    await harness.listen();
    return harness;
  }

  get issuer(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** The key ids the provider publishes, the signing one first. */
  get keyIds(): string[] {
    return this.keys.map((k) => k.kid!);
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (server) {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  }

  /** Same port, keys, clients and stored sessions (the memory adapter lives in this process). */
  async restart(): Promise<void> {
    await this.stop();
    await this.listen();
  }

  /** A new signing key in front (signs from now on); the old one is still published. */
  async rotateKey(): Promise<string> {
    this.keys = [await newSigningKey(), ...this.keys];
    await this.restart();
    return this.keys[0].kid!;
  }

  /** Publishes only the signing key. */
  async dropOldKeys(): Promise<void> {
    this.keys = this.keys.slice(0, 1);
    await this.restart();
  }

  /** What the provider releases for `sub` from the next sign-in on (e.g. groups changed). */
  setClaims(sub: string, claims: TestAccount['claims']): void {
    if (!this.accounts.has(sub)) {
      throw new Error(`test provider: no account ${sub}`);
    }
    this.accounts.set(sub, { sub, claims });
  }

  async setClients(clients: readonly ClientMetadata[]): Promise<void> {
    this.clients = [...clients];
    await this.restart();
  }

  /**
   * A JWT signed with the provider's current key: to forge logout tokens that are correctly signed
   * yet wrong in a claim. `key: 'foreign'` signs with a key the provider never published, under
   * the provider's kid.
   */
  async sign(
    claims: JWTPayload,
    options: { typ?: string; key?: 'provider' | 'foreign' } = {},
  ): Promise<string> {
    const jwk =
      options.key === 'foreign' ? await newSigningKey() : this.keys[0];
    const key = await importJWK(jwk, 'RS256');
    return new SignJWT(claims)
      .setProtectedHeader({
        alg: 'RS256',
        kid: this.keys[0].kid,
        typ: options.typ ?? 'logout+jwt',
      })
      .sign(key);
  }

  /** The provider's own back-channel logout: it builds the token and POSTs it to the client. */
  async backchannelLogout(
    clientId: string,
    sub: string,
    sid: string,
  ): Promise<void> {
    const client = (await this.provider.Client.find(clientId)) as unknown as {
      backchannelLogout(sub: string, sid: string): Promise<void>;
    };
    await client.backchannelLogout(sub, sid);
  }

  private async listen(): Promise<void> {
    this.provider = new Provider(this.issuer, this.configuration());
    this.provider.use(async (ctx, next) => this.applyFaults(ctx, next));
    this.provider.use(
      interactionRoutes(this.provider, new Set(this.accounts.keys())),
    );
    const handle = this.provider.callback();
    const server = createServer((req, res) => {
      void handle(req, res);
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
    this.server = server;
  }

  private async applyFaults(
    ctx: Koa.Context,
    next: () => Promise<unknown>,
  ): Promise<void> {
    const delay = this.faults.delay;
    if (delay && delay.paths.test(ctx.path)) {
      await new Promise((resolve) => setTimeout(resolve, delay.ms));
    }
    await next();
    if (
      this.faults.wrongIssuer &&
      ctx.path === '/.well-known/openid-configuration'
    ) {
      ctx.body = { ...(ctx.body as object), issuer: this.faults.wrongIssuer };
    }
  }

  private configuration(): Configuration {
    const accounts = this.accounts;
    return {
      clients: this.clients,
      jwks: { keys: this.keys },
      cookies: { keys: ['test-provider-cookie-key-0123456789'] },
      claims: {
        openid: ['sub'],
        email: ['email', 'email_verified'],
        profile: ['name', 'preferred_username', 'groups'],
      },
      conformIdTokenClaims: !this.options.claimsInIdToken,
      features: {
        devInteractions: { enabled: false },
        backchannelLogout: { enabled: true },
        rpInitiatedLogout: { enabled: true },
      },
      pkce: { required: () => true },
      ttl: {
        AccessToken: 600,
        AuthorizationCode: 60,
        IdToken: 3600,
        Interaction: 600,
        Session: 3600,
        Grant: 3600,
      },
      clientBasedCORS: () => false,
      // The provider refuses outgoing requests (back-channel logout) to special-use addresses such
      // as 127.0.0.1 through the dispatcher it passes to `fetch`; its `fetch` option is the
      // supported seam, and here the bridge's test receiver is on loopback by design.
      fetch: (url, options) => {
        const { dispatcher: _ssrfGuard, ...rest } = options as RequestInit & {
          dispatcher?: unknown;
        };
        return globalThis.fetch(url, rest);
      },
      findAccount: (_ctx, sub) => {
        const account = accounts.get(sub);
        return account
          ? { accountId: sub, claims: () => ({ ...account.claims, sub }) }
          : undefined;
      },
    };
  }
}

export async function newSigningKey(): Promise<JWK> {
  const { privateKey } = await generateKeyPair('RS256', { extractable: true });
  return {
    ...(await exportJWK(privateKey)),
    kid: randomBytes(6).toString('hex'),
    alg: 'RS256',
    use: 'sig',
  };
}
