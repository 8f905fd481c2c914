import type { EnvReader } from './env.js';
import {
  readInitialUserConfig,
  type InitialUserConfig,
} from './initial-user.config.js';
import {
  readLoginProtectionConfig,
  type LoginProtectionConfig,
} from './security.config.js';

export interface Argon2Params {
  readonly memoryKiB: number;
  readonly timeCost: number;
  readonly parallelism: number;
}

export interface AuthConfig {
  readonly passwordMinLength: number;
  /** Policy for new hashes; stored hashes below it are rehashed at the next successful login. */
  readonly argon2: Argon2Params;
  /** Lockout, per-address failure budget and the cap on concurrent password checks. */
  readonly protection: LoginProtectionConfig;
  /** Created when the database has no users yet (BRIDGE_INITIAL_USER). */
  readonly initialUser?: InitialUserConfig;
}

/** OWASP's minimum for argon2id: m=19 MiB, t=2, p=1. Configuration may only go up. */
export const ARGON2_FLOOR: Argon2Params = {
  memoryKiB: 19_456,
  timeCost: 2,
  parallelism: 1,
};

export function readAuthConfig(r: EnvReader): AuthConfig {
  const passwordMinLength = r.int('PASSWORD_MIN_LENGTH', {
    default: 8,
    min: 8,
    max: 128,
  });
  return {
    passwordMinLength,
    argon2: {
      memoryKiB: r.int('ARGON2_MEMORY_KIB', {
        default: ARGON2_FLOOR.memoryKiB,
        min: ARGON2_FLOOR.memoryKiB,
        max: 1_048_576,
      }),
      timeCost: r.int('ARGON2_TIME_COST', {
        default: ARGON2_FLOOR.timeCost,
        min: ARGON2_FLOOR.timeCost,
        max: 10,
      }),
      parallelism: r.int('ARGON2_PARALLELISM', {
        default: ARGON2_FLOOR.parallelism,
        min: 1,
        max: 16,
      }),
    },
    protection: readLoginProtectionConfig(r),
    initialUser: readInitialUserConfig(r, passwordMinLength),
  };
}
