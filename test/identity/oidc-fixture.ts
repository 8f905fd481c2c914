import { generateKeyPairSync } from 'node:crypto';
import { Test, type TestingModule } from '@nestjs/testing';
import { calculateJwkThumbprint, exportJWK, type JWK } from 'jose';
import type { ClientMetadata } from 'oidc-provider';
import { ConfigModule, type Env } from '../../src/config/index.js';
import {
  DatabaseModule,
  IndexManager,
  MongoConnectionService,
} from '../../src/database/index.js';
import { OidcClock, OidcModule } from '../../src/identity/oidc/index.js';
import { TEST_ENV } from '../support/app.js';
import { freshDatabaseUri } from '../support/mongo.js';
import {
  TestOidcProvider,
  type TestAccount,
} from '../support/oidc-provider.js';
import {
  startLogoutReceiver,
  type LogoutReceiver,
} from '../support/oidc-user-agent.js';

export const PUBLIC_URL = 'http://localhost:8000';
export const SECRET = 'bridge-client-secret-5f1e2d3c4b5a';

export const ALICE: TestAccount = {
  sub: 'alice-0001',
  claims: {
    preferred_username: 'alice',
    email: 'alice@example.org',
    email_verified: true,
    name: 'Alice Example',
    groups: ['staff', 'chat-admins'],
  },
};
export const BOB: TestAccount = {
  sub: 'bob-0002',
  claims: {
    preferred_username: 'bob',
    email: 'bob@example.org',
    email_verified: 'true',
    groups: 'staff',
  },
};

/** The private key of the private_key_jwt client, and its public JWK as registered at the provider. */
export interface ClientKey {
  readonly pem: string;
  readonly publicJwk: JWK;
}

export async function clientKey(): Promise<ClientKey> {
  const { privateKey, publicKey } = generateKeyPairSync('ec', {
    namedCurve: 'P-256',
  });
  const publicJwk = await exportJWK(publicKey);
  // The bridge's default kid is the key's RFC 7638 thumbprint: jose's must agree with it.
  publicJwk.kid = await calculateJwkThumbprint(publicJwk);
  return {
    pem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicJwk,
  };
}

/** The bridge's three clients at the provider: one per token endpoint auth method. */
export function bridgeClients(
  receiver: LogoutReceiver,
  key: ClientKey,
): ClientMetadata[] {
  const common = {
    post_logout_redirect_uris: [`${PUBLIC_URL}/login/`],
    backchannel_logout_uri: receiver.url,
    backchannel_logout_session_required: true,
  };
  return [
    {
      ...common,
      client_id: 'bridge-basic',
      client_secret: SECRET,
      token_endpoint_auth_method: 'client_secret_basic',
      redirect_uris: [`${PUBLIC_URL}/login/oidc/callback`],
    },
    {
      ...common,
      client_id: 'bridge-post',
      client_secret: SECRET,
      token_endpoint_auth_method: 'client_secret_post',
      redirect_uris: [`${PUBLIC_URL}/login/oidc/post/callback`],
    },
    {
      ...common,
      client_id: 'bridge-jwt',
      token_endpoint_auth_method: 'private_key_jwt',
      token_endpoint_auth_signing_alg: 'ES256',
      jwks: { keys: [key.publicJwk] },
      redirect_uris: [`${PUBLIC_URL}/login/oidc/jwt/callback`],
    },
  ];
}

/** The bridge's settings for those clients: default (basic), post, jwt. */
export function bridgeEnv(provider: TestOidcProvider, key: ClientKey): Env {
  return {
    OIDC_ISSUER: provider.issuer,
    OIDC_CLIENT_ID: 'bridge-basic',
    OIDC_CLIENT_SECRET: SECRET,
    OIDC_PROVIDERS: 'post,jwt',
    OIDC_POST_ISSUER: provider.issuer,
    OIDC_POST_CLIENT_ID: 'bridge-post',
    OIDC_POST_CLIENT_SECRET: SECRET,
    OIDC_POST_TOKEN_AUTH_METHOD: 'client_secret_post',
    OIDC_JWT_ISSUER: provider.issuer,
    OIDC_JWT_CLIENT_ID: 'bridge-jwt',
    OIDC_JWT_TOKEN_AUTH_METHOD: 'private_key_jwt',
    OIDC_JWT_PRIVATE_KEY: key.pem,
    OIDC_TIMEOUT: '1s',
  };
}

/** A clock the test moves; the real time plus an offset. */
export class MovableClock extends OidcClock {
  offsetMs = 0;
  override now(): number {
    return Date.now() + this.offsetMs;
  }
}

export interface OidcContext {
  readonly module: TestingModule;
  readonly clock: MovableClock;
  get<T>(type: new (...args: never[]) => T): T;
  close(): Promise<void>;
}

/** ConfigModule, DatabaseModule (a fresh database) and OidcModule, initialised and connected. */
export async function createOidcContext(
  env: Env,
  label = 'oidc',
): Promise<OidcContext> {
  const { uri } = freshDatabaseUri(label);
  const clock = new MovableClock();
  const module = await Test.createTestingModule({
    imports: [
      ConfigModule.forRoot({ env: { ...TEST_ENV, MONGODB_URI: uri, ...env } }),
      DatabaseModule,
      OidcModule,
    ],
  })
    .overrideProvider(OidcClock)
    .useValue(clock)
    .compile();
  module.useLogger(false);
  await module.init();
  await module.get(MongoConnectionService).waitUntilConnected(20_000);
  await module.get(IndexManager).whenReady();
  return {
    module,
    clock,
    get: (type) => module.get(type),
    close: async () => {
      await module.get(MongoConnectionService).ping();
      await module.close();
    },
  };
}

export { startLogoutReceiver };
