import Fastify, {
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
} from 'fastify';
import type { Socket } from 'node:net';
import { EmulatorControl, RPC_METHODS, type RpcMethod } from './control.js';
import type { EmulatorCore } from './core/context.js';
import { describeFault } from './core/faults.js';
import { ApiRouter, runRoute } from './core/pipeline.js';
import { nativeTryLogin } from './page/mobile-app.js';
import { renderCustomScripts, renderPage } from './page/page.js';
import { authRoutes } from './routes/auth.routes.js';
import { avatarRoutes } from './routes/avatar.routes.js';
import { ddpCheck, ddpLogin, ddpLogout } from './routes/ddp.js';
import { rolesRoutes } from './routes/roles.routes.js';
import { roomsRoutes } from './routes/rooms.routes.js';
import { sessionsRoutes } from './routes/sessions.routes.js';
import { settingsRoutes } from './routes/settings.routes.js';
import { teamsRoutes } from './routes/teams.routes.js';
import { tokenRoutes } from './routes/tokens.routes.js';
import { usersRoutes } from './routes/users.routes.js';
import { applyFault } from './server-faults.js';

const JSON_HEADERS = {
  'content-type': 'application/json',
  'cache-control': 'no-store',
  pragma: 'no-cache',
};

function asObject(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {};
}

/** Meteor's client address: the socket, or `x-forwarded-for` per `HTTP_FORWARDED_COUNT`. */
function clientIp(request: FastifyRequest, forwardedCount: number): string {
  const socketIp = request.raw.socket.remoteAddress ?? '';
  const header = request.headers['x-forwarded-for'];
  if (forwardedCount <= 0 || typeof header !== 'string') {
    return socketIp;
  }
  const hops = header.split(',').map((s) => s.trim());
  return hops[hops.length - forwardedCount] ?? socketIp;
}

export interface ServerOptions {
  httpForwardedCount: number;
}

