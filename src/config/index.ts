export type {
  AppConfig,
  LogFormat,
  LoggingConfig,
  LogLevel,
  MetricsConfig,
} from './app.config.js';
export { readLoggingSettings } from './app.config.js';
export type { Argon2Params, AuthConfig } from './auth.config.js';
export { ARGON2_FLOOR } from './auth.config.js';
export { ConfigModule, type ConfigModuleOptions } from './config.module.js';
export {
  CONFIG_NAMESPACES,
  loadConfig,
  loadConfigSubset,
  type ConfigSubset,
  processEnv,
  type AllConfig,
  type ConfigNamespace,
} from './configuration.js';
export { ConfigValidationError, type ConfigProblem, type Env } from './env.js';
export type {
  GroupMappingConfig,
  GroupMappingRule,
  GroupTargetKind,
} from './group-mapping.config.js';
export { InjectConfig } from './inject-config.decorator.js';
export type {
  LdapConfig,
  LdapDeprovisionMode,
  LdapFlavor,
  LdapGroupFormat,
  LdapGroupSettings,
  LdapGroupSource,
  LdapPolicy,
  LdapServerAddress,
  LdapSettings,
  PasswordSource,
} from './ldap.config.js';
export { splitUnescaped } from './ldap-syntax.js';
export type { MongoConfig } from './mongo.config.js';
export type {
  OidcAssertionAlg,
  OidcClaimNames,
  OidcClientAuth,
  OidcConfig,
  OidcProviderConfig,
  OidcTokenAuthMethod,
} from './oidc.config.js';
export { DEFAULT_PROVIDER_ID, providerVariable } from './oidc.config.js';
export type {
  AdminCredentials,
  LinkRule,
  LogoutMode,
  PostLoginMessage,
  ProvisioningConfig,
  RocketChatConfig,
  RocketChatHttpConfig,
  RocketChatVersion,
  SyncMode,
  TokenConfig,
  TokenStrategyName,
} from './rocketchat.config.js';
export type { SameSite, SessionConfig } from './session.config.js';
export type {
  AuditConfig,
  HttpSecurityConfig,
  LoginProtectionConfig,
  RateLimit,
} from './security.config.js';
export { decodeEncryptionKey } from './rocketchat-tokens.config.js';
export type { TrustedHeaderConfig } from './trusted-header.config.js';
