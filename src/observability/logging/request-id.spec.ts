import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { isSafeRequestId, requestIdFor } from './request-id.js';

function requestWith(id: string | string[] | undefined): IncomingMessage {
  return { headers: { 'x-request-id': id } } as unknown as IncomingMessage;
}

const UUID =
  /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('requestIdFor', () => {
  it('should keep a short, safe incoming id (a proxy UUID, a ULID, a dotted trace id)', () => {
    for (const id of [
      '0f8fad5b-d9cb-469f-a165-70867728950e',
      '01ARZ3NDEKTSV4RRFFQ69G5FAV',
      'edge.1:abc_DEF-9',
      'a',
    ]) {
      expect(requestIdFor(requestWith(id))).toBe(id);
    }
  });

  it('should replace hostile or oversized ids with a fresh UUID', () => {
    const hostile: unknown[] = [
      'abc\ninjected',
      'abc\r\n{"level":"fatal"}',
      '\u001b[31mred',
      'with space',
      '"}',
      'x'.repeat(65),
      'émoji🙂',
      '-leading-dash',
      '',
      ['a', 'b'],
      undefined,
    ];
    const generated = hostile.map((id) =>
      requestIdFor(requestWith(id as string | string[] | undefined)),
    );
    expect(generated.filter((id) => !UUID.test(id))).toEqual([]);
    expect(generated.every(isSafeRequestId)).toBe(true);
  });

  it('should generate a different id for each request without one', () => {
    expect(requestIdFor(requestWith(undefined))).not.toBe(
      requestIdFor(requestWith(undefined)),
    );
  });
});
