import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from '@jest/globals';
import { PINNED_NODE_VERSION } from '#observability/runtime-version.js';

/**
 * One Node.js version everywhere (issue 14): the `node` package whose binary every npm script runs on, "engines",
 * the lock file, the Dockerfile's base images, the README, and the
 * constant the start banner and the older-runtime warning use.
 */
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const read = (file: string) => readFileSync(path.join(ROOT, file), 'utf8');
const pkg = JSON.parse(read('package.json')) as {
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
  engines: Record<string, string>;
  allowScripts?: Record<string, boolean>;
};
const lock = JSON.parse(read('package-lock.json')) as { packages: Record<string, { version?: string; dev?: boolean }> };

describe('the pinned Node.js version', () => {
  it('is the exact version of the `node` package, in package.json and in the lock file', () => {
    expect(pkg.devDependencies?.['node']).toBe(PINNED_NODE_VERSION);
    expect(pkg.dependencies?.['node']).toBeUndefined();
    expect(lock.packages['node_modules/node']?.version).toBe(PINNED_NODE_VERSION);
  });

  it('is the line "engines" names', () => {
    expect(pkg.engines['node']).toBe(`^${PINNED_NODE_VERSION}`);
  });

  it('has its install script (it fetches the binary) approved in allowScripts, and no other', () => {
    // By name: npm cannot match a pinned entry (node@x.y.z) when the lock has no "resolved" URLs, as with this
    // machine's omit-lockfile-registry-resolved; the exact version above and the lock's integrity pin it anyway.
    expect(pkg.allowScripts?.['node']).toBe(true);
    expect(Object.entries(pkg.allowScripts ?? {}).filter(([, allowed]) => allowed)).toEqual([['node', true]]);
  });

  it('is every base image of the Dockerfile', () => {
    const images = [...read('Dockerfile').matchAll(/^FROM\s+(\S+)/gm)].map((match) => match[1]);
    expect(images.length).toBeGreaterThan(0);
    for (const image of images) expect(image).toMatch(new RegExp(`^node:${PINNED_NODE_VERSION.replaceAll('.', '\\.')}-bookworm(-slim)?$`));
  });

  it('is the version the README names, and the README names no other', () => {
    const readme = read('README.md');
    expect(readme).toContain(`Node.js ${PINNED_NODE_VERSION}`);
    const named = [...readme.matchAll(/Node(?:\.js)? (\d+\.\d+\.\d+)/g)].map((match) => match[1]);
    expect(new Set(named)).toEqual(new Set([PINNED_NODE_VERSION]));
  });
});
