import { isIPv4, isIPv6 } from 'node:net';

/**
 * The key per-address limits count under, from Fastify's `request.ip` (the peer, or the
 * `X-Forwarded-For` client when the peer is a trusted proxy): an IPv4 address as is (also when
 * written IPv4-mapped, `::ffff:192.0.2.1`), an IPv6 address as its /64 network, because one
 * host usually owns a whole /64 and could otherwise rotate addresses past every limit.
 */
export function addressKey(ip: string | undefined): string {
  if (ip === undefined || ip === '') {
    return 'unknown';
  }
  const bare = ip.replace(/^\[|\]$/g, '').replace(/%.*$/, '');
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(bare);
  if (mapped && isIPv4(mapped[1])) {
    return mapped[1];
  }
  if (isIPv4(bare)) {
    return bare;
  }
  if (isIPv6(bare)) {
    const groups = expandIpv6(bare);
    return `${groups.slice(0, 4).join(':')}::/64`;
  }
  // Not an address (a test double, a unix socket): one shared key, never the raw text.
  return 'unknown';
}

/** The eight 16-bit groups of an IPv6 address, lower-case hex without leading zeros. */
function expandIpv6(address: string): string[] {
  let text = address.toLowerCase();
  const v4 = /(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(text);
  if (v4) {
    const [a, b, c, d] = v4.slice(1).map(Number);
    text = `${text.slice(0, v4.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, tail] = text.split('::');
  const left = head ? head.split(':') : [];
  const right = tail !== undefined && tail !== '' ? tail.split(':') : [];
  const fill =
    tail === undefined
      ? []
      : Array.from({ length: 8 - left.length - right.length }, () => '0');
  return [...left, ...fill, ...right].map((group) =>
    Number.parseInt(group, 16).toString(16),
  );
}
