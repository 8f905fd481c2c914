export type {
  AuthenticatedPerson,
  IdentitySourceKind,
} from './authenticated-person.js';
export { sourceOf } from './source-name.js';
// OpenID Connect: the relying party, logout URLs and tokens, the doctor's probes (OidcModule).
export * from './oidc/index.js';
