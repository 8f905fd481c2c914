export {
  NO_LINKING,
  PersonSignIn,
  profileOf,
  type LinkPolicy,
} from './person-sign-in.service.js';
export { SignInRefusedError, type SignInRefusal } from './sign-in.errors.js';
