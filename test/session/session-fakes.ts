import type { FastifyReply, FastifyRequest } from 'fastify';

/** A request carrying only a Cookie header, for calling SessionService directly. */
export function requestWith(cookie?: string): FastifyRequest {
  return { headers: cookie ? { cookie } : {} } as FastifyRequest;
}

/** A reply that only collects Set-Cookie lines. */
export function collectingReply(): FastifyReply & { setCookies(): string[] } {
  const headers = new Map<string, unknown>();
  const reply = {
    getHeader: (name: string) => headers.get(name),
    removeHeader: (name: string) => {
      headers.delete(name);
      return reply;
    },
    header: (name: string, value: unknown) => {
      headers.set(name, value);
      return reply;
    },
    setCookies: () => (headers.get('set-cookie') as string[] | undefined) ?? [],
  };
  return reply as unknown as FastifyReply & { setCookies(): string[] };
}

/** `name=value` of the first Set-Cookie line for `name`, ready for a Cookie header. */
export function cookiePair(
  setCookies: readonly string[],
  name: string,
): string | undefined {
  const line = setCookies.find((l) => l.startsWith(`${name}=`));
  return line?.split(';')[0];
}
