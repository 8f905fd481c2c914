import { readFileSync } from 'node:fs';

/** The variables the service is configured from: `process.env`, or a map given by a test. */
export type Env = Readonly<Record<string, string | undefined>>;

/** One broken rule. It names the variable and the rule, never the value (it may be a secret). */
export interface ConfigProblem {
  readonly variable: string;
  readonly rule: string;
}

export class ConfigValidationError extends Error {
  constructor(readonly problems: readonly ConfigProblem[]) {
    super(
      `Invalid configuration (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n` +
        problems.map((p) => `  - ${p.variable}: ${p.rule}`).join('\n'),
    );
    this.name = 'ConfigValidationError';
  }
}

interface Source {
  /** The variable the value came from (an alias, or NAME_FILE). */
  readonly name: string;
  readonly value: string;
}

interface StringOptions {
  /** Read NAME_FILE too, and never let the value reach a message. */
  readonly secret?: boolean;
  /** A value the operator must generate: refuse well-known placeholders (changeme, replace-me...). */
  readonly randomSecret?: boolean;
  readonly minLength?: number;
  readonly maxLength?: number;
  readonly pattern?: RegExp;
  /** The rule `pattern` enforces, in words, for the error message. */
  readonly patternRule?: string;
}

// Values copied from examples and tutorials instead of generated; `quickstart-only-` values are
// refused separately (configuration.ts), since the compose quick start needs them on localhost.
const PLACEHOLDER =
  /change[-_ .]?(?:me|it)|replace[-_ .]?me|placeholder|^<[^<>]*>$|^(?:your|my)[-_ ]?(?:secret|token|key|password)/i;

const DURATION_UNITS: Record<string, number> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
};

/**
 * Reads typed values out of an environment and collects every broken rule, so one start-up
 * reports all problems at once. Names may be a list: the first is the documented name, the
 * others are accepted aliases. Empty strings count as unset (compose files often write `X=`).
 */
export class EnvReader {
  private readonly collected: ConfigProblem[] = [];

  constructor(
    private readonly env: Env,
    private readonly readFile: (path: string) => string = (path) =>
      readFileSync(path, 'utf8'),
  ) {}

  get problems(): readonly ConfigProblem[] {
    return this.collected;
  }

  fail(variable: string, rule: string): void {
    this.collected.push({ variable, rule });
  }

  /** Whether any of the names (or, for secrets, NAME_FILE) is set. */
  has(names: string | readonly string[], secret = false): boolean {
    return this.source(names, secret, false) !== undefined;
  }

  string(
    names: string | readonly string[],
    options: StringOptions & { default: string },
  ): string;
  string(
    names: string | readonly string[],
    options?: StringOptions & { required?: boolean },
  ): string | undefined;
  string(
    names: string | readonly string[],
    options: StringOptions & { default?: string; required?: boolean } = {},
  ): string | undefined {
    const source = this.source(names, options.secret ?? false);
    const primary = list(names)[0];
    if (source === undefined) {
      if (options.required) {
        this.fail(primary, 'is required');
      }
      return options.default;
    }
    const { name, value } = source;
    if (options.randomSecret && PLACEHOLDER.test(value.trim())) {
      this.fail(
        name,
        'is a placeholder copied from an example: set a random value (openssl rand -base64 32)',
      );
      return options.default;
    }
    const length = Array.from(value).length;
    if (options.minLength !== undefined && length < options.minLength) {
      this.fail(name, `must be at least ${options.minLength} characters long`);
      return options.default;
    }
    if (options.maxLength !== undefined && length > options.maxLength) {
      this.fail(name, `must be at most ${options.maxLength} characters long`);
      return options.default;
    }
    if (options.pattern && !options.pattern.test(value)) {
      this.fail(
        name,
        options.patternRule ?? `must match ${String(options.pattern)}`,
      );
      return options.default;
    }
    return value;
  }

  int(
    names: string | readonly string[],
    options: { default: number; min?: number; max?: number },
  ): number {
    const source = this.source(names, false);
    if (source === undefined) {
      return options.default;
    }
    const { name, value } = source;
    if (!/^-?\d+$/.test(value.trim())) {
      this.fail(name, 'must be a whole number');
      return options.default;
    }
    const n = Number(value.trim());
    if (options.min !== undefined && n < options.min) {
      this.fail(name, `must be at least ${options.min}`);
      return options.default;
    }
    if (options.max !== undefined && n > options.max) {
      this.fail(name, `must be at most ${options.max}`);
      return options.default;
    }
    return n;
  }

