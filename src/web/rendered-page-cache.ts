import { randomToken } from '../common/index.js';

/** Per-request values may only use these characters: they are spliced in without escaping. */
const SAFE_VOLATILE = /^[A-Za-z0-9_-]*$/;

interface Shell {
  /** Literal HTML and placeholder names, alternating: literal, name, literal, name, ..., literal. */
  readonly parts: readonly string[];
}

/**
 * Rendered pages whose only per-request content is a few tokens (the CSRF token, the CSP nonce):
 * the page is rendered once with unguessable markers in their place, then each request splices its
 * own values in. Rendering was most of the login page's cost, and the login page is the busiest.
 * Bounded: when full, the cache starts over (keys include the validated `next`, which visitors
 * choose).
 */
export class RenderedPageCache {
  private readonly shells = new Map<string, Shell>();
  private readonly marker = `rcbv${randomToken(12)}`;

  constructor(private readonly maxEntries = 256) {}

  get size(): number {
    return this.shells.size;
  }

  render(
    key: string,
    volatile: Readonly<Record<string, string>>,
    renderWith: (values: Readonly<Record<string, string>>) => string,
  ): string {
    const names = Object.keys(volatile);
    for (const name of names) {
      if (!SAFE_VOLATILE.test(volatile[name])) {
        throw new Error(
          `Per-request value ${name} has characters that need escaping`,
        );
      }
    }
    let shell = this.shells.get(key);
    if (!shell) {
      shell = this.build(names, renderWith);
      if (this.shells.size >= this.maxEntries) {
        this.shells.clear();
      }
      this.shells.set(key, shell);
    }
    let html = shell.parts[0];
    for (let i = 1; i < shell.parts.length; i += 2) {
      html += volatile[shell.parts[i]] + shell.parts[i + 1];
    }
    return html;
  }

  private build(
    names: readonly string[],
    renderWith: (values: Readonly<Record<string, string>>) => string,
  ): Shell {
    const markers: Record<string, string> = {};
    for (const name of names) {
      markers[name] = `${this.marker}${name.replace(/[^A-Za-z0-9]/g, '')}x`;
    }
    const html = renderWith(markers);
    const byMarker = new Map(names.map((name) => [markers[name], name]));
    const pattern = new RegExp(`(${[...byMarker.keys()].join('|')})`);
    const pieces = byMarker.size > 0 ? html.split(pattern) : [html];
    return {
      parts: pieces.map((piece, i) =>
        i % 2 === 1 ? byMarker.get(piece)! : piece,
      ),
    };
  }
}
