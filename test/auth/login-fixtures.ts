import { EventEmitter2 } from '@nestjs/event-emitter';
import { UserAdminService, UsersRepository } from '../../src/users/index.js';
import type { Env } from '../../src/config/index.js';
import { SessionEndedEvent } from '../../src/session/index.js';
import { createTestApp, type TestApp } from '../support/app.js';

export const PUBLIC_ORIGIN = 'http://localhost:8000';
export const DEFAULT_TARGET = `${PUBLIC_ORIGIN}/rocketchat/redirect`;
export const SESSION_COOKIE = '__Host-rcbridge_session';
export const LOGIN_COOKIE = '__Host-rcbridge_session_login';
export const PASSWORD = 'correct horse battery staple';

export interface LoginApp extends TestApp {
  readonly users: { alice: string; dora: string };
  readonly events: SessionEndedEvent[];
}

/**
 * The real app with two users: alice (active, display name "Alice Liddell") and dora (disabled),
 * both with PASSWORD; every `session.ended` event is collected.
 */
export async function createLoginApp(
  label: string,
  env: Env = {},
): Promise<LoginApp> {
  const t = await createTestApp({ label, env });
  const admin = t.app.get(UserAdminService);
  const alice = await admin.create({
    username: 'alice',
    password: PASSWORD,
    displayName: 'Alice Liddell',
    email: 'alice@example.org',
  });
  const dora = await admin.create({ username: 'dora', password: PASSWORD });
  await t.app.get(UsersRepository).setActive(dora.id, false);
  const events: SessionEndedEvent[] = [];
  t.app
    .get(EventEmitter2)
    .on(SessionEndedEvent.eventName, (event: SessionEndedEvent) =>
      events.push(event),
    );
  return { ...t, users: { alice: alice.id, dora: dora.id }, events };
}

/** The page body without the per-render nonce, to compare two renders byte for byte. */
export function stable(html: string): string {
  return html.replace(/nonce="[^"]*"/g, 'nonce=""');
}
