import { isIPv4, isIPv6 } from 'node:net';
import ipaddr from 'ipaddr.js';

/**
 * The key per-address limits count under, from Fastify's `request.ip` (the peer, or the
 * `X-Forwarded-For` client when the peer is a trusted proxy): an IPv4 address as is (also when
 * written IPv4-mapped, `::ffff:192.0.2.1` or `::ffff:c000:201`), an IPv6 address as its /64
 * network, because one host usually owns a whole /64 and could otherwise rotate addresses past
 * every limit. node:net decides what is an address: ipaddr.js alone would also read `127.1` or
 * `0x7f.0.0.1` (inet_aton forms) as IPv4.
 */
export function addressKey(ip: string | undefined): string {
  if (ip === undefined || ip === '') {
    return 'unknown';
  }
  const bare = ip.replace(/^\[|\]$/g, '').replace(/%.*$/, '');
  if (isIPv4(bare)) {
    return bare;
  }
  if (!isIPv6(bare)) {
    // Not an address (a test double, a unix socket): one shared key, never the raw text.
    return 'unknown';
  }
  const address = ipaddr.IPv6.parse(bare);
  if (address.isIPv4MappedAddress()) {
    return address.toIPv4Address().toString();
  }
  const network = address.parts.slice(0, 4).map((part) => part.toString(16));
  return `${network.join(':')}::/64`;
}
