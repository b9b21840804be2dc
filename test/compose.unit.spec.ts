import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from '@jest/globals';
import { CONFIG_VARIABLES, loadGatewayConfig } from '#config/gateway.config.js';
import { KAFKA_CONFIG_VARIABLES, loadKafkaConfig } from '#config/kafka.config.js';
import { loadProjectorConfig, PROJECTOR_CONFIG_VARIABLES } from '../apps/projector/src/projector.config.js';

/**
 * docker-compose.yml cannot be run here (no Docker engine), so it is read and checked instead (issue 6, item 4):
 * every variable it gives our processes is one the configuration schema accepts, with a value it accepts; every
 * service the README and docs/operations.md name exists; the gateway scales; everything has a health check.
 */
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const read = (file: string) => readFileSync(path.join(ROOT, file), 'utf8');

type Yaml = string | Yaml[] | { [key: string]: Yaml };

/**
 * A reader for the YAML subset docker-compose.yml keeps to (no YAML dependency): nested block mappings,
 * block sequences of scalars, plain / "double" / 'single' quoted scalars, JSON-compatible flow sequences
 * ([...]) and comments. Anything else (anchors, aliases, multi-line strings, tabs) is refused with the line
 * number, so the file cannot drift into YAML this test would misread.
 */
function readComposeYaml(text: string): Yaml {
  const lines = text.split('\n').flatMap((raw, index) => {
    const content = stripComment(raw).trimEnd();
    if (content.trim() === '') return [];
    if (/^\t| \t/.test(raw)) throw new Error(`line ${index + 1}: tabs are not supported`);
    return [{ number: index + 1, indent: content.length - content.trimStart().length, text: content.trim() }];
  });
  let next = 0;

  const block = (indent: number): Yaml => {
    const first = lines[next];
    if (first.text.startsWith('- ')) {
      const items: Yaml[] = [];
      while (next < lines.length && lines[next].indent === indent && lines[next].text.startsWith('- ')) {
        const item = lines[next].text.slice(2).trim();
        if (/^[A-Za-z0-9_.-]+:(\s|$)/.test(item)) throw new Error(`line ${lines[next].number}: mappings inside sequences are not supported`);
        items.push(scalar(item, lines[next].number));
        next++;
      }
      return items;
    }
    const mapping: { [key: string]: Yaml } = {};
    while (next < lines.length && lines[next].indent === indent) {
      const { text: line, number } = lines[next];
      const match = /^([A-Za-z0-9_.-]+):(?:\s+(.*))?$/.exec(line);
      if (!match) throw new Error(`line ${number}: expected "key: value", got "${line}"`);
      const [, key, value] = match;
      if (key in mapping) throw new Error(`line ${number}: duplicate key ${key}`);
      next++;
      if (value !== undefined && value !== '') {
        mapping[key] = scalar(value, number);
      } else if (next < lines.length && lines[next].indent > indent) {
        mapping[key] = block(lines[next].indent);
      } else {
        mapping[key] = ''; // an empty value, as a named volume has
      }
    }
    if (next < lines.length && lines[next].indent > indent) throw new Error(`line ${lines[next].number}: unexpected indentation`);
    return mapping;
  };

  const result = block(0);
  if (next < lines.length) throw new Error(`line ${lines[next].number}: unexpected indentation`);
  return result;
}

function scalar(value: string, line: number): Yaml {
  if (/^[&*!|>]/.test(value)) throw new Error(`line ${line}: anchors, aliases, tags and multi-line strings are not supported`);
  if (value.startsWith('"')) return JSON.parse(value) as string;
  if (value.startsWith("'")) {
    if (!value.endsWith("'")) throw new Error(`line ${line}: unterminated string`);
    return value.slice(1, -1).replace(/''/g, "'");
  }
  if (value.startsWith('[') || value.startsWith('{')) {
    try {
      return JSON.parse(value) as Yaml;
    } catch {
      throw new Error(`line ${line}: only JSON-compatible flow collections are supported: ${value}`);
    }
  }
  return value;
}

/** Drops a comment: from a # at the start or after whitespace, outside quotes. */
function stripComment(line: string): string {
  let quote: string | null = null;
  for (let index = 0; index < line.length; index++) {
    const character = line[index];
    if (quote) {
      if (character === '\\' && quote === '"') index++;
      else if (character === quote) quote = null;
    } else if (character === '"' || character === "'") {
      quote = character;
    } else if (character === '#' && (index === 0 || /\s/.test(line[index - 1]))) {
      return line.slice(0, index);
    }
  }
  return line;
}

/** What `docker compose` makes of ${NAME}, ${NAME:-default} and ${NAME:?error} when NAME is unset; `given` wins. */
function interpolate(value: string, given: Readonly<Record<string, string>>): string {
  return value.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?])([^}]*))?\}/g, (_whole, name: string, operator: string | undefined, word: string) => {
    if (name in given) return given[name];
    if (operator?.endsWith('-')) return word;
    if (operator?.endsWith('?')) throw new Error(`\${${name}} is required: ${word}`);
    return '';
  });
}

