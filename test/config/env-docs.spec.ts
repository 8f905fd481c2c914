import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  check,
  parseEnvExample,
  variablesReadBySource,
} from '../../scripts/env-docs.mjs';
import { loadConfig } from '../../src/config/index.js';

const example = readFileSync(
  new URL('../../.env.example', import.meta.url),
  'utf8',
);

describe('configuration reference', () => {
  it('should list in .env.example exactly the variables src/config reads, and match the README table', () => {
    expect(check()).toEqual([]);
  });

  it('should find the django-rocketchat-auth names among the variables read', () => {
    const read = variablesReadBySource();
    for (const name of [
      'ROCKETCHAT_URL',
      'ROCKETCHAT_AUTH_TOKEN',
      'ROCKETCHAT_USER_ID',
      'MONGO_DB',
      'CORS_ORIGIN_WHITELIST',
    ]) {
      expect(read.has(name)).toBe(true);
    }
  });

  it('should show defaults in .env.example that the code really uses', () => {
    // Uncommenting every documented default must not change the loaded configuration.
    const base = {
      MONGODB_URI: 'mongodb://127.0.0.1:27017/x',
      SESSION_SECRET: 'a-long-random-session-secret-for-this-test-0123',
      ROCKETCHAT_URL: 'http://localhost:3000',
      ROCKETCHAT_USER_ID: 'id',
      ROCKETCHAT_AUTH_TOKEN: 'token',
      TOKEN_ENCRYPTION_KEY: 'bMXvzX2g3c8yq6J0v7kP1n4Rz9sT5wQe2aYh8LdF0uc=',
    };
    const defaults: Record<string, string> = {};
    for (const entry of parseEnvExample(example)) {
      if (!entry.required && entry.value !== '') {
        defaults[entry.name] = entry.value;
      }
    }
    expect(loadConfig({ ...base, ...defaults })).toEqual(loadConfig(base));
  });
});
