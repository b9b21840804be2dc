import { describe, expect, it } from '@jest/globals';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { handOverGeneratedToken, type TokenHandOver } from './generated-token.js';

const TOKEN = 'scim_0123456789abcdefghijklmnopqrstuvwxyzABCDEFG';
const GENERATED = { variable: 'SCIM_BEARER_TOKEN', description: 'its SCIM bearer token', token: TOKEN } as const;

async function handOver(terminal: boolean, dataDir: string) {
  const lines: { level: string; message: string; fields?: Record<string, unknown> }[] = [];
  const printed: string[] = [];
  const options: TokenHandOver = {
    terminal,
    dataDir,
    logger: {
      log: (message, fields) => lines.push({ level: 'log', message, fields }),
      error: (message, fields) => lines.push({ level: 'error', message, fields }),
    },
    print: (text) => printed.push(text),
  };
  await handOverGeneratedToken(GENERATED, options);
  return { lines, printed };
}

describe('handOverGeneratedToken', () => {
  it('prints the token on a terminal, as the README shows, and writes no file', async () => {
    const dataDir = await mkdtemp(path.join(tmpdir(), 'token-'));
    const { lines, printed } = await handOver(true, dataDir);
    expect(lines).toEqual([{ level: 'log', message: 'its SCIM bearer token, shown only this once:', fields: undefined }]);
    expect(printed).toEqual([`\n    ${TOKEN}\n\n`]);
    await expect(stat(path.join(dataDir, 'scim-bearer-token'))).rejects.toThrow();
    await rm(dataDir, { recursive: true });
  });

  it('otherwise writes it to DATA_DIR/scim-bearer-token, mode 0600, replacing an older file, and logs only where it is', async () => {
    const dataDir = await mkdtemp(path.join(tmpdir(), 'token-'));
    const file = path.join(dataDir, 'scim-bearer-token');
    await writeFile(file, 'an older token\n', { mode: 0o644 });
    const { lines, printed } = await handOver(false, dataDir);
    expect(printed).toEqual([]);
    expect(await readFile(file, 'utf8')).toBe(`${TOKEN}\n`);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(lines).toEqual([{ level: 'log', message: expect.stringContaining(`is in ${file}`), fields: { tokenFile: file } }]);
    expect(JSON.stringify(lines)).not.toContain(TOKEN);
    await rm(dataDir, { recursive: true });
  });

  it('says how to recover when the file cannot be written, still without the token', async () => {
    const parent = await mkdtemp(path.join(tmpdir(), 'token-'));
    const notADirectory = path.join(parent, 'file');
    await writeFile(notADirectory, '');
    const { lines, printed } = await handOver(false, notADirectory);
    expect(printed).toEqual([]);
    expect(lines).toEqual([{ level: 'error', message: expect.stringContaining('set SCIM_BEARER_TOKEN'), fields: { tokenFile: path.join(notADirectory, 'scim-bearer-token') } }]);
    expect(JSON.stringify(lines)).not.toContain(TOKEN);
    await rm(parent, { recursive: true });
  });
});