/** Service names in `docker compose <command> [options] <service>...` and `--scale <service>=N`, in Markdown text. */
function composeServicesNamed(markdown: string): string[] {
  const names = new Set<string>();
  for (const [, rest] of markdown.matchAll(/docker compose ((?:[^\n`|]|\\\n)*)/g)) {
    for (const [, name] of rest.matchAll(/--scale\s+([a-z0-9_-]+)=/g)) names.add(name);
    const words = rest.trim().split(/\s+/);
    if (!['up', 'logs', 'restart', 'stop', 'start', 'kill', 'rm', 'ps', 'exec', 'pause', 'unpause', 'top'].includes(words[0])) continue;
    for (let index = 1; index < words.length; index++) {
      const word = words[index];
      if (word.startsWith('-')) {
        if (['--scale', '--tail', '-t', '--timeout', '-u', '--user', '-w', '--workdir', '-e', '--env'].includes(word)) index++; // option with a value
        continue;
      }
      if (!/^[a-z0-9][a-z0-9_-]*$/.test(word)) break; // the end of the command (a pipe, a comment, prose)
      names.add(word);
      if (words[0] === 'exec') break; // what follows is the command run inside the service
    }
  }
  return [...names];
}

const compose = readComposeYaml(read('docker-compose.yml')) as { services: Record<string, Record<string, Yaml>>; volumes?: Record<string, Yaml> };
const services = compose.services;
const environment = (service: string) => (services[service]?.['environment'] ?? {}) as Record<string, string>;
const INTERPOLATED = { SCIM_BEARER_TOKEN: 'compose-test-token-0123456789', ADMIN_TOKEN: 'compose-test-admin-token-0123456789' };
const resolvedEnvironment = (service: string) =>
  Object.fromEntries(Object.entries(environment(service)).map(([name, value]) => [name, interpolate(String(value), INTERPOLATED)]));

describe('readComposeYaml', () => {
  it('reads the subset docker-compose.yml uses', () => {
    const text = [
      '# a comment',
      'services:',
      '  web:',
      '    image: "node:20" # trailing comment',
      '    command: ["node", "main.js"]',
      '    ports:',
      '      - "3000-3009:3000"',
      "      - '80:80'",
      '    environment:',
      '      URL: esdb://host:2113?tls=false#not-a-comment',
      'volumes:',
      '  data:',
    ].join('\n');
    expect(readComposeYaml(text)).toEqual({
      services: {
        web: {
          image: 'node:20',
          command: ['node', 'main.js'],
          ports: ['3000-3009:3000', '80:80'],
          environment: { URL: 'esdb://host:2113?tls=false#not-a-comment' },
        },
      },
      volumes: { data: '' },
    });
  });

  it.each([
    ['an anchor', 'a: &x 1'],
    ['a multi-line string', 'a: |'],
    ['a duplicate key', 'a: 1\na: 2'],
    ['a mapping inside a sequence', 'a:\n  - b: 1\n    c: 2'],
    ['a one-line mapping inside a sequence', 'a:\n  - b: 1'],
  ])('refuses %s', (_what, text) => {
    expect(() => readComposeYaml(text)).toThrow(/line \d+/);
  });
});

describe('docker-compose.yml', () => {
  it('has the distributed topology: EventStoreDB, PostgreSQL, Kafka, gateway, projector', () => {
    expect(Object.keys(services).sort()).toEqual(['eventstoredb', 'gateway', 'kafka', 'postgres', 'projector']);
    expect(services['eventstoredb']['image']).toMatch(/^eventstore\/eventstore:/);
    expect(services['postgres']['image']).toMatch(/^postgres:/);
    expect(services['kafka']['image']).toMatch(/^apache\/kafka:/);
    expect(environment('kafka')['KAFKA_PROCESS_ROLES']).toBe('broker,controller'); // KRaft, no ZooKeeper
    expect(environment('eventstoredb')['EVENTSTORE_CLUSTER_SIZE']).toBe('1');
  });

  it.each(['gateway', 'projector'])('sets only variables the configuration schema knows for the %s', (service) => {
    const known = new Set([
      ...Object.keys(CONFIG_VARIABLES),
      ...Object.keys(KAFKA_CONFIG_VARIABLES),
      ...(service === 'projector' ? Object.keys(PROJECTOR_CONFIG_VARIABLES) : []),
    ]);
    const unknown = Object.keys(environment(service)).filter((name) => !known.has(name));
    expect(unknown).toEqual([]);
  });

  it('gives the gateway and the projector values their configuration accepts, on EventStoreDB', () => {
    const gateway = loadGatewayConfig(resolvedEnvironment('gateway'));
    expect(gateway).toMatchObject({ eventStore: 'eventstoredb', eventStoreUrl: expect.stringMatching(/^esdb:\/\/eventstoredb:2113/) });
    expect(gateway.databaseUrl).toMatch(/@postgres:5432\//);
    // Gateways leave the projections (read model and Kafka) to the projector service.
    expect(gateway.projections).toBe('external');
    expect(loadKafkaConfig(resolvedEnvironment('gateway'))).toBeNull();
    expect(loadKafkaConfig(resolvedEnvironment('projector'))).not.toBeNull();

    const projectorEnvironment = resolvedEnvironment('projector');
    expect(loadGatewayConfig(projectorEnvironment)).toMatchObject({ eventStore: 'eventstoredb', eventStoreUrl: gateway.eventStoreUrl, databaseUrl: gateway.databaseUrl });
    expect(loadProjectorConfig(projectorEnvironment)).toMatchObject({ kafka: { brokers: ['kafka:9092'] } });
  });

  it('requires SCIM_BEARER_TOKEN and ADMIN_TOKEN from whoever starts it (every gateway replica must accept the same tokens)', () => {
    expect(() => interpolate(environment('gateway')['SCIM_BEARER_TOKEN'], {})).toThrow('SCIM_BEARER_TOKEN');
    expect(() => interpolate(environment('gateway')['ADMIN_TOKEN'], {})).toThrow('ADMIN_TOKEN');
  });

  it('lets the gateway scale: no container name, a host port range rather than one port', () => {
    const gateway = services['gateway'];
    expect(gateway['container_name']).toBeUndefined();
    const ports = gateway['ports'] as string[];
    for (const port of ports) expect(port).toMatch(/^\d+-\d+:\d+$/);
  });

  it('gives every service a health check and starts the gateway and projector only on healthy dependencies', () => {
    for (const [name, service] of Object.entries(services)) {
      const healthcheck = service['healthcheck'] as Record<string, Yaml> | undefined;
      expect([name, Array.isArray(healthcheck?.['test'])]).toEqual([name, true]);
    }
    for (const name of ['gateway', 'projector']) {
      const dependsOn = services[name]['depends_on'] as Record<string, Record<string, string>>;
      expect(Object.keys(dependsOn)).toEqual(expect.arrayContaining(['eventstoredb', 'postgres']));
      for (const dependency of Object.values(dependsOn)) expect(dependency['condition']).toBe('service_healthy');
    }
    expect(JSON.stringify(services['gateway']['healthcheck'])).toContain('/health');
  });

  it('runs entry points that exist in the sources the image compiles', () => {
    const dockerfile = read('Dockerfile');
    const defaultCommand = /^CMD \[(.*)\]$/m.exec(dockerfile)![1];
    const commands = [JSON.parse(`[${defaultCommand}]`) as string[], services['projector']['command'] as string[]];
    for (const [node, script] of commands) {
      expect(node).toBe('node');
      const source = script.replace(/^dist\//, '').replace(/\.js$/, '.ts');
      expect([script, existsSync(path.join(ROOT, source))]).toEqual([script, true]);
    }
  });

  it('names only volumes it declares', () => {
    const declared = Object.keys(compose.volumes ?? {});
    for (const service of Object.values(services)) {
      for (const mount of (service['volumes'] ?? []) as string[]) expect(declared).toContain(mount.split(':')[0]);
    }
  });
});

describe('Dockerfile', () => {
  const dockerfile = read('Dockerfile');

  // Which node:<version> image: test/node-version.unit.spec.ts (the pinned version, every stage).
  it('builds what CI builds (npm ci from the lock file, then npm run build) in a node stage', () => {
    expect(dockerfile).toMatch(/^FROM node:[^\s]+ AS build$/m);
    const build = dockerfile.slice(dockerfile.indexOf('AS build'), dockerfile.indexOf('FROM', dockerfile.indexOf('AS build')));
    expect(build).toMatch(/RUN npm ci\b/);
    expect(build).toMatch(/RUN npm run build$/m);
  });

  it('runs production dependencies only, as a user other than root, with a health check on /health', () => {
    const runtime = dockerfile.slice(dockerfile.lastIndexOf('FROM '));
    expect(runtime).toMatch(/^FROM node:[^\s]*slim/);
    expect(dockerfile).toMatch(/npm ci --omit=dev/);
    expect(runtime).toMatch(/^USER (?!root)\w+$/m);
    expect(runtime).toMatch(/^HEALTHCHECK [\s\S]*\/health/m);
  });

  it('copies from the build stage the compiled apps, libraries and console only (no benchmarks, no examples)', () => {
    const copied = [...dockerfile.matchAll(/^COPY --from=build \S+ (\S+) \S+$/gm)].map((match) => match[1]);
    expect(copied).toEqual(['/app/dist/apps', '/app/dist/libs', '/app/dist/console']);
  });
});

describe('the services the documentation names', () => {
  it.each(['README.md', 'docs/operations.md'])('exist in docker-compose.yml (%s)', (file) => {
    if (!existsSync(path.join(ROOT, file))) return;
    const named = composeServicesNamed(read(file));
    expect(named.filter((name) => !(name in services))).toEqual([]);
  });

  it('are found in commands and --scale options', () => {
    const text = '```sh\ndocker compose up --build --scale gateway=3 --scale projector=2\ndocker compose logs -f --tail 50 projector gateway\n' +
      'docker compose exec postgres pg_dump -U scim\ndocker compose stop eventstoredb  # EventStoreDB down\n```\nRun `docker compose restart kafka`.';
    expect(composeServicesNamed(text).sort()).toEqual(['eventstoredb', 'gateway', 'kafka', 'postgres', 'projector']);
  });
});
