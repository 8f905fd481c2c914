/** Who is logging in, as far as the audit trail and the per-address limits care. */
export interface LoginClient {
  /** Fastify's `request.ip`: the peer, or the forwarded client behind a trusted proxy. */
  readonly ip: string | undefined;
  readonly userAgent: string | undefined;
}
