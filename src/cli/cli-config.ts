import { readAppConfig } from '../config/app.config.js';
import { readAuthConfig } from '../config/auth.config.js';
import {
  ConfigValidationError,
  type AllConfig,
  type ConfigNamespace,
  type Env,
} from '../config/index.js';
import { EnvReader } from '../config/env.js';
import { readMongoConfig } from '../config/mongo.config.js';
import { readRocketChatConfig } from '../config/rocketchat.config.js';
import { readSessionConfig } from '../config/session.config.js';

export type ConfigSubset = Partial<AllConfig>;

/**
 * Reads and validates only the namespaces a command group needs, with the same readers and rules
 * as the service: `rc-bridge users add` must not require a Rocket.Chat token or a session secret,
 * nor stop over a bad PORT. Throws ConfigValidationError listing every problem (names, never values).
 */
export function loadConfigSubset(
  env: Env,
  namespaces: readonly ConfigNamespace[],
): ConfigSubset {
  const r = new EnvReader(env);
  const wanted = new Set(namespaces);
  const app =
    wanted.has('app') || wanted.has('session') ? readAppConfig(r) : undefined;
  const config: { -readonly [K in ConfigNamespace]?: AllConfig[K] } = {};
  for (const namespace of wanted) {
    switch (namespace) {
      case 'app':
        config.app = app;
        break;
      case 'mongo':
        config.mongo = readMongoConfig(r);
        break;
      case 'session':
        config.session = readSessionConfig(r, app!);
        break;
      case 'auth':
        config.auth = readAuthConfig(r);
        break;
      case 'rocketchat':
        config.rocketchat = readRocketChatConfig(r);
        break;
    }
  }
  if (r.problems.length > 0) {
    throw new ConfigValidationError(r.problems);
  }
  return config;
}
