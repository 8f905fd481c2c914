/**
 * Who made the request behind an event, as far as the audit trail cares: taken from the request
 * at the HTTP edge (api/request-client.ts), so no service sees the request itself.
 */
export interface RequestClient {
  /** Fastify's `request.ip`: the peer, or the forwarded client behind a trusted proxy. */
  readonly ip: string | undefined;
  readonly userAgent: string | undefined;
}
