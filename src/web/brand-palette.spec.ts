import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  CARD,
  brandPalette,
  contrastRatio,
  luminance,
  type SchemeColors,
} from './brand-palette.js';
import { BUILTIN_ASSETS_DIR } from './web-paths.js';

type Scheme = 'light' | 'dark';

/** The custom properties login.css sets for each scheme (the dark block overrides the light one). */
function shippedColours(): Record<Scheme, Record<string, string>> {
  const css = readFileSync(`${BUILTIN_ASSETS_DIR}/login.css`, 'utf8');
  const block = (text: string): Record<string, string> =>
    Object.fromEntries(
      [...text.matchAll(/--([a-z-]+):\s*(#[0-9a-f]{6})\s*;/gi)].map((m) => [
        m[1],
        m[2].toLowerCase(),
      ]),
    );
  const darkAt = css.indexOf('@media (prefers-color-scheme: dark)');
  const light = block(css.slice(css.indexOf(':root'), darkAt));
  const darkBlock = css.slice(darkAt, css.indexOf('\n}\n', darkAt));
  return { light, dark: { ...light, ...block(darkBlock) } };
}

/** Every text/surface pair the page shows, with the ratio WCAG 2.2 AA asks of it. */
function pairs(c: Record<string, string>): [string, string, string, number][] {
  return [
    ['text on the card', c.text, c.card, 4.5],
    ['muted text on the card', c.muted, c.card, 4.5],
    ['typed text in a field', c.text, c.field, 4.5],
    ['links and secondary buttons on the card', c['brand-link'], c.card, 4.5],
    [
      'button text on the button',
      c['brand-on-primary'],
      c['brand-primary'],
      4.5,
    ],
    ['error title on the error box', c.error, c['error-surface'], 4.5],
    ['text in the error box', c.text, c['error-surface'], 4.5],
    ['field borders on the card (1.4.11)', c.border, c.card, 3],
    ['field borders around the field (1.4.11)', c.border, c.field, 3],
    ['the focus ring on the card (1.4.11)', c['brand-link'], c.card, 3],
    ['an invalid field border (1.4.11)', c.error, c.card, 3],
  ];
}

function withBrand(
  shipped: Record<string, string>,
  brand: SchemeColors,
): Record<string, string> {
  return {
    ...shipped,
    'brand-primary': brand.primary,
    'brand-on-primary': brand.onPrimary,
    'brand-link': brand.link,
    'brand-background': brand.background,
  };
}

describe('colour contrast of the login page (WCAG 2.2 AA)', () => {
  const shipped = shippedColours();

  it('should compute WCAG contrast ratios', () => {
    expect(contrastRatio('#000000', '#ffffff')).toBeCloseTo(21, 5);
    expect(contrastRatio('#ffffff', '#ffffff')).toBe(1);
    expect(contrastRatio('#767676', '#ffffff')).toBeCloseTo(4.54, 2);
    expect(luminance('#fff')).toBe(1);
  });

  it.each(['light', 'dark'] as const)(
    'should ship %s colours whose every pair meets AA',
    (scheme) => {
      const colours = shipped[scheme];
      expect(colours.card).toBe(CARD[scheme]);
      const failing = pairs(colours)
        .map(([what, fg, bg, min]) => ({
          what,
          ratio: Math.round(contrastRatio(fg, bg) * 100) / 100,
          min,
        }))
        .filter((p) => p.ratio < p.min);
      expect(failing).toEqual([]);
    },
  );

  it("should ship the default brand colours' derived palette as the stylesheet's fallback", () => {
    // The app's defaults: BRAND_PRIMARY_COLOR=#1d74f5, BRAND_BACKGROUND_COLOR=#f2f3f5.
    const palette = brandPalette('#1d74f5', '#f2f3f5');
    for (const scheme of ['light', 'dark'] as const) {
      expect(withBrand(shipped[scheme], palette[scheme])).toEqual(
        shipped[scheme],
      );
    }
    // Rocket.Chat's blue with white text is 4.31:1; the button moves just enough.
    expect(contrastRatio('#1d74f5', '#ffffff')).toBeLessThan(4.5);
    expect(palette.light.primary).not.toBe('#1d74f5');
    expect(contrastRatio(palette.light.primary, '#1d74f5')).toBeLessThan(1.1);
  });

  it('should keep every pair at AA in both schemes for any brand colours an operator sets', () => {
    const steps = [0x00, 0x33, 0x66, 0x99, 0xcc, 0xff];
    const colours = steps.flatMap((r) =>
      steps.flatMap((g) =>
        steps.map(
          (b) =>
            `#${[r, g, b].map((v) => v.toString(16).padStart(2, '0')).join('')}`,
        ),
      ),
    );
    const failing: string[] = [];
    for (const primary of [...colours, '#1d74f5', '#f5455c', '#2de0a5']) {
      const palette = brandPalette(primary, primary);
      for (const scheme of ['light', 'dark'] as const) {
        for (const [what, fg, bg, min] of pairs(
          withBrand(shipped[scheme], palette[scheme]),
        )) {
          if (contrastRatio(fg, bg) < min) {
            failing.push(`${primary} ${scheme}: ${what}`);
          }
        }
      }
      // The dark page background stays dark, whatever the light one.
      expect(luminance(palette.dark.background)).toBeLessThanOrEqual(0.005);
    }
    expect(failing).toEqual([]);
  });

  it('should leave a brand colour that already reads well untouched', () => {
    const palette = brandPalette('#aa0000', '#ABC');
    expect(palette.light).toEqual({
      primary: '#aa0000',
      onPrimary: '#ffffff',
      link: '#aa0000',
      background: '#aabbcc',
    });
  });
});
