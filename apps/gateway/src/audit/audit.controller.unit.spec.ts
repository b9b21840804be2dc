import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Logger } from '@nestjs/common';
import express, { type NextFunction, type Request, type Response } from 'express';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import type { DataSource } from 'typeorm';
import { ScimError } from '#scim/scim-error.js';
import { AuditController, parseAfter, parseAsOf, parseAuditResourceType, writeLines } from './audit.controller.js';
import type { AuditService } from './audit.service.js';

const scimErrorOf = (run: () => unknown): ScimError => {
  try {
    run();
  } catch (error) {
    if (error instanceof ScimError) return error;
    throw error;
  }
  throw new Error('expected a ScimError');
};

describe('parseAuditResourceType', () => {
  it.each([
    ['Users', 'User'],
    ['User', 'User'],
    ['users', 'User'],
    ['Groups', 'Group'],
    ['group', 'Group'],
  ])('takes %s as %s', (text, expected) => {
    expect(parseAuditResourceType(text)).toBe(expected);
  });

  it('answers 404 for any other type', () => {
    expect(scimErrorOf(() => parseAuditResourceType('Devices'))).toMatchObject({ status: 404, detail: 'no resource type "Devices": use Users or Groups' });
  });
});

describe('parseAsOf', () => {
  it.each([
    ['2025-01-31T12:00:00Z', '2025-01-31T12:00:00.000Z'],
    ['2025-01-31T12:00:00.123Z', '2025-01-31T12:00:00.123Z'],
    ['2025-01-31T13:00:00+01:00', '2025-01-31T12:00:00.000Z'],
    ['2025-01-31T13:00+0100', '2025-01-31T12:00:00.000Z'],
    ['2025-01-31', '2025-01-31T00:00:00.000Z'],
  ])('takes %s', (text, iso) => {
    expect(parseAsOf(text).toISOString()).toBe(iso);
  });

  it('requires it: 400 invalidValue', () => {
    for (const missing of [undefined, '']) {
      expect(scimErrorOf(() => parseAsOf(missing))).toMatchObject({ status: 400, scimType: 'invalidValue', detail: expect.stringMatching(/^asOf is required/) });
    }
  });

  it.each(['yesterday', '2025-01-31T12:00:00', '2025-02-30T00:00:00Z', '2025-13-01', '1738324800000', '2025-01-31 12:00:00Z'])(
    'refuses %s: 400 invalidValue',
    (text) => {
      expect(scimErrorOf(() => parseAsOf(text))).toMatchObject({ status: 400, scimType: 'invalidValue', detail: expect.stringContaining(`asOf="${text}"`) });
    },
  );

  it('refuses asOf given twice', () => {
    expect(scimErrorOf(() => parseAsOf(['2025-01-31', '2025-02-01']))).toMatchObject({ status: 400, scimType: 'invalidValue' });
  });
});

describe('parseAfter', () => {
  it('takes a position as an export line has it, and nothing', () => {
    expect(parseAfter('12:345')).toEqual({ commit: 12n, prepare: 345n });
    expect(parseAfter(undefined)).toBeUndefined();
  });

  it.each(['12', 'abc', '1:2:3', '', '99999999999999999999:0', '0:9223372036854775808', '-2:0'])('refuses %j: 400 invalidValue', (text) => {
    expect(scimErrorOf(() => parseAfter(text))).toMatchObject({ status: 400, scimType: 'invalidValue' });
  });
});

/** A sink that accepts `highWaterMark` bytes, then takes one chunk per tick. */
function slowSink(highWaterMark: number) {
  const received: string[] = [];
  const sink = new Writable({
    highWaterMark,
    decodeStrings: false,
    write(chunk: string, _encoding, callback) {
      received.push(chunk);
      setImmediate(callback);
    },
  });
  return { sink, received };
}

