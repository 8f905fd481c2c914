export type {
  AuthenticatedPerson,
  IdentitySourceKind,
} from './authenticated-person.js';
export { sourceOf } from './source-name.js';
