import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * What `npm run build` writes to dist/ (and the Dockerfile copies into the image) is the product only: test support
 * is either in libs/testing or named `*.test-support.ts`, and tsconfig.build.json leaves both out (issue 16). tsc
 * also compiles every file a compiled file imports, so a product import of test support would bring it back: this
 * reads the built output, as the other specs that need dist/ do (npm test builds first).
 */
const DIST = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'dist');
/** A PEM header followed by its base64 body (a key or certificate), not the header alone that a parser names. */
const PEM_BLOCK = /-----BEGIN [A-Z ]+-----\s+[A-Za-z0-9+/]{40}/;

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => path.relative(DIST, path.join(entry.parentPath, entry.name)));
}

describe('the build output (dist/)', () => {
  const files = existsSync(DIST) ? filesUnder(DIST) : [];
  const text = (file: string) => readFileSync(path.join(DIST, file), 'utf8');
  const compiled = files.filter((file) => file.endsWith('.js'));

  it('has been built', () => {
    expect(files).toContain(path.join('apps', 'gateway', 'src', 'main.js'));
  });

  it('holds no test support, no specs and no test library', () => {
    const testFiles = files.filter((file) => /\.(test-support|spec)\.js(\.map)?$/.test(file) || file.startsWith(path.join('libs', 'testing') + path.sep));
    expect(testFiles).toEqual([]);
  });

  it('holds no key or certificate, as a file or inside compiled code', () => {
    expect(files.filter((file) => /\.(pem|key|crt|p12)$/.test(file))).toEqual([]);
    expect(compiled.filter((file) => PEM_BLOCK.test(text(file)))).toEqual([]);
  });

  it('imports no test framework; fast-check only in the benchmarks (a development tool, never in the image)', () => {
    const importsOf = (pattern: RegExp) => compiled.filter((file) => pattern.test(text(file)));
    expect(importsOf(/from ['"](@jest\/[a-z-]+|jest|ts-jest|supertest|@nestjs\/testing)['"]/)).toEqual([]);
    expect(importsOf(/from ['"]fast-check['"]/).filter((file) => !file.startsWith('bench' + path.sep))).toEqual([]);
  });
});
