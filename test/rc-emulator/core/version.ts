export interface EmulatedVersion {
  readonly major: 7 | 8 | 9;
  readonly minor: number;
  readonly patch: number;
  /** e.g. `7.10.0`. */
  readonly full: string;
  /** `major.minor`, what `/api/info` discloses to anonymous callers. */
  readonly short: string;
}

/** Accepts `'7.10.0'`, `'8.0'`, `'9.0.1'`, `'7.x'`, `'8.x'`, `'9.x'` (an `x` minor means 7.10 / 8.0 / 9.0). */
export function parseVersion(input: string): EmulatedVersion {
  const match = /^(\d+)(?:\.(\d+|x))?(?:\.(\d+|x))?/.exec(input.trim());
  if (!match) {
    throw new Error(`rc-emulator: unparsable version "${input}"`);
  }
  const major = Number(match[1]);
  if (major !== 7 && major !== 8 && major !== 9) {
    throw new Error(
      `rc-emulator: only Rocket.Chat 7.x, 8.x and 9.x are emulated, got "${input}"`,
    );
  }
  const defaultMinor = major === 7 ? 10 : 0;
  const minor =
    match[2] === undefined || match[2] === 'x'
      ? defaultMinor
      : Number(match[2]);
  const patch =
    match[3] === undefined || match[3] === 'x' ? 0 : Number(match[3]);
  return {
    major,
    minor,
    patch,
    full: `${major}.${minor}.${patch}`,
    short: `${major}.${minor}`,
  };
}

/** `v` is `major.minor.patch` or later. */
export function atLeast(
  v: EmulatedVersion,
  major: number,
  minor = 0,
  patch = 0,
): boolean {
  if (v.major !== major) {
    return v.major > major;
  }
  if (v.minor !== minor) {
    return v.minor > minor;
  }
  return v.patch >= patch;
}
