import { randomInt } from 'node:crypto';

const LOWER = 'abcdefghijkmnopqrstuvwxyz';
const UPPER = 'ABCDEFGHJKLMNPQRSTUVWXYZ';
const DIGITS = '23456789';
const SPECIAL = '!#%+-.:=?@_~';
const ALL = LOWER + UPPER + DIGITS + SPECIAL;
export const GENERATED_PASSWORD_LENGTH = 32;

/**
 * A password for accounts the bridge creates (nobody types it: users log in through the bridge).
 * It passes Rocket.Chat's strictest password policy: at least 14 characters, lower and upper case,
 * a digit, a special character, and no character repeated next to itself.
 */
export function generateRocketChatPassword(): string {
  for (;;) {
    const chars = [LOWER, UPPER, DIGITS, SPECIAL].map(pick);
    while (chars.length < GENERATED_PASSWORD_LENGTH) {
      chars.push(pick(ALL));
    }
    for (let i = chars.length - 1; i > 0; i -= 1) {
      const j = randomInt(0, i + 1);
      [chars[i], chars[j]] = [chars[j], chars[i]];
    }
    if (chars.every((char, i) => i === 0 || chars[i - 1] !== char)) {
      return chars.join('');
    }
  }
}

function pick(alphabet: string): string {
  return alphabet[randomInt(0, alphabet.length)];
}
