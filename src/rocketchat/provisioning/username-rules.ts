import { createHash } from 'node:crypto';

/** Longest user name the bridge creates (before a collision suffix). */
const MAX_BASE_LENGTH = 48;
const SEPARATORS = ['_', '-', '.'];

/**
 * Rocket.Chat's UTF8_User_Names_Validation as the bridge applies it: the configured character
 * class must match the whole name.
 */
export class UsernameRules {
  private readonly whole: RegExp;
  private readonly single: RegExp;

  constructor(pattern: string) {
    this.whole = new RegExp(`^(?:${pattern})$`, 'u');
    this.single = new RegExp(`^(?:${pattern})$`, 'u');
  }

  accepts(name: string): boolean {
    return this.whole.test(name);
  }

  /**
   * The Rocket.Chat user name for a bridge user name: unchanged when Rocket.Chat accepts it
   * (case kept: Rocket.Chat compares user names without case anyway, and changing case breaks
   * mentions, see Rocket.Chat issue #23719); otherwise diacritics are dropped (`é` → `e`), `@`
   * becomes `_at_`, `+` becomes `-`, any other refused character a separator, and runs of
   * separators collapse. Deterministic: the same input always gives the same name.
   */
  normalise(bridgeUsername: string, fallbackSeed: string): string {
    const input = bridgeUsername.normalize('NFC');
    if (this.accepts(input) && Array.from(input).length <= MAX_BASE_LENGTH) {
      return input;
    }
    const separator = SEPARATORS.find((s) => this.single.test(s)) ?? '';
    let out = '';
    for (const char of input
      .normalize('NFKD')
      .replace(/\p{M}+/gu, '')
      .replace(/@/g, `${separator}at${separator}`)
      .replace(/\+/g, this.single.test('-') ? '-' : separator)) {
      out += this.single.test(char) ? char : separator;
    }
    if (separator !== '') {
      const escaped = separator.replace(/[.*+?^${}()|[\]\\-]/g, '\\$&');
      out = out
        .replace(new RegExp(`${escaped}{2,}`, 'g'), separator)
        .replace(new RegExp(`^${escaped}+|${escaped}+$`, 'g'), '');
    }
    out = Array.from(out).slice(0, MAX_BASE_LENGTH).join('');
    if (separator !== '') {
      out = out.replace(/[_.-]+$/, '');
    }
    if (out === '' || !this.accepts(out)) {
      out = `user${separator}${shortHash(fallbackSeed, 8)}`;
    }
    return out;
  }

  /**
   * The names tried in order when `base` is taken: `base`, then `base-<hash>` with growing
   * prefixes of a hash of the bridge user's id. Deterministic per user (the same user always tries
   * the same names, whatever others did first) and unlikely to collide.
   */
  candidates(base: string, bridgeUserId: string): string[] {
    const separator = ['-', '_', '.'].find((s) => this.accepts(`a${s}b`)) ?? '';
    const names = [base];
    for (const length of [4, 6, 8, 12]) {
      const name = `${base}${separator}${shortHash(bridgeUserId, length)}`;
      if (this.accepts(name)) {
        names.push(name);
      }
    }
    return names;
  }
}

function shortHash(seed: string, length: number): string {
  return createHash('sha256')
    .update(seed, 'utf8')
    .digest('hex')
    .slice(0, length);
}
