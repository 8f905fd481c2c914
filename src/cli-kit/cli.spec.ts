import { describe, expect, it } from 'vitest';
import { ConfigValidationError } from '../config/index.js';
import { loadConfigSubset } from '../config/index.js';
import { printable } from './cli-io.js';
import { renderTable } from './table.js';

describe('CLI configuration', () => {
  it('should read only the namespaces asked for, so users commands need no session or Rocket.Chat settings', () => {
    const config = loadConfigSubset(
      { MONGODB_URI: 'mongodb://127.0.0.1:27017/x', PORT: 'not-a-port' },
      ['mongo', 'auth'],
    );
    expect(Object.keys(config).sort()).toEqual(['auth', 'mongo']);
    expect(config.mongo?.dbName).toBeUndefined();
    expect(config.auth?.argon2).toEqual({
      memoryKiB: 19456,
      timeCost: 2,
      parallelism: 1,
    });
  });

  it('should report every problem of those namespaces at once, naming variables, not values', () => {
    let error: unknown;
    try {
      loadConfigSubset(
        { MONGODB_URI: 'http://user:hunter2@db', ARGON2_TIME_COST: '1' },
        ['mongo', 'auth'],
      );
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigValidationError);
    const message = (error as Error).message;
    expect(message).toContain('MONGODB_URI: must start with mongodb://');
    expect(message).toContain('ARGON2_TIME_COST: must be at least 2');
    expect(message).not.toContain('hunter2');
  });

  it('should read the app namespace for session settings that depend on it', () => {
    const config = loadConfigSubset(
      { SESSION_SECRET: 'a-long-random-session-secret-for-this-test-0123' },
      ['session'],
    );
    expect(config.session?.cookieSecure).toBe(true);
    expect(config.app).toBeUndefined();
  });
});

describe('CLI output', () => {
  it('should pad columns to their widest cell and trim line ends', () => {
    expect(
      renderTable(
        ['A', 'LONGER'],
        [
          ['wide cell', 'x'],
          ['y', ''],
        ],
      ),
    ).toBe(['A          LONGER', 'wide cell  x', 'y'].join('\n'));
  });

  it('should make control, formatting and bidi characters visible instead of printing them', () => {
    expect(printable('a\u001b[2Jb\u0000c\u202ed\u200be\nf')).toBe(
      'a\\u{1b}[2Jb\\u{0}c\\u{202e}d\\u{200b}e\\u{a}f',
    );
    expect(printable('Zoë 用户')).toBe('Zoë 用户');
    expect(renderTable(['N'], [['evil\u001b[31m']])).toBe('N\nevil\\u{1b}[31m');
  });
});