  bool(names: string | readonly string[], fallback: boolean): boolean {
    const source = this.source(names, false);
    if (source === undefined) {
      return fallback;
    }
    const value = source.value.trim().toLowerCase();
    if (['true', '1', 'yes', 'on'].includes(value)) {
      return true;
    }
    if (['false', '0', 'no', 'off'].includes(value)) {
      return false;
    }
    this.fail(source.name, 'must be true or false');
    return fallback;
  }

  oneOf<T extends string>(
    names: string | readonly string[],
    values: readonly T[],
    fallback: T,
  ): T {
    const source = this.source(names, false);
    if (source === undefined) {
      return fallback;
    }
    const value = source.value.trim().toLowerCase();
    const match = values.find((v) => v.toLowerCase() === value);
    if (match === undefined) {
      this.fail(source.name, `must be one of: ${values.join(', ')}`);
      return fallback;
    }
    return match;
  }

  /** A duration such as `500ms`, `30s`, `15m`, `12h` or `7d`; a bare number means seconds. */
  durationMs(
    names: string | readonly string[],
    options: { default: number; min?: number; max?: number },
  ): number {
    const source = this.source(names, false);
    if (source === undefined) {
      return options.default;
    }
    const match = /^(\d+)\s*(ms|s|m|h|d)?$/i.exec(source.value.trim());
    if (!match) {
      this.fail(
        source.name,
        'must be a duration such as 500ms, 30s, 15m, 12h or 7d',
      );
      return options.default;
    }
    const ms =
      Number(match[1]) * DURATION_UNITS[(match[2] ?? 's').toLowerCase()];
    if (options.min !== undefined && ms < options.min) {
      this.fail(source.name, `must be at least ${formatDuration(options.min)}`);
      return options.default;
    }
    if (options.max !== undefined && ms > options.max) {
      this.fail(source.name, `must be at most ${formatDuration(options.max)}`);
      return options.default;
    }
    return ms;
  }

  /** A comma-separated list; blank entries are dropped. */
  list(
    names: string | readonly string[],
  ): { name: string; items: string[] } | undefined {
    const source = this.source(names, false);
    if (source === undefined) {
      return undefined;
    }
    return {
      name: source.name,
      items: source.value
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s.length > 0),
    };
  }

  private source(
    names: string | readonly string[],
    secret: boolean,
    report = true,
  ): Source | undefined {
    for (const name of list(names)) {
      const direct = nonEmpty(this.env[name]);
      const fileVar = `${name}_FILE`;
      const file = secret ? nonEmpty(this.env[fileVar]) : undefined;
      if (direct !== undefined && file !== undefined) {
        if (report) {
          this.fail(name, `set either ${name} or ${fileVar}, not both`);
        }
        return { name, value: direct };
      }
      if (direct !== undefined) {
        return { name, value: direct };
      }
      if (file !== undefined) {
        try {
          // Secret files conventionally end with a newline; the value never does.
          const value = nonEmpty(this.readFile(file).replace(/\r?\n$/, ''));
          if (value === undefined) {
            if (report) {
              this.fail(fileVar, 'names an empty file');
            }
            return undefined;
          }
          return { name: fileVar, value };
        } catch (error) {
          if (report) {
            const code = (error as NodeJS.ErrnoException).code ?? 'unreadable';
            this.fail(fileVar, `names a file that cannot be read (${code})`);
          }
          return undefined;
        }
      }
    }
    return undefined;
  }
}

function list(names: string | readonly string[]): readonly string[] {
  return typeof names === 'string' ? [names] : names;
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value;
}

export function formatDuration(ms: number): string {
  for (const [unit, size] of [
    ['d', 86_400_000],
    ['h', 3_600_000],
    ['m', 60_000],
    ['s', 1000],
  ] as const) {
    if (ms >= size && ms % size === 0) {
      return `${ms / size}${unit}`;
    }
  }
  return `${ms}ms`;
}
