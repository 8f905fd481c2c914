/**
 * The page colours derived from the operator's two brand colours (BRAND_PRIMARY_COLOR,
 * BRAND_BACKGROUND_COLOR), for the light and the dark scheme, each moved just as far as needed to
 * meet WCAG 2.2 AA against the card the page's text sits on (login.css): any colour an operator
 * picks gives a readable page. Pure functions: `#rrggbb` in, `#rrggbb` out.
 */

/** login.css's card colours, which the derived colours must contrast with. */
export const CARD = { light: '#ffffff', dark: '#1e2227' } as const;
/** Text on a light button (and the dark scheme's buttons). */
export const DARK_TEXT = '#111418';
export const LIGHT_TEXT = '#ffffff';

/** WCAG 2.2 AA for normal text (1.4.3). */
export const TEXT_CONTRAST = 4.5;
/** Above this luminance a button gets dark text; below it white text (on a darkened colour). */
const LIGHT_BUTTON_LUMINANCE = 0.3;
/** The dark scheme's page background: the brand background's hue, nearly black. */
const DARK_BACKGROUND_LUMINANCE = 0.005;

export interface SchemeColors {
  /** Buttons and the focus ring. */
  readonly primary: string;
  /** Text on `primary`. */
  readonly onPrimary: string;
  /** Links and secondary buttons' text, on the card. */
  readonly link: string;
  /** The page behind the card. */
  readonly background: string;
}

export interface BrandPalette {
  readonly light: SchemeColors;
  readonly dark: SchemeColors;
}

export function brandPalette(
  primary: string,
  background: string,
): BrandPalette {
  const lightLink = towards(primary, '#000000', (c) =>
    meets(c, CARD.light, TEXT_CONTRAST),
  );
  const lightButton =
    luminance(primary) > LIGHT_BUTTON_LUMINANCE
      ? { primary: normalize(primary), onPrimary: DARK_TEXT }
      : {
          primary: towards(primary, '#000000', (c) =>
            meets(c, LIGHT_TEXT, TEXT_CONTRAST),
          ),
          onPrimary: LIGHT_TEXT,
        };
  // Dark scheme: the colour lightened until it reads on the dark card; buttons then take dark text.
  const darkLink = towards(primary, '#ffffff', (c) =>
    meets(c, CARD.dark, TEXT_CONTRAST),
  );
  return {
    light: {
      ...lightButton,
      link: lightLink,
      background: normalize(background),
    },
    dark: {
      primary: darkLink,
      onPrimary: meets(darkLink, DARK_TEXT, TEXT_CONTRAST)
        ? DARK_TEXT
        : LIGHT_TEXT,
      link: darkLink,
      background: towards(
        background,
        '#000000',
        (c) => luminance(c) <= DARK_BACKGROUND_LUMINANCE,
      ),
    },
  };
}

/** WCAG's contrast ratio of two colours, 1 to 21. */
export function contrastRatio(a: string, b: string): number {
  const [light, dark] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (light + 0.05) / (dark + 0.05);
}

/** WCAG's relative luminance of an sRGB colour. */
export function luminance(color: string): number {
  const [r, g, b] = channels(color).map((c) => {
    const s = c / 255;
    return s <= 0.04045 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

/** `#rgb` or `#rrggbb` as lower-case `#rrggbb`. */
export function normalize(color: string): string {
  return hex(channels(color));
}

function meets(a: string, b: string, ratio: number): boolean {
  return contrastRatio(a, b) >= ratio;
}

/**
 * `from` mixed with `to` just enough for `good` to hold (the hue stays; mixing with black or white
 * changes luminance monotonically, so a binary search finds the least mix). `to` itself if no mix
 * does.
 */
function towards(
  from: string,
  to: string,
  good: (color: string) => boolean,
): string {
  if (good(normalize(from))) {
    return normalize(from);
  }
  const a = channels(from);
  const b = channels(to);
  const mix = (t: number): string =>
    hex(a.map((c, i) => Math.round(c + (b[i] - c) * t)));
  let low = 0;
  let high = 1;
  for (let i = 0; i < 20; i++) {
    const middle = (low + high) / 2;
    if (good(mix(middle))) {
      high = middle;
    } else {
      low = middle;
    }
  }
  // Rounding to whole channel values can land just short: step on until it holds.
  for (let t = high; t <= 1; t += 0.002) {
    if (good(mix(t))) {
      return mix(t);
    }
  }
  return mix(1);
}

function channels(color: string): [number, number, number] {
  const match = /^#?([0-9a-f]{3}|[0-9a-f]{6})$/i.exec(color.trim());
  if (!match) {
    throw new Error(`not a #rgb or #rrggbb colour: ${color}`);
  }
  const digits =
    match[1].length === 3 ? match[1].replace(/./g, (d) => d + d) : match[1];
  return [0, 2, 4].map((i) => parseInt(digits.slice(i, i + 2), 16)) as [
    number,
    number,
    number,
  ];
}

function hex(values: readonly number[]): string {
  return `#${values.map((v) => v.toString(16).padStart(2, '0')).join('')}`;
}
