import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = new URL('../../', import.meta.url).pathname;
const CADDYFILE = join(ROOT, 'deploy', 'Caddyfile');
const COMPOSE = readFileSync(join(ROOT, 'docker-compose.yml'), 'utf8');

/** Whether a command exists; CI installs both (Debian's caddy and docker-compose, see .ci/run). */
function installed(command: string): boolean {
  return spawnSync(command, ['version'], { stdio: 'ignore' }).status === 0;
}
const HAVE_CADDY = installed('caddy');
const HAVE_COMPOSE = installed('docker-compose');
if (!HAVE_CADDY) {
  process.stderr.write(
    'compose-https.spec: caddy is not installed (apt-get install caddy): the Caddyfile checks are skipped\n',
  );
}
if (!HAVE_COMPOSE) {
  process.stderr.write(
    'compose-https.spec: docker-compose is not installed (apt-get install docker-compose): the compose checks are skipped\n',
  );
}

const SITES = {
  PUBLIC_URL: 'https://sso.example.org',
  ROCKETCHAT_URL: 'https://chat.example.org',
};

function caddy(args: string[], env: Record<string, string>) {
  return spawnSync('caddy', args, {
    cwd: ROOT,
    encoding: 'utf8',
    env: { PATH: process.env.PATH, HOME: tmpdir(), ...env },
  });
}

interface Route {
  match?: { host?: string[]; path?: string[] }[];
  handle: Handler[];
}
interface Handler {
  handler: string;
  routes?: Route[];
  upstreams?: { dial: string }[];
  status_code?: number;
  headers?: { request?: { set?: Record<string, string[]> } };
}

/** The site routes of the adapted JSON: host → its handlers, flattened. */
function sites(json: string): Map<string, Route[]> {
  const config = JSON.parse(json) as {
    apps: { http: { servers: Record<string, { routes: Route[] }> } };
  };
  const out = new Map<string, Route[]>();
  for (const server of Object.values(config.apps.http.servers)) {
    for (const route of server.routes) {
      for (const host of route.match?.[0]?.host ?? []) {
        out.set(
          host,
          route.handle.flatMap((handler) => handler.routes ?? []),
        );
      }
    }
  }
  return out;
}

describe('the https profile: deploy/Caddyfile', () => {
  it.skipIf(!HAVE_CADDY)(
    'should be a valid Caddy configuration for the host names in PUBLIC_URL and ROCKETCHAT_URL',
    () => {
      const result = caddy(
        ['validate', '--config', CADDYFILE, '--adapter', 'caddyfile'],
        SITES,
      );
      expect(result.stderr + result.stdout).toContain('Valid configuration');
      expect(result.status).toBe(0);
    },
  );

  it.skipIf(!HAVE_CADDY)(
    'should serve the bridge and Rocket.Chat on their own names, keep probes and metrics inside, and follow PORT',
    () => {
      const result = caddy(
        ['adapt', '--config', CADDYFILE, '--adapter', 'caddyfile'],
        { ...SITES, PORT: '9000' },
      );
      expect(result.status).toBe(0);
      // Formatted as `caddy fmt` would (adapt warns otherwise).
      expect(result.stderr).not.toMatch(/not formatted/i);
      const byHost = sites(result.stdout);
      expect([...byHost.keys()].sort()).toEqual([
        'chat.example.org',
        'sso.example.org',
      ]);

      const bridge = byHost.get('sso.example.org')!;
      const internal = bridge.find((r) => r.match?.[0]?.path);
      expect(internal?.match?.[0]?.path).toEqual([
        '/health/*',
        '/metrics',
        '/metrics/*',
      ]);
      expect(internal?.handle[0]).toMatchObject({
        handler: 'static_response',
        status_code: 404,
      });
      const proxy = bridge
        .flatMap((r) => r.handle)
        .find((h) => h.handler === 'reverse_proxy');
      expect(proxy?.upstreams).toEqual([{ dial: 'bridge-edge:9000' }]);
      expect(proxy?.headers?.request?.set?.['X-Request-Id']).toEqual([
        '{http.request.uuid}',
      ]);

      const chat = byHost
        .get('chat.example.org')!
        .flatMap((r) => r.handle)
        .find((h) => h.handler === 'reverse_proxy');
      expect(chat?.upstreams).toEqual([{ dial: 'rocketchat:3000' }]);
    },
  );
});

describe('the https profile: docker-compose.yml', () => {
  const dir = mkdtempSync(join(tmpdir(), 'rc-bridge-compose-'));
  const emptyEnvFile = join(dir, 'empty.env');
  writeFileSync(emptyEnvFile, '');
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** docker-compose with no .env of the developer's, only `env`. */
  function compose(args: string[], env: Record<string, string> = {}) {
    return spawnSync('docker-compose', ['--env-file', emptyEnvFile, ...args], {
      cwd: ROOT,
      encoding: 'utf8',
      env: { PATH: process.env.PATH, ...env },
    });
  }

  it.skipIf(!HAVE_COMPOSE)(
    'should validate with and without the profile, the proxy only in the profile, with the URLs from the environment',
    () => {
      // Without .env (the quick start) and with the profile's URLs.
      expect(compose(['config', '-q']).status).toBe(0);
      expect(
        compose(['--profile', 'https', 'config', '-q'], SITES).status,
      ).toBe(0);
      const resolved = compose(['--profile', 'https', 'config'], SITES).stdout;
      expect(resolved).toContain('PUBLIC_URL: https://sso.example.org');
      expect(resolved).toContain('ROCKETCHAT_URL: https://chat.example.org');
      expect(resolved).toContain('/deploy/Caddyfile:/etc/caddy/Caddyfile:ro');
      // Only with --profile https does compose start the proxy.
      expect(resolved).toMatch(
        /\n  https:\n(?: {4}.*\n)*? {4}profiles:\n {4}- https\n/,
      );
    },
  );

  it("should trust X-Forwarded-For by default exactly from the proxy's fixed address, inside the edge subnet", () => {
    const fixed = /ipv4_address: ([\d.]+)/.exec(COMPOSE)?.[1];
    const trusted = /TRUST_PROXY: \$\{TRUST_PROXY:-([\d.]+)\}/.exec(
      COMPOSE,
    )?.[1];
    const subnet = /subnet: ([\d.]+)\/(\d+)/.exec(COMPOSE);
    expect(fixed).toBeDefined();
    expect(trusted).toBe(fixed);
    const toNumber = (ip: string): number =>
      ip.split('.').reduce((n, part) => n * 256 + Number(part), 0);
    const bits = Number(subnet![2]);
    const size = 2 ** (32 - bits);
    const offset = toNumber(fixed!) - toNumber(subnet![1]);
    // A host address of the subnet, at its top (Docker hands out addresses from the bottom).
    expect(offset).toBe(size - 2);
    // The proxy reaches the bridge by its name on that network, so connections come from there.
    expect(COMPOSE).toMatch(/edge:\n\s+aliases: \['bridge-edge'\]/);
    expect(readFileSync(CADDYFILE, 'utf8')).toContain(
      'reverse_proxy bridge-edge:{$PORT:8000}',
    );
  });
});
