import { Logger } from '@nestjs/common';
import { afterEach, describe, expect, it } from 'vitest';
import { Logging } from './logging.js';
import { requestContext } from './request-context.js';
import { CapturedLines } from '../../../test/observability/captured-lines.js';

function setUp(
  level: 'info' | 'debug' | 'warn' = 'debug',
  secrets: string[] = [],
) {
  const out = new CapturedLines();
  const logging = new Logging({ level, format: 'json' }, secrets, {
    destination: out,
  });
  Logger.overrideLogger(logging.nestLogger);
  return out;
}

afterEach(() => {
  Logger.overrideLogger(false);
});

describe('PinoNestLogger', () => {
  it('should write Nest Logger calls as JSON lines with level, UTC time, context and message', () => {
    const out = setUp();
    new Logger('UsersService').log('created user');
    new Logger('UsersService').warn('slow', { ms: 12 });
    new Logger('Other').verbose('below debug');
    const [info, warn, ...rest] = out.json();
    expect(info).toMatchObject({
      level: 'info',
      context: 'UsersService',
      msg: 'created user',
    });
    expect(String(info.time)).toMatch(
      /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/,
    );
    expect(warn).toMatchObject({ level: 'warn', ms: 12, msg: 'slow' });
    expect(rest).toEqual([]);
  });

  it('should take the stack and context of error(message, stack) and error(Error)', () => {
    const out = setUp();
    const error = new Error('boom');
    new Logger('Svc').error('failed', error.stack);
    new Logger('Svc').error(error);
    Logger.error('static failure', error.stack);
    const [withStack, withError, staticLine] = out.json();
    expect(withStack).toMatchObject({
      level: 'error',
      context: 'Svc',
      msg: 'failed',
    });
    expect(String(withStack.stack)).toContain('Error: boom\n');
    expect(withError).toMatchObject({
      context: 'Svc',
      msg: 'boom',
      err: { type: 'Error' },
    });
    expect(staticLine).toMatchObject({ msg: 'static failure' });
    expect(staticLine.context).toBeUndefined();
    expect(String(staticLine.stack)).toContain('Error: boom');
  });

  it('should add the request id of the current request context', async () => {
    const out = setUp();
    await requestContext.run({ requestId: 'req-123' }, async () => {
      await new Promise((resolve) => setTimeout(resolve, 1));
      new Logger('Deep').log('inside');
    });
    new Logger('Deep').log('outside');
    const [inside, outside] = out.json();
    expect(inside.requestId).toBe('req-123');
    expect(outside.requestId).toBeUndefined();
  });

  it('should respect the level', () => {
    const out = setUp('warn');
    new Logger('X').log('info line');
    new Logger('X').debug('debug line');
    new Logger('X').warn('warn line');
    expect(out.json().map((line) => line.msg)).toEqual(['warn line']);
  });

  it('should escape control characters and mask secrets in messages and fields', () => {
    const out = setUp('info', ['the-admin-pat-123456']);
    new Logger('Auth').warn(
      'login failed for eve\n{"level":"info"} \u001b[2J',
      {
        username: 'eve\r\nroot',
        password: 'hunter2-password',
        detail: 'header X-Auth-Token: the-admin-pat-123456',
      },
    );
    expect(out.lines).toHaveLength(1);
    const [line] = out.json();
    expect(line.msg).toBe(
      'login failed for eve\\u000a{"level":"info"} \\u001b[2J',
    );
    expect(line.username).toBe('eve\\u000d\\u000aroot');
    expect(out.text).not.toContain('hunter2-password');
    expect(out.text).not.toContain('the-admin-pat-123456');
  });

  it('should write human-readable lines in the pretty format', () => {
    const out = new CapturedLines();
    const logging = new Logging({ level: 'info', format: 'pretty' }, [], {
      destination: out,
    });
    Logger.overrideLogger(logging.nestLogger);
    new Logger('Pretty').log('hello\nworld');
    expect(out.lines).toHaveLength(1);
    expect(out.lines[0]).toMatch(
      /^\[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}Z\] INFO: \[Pretty\] hello\\u000aworld$/,
    );
  });
});
