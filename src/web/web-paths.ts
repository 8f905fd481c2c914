import { fileURLToPath } from 'node:url';

/**
 * The repository (or image) root: `src/web` and `dist/web` are both two levels
 * below it, next to the built-in `views/`, `public/` and `locales/`.
 */
const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export const BUILTIN_VIEWS_DIR = `${ROOT}views`;
export const BUILTIN_ASSETS_DIR = `${ROOT}public`;
export const BUILTIN_LOCALES_DIR = `${ROOT}locales`;

/** Where pages link their assets (`/assets/login.css`); the operator's `assets/` wins file by file. */
export const ASSETS_PREFIX = '/assets';
