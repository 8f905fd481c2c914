import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { AppConfig } from '../config/index.js';
import { ViewRenderer } from './view-renderer.service.js';

function renderer(dir: string | undefined, cache: boolean): ViewRenderer {
  return new ViewRenderer({
    views: { dir, cache },
    brand: { isDefault: false },
  } as AppConfig);
}

const DATA = { messages: { 'login.heading': 'Log in' } };

describe('ViewRenderer', () => {
  it('should refuse to start on an operator template that does not compile, naming it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'views-bad-'));
    writeFileSync(join(dir, 'error.hbs'), '{{#if}}unclosed');
    expect(() => renderer(dir, true).onModuleInit()).toThrow(
      /error\.hbs cannot be used/,
    );
  });

  it('should pick up template edits on every render only when caching is off', () => {
    const dir = mkdtempSync(join(tmpdir(), 'views-edit-'));
    mkdirSync(join(dir, 'layouts'));
    writeFileSync(join(dir, 'layouts', 'main.hbs'), '{{{body}}}');
    writeFileSync(join(dir, 'error.hbs'), 'one');
    const cached = renderer(dir, true);
    const live = renderer(dir, false);
    cached.onModuleInit();
    live.onModuleInit();
    expect(cached.render('error', {}, DATA)).toBe('one');
    writeFileSync(join(dir, 'error.hbs'), 'two {{t "login.heading"}}');
    expect(cached.render('error', {}, DATA)).toBe('one');
    expect(live.render('error', {}, DATA)).toBe('two Log in');
  });

  it('should escape values and refuse template names that are paths', () => {
    const dir = mkdtempSync(join(tmpdir(), 'views-esc-'));
    mkdirSync(join(dir, 'layouts'));
    writeFileSync(join(dir, 'layouts', 'main.hbs'), '{{{body}}}');
    writeFileSync(join(dir, 'error.hbs'), '{{name}}|{{t "x.y" v=name}}');
    const views = renderer(dir, true);
    views.onModuleInit();
    expect(
      views.render(
        'error',
        { name: '<img src=x onerror=alert(1)>' },
        { messages: { 'x.y': 'hi {v}' } },
      ),
    ).toBe(
      '&lt;img src&#x3D;x onerror&#x3D;alert(1)&gt;|hi &lt;img src&#x3D;x onerror&#x3D;alert(1)&gt;',
    );
    expect(() => views.render('../package', {}, DATA)).toThrow(
      /Invalid template name/,
    );
  });
});
