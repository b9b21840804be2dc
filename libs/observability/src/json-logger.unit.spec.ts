import { Logger } from '@nestjs/common';
import { JsonLogger, jsonLogLine } from './json-logger.js';
import { installProcessLogger } from './process-logger.js';

const AT = new Date('2026-12-07T21:00:00.000Z');

describe('JsonLogger', () => {
  const lines: string[] = [];
  const logger = new JsonLogger(['fatal', 'error', 'warn', 'log'], (line) => lines.push(line), () => AT);
  const parsed = () => lines.map((line) => JSON.parse(line) as Record<string, unknown>);
  beforeEach(() => {
    lines.length = 0;
    Logger.overrideLogger(logger);
  });
  afterAll(() => Logger.overrideLogger(new Logger()));

  it('writes one JSON object per line with time, level, context and msg, for a Nest Logger with a context', () => {
    new Logger('Gateway').log('SCIM base URL: http://localhost:3000/scim/v2');
    expect(lines).toEqual(['{"time":"2026-12-07T21:00:00.000Z","level":"info","context":"Gateway","msg":"SCIM base URL: http://localhost:3000/scim/v2"}\n']);
  });

  it('carries plain objects as fields, never over time, level, context, msg or err', () => {
    new Logger('Kafka').warn('kafkajs: connection error', { broker: 'kafka:9092', level: 'debug', msg: 'other', err: 'x' });
    expect(parsed()).toEqual([{ time: AT.toISOString(), level: 'warn', context: 'Kafka', msg: 'kafkajs: connection error', broker: 'kafka:9092' }]);
  });

  it('turns an Error, or a stack passed as a string, into err {name, message, stack}', () => {
    const error = Object.assign(new TypeError('no such table'), { code: '42P01' });
    new Logger('Projection').error('batch failed', error);
    new Logger('ScimExceptionFilter').error('GET /scim/v2/Users failed', error.stack);
    Logger.error(error); // static, no context: the error is the message
    const [first, second, third] = parsed();
    expect(first).toMatchObject({ level: 'error', context: 'Projection', msg: 'batch failed', err: { name: 'TypeError', message: 'no such table', code: '42P01' } });
    expect((first.err as { stack: string }).stack).toContain('json-logger.unit.spec');
    expect(second).toMatchObject({ context: 'ScimExceptionFilter', msg: 'GET /scim/v2/Users failed', err: { name: 'TypeError', message: 'no such table', stack: error.stack } });
    expect(third).toMatchObject({ level: 'error', msg: 'no such table', err: { name: 'TypeError' } });
    expect(third).not.toHaveProperty('context');
  });

  it('keeps each line one line: newlines inside a message or a stack are escaped', () => {
    new Logger('Gateway').fatal('invalid configuration:\n  - PORT="x"', new Error('boom'));
    expect(lines).toHaveLength(1);
    expect(lines[0].indexOf('\n')).toBe(lines[0].length - 1);
  });

  it('writes nothing below the levels it was given, and follows Logger.overrideLogger(levels)', () => {
    new Logger('Gateway').debug('not shown');
    expect(lines).toEqual([]);
    Logger.overrideLogger(['fatal', 'error', 'warn', 'log', 'debug']);
    new Logger('Gateway').debug('shown');
    expect(parsed()).toMatchObject([{ level: 'debug', msg: 'shown' }]);
    Logger.overrideLogger(['fatal', 'error', 'warn', 'log']);
  });

  it('writes a line even for fields JSON cannot hold (a cycle, a BigInt)', () => {
    const cycle: Record<string, unknown> = { name: 'a' };
    cycle.self = cycle;
    expect(JSON.parse(jsonLogLine({ time: AT, level: 'log', msg: 'x', fields: { cycle, big: 10n } }))).toEqual({
      time: AT.toISOString(),
      level: 'info',
      msg: 'x',
      cycle: { name: 'a', self: '[Circular]' },
      big: '10',
    });
  });
});

describe('installProcessLogger', () => {
  afterAll(() => Logger.overrideLogger(new Logger()));

  it('json: every Nest logger of the process writes JSON lines at the levels of LOG_LEVEL', () => {
    const lines: string[] = [];
    const logging = installProcessLogger('json', 'warn', { write: (line) => lines.push(line), nodeOutput: false });
    new Logger('A').log('hidden');
    new Logger('A').warn('shown');
    logging.record('log', 'HTTP', 'hidden too', {});
    logging.setThreshold('log');
    logging.record('log', 'HTTP', 'GET /health 200', { status: 200 });
    expect(lines.map((line) => JSON.parse(line))).toMatchObject([
      { level: 'warn', context: 'A', msg: 'shown' },
      { level: 'info', context: 'HTTP', msg: 'GET /health 200', status: 200 },
    ]);
    expect(logging.isLevelEnabled('debug')).toBe(false);
    expect(logging.isLevelEnabled('log')).toBe(true);
  });

  it('text: Nest keeps its own logger; only the levels are set', () => {
    const logging = installProcessLogger('text', 'log');
    expect(logging.nest).toEqual(['fatal', 'error', 'warn', 'log']);
    logging.setThreshold('debug');
    expect(logging.isLevelEnabled('debug')).toBe(true);
    expect(logging.nest).toContain('debug');
  });
});
