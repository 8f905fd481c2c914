import { MeteorError } from './errors.js';
import type { EmulatorState } from './state.js';

export type PasswordPolicyErrorStyle = 'first' | 'aggregate';

interface Reason {
  error: string;
  message: string;
}

function reasons(state: EmulatorState, password: string): Reason[] {
  const out: Reason[] = [];
  const min = state.int('Accounts_Password_Policy_MinLength');
  const max = state.int('Accounts_Password_Policy_MaxLength');
  if (min >= 1 && password.length < min) {
    out.push({
      error: 'error-password-policy-not-met-minLength',
      message: 'The password does not meet the minimum length password policy.',
    });
  }
  if (max >= 1 && password.length > max) {
    out.push({
      error: 'error-password-policy-not-met-maxLength',
      message: 'The password does not meet the maximum length password policy.',
    });
  }
  const repeat = state.int(
    'Accounts_Password_Policy_ForbidRepeatingCharactersCount',
  );
  if (
    state.bool('Accounts_Password_Policy_ForbidRepeatingCharacters') &&
    new RegExp(`(.)\\1{${Math.max(repeat - 1, 1)},}`).test(password)
  ) {
    out.push({
      error: 'error-password-policy-not-met-repeatingCharacters',
      message:
        'The password contains repeating characters which is against the password policy.',
    });
  }
  const classes: [string, RegExp, string, string][] = [
    [
      'Accounts_Password_Policy_AtLeastOneLowercase',
      /[a-z]/,
      'oneLowercase',
      'lowercase character',
    ],
    [
      'Accounts_Password_Policy_AtLeastOneUppercase',
      /[A-Z]/,
      'oneUppercase',
      'uppercase character',
    ],
    [
      'Accounts_Password_Policy_AtLeastOneNumber',
      /[0-9]/,
      'oneNumber',
      'numerical character',
    ],
    [
      'Accounts_Password_Policy_AtLeastOneSpecialCharacter',
      /[^A-Za-z0-9]/,
      'oneSpecial',
      'special character',
    ],
  ];
  for (const [setting, regex, code, label] of classes) {
    if (state.bool(setting) && !regex.test(password)) {
      out.push({
        error: `error-password-policy-not-met-${code}`,
        message: `The password does not contain at least one ${label} which is against the password policy.`,
      });
    }
  }
  return out;
}

/**
 * Rocket.Chat's password policy. `first` throws the first failed rule as its own error type
 * (older servers); `aggregate` throws `error-password-policy-not-met` with every failed rule in
 * `details` (recent `PasswordPolicy`). Both start with `error-password-policy-not-met`.
 */
export function assertPasswordPolicy(
  state: EmulatorState,
  password: unknown,
  style: PasswordPolicyErrorStyle,
): void {
  const general =
    "The password provided does not meet the server's password policy.";
  if (typeof password !== 'string' || !password.trim()) {
    throw new MeteorError('error-password-policy-not-met', general);
  }
  if (!state.bool('Accounts_Password_Policy_Enabled')) {
    return;
  }
  const failed = reasons(state, password);
  if (failed.length === 0) {
    return;
  }
  if (style === 'first') {
    throw new MeteorError(failed[0].error, failed[0].message);
  }
  throw new MeteorError('error-password-policy-not-met', general, failed);
}
