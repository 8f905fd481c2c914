import { BlockList, isIPv4, isIPv6 } from 'node:net';

/** proxy-addr's names (as Fastify's trustProxy reads TRUST_PROXY), as ranges. */
const NAMED: Record<string, readonly string[]> = {
  loopback: ['127.0.0.1/8', '::1/128'],
  linklocal: ['169.254.0.0/16', 'fe80::/10'],
  uniquelocal: ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', 'fc00::/7'],
};

/**
 * The TRUST_PROXY entries (validated addresses, CIDR ranges and names) as a test of the request's
 * *peer*, the socket's remote address: a header set by the proxy is believed only when the proxy
 * itself is the peer, never because of what X-Forwarded-For says.
 */
export class TrustedPeers {
  private readonly list = new BlockList();

  constructor(entries: readonly string[]) {
    for (const entry of entries) {
      for (const range of NAMED[entry.toLowerCase()] ?? [entry]) {
        const [address, prefix] = range.split('/');
        const type = isIPv6(address) ? 'ipv6' : 'ipv4';
        if (prefix === undefined) {
          this.list.addAddress(address, type);
        } else {
          this.list.addSubnet(address, Number(prefix), type);
        }
      }
    }
  }

  has(peer: string | undefined): boolean {
    if (!peer) {
      return false;
    }
    // An IPv4 peer on a dual-stack socket comes as ::ffff:a.b.c.d.
    const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(peer);
    const address = mapped ? mapped[1] : peer;
    if (isIPv4(address)) {
      return this.list.check(address, 'ipv4');
    }
    return isIPv6(address) && this.list.check(address, 'ipv6');
  }
}
