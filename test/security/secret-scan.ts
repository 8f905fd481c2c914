import { decodeEncryptionKey } from '../../src/config/rocketchat-tokens.config.js';

/** A secret and what it is, for the failure message (never printed itself). */
export interface Secret {
  readonly name: string;
  readonly value: string;
}

/**
 * The forms a secret could leak in besides itself: base64, base64url and hex of its bytes,
 * percent-encoded, JSON-escaped; for an encryption key also its raw bytes as hex and base64.
 */
export function encodings(secret: Secret): { form: string; text: string }[] {
  const bytes = Buffer.from(secret.value, 'utf8');
  const forms = [
    { form: 'as is', text: secret.value },
    { form: 'base64', text: bytes.toString('base64').replace(/=+$/, '') },
    { form: 'base64url', text: bytes.toString('base64url') },
    { form: 'hex', text: bytes.toString('hex') },
    { form: 'percent-encoded', text: encodeURIComponent(secret.value) },
    { form: 'JSON-escaped', text: JSON.stringify(secret.value).slice(1, -1) },
  ];
  const key = decodeEncryptionKey(secret.value);
  if (key) {
    forms.push(
      { form: 'key bytes as hex', text: key.toString('hex') },
      {
        form: 'key bytes as base64',
        text: key.toString('base64').replace(/=+$/, ''),
      },
    );
  }
  // Shorter than this, a form could appear by chance; every secret here is far longer.
  return forms.filter((f) => f.text.length >= 12);
}

/** `"<name> (<form>) in <where>"` for every secret form found in `text`; empty when clean. */
export function leaks(
  secrets: readonly Secret[],
  where: string,
  text: string,
): string[] {
  const found: string[] = [];
  for (const secret of secrets) {
    for (const { form, text: needle } of encodings(secret)) {
      if (text.includes(needle)) {
        found.push(`${secret.name} (${form}) in ${where}`);
      }
    }
  }
  return found;
}
