import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { logLevel } from 'kafkajs';
import { ConfigError } from '#config/gateway.config.js';
import { loadKafkaConfig, type KafkaConfig } from '#config/kafka.config.js';
import { describeKafkaSecurity, kafkaClientConfig, kafkaClientSecurity } from './kafka-client.options.js';
import type { KafkaLogger } from './kafka.logger.js';
import { ScimEventPublisher } from './scim-event.publisher.js';
import { TEST_CERT as CERT, TEST_KEY as KEY, TEST_OTHER_KEY as OTHER_KEY } from './tls-fixtures.test-support.js';

const SECRET = 's3cret pa55word';

/** readFile over an in-memory directory; a missing path fails as fs does. */
function files(contents: Record<string, string>): (file: string) => Buffer {
  return (file) => {
    if (!(file in contents)) throw Object.assign(new Error(`ENOENT: no such file or directory, open '${file}'`), { code: 'ENOENT' });
    return Buffer.from(contents[file]);
  };
}

function problemsOf(run: () => unknown): string[] {
  try {
    run();
  } catch (error) {
    if (error instanceof ConfigError) {
      expect(error.message).not.toContain(SECRET);
      return [...error.problems];
    }
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('kafkaClientSecurity', () => {
  it('gives neither ssl nor sasl for a plaintext configuration', () => {
    expect(kafkaClientSecurity({})).toEqual({ warnings: [] });
  });

  it('turns TLS on with Node defaults (verifying, default CA store) when only KAFKA_SSL is set', () => {
    expect(kafkaClientSecurity({ tls: { rejectUnauthorized: true } })).toEqual({ ssl: { rejectUnauthorized: true }, warnings: [] });
  });

  it('reads the CA, client certificate and key files into the ssl options', () => {
    const security = kafkaClientSecurity(
      { tls: { caFile: '/ca.pem', certFile: '/client.pem', keyFile: '/client.key', rejectUnauthorized: true } },
      files({ '/ca.pem': CERT, '/client.pem': CERT, '/client.key': KEY }),
    );
    expect(security.ssl).toEqual({ rejectUnauthorized: true, ca: Buffer.from(CERT), cert: Buffer.from(CERT), key: Buffer.from(KEY) });
  });

  it('passes rejectUnauthorized=false through, with the warning', () => {
    const security = kafkaClientSecurity({ tls: { rejectUnauthorized: false } });
    expect(security.ssl).toEqual({ rejectUnauthorized: false });
    expect(security.warnings).toEqual([expect.stringContaining('KAFKA_SSL_REJECT_UNAUTHORIZED=false')]);
  });

  it.each(['plain', 'scram-sha-256', 'scram-sha-512'] as const)('builds kafkajs sasl options for %s', (mechanism) => {
    expect(kafkaClientSecurity({ tls: { rejectUnauthorized: true }, sasl: { mechanism, username: 'svc', password: SECRET } }).sasl).toEqual({
      mechanism,
      username: 'svc',
      password: SECRET,
    });
  });

  it('reads the password file, dropping one trailing newline only', () => {
    const sasl = (content: string) =>
      kafkaClientSecurity({ sasl: { mechanism: 'scram-sha-256', username: 'svc', passwordFile: '/secret' } }, files({ '/secret': content })).sasl;
    expect(sasl(`${SECRET}\n`)).toEqual({ mechanism: 'scram-sha-256', username: 'svc', password: SECRET });
    expect(sasl(`${SECRET}\r\n`)).toMatchObject({ password: SECRET });
    expect(sasl(` ${SECRET} \n\n`)).toMatchObject({ password: ` ${SECRET} \n` });
  });

  it('warns about SASL PLAIN without TLS', () => {
    expect(kafkaClientSecurity({ sasl: { mechanism: 'plain', username: 'svc', password: SECRET } }).warnings).toEqual([
      expect.stringContaining('in clear text'),
    ]);
  });

  it.each([
    [{ tls: { caFile: '/missing.pem', rejectUnauthorized: true } }, {}, 'KAFKA_SSL_CA_FILE="/missing.pem" cannot be read (ENOENT)'],
    [{ tls: { caFile: '/ca.pem', rejectUnauthorized: true } }, { '/ca.pem': 'not a certificate' }, 'KAFKA_SSL_CA_FILE="/ca.pem" holds no PEM certificate'],
    [{ tls: { caFile: '/ca.pem', rejectUnauthorized: true } }, { '/ca.pem': KEY }, 'KAFKA_SSL_CA_FILE="/ca.pem" holds no PEM certificate'],
    [
      { tls: { caFile: '/ca.pem', rejectUnauthorized: true } },
      { '/ca.pem': `${CERT}-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n` },
      'KAFKA_SSL_CA_FILE="/ca.pem" holds a certificate that does not parse (number 2',
    ],
    [
      { tls: { certFile: '/c.pem', keyFile: '/c.key', rejectUnauthorized: true } },
      { '/c.pem': CERT, '/c.key': OTHER_KEY },
      'KAFKA_SSL_CERT_FILE="/c.pem" and KAFKA_SSL_KEY_FILE="/c.key" are not a usable PEM certificate and unencrypted key pair: error:05800074:x509 certificate routines::key values mismatch',
    ],
    [
      { tls: { certFile: '/c.pem', keyFile: '/c.key', rejectUnauthorized: true } },
      { '/c.pem': KEY, '/c.key': KEY },
      'KAFKA_SSL_CERT_FILE="/c.pem" and KAFKA_SSL_KEY_FILE="/c.key" are not a usable PEM certificate',
    ],
    [{ tls: { certFile: '/c.pem', keyFile: '/c.key', rejectUnauthorized: true } }, { '/c.pem': CERT }, 'KAFKA_SSL_KEY_FILE="/c.key" cannot be read (ENOENT)'],
    [{ sasl: { mechanism: 'plain', username: 'u', passwordFile: '/p' } }, {}, 'KAFKA_SASL_PASSWORD_FILE="/p" cannot be read (ENOENT)'],
    [{ sasl: { mechanism: 'plain', username: 'u', passwordFile: '/p' } }, { '/p': '\n' }, 'KAFKA_SASL_PASSWORD_FILE="/p" is empty'],
  ] satisfies [Pick<KafkaConfig, 'tls' | 'sasl'>, Record<string, string>, string][])(
    'stops with a ConfigError naming the variable and the file: %j',
    (config, contents, problem) => {
      expect(problemsOf(() => kafkaClientSecurity(config, files(contents)))).toEqual([expect.stringContaining(problem)]);
    },
  );

  it('reports every bad file at once', () => {
    const problems = problemsOf(() =>
      kafkaClientSecurity({
        tls: { caFile: '/a', certFile: '/b', keyFile: '/c', rejectUnauthorized: true },
        sasl: { mechanism: 'scram-sha-512', username: 'u', passwordFile: '/d' },
      }, files({})),
    );
    expect(problems.map((problem) => problem.split('=')[0])).toEqual(['KAFKA_SSL_CA_FILE', 'KAFKA_SSL_CERT_FILE', 'KAFKA_SSL_KEY_FILE', 'KAFKA_SASL_PASSWORD_FILE']);
  });

  it('reads real files by default', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'kafka-client-options-'));
    try {
      writeFileSync(path.join(dir, 'ca.pem'), CERT);
      writeFileSync(path.join(dir, 'password'), `${SECRET}\n`);
      const config = loadKafkaConfig({
        KAFKA_BROKERS: 'kafka:9093',
        KAFKA_SSL: 'true',
        KAFKA_SSL_CA_FILE: path.join(dir, 'ca.pem'),
        KAFKA_SASL_MECHANISM: 'SCRAM-SHA-256',
        KAFKA_SASL_USERNAME: 'svc',
        KAFKA_SASL_PASSWORD_FILE: path.join(dir, 'password'),
      })!;
      expect(kafkaClientSecurity(config)).toEqual({
        ssl: { rejectUnauthorized: true, ca: Buffer.from(CERT) },
        sasl: { mechanism: 'scram-sha-256', username: 'svc', password: SECRET },
        warnings: [],
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('kafkaClientConfig', () => {
  const config = { brokers: ['a:9093', 'b:9093'], clientId: 'gw', tls: { rejectUnauthorized: true }, sasl: { mechanism: 'plain', username: 'u', password: SECRET } } as const;

  it('puts brokers, client id, ssl and sasl next to the caller options', () => {
    expect(kafkaClientConfig(config, { connectionTimeout: 1234, logLevel: logLevel.NOTHING })).toEqual({
      clientId: 'gw',
      brokers: ['a:9093', 'b:9093'],
      connectionTimeout: 1234,
      logLevel: logLevel.NOTHING,
      ssl: { rejectUnauthorized: true },
      sasl: { mechanism: 'plain', username: 'u', password: SECRET },
    });
  });

  it('has no ssl or sasl key for plaintext (kafkajs then connects as before)', () => {
    expect(kafkaClientConfig({ brokers: ['a:9092'], clientId: 'gw' })).toEqual({ clientId: 'gw', brokers: ['a:9092'] });
  });
});

describe('describeKafkaSecurity', () => {
  it.each([
    { config: {}, description: 'PLAINTEXT' },
    { config: { tls: { rejectUnauthorized: true } }, description: 'SSL' },
    { config: { tls: { certFile: '/c', keyFile: '/k', caFile: '/ca', rejectUnauthorized: true } }, description: 'SSL (client certificate, own CA file)' },
    {
      config: { tls: { rejectUnauthorized: false }, sasl: { mechanism: 'plain', username: 'svc', password: SECRET } },
      description: 'SASL_SSL (plain as user svc, certificates NOT verified)',
    },
    { config: { sasl: { mechanism: 'scram-sha-256', username: 'svc', passwordFile: '/p' } }, description: 'SASL_PLAINTEXT (scram-sha-256 as user svc)' },
  ] satisfies { config: Pick<KafkaConfig, 'tls' | 'sasl'>; description: string }[])('$description', ({ config, description }) => {
    expect(describeKafkaSecurity(config)).toBe(description);
  });
});

describe('ScimEventPublisher with TLS and SASL settings', () => {
  function recordingLogger(): KafkaLogger & { lines: string[] } {
    const lines: string[] = [];
    return { lines, log: (line) => lines.push(line), warn: (line) => lines.push(`WARN ${line}`), error: (line) => lines.push(`ERROR ${line}`) };
  }
  const base = { brokers: ['127.0.0.1:1'], topicPrefix: 'scim', partitions: 3, replicationFactor: 1, clientId: 'unit' };

  it('fails at construction, before any connection, when a file cannot be read', () => {
    const build = () => new ScimEventPublisher({ ...base, tls: { caFile: '/nonexistent/ca.pem', rejectUnauthorized: true } }, recordingLogger(), { sendThread: 'inline' });
    expect(build).toThrow(ConfigError);
    expect(build).toThrow('KAFKA_SSL_CA_FILE="/nonexistent/ca.pem" cannot be read (ENOENT)');
  });

  it('logs the warnings once when constructed, without the password, and not from its send thread', async () => {
    const logger = recordingLogger();
    const config = { ...base, sasl: { mechanism: 'plain', username: 'svc', password: SECRET } } as const;
    await new ScimEventPublisher(config, logger, { sendThread: 'inline' }).close();
    expect(logger.lines).toEqual([expect.stringMatching(/^WARN KAFKA_SASL_MECHANISM=plain without KAFKA_SSL=true/)]);
    expect(logger.lines.join()).not.toContain(SECRET);

    const quiet = recordingLogger();
    await new ScimEventPublisher(config, quiet, { sendThread: 'inline', logSecurityWarnings: false }).close();
    expect(quiet.lines).toEqual([]);
  });

  it('names the protocol and user (never the password) when a publish fails', async () => {
    const config = { ...base, tls: { rejectUnauthorized: true }, sasl: { mechanism: 'scram-sha-256', username: 'svc', password: SECRET } } as const;
    const publisher = new ScimEventPublisher(config, recordingLogger(), { sendThread: 'inline', retries: 0, requestTimeoutMs: 1000 });
    try {
      const failure = publisher.publish([{ topicKind: 'users', key: 't:1', event: {} as never }]);
      await expect(failure).rejects.toThrow(/^publishing 1 events to Kafka \(127\.0\.0\.1:1, SASL_SSL \(scram-sha-256 as user svc\)\) failed: /);
      await expect(failure.catch((error: Error) => error.message)).resolves.not.toContain(SECRET);
    } finally {
      await publisher.close();
    }
  });
});