describe('writeLines', () => {
  it('asks for the next line only while the sink has room: waits for drain when write returns false', async () => {
    const { sink, received } = slowSink(64);
    let produced = 0;
    let mostAhead = 0;
    async function* lines() {
      for (let n = 0; n < 500; n++) {
        produced++;
        mostAhead = Math.max(mostAhead, produced - received.length);
        yield `{"n":${n}}\n`;
      }
    }
    await writeLines(sink, lines(), new AbortController().signal);
    await new Promise<void>((resolve) => sink.end(resolve));
    expect(received).toHaveLength(500);
    expect(received[499]).toBe('{"n":499}\n');
    // Without waiting for drain, all 500 would be buffered before the sink took the second one.
    expect(mostAhead).toBeLessThan(20);
  });

  it('stops, and ends the generator, when the signal aborts, also while waiting for drain', async () => {
    const { sink } = slowSink(1);
    const aborted = new AbortController();
    let finished = false;
    let produced = 0;
    async function* lines() {
      try {
        for (;;) {
          produced++;
          if (produced === 3) setImmediate(() => aborted.abort());
          yield 'x\n';
        }
      } finally {
        finished = true;
      }
    }
    await writeLines(sink, lines(), aborted.signal);
    expect(finished).toBe(true);
    expect(produced).toBeLessThan(10);
    sink.destroy();
  });

  it('stops waiting when the sink closes (client gone)', async () => {
    const sink = new Writable({ highWaterMark: 1, write: () => undefined }); // never calls back: never drains
    async function* lines() {
      yield 'a\n';
      yield 'b\n';
    }
    let finished = false;
    async function* tracked() {
      try {
        yield* lines();
      } finally {
        finished = true;
      }
    }
    const done = writeLines(sink, tracked(), new AbortController().signal);
    setImmediate(() => sink.destroy());
    await expect(done).resolves.toBeUndefined();
    expect(finished).toBe(true);
  });
});

describe('AuditController.export over HTTP', () => {
  /** What the fake store's export does for the tenant the route names. */
  const exports = new Map<string, () => AsyncGenerator<string, void, undefined>>();
  let server: http.Server;
  let url: string;

  beforeAll(async () => {
    Logger.overrideLogger(false);
    const audit = { export: (tenantId: string) => exports.get(tenantId)!() } as unknown as AuditService;
    const dataSource = { query: async () => [{ '?column?': 1 }] } as unknown as DataSource;
    const controller = new AuditController(audit, dataSource);
    const app = express();
    app.get('/:tenantId/export', (request: Request, response: Response, next: NextFunction) => {
      controller.export(String(request.params.tenantId), undefined, response).catch(next);
    });
    app.use((error: Error, _request: Request, response: Response, _next: NextFunction) => {
      response.status(500).type('text/plain').send(`failed: ${error.message}`);
    });
    server = http.createServer(app);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
    Logger.overrideLogger(['error']);
  });

  const get = (path: string) =>
    new Promise<http.IncomingMessage>((resolve, reject) => {
      http.get(`${url}${path}`, resolve).on('error', reject);
    });

  it('streams every line as JSON lines', async () => {
    exports.set('acme', async function* () {
      for (let n = 0; n < 3; n++) yield `{"n":${n}}\n`;
    });
    const response = await get('/acme/export');
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('application/x-ndjson; charset=utf-8');
    let text = '';
    for await (const chunk of response) text += String(chunk);
    expect(text).toBe('{"n":0}\n{"n":1}\n{"n":2}\n');
  });

  it('answers an error that happens before the first line as an error', async () => {
    exports.set('broken', async function* () {
      throw new Error('store down');
    });
    const response = await get('/broken/export');
    expect(response.statusCode).toBe(500);
    expect(response.headers['content-disposition']).toBeUndefined();
  });

  it('breaks the connection on an error after the first line, so a truncated export cannot pass for a whole one', async () => {
    exports.set('half', async function* () {
      yield '{"n":0}\n';
      await new Promise((resolve) => setImmediate(resolve));
      throw new Error('store down');
    });
    const response = await get('/half/export');
    expect(response.statusCode).toBe(200);
    let text = '';
    const read = (async () => {
      for await (const chunk of response) text += String(chunk);
    })();
    await expect(read).rejects.toThrow(/aborted/);
    expect(text).toBe('{"n":0}\n');
  });

  it('stops reading the store when the client goes away', async () => {
    let produced = 0;
    let ended!: () => void;
    const generatorEnded = new Promise<void>((resolve) => (ended = resolve));
    exports.set('endless', async function* () {
      try {
        for (;;) {
          produced++;
          yield `{"n":${produced},"padding":"${'x'.repeat(1000)}"}\n`;
          if (produced % 100 === 0) await new Promise((resolve) => setImmediate(resolve));
        }
      } finally {
        ended();
      }
    });
    const response = await get('/endless/export');
    response.once('data', () => response.destroy());
    response.on('error', () => undefined);
    await generatorEnded; // never resolves if the export went on after the client left
    expect(produced).toBeGreaterThan(0);
  });
});
