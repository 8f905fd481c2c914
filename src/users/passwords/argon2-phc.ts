import type { Argon2Params } from '../../config/index.js';

export type Argon2Variant = 'argon2id' | 'argon2i' | 'argon2d';

/** The parameters of an encoded argon2 hash (`$argon2id$v=19$m=…,t=…,p=…$salt$hash`). */
export interface Argon2Phc {
  readonly variant: Argon2Variant;
  /** 0x13 (19) for current hashes; 0x10 (16) when the string has no `v=` (old argon2 releases). */
  readonly version: 16 | 19;
  readonly memoryKiB: number;
  readonly timeCost: number;
  readonly parallelism: number;
  readonly saltBytes: number;
  readonly hashBytes: number;
}

/**
 * Bounds on the parameters of a stored hash, checked before it is ever computed: a hash written
 * into the collection by someone else (an import, a shared database) must not make a login
 * allocate gigabytes or spin for minutes (checklist PWD-3; the same bounds as Ory Kratos). They
 * are at or above the highest values AuthConfig accepts, so our own hashes always pass.
 */
export const ARGON2_LIMITS = {
  maxMemoryKiB: 1_048_576, // 1 GiB
  maxTimeCost: 10,
  maxParallelism: 16,
  saltBytes: { min: 8, max: 64 },
  hashBytes: { min: 16, max: 64 },
} as const;

/** What new hashes use besides the configured costs. */
export const ARGON2_SALT_BYTES = 16;
export const ARGON2_HASH_BYTES = 32;

const PHC =
  /^\$(argon2id|argon2i|argon2d)\$(?:v=(16|19)\$)?m=(\d{1,10}),t=(\d{1,10}),p=(\d{1,3})\$([A-Za-z0-9+/]+)\$([A-Za-z0-9+/]+)$/;

/**
 * Parses an argon2 PHC string and checks it against ARGON2_LIMITS. Undefined for anything
 * malformed or out of bounds: the caller then treats the hash as unusable.
 */
export function parseArgon2Phc(encoded: string): Argon2Phc | undefined {
  if (encoded.length > 512) {
    return undefined;
  }
  const match = PHC.exec(encoded);
  if (!match) {
    return undefined;
  }
  const [, variant, version, m, t, p, salt, hash] = match;
  const phc: Argon2Phc = {
    variant: variant as Argon2Variant,
    version: version === '19' ? 19 : 16,
    memoryKiB: Number(m),
    timeCost: Number(t),
    parallelism: Number(p),
    saltBytes: base64Bytes(salt),
    hashBytes: base64Bytes(hash),
  };
  return withinLimits(phc) ? phc : undefined;
}

function withinLimits(phc: Argon2Phc): boolean {
  const l = ARGON2_LIMITS;
  return (
    phc.timeCost >= 1 &&
    phc.timeCost <= l.maxTimeCost &&
    phc.parallelism >= 1 &&
    phc.parallelism <= l.maxParallelism &&
    // argon2 itself needs at least 8 KiB per lane.
    phc.memoryKiB >= 8 * phc.parallelism &&
    phc.memoryKiB <= l.maxMemoryKiB &&
    phc.saltBytes >= l.saltBytes.min &&
    phc.saltBytes <= l.saltBytes.max &&
    phc.hashBytes >= l.hashBytes.min &&
    phc.hashBytes <= l.hashBytes.max
  );
}

/** Bytes encoded by unpadded base64 of this length, or -1 for an impossible length. */
function base64Bytes(text: string): number {
  return text.length % 4 === 1 ? -1 : Math.floor((text.length * 3) / 4);
}

/**
 * Whether a stored argon2 hash is weaker than the current policy in any respect, so a successful
 * login should replace it: another variant or version, or any cost, salt or output size below
 * what new hashes get. Stronger-than-policy hashes are kept.
 */
export function argon2BelowPolicy(
  phc: Argon2Phc,
  policy: Argon2Params,
): boolean {
  return (
    phc.variant !== 'argon2id' ||
    phc.version !== 19 ||
    phc.memoryKiB < policy.memoryKiB ||
    phc.timeCost < policy.timeCost ||
    phc.parallelism < policy.parallelism ||
    phc.saltBytes < ARGON2_SALT_BYTES ||
    phc.hashBytes < ARGON2_HASH_BYTES
  );
}
