import { describe, expect, it } from 'vitest';
import { interpretResponse } from './rocketchat-response.js';
import {
  RocketChatAuthError,
  RocketChatRateLimitedError,
  RocketChatRequestError,
  RocketChatTwoFactorError,
  RocketChatUnavailableError,
  isCredentialsRefused,
  isRefusedWith,
} from './rocketchat.errors.js';

const NOW = 1_800_000_000_000;

function failed(status: number, body: unknown, headers = {}) {
  const result = interpretResponse(
    'users.create',
    status,
    headers,
    typeof body === 'string' ? body : JSON.stringify(body),
    NOW,
  );
  if (result.ok) {
    throw new Error('expected a failure');
  }
  return result.error;
}

describe('interpretResponse', () => {
  it('should return the JSON body of a successful answer', () => {
    expect(
      interpretResponse('me', 200, {}, '{"_id":"u1","success":true}', NOW),
    ).toEqual({ ok: true, body: { _id: 'u1', success: true } });
  });

  it('should map a 400 failure envelope to a request error with errorType and reason', () => {
    const error = failed(400, {
      success: false,
      error: 'alice is already in use :( [error-field-unavailable]',
      errorType: 'error-field-unavailable',
      details: { field: 'alice' },
    });
    expect(error).toBeInstanceOf(RocketChatRequestError);
    expect(error).toMatchObject({
      status: 400,
      errorType: 'error-field-unavailable',
      reason: 'alice is already in use :(',
      details: { field: 'alice' },
    });
    expect(error.message).toBe(
      'Rocket.Chat users.create refused the request: error-field-unavailable (alice is already in use :()',
    );
  });

  it('should read the code out of the error text when errorType is missing', () => {
    const error = failed(400, {
      success: false,
      error: 'Not authorized [error-not-authorized]',
    });
    expect(error).toMatchObject({ errorType: 'error-not-authorized' });
  });

  it('should keep a plain 400 message such as "User not found." as the reason', () => {
    const error = failed(400, { success: false, error: 'User not found.' });
    expect(error).toMatchObject({
      errorType: undefined,
      reason: 'User not found.',
    });
  });

  it('should map totp-required as a 400 (REST) and as a 401 (login) to a two-factor error', () => {
    const rest = failed(400, {
      success: false,
      errorType: 'totp-required',
      error: 'TOTP Required [totp-required]',
      details: { method: 'password' },
    });
    expect(rest).toBeInstanceOf(RocketChatTwoFactorError);
    expect(rest).toMatchObject({ method: 'password' });
    const login = failed(401, {
      status: 'error',
      error: 'totp-required',
      message: 'TOTP Required',
      details: { method: 'email' },
    });
    expect(login).toBeInstanceOf(RocketChatTwoFactorError);
    expect(login.message).toContain('bypassTwoFactor');
  });

  it('should map 401 and 403 to auth errors, telling unknown credentials from missing permissions', () => {
    const unknown = failed(401, {
      success: false,
      error: 'You must be logged in to do this.',
    });
    expect(unknown).toBeInstanceOf(RocketChatAuthError);
    expect(isCredentialsRefused(unknown)).toBe(true);
    const permission7x = failed(401, { success: false, error: 'unauthorized' });
    expect(isCredentialsRefused(permission7x)).toBe(false);
    const forbidden = failed(403, { success: false, error: 'unauthorized' });
    expect(forbidden).toMatchObject({ status: 403 });
    expect(isCredentialsRefused(forbidden)).toBe(false);
  });

  it("should keep the refusal's own code of a 9.x 403 error-forbidden, as 8.x gave it in errorType", () => {
    const nine = failed(403, {
      success: false,
      error: 'Not authorized [error-not-authorized]',
      errorType: 'error-forbidden',
    });
    expect(nine).toBeInstanceOf(RocketChatAuthError);
    expect(nine).toMatchObject({ status: 403, code: 'error-not-authorized' });
    expect(isRefusedWith(nine, 'error-not-authorized')).toBe(true);
    const eight = failed(400, {
      success: false,
      error: 'Not authorized [error-not-authorized]',
      errorType: 'error-not-authorized',
    });
    expect(isRefusedWith(eight, 'error-not-authorized')).toBe(true);
    expect(isRefusedWith(eight, 'not-authorized')).toBe(false);
    expect(failed(403, { success: false, error: 'forbidden' })).toMatchObject({
      code: undefined,
    });
  });

  it('should take the wait of a 429 from X-RateLimit-Reset (epoch ms)', () => {
    const error = failed(
      429,
      {
        success: false,
        error: 'Error, too many requests. [error-too-many-requests]',
      },
      { 'x-ratelimit-reset': String(NOW + 42_000) },
    );
    expect(error).toBeInstanceOf(RocketChatRateLimitedError);
    expect(error).toMatchObject({ retryAfterMs: 42_000, status: 429 });
  });

  it('should fall back to Retry-After, then to a minute, for a 429 without a reset', () => {
    expect(failed(429, '', { 'retry-after': '7' })).toMatchObject({
      retryAfterMs: 7000,
    });
    expect(failed(429, '')).toMatchObject({ retryAfterMs: 60_000 });
  });

  it('should treat 5xx, HTML and truncated bodies, and success without JSON as unavailable', () => {
    expect(failed(502, '<html>Bad gateway</html>')).toMatchObject({
      reason: 'server-error',
    });
    expect(failed(200, '<html>')).toMatchObject({ reason: 'malformed' });
    expect(failed(200, '{"success":tr')).toMatchObject({ reason: 'malformed' });
    expect(failed(200, '[1,2]')).toBeInstanceOf(RocketChatUnavailableError);
  });

  it('should treat 200 with success false as a refusal', () => {
    expect(failed(200, { success: false })).toBeInstanceOf(
      RocketChatRequestError,
    );
  });

  it('should name the likely misconfiguration on a 404', () => {
    const error = failed(404, '404 Not Found');
    expect(error).toMatchObject({ reason: 'not-found' });
    expect(error.message).toContain('ROCKETCHAT_INTERNAL_URL');
  });
});
