import { randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { Clock } from '../common/index.js';
import { ThrottleRepository } from './throttle.repository.js';

export interface AccountState {
  /** Part of every counter key of the account: a new one starts counting from zero. */
  readonly generation: string;
  readonly lockedUntil: number | undefined;
  readonly lockLevel: number;
  readonly lastLockAt: number | undefined;
}

/** The generation of a subject that has no head yet. */
const INITIAL_GENERATION = '0';
/** Consecutive locks within this time escalate (Keycloak forgets failures after 12 h). */
export const LOCK_ESCALATION_MEMORY_MS = 24 * 3600 * 1000;
/**
 * How long an address's head is kept: longer than twice the longest window of any address counter
 * (at most a day each), so a swept head never lets old slots of generation "0" count again.
 */
const ADDRESS_HEAD_LIFETIME_MS = 2 * 24 * 3600 * 1000 + 60_000;
/** Other replicas see an address cleared by the CLI within this time. */
const ADDRESS_GENERATION_CACHE_MS = 5000;
const MAX_CACHED_ADDRESSES = 20_000;

const accountHead = (key: string): string => `h|a|${key}`;
const addressHead = (key: string): string => `h|i|${key}`;

/**
 * The head records of accounts and client addresses: their generation (resets start a new one:
 * a success, an operator's clear, a lock) and an account's lock. Accounts are read fresh on
 * every attempt (a success on another replica must reset them at once); an address's generation
 * is cached for a few seconds, since its counters sit on every request's path.
 */
@Injectable()
export class ThrottleSubjects {
  private readonly addressGenerations = new Map<
    string,
    { generation: string; readAt: number }
  >();

  constructor(
    private readonly repository: ThrottleRepository,
    private readonly clock: Clock,
  ) {}

  async account(key: string): Promise<AccountState> {
    const head = await this.repository.readHead(accountHead(key));
    const now = this.clock.now();
    if (!head || head.expiresAt.getTime() <= now) {
      return {
        generation: INITIAL_GENERATION,
        lockedUntil: undefined,
        lockLevel: 0,
        lastLockAt: undefined,
      };
    }
    return {
      generation: head.generation ?? INITIAL_GENERATION,
      lockedUntil: head.lockedUntil?.getTime(),
      lockLevel: head.lockLevel ?? 0,
      lastLockAt: head.lastLockAt?.getTime(),
    };
  }

  /** Locks an account until `until`, in a new generation (the count restarts after the lock). */
  async lockAccount(
    key: string,
    until: number,
    level: number,
    windowMs: number,
  ): Promise<void> {
    const now = this.clock.now();
    await this.repository.writeHead(accountHead(key), 'account', key, {
      generation: newGeneration(),
      lockedUntil: new Date(until),
      lockLevel: level,
      lastLockAt: new Date(now),
      updatedAt: new Date(now),
      expiresAt: new Date(
        Math.max(until, now + LOCK_ESCALATION_MEMORY_MS, now + 2 * windowMs) +
          60_000,
      ),
    });
  }

  /** Forgets the account's failures and locks (a success, or an operator's clear). */
  async resetAccount(key: string, windowMs: number): Promise<void> {
    const now = this.clock.now();
    await this.repository.writeHead(
      accountHead(key),
      'account',
      key,
      {
        generation: newGeneration(),
        lockLevel: 0,
        updatedAt: new Date(now),
        expiresAt: new Date(now + 2 * windowMs + 60_000),
      },
      ['lockedUntil', 'lastLockAt'],
    );
  }

  async addressGeneration(key: string): Promise<string> {
    const now = this.clock.now();
    const cached = this.addressGenerations.get(key);
    if (cached && now - cached.readAt < ADDRESS_GENERATION_CACHE_MS) {
      return cached.generation;
    }
    const head = await this.repository.readHead(addressHead(key));
    const generation =
      head && head.expiresAt.getTime() > now
        ? (head.generation ?? INITIAL_GENERATION)
        : INITIAL_GENERATION;
    if (this.addressGenerations.size >= MAX_CACHED_ADDRESSES) {
      this.addressGenerations.clear();
    }
    this.addressGenerations.set(key, { generation, readAt: now });
    return generation;
  }

  /** Records that an address is over its failure budget, for `rc-bridge locks list`. */
  async markAddressThrottled(key: string, until: number): Promise<void> {
    const now = this.clock.now();
    await this.repository.writeHead(addressHead(key), 'address', key, {
      throttledUntil: new Date(until),
      updatedAt: new Date(now),
      expiresAt: new Date(Math.max(until, now) + ADDRESS_HEAD_LIFETIME_MS),
    });
  }

  /** Forgets every counter of an address (failures and rate limits). */
  async clearAddress(key: string): Promise<void> {
    const now = this.clock.now();
    await this.repository.writeHead(
      addressHead(key),
      'address',
      key,
      {
        generation: newGeneration(),
        updatedAt: new Date(now),
        expiresAt: new Date(now + ADDRESS_HEAD_LIFETIME_MS),
      },
      ['throttledUntil'],
    );
    this.addressGenerations.delete(key);
  }
}

function newGeneration(): string {
  return randomBytes(6).toString('base64url');
}
