/**
 * "Same site" as browsers decide it for cookies: same scheme and same registrable domain (ports do
 * not count). Browsers use the Public Suffix List; shipping and updating that list (~250 KB) for
 * one advisory check is not worth a dependency, so this applies the list's default rule (the
 * registrable domain is the last two labels) plus the multi-label suffixes deployments meet in
 * practice: country second levels (`co.uk`, `com.au`…) and shared hosting (`github.io`…). A suffix
 * missing here can only make the doctor's same-site line wrong, never the service.
 */

/** Public suffixes of more than one label (each entry makes the label before it registrable). */
const MULTI_LABEL_SUFFIXES = new Set([
  // Country second levels.
  ...['ac', 'co', 'gov', 'ltd', 'me', 'net', 'nhs', 'org', 'plc', 'sch'].map(
    (l) => `${l}.uk`,
  ),
  ...['asn', 'com', 'edu', 'gov', 'id', 'net', 'org'].map((l) => `${l}.au`),
  ...['ac', 'co', 'geek', 'gen', 'govt', 'net', 'org', 'school'].map(
    (l) => `${l}.nz`,
  ),
  ...['ac', 'co', 'ed', 'go', 'gr', 'lg', 'ne', 'or'].map((l) => `${l}.jp`),
  ...['ac', 'co', 'go', 'ne', 'or', 're'].map((l) => `${l}.kr`),
  ...['com', 'edu', 'gov', 'net', 'org'].flatMap((l) =>
    [
      'ar',
      'br',
      'cn',
      'co',
      'eg',
      'hk',
      'mx',
      'my',
      'ng',
      'ph',
      'pk',
      'pl',
      'sa',
      'sg',
      'tr',
      'tw',
      'ua',
      'vn',
    ].map((cc) => `${l}.${cc}`),
  ),
  ...['ac', 'co', 'gov', 'net', 'org'].map((l) => `${l}.in`),
  ...['ac', 'co', 'gov', 'org'].map((l) => `${l}.za`),
  ...['ac', 'co', 'gov', 'org'].map((l) => `${l}.il`),
  ...['ac', 'co', 'go', 'or'].map((l) => `${l}.th`),
  ...['ac', 'co', 'or'].map((l) => `${l}.at`),
  'co.id',
  'com.es',
  'gob.es',
  'org.es',
  // Shared hosting: every customer host is its own site.
  'appspot.com',
  'azurewebsites.net',
  'cloudfront.net',
  'firebaseapp.com',
  'fly.dev',
  'github.io',
  'gitlab.io',
  'herokuapp.com',
  'netlify.app',
  'ngrok-free.app',
  'ngrok.io',
  'onrender.com',
  'pages.dev',
  'trycloudflare.com',
  'vercel.app',
  'web.app',
  'workers.dev',
]);

export interface Site {
  readonly scheme: string;
  /** The registrable domain, or the host itself for IP addresses and single-label names. */
  readonly site: string;
}

/** The site of an http(s) URL, as a browser's cookie rules see it. */
export function siteOf(url: string | URL): Site {
  const parsed = typeof url === 'string' ? new URL(url) : url;
  const scheme = parsed.protocol.replace(/:$/, '');
  const host = parsed.hostname.toLowerCase().replace(/\.$/, '');
  if (isIpAddress(host)) {
    return { scheme, site: host };
  }
  const labels = host.split('.');
  if (labels.length <= 2) {
    return { scheme, site: host };
  }
  const lastTwo = labels.slice(-2).join('.');
  const lastThree = labels.slice(-3).join('.');
  return {
    scheme,
    site: MULTI_LABEL_SUFFIXES.has(lastTwo) ? lastThree : lastTwo,
  };
}

export function sameSite(a: string | URL, b: string | URL): boolean {
  const x = siteOf(a);
  const y = siteOf(b);
  return x.scheme === y.scheme && x.site === y.site;
}

function isIpAddress(host: string): boolean {
  return host.startsWith('[') || /^\d{1,3}(\.\d{1,3}){3}$/.test(host);
}
