import { ROOM_PERMISSIONS } from './room-access.js';
import type { EmulatedVersion } from './version.js';

export type SettingValue = string | number | boolean;

export interface SettingDefinition {
  readonly _id: string;
  readonly packageValue: SettingValue;
  readonly type: 'boolean' | 'string' | 'int' | 'code' | 'select';
  readonly public: boolean;
  /** A select's keys (the admin UI offers only these; REST writes are not checked against them). */
  readonly values?: readonly string[];
}

function def(
  _id: string,
  packageValue: SettingValue,
  isPublic = false,
): SettingDefinition {
  const type =
    typeof packageValue === 'boolean'
      ? 'boolean'
      : typeof packageValue === 'number'
        ? 'int'
        : 'string';
  return { _id, packageValue, type, public: isPublic };
}

/** Rocket.Chat's defaults for the settings the bridge and the web client touch (protocol doc §1, §5). */
export function defaultSettings(version: EmulatedVersion): SettingDefinition[] {
  // The password policy is on with a 14-character minimum from 8.0; older defaults are off / 7.
  const policyOn = version.major >= 8;
  return [
    def('Site_Url', 'http://localhost:3000', true),
    def('Site_Name', 'Rocket.Chat', true),
    def('Language', 'en', true),
    // Accounts > Iframe (protocol doc §1)
    def('Accounts_iframe_enabled', false, true),
    def('Accounts_iframe_url', '', true),
    def('Accounts_Iframe_api_url', '', true),
    // A select (POST, GET) in `apps/meteor/server/settings/accounts.ts` @78e0dc31 (section
    // Accounts_Section_Login_Integrations_Iframe); modelled as such from 9.0, a string before.
    version.major >= 9
      ? {
          ...def('Accounts_Iframe_api_method', 'POST', true),
          type: 'select',
          values: ['POST', 'GET'],
        }
      : def('Accounts_Iframe_api_method', 'POST', true),
    // General > Iframe Integration
    def('Iframe_Integration_send_enable', false, true),
    def('Iframe_Integration_send_target_origin', '*', true),
    def('Iframe_Integration_receive_enable', false, true),
    def('Iframe_Integration_receive_origin', '*', true),
    def('Iframe_Restrict_Access', true),
    def('Iframe_X_Frame_Options', 'sameorigin'),
    // Custom scripts (fired as window events by the web client)
    {
      ...def('Custom_Script_On_Logout', '//Add your script', true),
      type: 'code',
    },
    {
      ...def('Custom_Script_Logged_Out', '//Add your script', true),
      type: 'code',
    },
    {
      ...def('Custom_Script_Logged_In', '//Add your script', true),
      type: 'code',
    },
    // Login and tokens
    def('Accounts_LoginExpiration', 90, true),
    def('Accounts_RequireNameForSignUp', true, true),
    def('Accounts_EmailVerification', false, true),
    def('Accounts_AllowAnonymousRead', false, true),
    def('UTF8_User_Names_Validation', '[0-9a-zA-Z-_.]+', true),
    def('LDAP_Enable', false, true),
    // Two-factor authentication (protocol doc §4.2, §5.2)
    def('Accounts_TwoFactorAuthentication_Enabled', true, true),
    def('Accounts_TwoFactorAuthentication_By_Email_Enabled', true, true),
    def('Accounts_TwoFactorAuthentication_By_Email_Auto_Opt_In', true, true),
    def('Accounts_TwoFactorAuthentication_By_Email_Code_Expiration', 3600),
    def(
      'Accounts_TwoFactorAuthentication_Enforce_Password_Fallback',
      true,
      true,
    ),
    def('Accounts_TwoFactorAuthentication_RememberFor', 1800),
    // Password policy
    def('Accounts_Password_Policy_Enabled', policyOn, true),
    def('Accounts_Password_Policy_MinLength', policyOn ? 14 : 7, true),
    def('Accounts_Password_Policy_MaxLength', -1, true),
    def('Accounts_Password_Policy_ForbidRepeatingCharacters', true, true),
    def('Accounts_Password_Policy_ForbidRepeatingCharactersCount', 3, true),
    def('Accounts_Password_Policy_AtLeastOneLowercase', true, true),
    def('Accounts_Password_Policy_AtLeastOneUppercase', true, true),
    def('Accounts_Password_Policy_AtLeastOneNumber', true, true),
    def('Accounts_Password_Policy_AtLeastOneSpecialCharacter', true, true),
    // REST rate limiter (protocol doc §5.1)
    def('API_Enable_Rate_Limiter', true),
    def('API_Enable_Rate_Limiter_Dev', true),
    def('API_Enable_Rate_Limiter_Limit_Calls_Default', 10),
    def('API_Enable_Rate_Limiter_Limit_Time_Default', 60_000),
  ];
}

/** Rocket.Chat's default roles. */
export const DEFAULT_ROLES = [
  'admin',
  'moderator',
  'leader',
  'owner',
  'user',
  'bot',
  'app',
  'guest',
  'anonymous',
  'livechat-agent',
  'livechat-manager',
  'livechat-monitor',
];

/** Default permission -> roles for what the bridge and these endpoints use. */
export function defaultPermissions(): Record<string, string[]> {
  return {
    'create-user': ['admin'],
    'edit-other-user-info': ['admin'],
    'edit-other-user-avatar': ['admin'],
    'edit-other-user-password': ['admin'],
    'edit-other-user-active-status': ['admin'],
    'manage-moderation-actions': ['admin'],
    'assign-admin-role': ['admin'],
    'delete-user': ['admin'],
    'logout-other-user': ['admin'],
    'user-generate-access-token': ['admin'],
    'create-personal-access-tokens': ['admin', 'user'],
    'api-bypass-rate-limit': ['admin', 'bot', 'app'],
    'view-full-other-user-info': ['admin'],
    'view-other-user-channels': ['admin'],
    'view-privileged-setting': ['admin'],
    'edit-privileged-setting': ['admin'],
    'get-server-info': ['admin'],
    'view-statistics': ['admin'],
    'view-d-room': ['admin', 'owner', 'moderator', 'user', 'bot', 'app'],
    'view-c-room': ['admin', 'user', 'bot', 'app', 'anonymous'],
    ...ROOM_PERMISSIONS,
  };
}
