import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { transpileForChildProcess, type TranspiledEntry } from '#testing/typescript-child.js';

/**
 * With LOG_FORMAT=json a process that dies of an uncaught exception or an unhandled rejection says so in one JSON
 * line (not Node's text on stderr) and still exits with code 1. Run as a real child process: the handler stops it.
 */
const HERE = path.dirname(fileURLToPath(import.meta.url));

async function runChild(failure: 'throw' | 'reject'): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const entryFile = path.join(HERE, `process-logger.child-${failure}.tmp.ts`);
  await writeFile(
    entryFile,
    `import { installProcessLogger } from './process-logger.js';\n` +
      `installProcessLogger('json', 'log');\n` +
      (failure === 'throw'
        ? `setTimeout(() => { throw new Error('boom from a timer'); }, 10);\n`
        : `setTimeout(() => { void Promise.reject(new Error('boom from a promise')); }, 10);\n`),
  );
  let entry: TranspiledEntry | undefined;
  try {
    entry = await transpileForChildProcess(entryFile);
    const child = spawn(process.execPath, [entry.entryPath], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('exit', (exitCode) => resolve(exitCode)));
    return { code, stdout, stderr };
  } finally {
    await entry?.cleanup();
    await import('node:fs/promises').then(({ rm }) => rm(entryFile, { force: true }));
  }
}

describe('a JSON-logging process that dies of an error', () => {
  it.each([
    ['throw', 'uncaught exception', 'boom from a timer'],
    ['reject', 'unhandled rejection', 'boom from a promise'],
  ] as const)('%s: one fatal JSON line with the error, nothing on stderr, exit code 1', async (failure, what, message) => {
    const { code, stdout, stderr } = await runChild(failure);
    expect(code).toBe(1);
    expect(stderr).toBe('');
    const lines = stdout.trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ level: 'fatal', context: 'Node', msg: `${what}: the process stops`, err: { name: 'Error', message } });
    expect(String((lines[0].err as { stack?: string }).stack)).toContain(message);
  });
});
