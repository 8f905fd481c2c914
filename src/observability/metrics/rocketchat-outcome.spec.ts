import { describe, expect, it } from 'vitest';
import { rocketChatOutcome } from './rocketchat-outcome.js';

describe('rocketChatOutcome', () => {
  it('should give the status class of a response, also of an error carrying one', () => {
    expect(rocketChatOutcome(200)).toBe('2xx');
    expect(rocketChatOutcome(302)).toBe('3xx');
    expect(rocketChatOutcome(401)).toBe('4xx');
    expect(rocketChatOutcome(503)).toBe('5xx');
    const axios500 = Object.assign(new Error('Request failed'), {
      code: 'ERR_BAD_RESPONSE',
      response: { status: 500 },
    });
    expect(rocketChatOutcome(axios500)).toBe('5xx');
  });

  it('should tell timeouts from network failures from anything else', () => {
    expect(
      rocketChatOutcome(
        Object.assign(new Error('t'), { code: 'ECONNABORTED' }),
      ),
    ).toBe('timeout');
    expect(
      rocketChatOutcome(
        Object.assign(new Error('t'), { name: 'TimeoutError' }),
      ),
    ).toBe('timeout');
    expect(
      rocketChatOutcome(
        Object.assign(new Error('n'), { code: 'ECONNREFUSED' }),
      ),
    ).toBe('network');
    expect(
      rocketChatOutcome(Object.assign(new Error('n'), { code: 'ENOTFOUND' })),
    ).toBe('network');
    expect(
      rocketChatOutcome(
        Object.assign(new TypeError('fetch failed'), {
          cause: { code: 'ECONNRESET' },
        }),
      ),
    ).toBe('network');
    expect(rocketChatOutcome(new Error('parse'))).toBe('error');
    expect(rocketChatOutcome(undefined)).toBe('error');
    expect(rocketChatOutcome(42)).toBe('error');
  });
});
