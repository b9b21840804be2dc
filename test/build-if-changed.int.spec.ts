import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const SCRIPT = path.resolve('scripts/build-if-changed.sh');

/**
 * `npm start` runs scripts/build-if-changed.sh: it compiles when the sources changed since dist/ was built, and
 * only then (issue 14: a second start must serve in seconds). Run here on a scratch tree whose "build" only
 * writes the entry point and counts itself, so what is checked is the decision, not tsc.
 */
describe('npm start compiles only what changed (scripts/build-if-changed.sh)', () => {
  let root: string;
  const builds = async () => (await readFile(path.join(root, 'builds.log'), 'utf8').catch(() => '')).split('\n').filter(Boolean).length;
  const start = () =>
    run('bash', [SCRIPT], {
      env: {
        ...process.env,
        BUILD_ROOT: root,
        BUILD_COMMAND: 'mkdir -p dist/apps/gateway/src && touch dist/apps/gateway/src/main.js && echo built >> builds.log',
      },
    });

  beforeEach(async () => {
    root = await mkdtemp(path.join(tmpdir(), 'build-if-changed-'));
    await mkdir(path.join(root, 'apps/gateway/src'), { recursive: true });
    await writeFile(path.join(root, 'apps/gateway/src/main.ts'), 'export const answer = 42;\n');
    await writeFile(path.join(root, 'package.json'), '{"name":"scratch"}\n');
  });
  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('builds on the first start, then not again while nothing changed', async () => {
    await start();
    await start();
    await start();
    expect(await builds()).toBe(1);
  });

  it('builds again after a source, a package file or a tsconfig changed, whatever the file times say', async () => {
    await start();
    await writeFile(path.join(root, 'apps/gateway/src/main.ts'), 'export const answer = 43;\n');
    await start();
    await writeFile(path.join(root, 'package.json'), '{"name":"scratch","version":"2"}\n');
    await start();
    await writeFile(path.join(root, 'tsconfig.json'), '{}\n');
    await start();
    expect(await builds()).toBe(4);
  });

  it('ignores test files, and builds again when the compiled entry point is gone', async () => {
    await start();
    await writeFile(path.join(root, 'apps/gateway/src/main.spec.ts'), 'it("x", () => undefined);\n');
    await start();
    expect(await builds()).toBe(1);
    await rm(path.join(root, 'dist/apps/gateway/src/main.js'));
    await start();
    expect(await builds()).toBe(2);
  });

  it('writes no fingerprint when the build fails, so the next start builds again', async () => {
    const failing = run('bash', [SCRIPT], { env: { ...process.env, BUILD_ROOT: root, BUILD_COMMAND: 'echo built >> builds.log; exit 3' } });
    await expect(failing).rejects.toMatchObject({ code: 3 });
    await start();
    expect(await builds()).toBe(2);
  });
});