export function buildServer(
  core: EmulatorCore,
  control: EmulatorControl,
  options: ServerOptions,
): { app: FastifyInstance; hung: Set<Socket> } {
  const app = Fastify({
    logger: false,
    forceCloseConnections: true,
    bodyLimit: 1024 * 1024,
  });
  const hung = new Set<Socket>();
  const router = new ApiRouter();
  for (const route of [
    ...authRoutes,
    ...usersRoutes,
    ...tokenRoutes,
    ...settingsRoutes,
    ...sessionsRoutes,
    ...avatarRoutes,
    ...rolesRoutes,
    ...roomsRoutes,
    ...teamsRoutes,
  ]) {
    router.add(route);
  }

  // Rocket.Chat parses JSON and urlencoded bodies; anything unparsable becomes `{}`.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser(
    'application/json',
    { parseAs: 'string' },
    (_req, text, done) => {
      try {
        done(null, text === '' ? {} : JSON.parse(text as string));
      } catch {
        done(null, {});
      }
    },
  );
  app.addContentTypeParser(
    'application/x-www-form-urlencoded',
    { parseAs: 'string' },
    (_req, text, done) =>
      done(null, Object.fromEntries(new URLSearchParams(text as string))),
  );
  app.addContentTypeParser('*', { parseAs: 'string' }, (_req, _text, done) =>
    done(null, {}),
  );

  const record = (
    request: FastifyRequest,
    route: string | null,
    status: number,
    userId: string | null,
    started: number,
    fault: string | null,
  ) => {
    core.calls.add({
      method: request.method,
      path: request.url.split('?')[0],
      route,
      status,
      userId,
      ip: clientIp(request, options.httpForwardedCount),
      at: new Date(started),
      durationMs: Date.now() - started,
      fault,
    });
  };

  /** Shared by REST and DDP routes: injected faults first, then the real handler. */
  async function withFaults(
    request: FastifyRequest,
    reply: FastifyReply,
    route: string | null,
    isRest: boolean,
    handle: () => Promise<{ status: number; userId: string | null }>,
  ): Promise<void> {
    const started = Date.now();
    const fault = core.faults.take(route, request.method, isRest);
    const faultName = fault ? describeFault(fault.action) : null;
    if (fault) {
      const outcome = await applyFault(fault, route, request, reply, hung);
      if (outcome.kind === 'answered') {
        record(request, route, outcome.status, null, started, faultName);
        return;
      }
    }
    try {
      const { status, userId } = await handle();
      record(request, route, status, userId, started, faultName);
    } catch {
      // e.g. MongoDB unreachable: answer like Rocket.Chat's internal error, never the cause.
      if (!reply.sent) {
        await reply
          .code(500)
          .headers(JSON_HEADERS)
          .send(
            Buffer.from('{"success":false,"error":"Internal server error"}'),
          );
      }
      record(request, route, 500, null, started, faultName);
    }
  }

  app.all('/api/*', async (request, reply) => {
    const path = request.url.split('?')[0];
    if (request.method === 'OPTIONS') {
      return reply.code(200).header('content-type', 'text/plain').send('OK');
    }
    const matched = router.match(request.method, path);
    await withFaults(
      request,
      reply,
      matched?.definition.key ?? null,
      true,
      async () => {
        if (!matched) {
          await reply
            .code(404)
            .header('content-type', 'text/plain; charset=UTF-8')
            .send('404 Not Found');
          return { status: 404, userId: null };
        }
        const { result, userId } = await runRoute(core, matched, {
          method: request.method,
          path,
          query: asObject(request.query),
          body: asObject(request.body),
          headers: request.headers,
          ip: clientIp(request, options.httpForwardedCount),
        });
        await reply
          .code(result.statusCode)
          .headers({ ...JSON_HEADERS, ...result.headers })
          .send(Buffer.from(JSON.stringify(result.body)));
        return { status: result.statusCode, userId };
      },
    );
    return reply;
  });

  const ddp = { login: ddpLogin, logout: ddpLogout, check: ddpCheck };
  app.post<{ Params: { method: string } }>(
    '/_ddp/:method',
    async (request, reply) => {
      const method = request.params.method as keyof typeof ddp;
      const handler = Object.hasOwn(ddp, method) ? ddp[method] : undefined;
      await withFaults(
        request,
        reply,
        `ddp/${request.params.method}`,
        false,
        async () => {
          if (!handler) {
            await reply.code(404).send({
              error: { error: 404, reason: `Method '${method}' not found` },
            });
            return { status: 404, userId: null };
          }
          const answer = await handler(core, asObject(request.body));
          await reply
            .code(200)
            .headers(JSON_HEADERS)
            .send(Buffer.from(JSON.stringify(answer)));
          const result = 'result' in answer ? asObject(answer.result) : {};
          return {
            status: 200,
            userId: typeof result.id === 'string' ? result.id : null,
          };
        },
      );
      return reply;
    },
  );

  const page = async (request: FastifyRequest, reply: FastifyReply) => {
    const rendered = renderPage(core, asObject(request.query));
    await reply.code(200).headers(rendered.headers).send(rendered.html);
  };
  app.get('/', page);
  app.get('/home', page);
  // The mobile app's own API-URL request (page/mobile-app.ts), made for the page's mobile mode.
  app.post('/_app/try-iframe-login', async (request, reply) => {
    const body = asObject(request.body);
    const report = await nativeTryLogin(core, {
      platform: body.platform === 'ios' ? 'ios' : 'android',
      appVersion:
        typeof body.appVersion === 'string' ? body.appVersion : undefined,
    });
    await reply
      .code(200)
      .headers(JSON_HEADERS)
      .send(Buffer.from(JSON.stringify(report)));
    return reply;
  });
  app.get('/scripts.js', async (_request, reply) => {
    await reply
      .code(200)
      .headers({
        'content-type': 'application/javascript; charset=utf-8',
        'cache-control': 'no-store',
      })
      .send(renderCustomScripts(core));
  });

  app.post<{ Params: { method: string } }>(
    '/__emulator/rpc/:method',
    async (request, reply) => {
      const method = request.params.method as RpcMethod;
      if (!(RPC_METHODS as readonly string[]).includes(method)) {
        return reply
          .code(404)
          .send({ error: `unknown control method ${method}` });
      }
      const body = asObject(request.body);
      const args = Array.isArray(body.args) ? body.args : [];
      try {
        const fn = control[method] as (...a: unknown[]) => unknown;
        const result = await fn.apply(control, args);
        return reply.code(200).send({ result: result ?? null });
      } catch (error) {
        return reply.code(400).send({
          error: error instanceof Error ? error.message : String(error),
        });
      }
    },
  );

  app.setNotFoundHandler(async (_request, reply) => {
    await reply
      .code(404)
      .header('content-type', 'text/plain; charset=UTF-8')
      .send('404 Not Found');
  });

  return { app, hung };
}
