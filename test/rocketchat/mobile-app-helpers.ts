/** A current iPhone's Safari (no client hints). */
export const IPHONE_SAFARI =
  'Mozilla/5.0 (iPhone; CPU iPhone OS 18_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.5 Mobile/15E148 Safari/604.1';
export const DESKTOP_CHROME =
  'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/138.0.0.0 Safari/537.36';

/** The headers of a top-level navigation (the post-login page opened directly). */
export function topLevel(userAgent: string): Record<string, string> {
  return {
    'sec-fetch-dest': 'document',
    'sec-fetch-mode': 'navigate',
    'user-agent': userAgent,
  };
}

const ENTITIES: Record<string, string> = {
  '&amp;': '&',
  '&#x3D;': '=',
  '&#x27;': "'",
  '&quot;': '"',
  '&#x60;': '`',
  '&lt;': '<',
  '&gt;': '>',
};

/** The "Open in the Rocket.Chat app" link of a page, as the browser reads the attribute. */
export function appLinkOf(html: string): URL | undefined {
  const raw = /<a [^>]*id="rc-app-link" href="([^"]*)"/.exec(html)?.[1];
  return raw === undefined
    ? undefined
    : new URL(
        raw.replace(/&(?:amp|#x3D|#x27|quot|#x60|lt|gt);/g, (e) => ENTITIES[e]),
      );
}
