import { describe, expect, it } from 'vitest';
import { isIssue40598, issue40598Status } from './issue-40598.js';
import { RocketChatRequestError } from './rocketchat.errors.js';

const TYPE_ERROR = "Cannot read properties of undefined (reading 'tokens')";

describe('Rocket.Chat bug #40598', () => {
  it("should recognise exactly users.createToken's 400 TypeError", () => {
    const error = (endpoint: string, status: number, type?: string) =>
      new RocketChatRequestError(endpoint, status, type, TYPE_ERROR, undefined);
    expect(isIssue40598(error('users.createToken', 400))).toBe(true);
    expect(isIssue40598(error('users.create', 400))).toBe(false);
    expect(isIssue40598(error('users.createToken', 400, 'x'))).toBe(false);
    expect(
      isIssue40598(
        new RocketChatRequestError(
          'users.createToken',
          400,
          undefined,
          'Not authorized',
          undefined,
        ),
      ),
    ).toBe(false);
  });

  it.each([
    [6, 10, 'fixed'],
    [7, 0, 'affected'],
    [7, 13, 'affected'],
    [8, 0, 'patch-dependent'],
    [8, 1, 'affected'],
    [8, 2, 'patch-dependent'],
    [8, 3, 'patch-dependent'],
    [8, 4, 'affected'],
    [8, 5, 'fixed'],
    [9, 0, 'fixed'],
  ] as const)('should place %i.%i as %s', (major, minor, status) => {
    expect(issue40598Status({ major, minor })).toBe(status);
  });
});
