import type { TokenStrategyName } from '../../config/index.js';
import type { MintedToken } from './login-token.js';

/** One way of giving a bridge user a Rocket.Chat login (see ROCKETCHAT_TOKEN_STRATEGY). */
export interface TokenStrategy {
  readonly name: TokenStrategyName;
  /** The one field of the API URL's answer: `loginToken` (resume token) or `token` (iframe token). */
  readonly responseField: 'loginToken' | 'token';
  mint(rcUserId: string): Promise<MintedToken>;
  /** Ends that login; also resolves when Rocket.Chat had already dropped the token. */
  revoke(rcUserId: string, token: string): Promise<void>;
}
