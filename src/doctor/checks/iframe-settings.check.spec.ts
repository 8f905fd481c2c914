import { describe, expect, it, vi } from 'vitest';
import type { AppConfig } from '../../config/index.js';
import {
  expectedIframeSettings,
  iframeSettingsCheck,
} from './iframe-settings.check.js';

const app = {
  publicUrl: 'https://sso.example.org',
  publicOrigin: 'https://sso.example.org',
} as AppConfig;

const good = {
  Accounts_iframe_enabled: true,
  Accounts_iframe_url:
    'https://sso.example.org/login/?next=/rocketchat/redirect',
  Accounts_Iframe_api_url: 'https://sso.example.org/rocketchat/api',
  Accounts_Iframe_api_method: 'POST',
};

describe('iframe settings line', () => {
  it('should accept the expected values and the equivalent forms', async () => {
    const write = vi.fn<(id: string, value: unknown) => Promise<void>>(() =>
      Promise.resolve(),
    );
    expect((await iframeSettingsCheck(app, good, false, write)).status).toBe(
      'ok',
    );
    const equivalent = {
      ...good,
      Accounts_iframe_url: 'https://sso.example.org/login',
      Accounts_Iframe_api_url: 'https://sso.example.org/rocketchat/api/',
      Accounts_Iframe_api_method: 'GET',
    };
    expect(
      (await iframeSettingsCheck(app, equivalent, false, write)).status,
    ).toBe('ok');
    expect(write).not.toHaveBeenCalled();
  });

  it('should WARN about a method spelt outside the select (POST, GET), and --fix it keeping the choice', async () => {
    const write = vi.fn<(id: string, value: unknown) => Promise<void>>(() =>
      Promise.resolve(),
    );
    const lower = { ...good, Accounts_Iframe_api_method: ' get' };
    const warned = await iframeSettingsCheck(app, lower, false, write);
    expect(warned).toMatchObject({
      status: 'warn',
      message: expect.stringContaining('a select of POST and GET'),
      fix: expect.stringContaining('"GET"'),
    });
    expect(write).not.toHaveBeenCalled();
    const fixed = await iframeSettingsCheck(app, lower, true, write);
    expect(fixed.status).toBe('ok');
    expect(write.mock.calls).toEqual([['Accounts_Iframe_api_method', 'GET']]);
  });

  it('should FAIL on another host, another path, a foreign next, disabled login or an odd method, naming each', async () => {
    const write = vi.fn<(id: string, value: unknown) => Promise<void>>(() =>
      Promise.resolve(),
    );
    const result = await iframeSettingsCheck(
      app,
      {
        Accounts_iframe_enabled: false,
        Accounts_iframe_url:
          'https://old-django.example.org/login/?next=/rocketchat/redirect',
        Accounts_Iframe_api_url: 'https://sso.example.org/api/rc-token',
        Accounts_Iframe_api_method: 'PUT',
      },
      false,
      write,
    );
    expect(result.status).toBe('fail');
    for (const id of Object.keys(good)) {
      expect(result.message).toContain(id);
    }
    expect(result.fix).toContain(
      'OVERWRITE_SETTING_Accounts_iframe_url=https://sso.example.org/login/?next=/rocketchat/redirect',
    );
    const foreignNext = await iframeSettingsCheck(
      app,
      {
        ...good,
        Accounts_iframe_url:
          'https://sso.example.org/login?next=//evil.example',
      },
      false,
      write,
    );
    expect(foreignNext.status).toBe('fail');
    expect(write).not.toHaveBeenCalled();
  });

  it('should with --fix write only the settings that differ, and report what it changed', async () => {
    const write = vi.fn<(id: string, value: unknown) => Promise<void>>(() =>
      Promise.resolve(),
    );
    const result = await iframeSettingsCheck(
      app,
      { ...good, Accounts_iframe_enabled: false, Accounts_Iframe_api_url: '' },
      true,
      write,
    );
    expect(result.status).toBe('ok');
    expect(result.message).toMatch(/^fixed: /);
    const expected = expectedIframeSettings(app);
    expect(write.mock.calls).toEqual([
      ['Accounts_iframe_enabled', true],
      ['Accounts_Iframe_api_url', expected.Accounts_Iframe_api_url],
    ]);
  });

  it('should FAIL when --fix is refused, and when the settings cannot be read', async () => {
    const refused = await iframeSettingsCheck(
      app,
      { ...good, Accounts_iframe_enabled: false },
      true,
      () => Promise.reject(new Error('permission denied (403)')),
    );
    expect(refused).toMatchObject({
      status: 'fail',
      message: expect.stringContaining('could not change them'),
    });
    const unread = await iframeSettingsCheck(app, undefined, false, () =>
      Promise.resolve(),
    );
    expect(unread.status).toBe('fail');
  });
});
