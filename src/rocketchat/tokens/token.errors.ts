/**
 * Rocket.Chat will not issue login tokens the way the bridge is configured to ask: an operator
 * has to change a setting. The message says which (it is logged; users see a generic page).
 */
export class TokenMintingRefusedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TokenMintingRefusedError';
  }
}

/** Rocket.Chat's database (MONGO_DB) failed or is unreachable: try again later (503). */
export class RocketChatDatabaseError extends Error {
  constructor(operation: string, reason: string) {
    super(`Rocket.Chat's database (MONGO_DB): ${operation} failed (${reason})`);
    this.name = 'RocketChatDatabaseError';
  }
}
