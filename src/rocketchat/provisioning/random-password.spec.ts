import { describe, expect, it } from 'vitest';
import {
  GENERATED_PASSWORD_LENGTH,
  generateRocketChatPassword,
} from './random-password.js';

describe('generateRocketChatPassword', () => {
  it("should always meet Rocket.Chat's strictest policy", () => {
    for (let i = 0; i < 500; i += 1) {
      const password = generateRocketChatPassword();
      expect(password).toHaveLength(GENERATED_PASSWORD_LENGTH);
      expect(password.length).toBeGreaterThanOrEqual(14);
      expect(password).toMatch(/[a-z]/);
      expect(password).toMatch(/[A-Z]/);
      expect(password).toMatch(/[0-9]/);
      expect(password).toMatch(/[^A-Za-z0-9]/);
      expect(password).not.toMatch(/(.)\1/);
    }
  });

  it('should not repeat itself', () => {
    const seen = new Set(
      Array.from({ length: 200 }, () => generateRocketChatPassword()),
    );
    expect(seen.size).toBe(200);
  });
});
