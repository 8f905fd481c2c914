import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);

/** `docker-compose config` of the repository's compose file, with the quick-start defaults. */
async function composeConfig(): Promise<string> {
  const { stdout } = await run('docker-compose', ['config'], {
    cwd: new URL('../..', import.meta.url).pathname,
    env: { PATH: process.env.PATH ?? '' },
  });
  return stdout;
}

describe('docker-compose.yml: the Rocket.Chat service', () => {
  it('should validate, run a 9.x image, and block in the admin UI exactly the iframe settings it sets', async () => {
    const config = await composeConfig();
    expect(config).toMatch(
      /image: registry\.rocket\.chat\/rocketchat\/rocket\.chat:9\.\d+\.\d+\n/,
    );
    const overwritten = [
      ...config.matchAll(/OVERWRITE_SETTING_(Accounts_[Ii]frame_\w+):/g),
    ].map((m) => m[1]);
    expect(overwritten.sort()).toEqual([
      'Accounts_Iframe_api_method',
      'Accounts_Iframe_api_url',
      'Accounts_iframe_enabled',
      'Accounts_iframe_url',
    ]);
    const blocked = /SETTINGS_BLOCKED: (\S+)/.exec(config)?.[1].split(',');
    expect(blocked?.sort()).toEqual(overwritten.sort());
    // The select's keys only (Rocket.Chat 9 shows anything else as unset).
    expect(config).toContain(
      'OVERWRITE_SETTING_Accounts_Iframe_api_method: POST\n',
    );
  });
});
