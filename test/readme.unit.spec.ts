import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from '@jest/globals';
import { CONFIG_VARIABLES } from '#config/gateway.config.js';
import { KAFKA_CONFIG_VARIABLES } from '#config/kafka.config.js';
import { TRACING_VARIABLES } from '#observability/tracing.config.js';

const README = readFileSync(path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'README.md'), 'utf8');

/** The README's configuration table is the operator's reference: every variable the gateway reads has a row. */
describe('README configuration table', () => {
  const rows = new Set([...README.matchAll(/^\| `([A-Z][A-Z0-9_]*)` \|/gm)].map((match) => match[1]));

  it.each(Object.keys({ ...CONFIG_VARIABLES, ...KAFKA_CONFIG_VARIABLES, ...TRACING_VARIABLES }))('documents %s', (name) => {
    expect(rows).toContain(name);
  });
});
