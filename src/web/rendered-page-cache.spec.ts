import { describe, expect, it, vi } from 'vitest';
import { BoundedMemo } from '../common/index.js';
import { RenderedPageCache } from './rendered-page-cache.js';

describe('RenderedPageCache', () => {
  it('should render once per key and splice each request its own tokens', () => {
    const cache = new RenderedPageCache();
    const render = vi.fn<(v: Readonly<Record<string, string>>) => string>(
      (v: Readonly<Record<string, string>>) =>
        `<input value="${v.csrfToken}"><style nonce="${v.cspNonce}"></style>${v.csrfToken}`,
    );
    expect(
      cache.render('k', { csrfToken: 'aaa', cspNonce: 'n1' }, render),
    ).toBe('<input value="aaa"><style nonce="n1"></style>aaa');
    expect(
      cache.render('k', { csrfToken: 'bbb', cspNonce: 'n2' }, render),
    ).toBe('<input value="bbb"><style nonce="n2"></style>bbb');
    expect(render).toHaveBeenCalledTimes(1);
    cache.render('other', { csrfToken: 'c', cspNonce: 'n' }, render);
    expect(render).toHaveBeenCalledTimes(2);
  });

  it('should refuse per-request values that would need escaping', () => {
    const cache = new RenderedPageCache();
    expect(() =>
      cache.render('k', { csrfToken: '"><script>' }, () => ''),
    ).toThrow(/need escaping/);
  });

  it('should stay bounded', () => {
    const cache = new RenderedPageCache(3);
    for (let i = 0; i < 10; i += 1) {
      cache.render(`k${i}`, {}, () => 'x');
    }
    expect(cache.size).toBeLessThanOrEqual(3);
  });
});

describe('BoundedMemo', () => {
  it('should compute each input once, stay bounded, and not remember long inputs', () => {
    const compute = vi.fn<(s: string) => number>((s) => s.length);
    const memo = new BoundedMemo(compute, 2, 10);
    expect(memo.get('ab')).toBe(2);
    expect(memo.get('ab')).toBe(2);
    expect(compute).toHaveBeenCalledTimes(1);
    memo.get('c');
    memo.get('d');
    memo.get('ab');
    expect(compute).toHaveBeenCalledTimes(4);
    memo.get('x'.repeat(20));
    memo.get('x'.repeat(20));
    expect(compute).toHaveBeenCalledTimes(6);
  });
});
