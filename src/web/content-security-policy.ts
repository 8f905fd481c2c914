/**
 * The Content-Security-Policy of the bridge's HTML pages: nothing but the page's own stylesheet,
 * images and forms, and inline `<script>`/`<style>` only with this response's nonce. The frame
 * policy hook appends `frame-ancestors` (the Rocket.Chat origins on frameable routes, else
 * 'none'). `imageSources` lets a configured https logo in.
 */
export function pageContentSecurityPolicy(
  nonce: string,
  imageSources: readonly string[] = [],
): string {
  return [
    "default-src 'none'",
    `script-src 'nonce-${nonce}'`,
    `style-src 'self' 'nonce-${nonce}'`,
    ['img-src', "'self'", 'data:', ...imageSources].join(' '),
    "font-src 'self'",
    "connect-src 'self'",
    "form-action 'self'",
    "base-uri 'none'",
    "object-src 'none'",
  ].join('; ');
}

/** Every response without a policy of its own (JSON, assets, redirects): it may load nothing. */
export const FALLBACK_CONTENT_SECURITY_POLICY =
  "default-src 'none'; base-uri 'none'; form-action 'none'";

/** The origin of an absolute https logo URL, for `img-src`; nothing for a path on the bridge. */
export function logoImageSources(logoUrl: string | undefined): string[] {
  if (logoUrl === undefined || logoUrl.startsWith('/')) {
    return [];
  }
  try {
    return [new URL(logoUrl).origin];
  } catch {
    return [];
  }
}
