import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BoundedMemo } from '../common/index.js';

export type Messages = Readonly<Record<string, string>>;

export const DEFAULT_LOCALE = 'en';
const LOCALE_FILE = /^([a-z]{2,3}(?:-[a-z0-9]{2,8})*)\.json$/i;
/** Longer Accept-Language headers are cut: negotiation must stay cheap for any input. */
const MAX_HEADER = 512;

/**
 * Message files (`locales/<tag>.json`, nested keys flattened to `login.error.invalid`), with the
 * operator's `VIEWS_DIR/locales/` merged over them key by key (and adding languages). English is
 * complete; a key missing in another language falls back to English.
 */
export class LocaleCatalog {
  private readonly locales = new Map<string, Messages>();
  private readonly negotiated = new BoundedMemo((header) =>
    this.choose(header),
  );

  constructor(dirs: readonly string[]) {
    const merged = new Map<string, Record<string, string>>();
    for (const dir of dirs) {
      if (!existsSync(dir)) {
        continue;
      }
      for (const file of readdirSync(dir).sort()) {
        const match = LOCALE_FILE.exec(file);
        if (!match) {
          continue;
        }
        const tag = match[1].toLowerCase();
        const parsed = JSON.parse(
          readFileSync(join(dir, file), 'utf8'),
        ) as unknown;
        merged.set(tag, {
          ...merged.get(tag),
          ...flatten(parsed, '', join(dir, file)),
        });
      }
    }
    const base = merged.get(DEFAULT_LOCALE);
    if (!base) {
      throw new Error(`No ${DEFAULT_LOCALE}.json message file found`);
    }
    for (const [tag, messages] of merged) {
      this.locales.set(tag, Object.freeze({ ...base, ...messages }));
    }
  }

  get tags(): string[] {
    return [...this.locales.keys()];
  }

  messages(tag: string): Messages {
    return this.locales.get(tag) ?? this.locales.get(DEFAULT_LOCALE)!;
  }

  /**
   * The best available language for an Accept-Language header (q-values honoured, the header's
   * order breaking ties), else English. Not `negotiator`: see docs/architecture.md.
   */
  negotiate(header: string | undefined): string {
    return header ? this.negotiated.get(header) : DEFAULT_LOCALE;
  }

  private choose(header: string): string {
    const ranges = header
      .slice(0, MAX_HEADER)
      .split(',')
      .map((part, index) => {
        const [range, ...params] = part.trim().toLowerCase().split(';');
        const q = params
          .map((p) => /^\s*q\s*=\s*([01](?:\.\d{0,3})?)\s*$/.exec(p))
          .find(Boolean);
        return { range: range.trim(), q: q ? Number(q[1]) : 1, index };
      })
      .filter((r) => r.range !== '' && r.q > 0)
      .sort((a, b) => b.q - a.q || a.index - b.index);
    for (const { range } of ranges) {
      if (range === '*') {
        return DEFAULT_LOCALE;
      }
      if (this.locales.has(range)) {
        return range;
      }
      const primary = range.split('-')[0];
      if (this.locales.has(primary)) {
        return primary;
      }
    }
    return DEFAULT_LOCALE;
  }
}

function flatten(
  value: unknown,
  prefix: string,
  file: string,
): Record<string, string> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new Error(`${file}: expected an object of messages`);
  }
  const out: Record<string, string> = {};
  for (const [key, item] of Object.entries(value)) {
    const name = prefix ? `${prefix}.${key}` : key;
    if (typeof item === 'string') {
      out[name] = item;
    } else {
      Object.assign(out, flatten(item, name, file));
    }
  }
  return out;
}

/** `Hello {name}` with `{ name: 'Ada' }`; unknown placeholders stay as written. */
export function interpolate(
  message: string,
  values: Readonly<Record<string, unknown>>,
): string {
  return message.replace(/\{(\w+)\}/g, (whole, key: string) =>
    Object.hasOwn(values, key) ? String(values[key]) : whole,
  );
}
