import { mkdtemp, mkdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import ts from 'typescript';

export interface TranspiledEntry {
  /** The .js file to hand to `node`. */
  readonly entryPath: string;
  cleanup(): Promise<void>;
}

// `from './x.js'`, `import './x.js'`, `import('./x.js')` and the package "imports" aliases (#event-store/…).
const IMPORT_SPECIFIERS = /(?:from\s+|import\s*\(\s*|import\s+)['"]((?:\.{1,2}\/|#[a-z-]+\/)[^'"]+)['"]/g;
const PACKAGE_ALIAS = /^#([a-z-]+)\/(.*)$/;

/**
 * Compiles a TypeScript entry file and everything it imports from this repository into a temporary directory,
 * so a test can run it as a separate `node` process (to kill -9 it, for example). Node 20 cannot run TypeScript,
 * and the build output may be stale or absent while tests run.
 */
export async function transpileForChildProcess(entryFile: string): Promise<TranspiledEntry> {
  const root = findProjectRoot(path.dirname(path.resolve(entryFile)));
  const outDir = await mkdtemp(path.join(tmpdir(), 'ts-child-'));
  await writeFile(path.join(outDir, 'package.json'), JSON.stringify({ type: 'module' }));
  await symlink(path.join(root, 'node_modules'), path.join(outDir, 'node_modules'), 'dir');

  const pending = [path.resolve(entryFile)];
  const done = new Set<string>();
  while (pending.length > 0) {
    const source = pending.pop()!;
    if (done.has(source)) continue;
    done.add(source);
    const text = await readFile(source, 'utf8');
    for (const match of text.matchAll(IMPORT_SPECIFIERS)) {
      const dependency = resolveSource(root, source, match[1]);
      if (dependency) pending.push(dependency);
    }
    const output = ts.transpileModule(text, {
      fileName: source,
      compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, esModuleInterop: true, sourceMap: false },
    }).outputText;
    // Package aliases become relative paths: the temporary directory has no "imports" map.
    const relocated = output.replace(IMPORT_SPECIFIERS, (whole, specifier: string) => {
      const alias = PACKAGE_ALIAS.exec(specifier);
      if (!alias) return whole;
      const target = path.join(root, 'libs', alias[1], 'src', alias[2]);
      let relative = path.relative(path.dirname(source), target).split(path.sep).join('/');
      if (!relative.startsWith('.')) relative = `./${relative}`;
      return whole.replace(specifier, relative);
    });
    const outFile = path.join(outDir, path.relative(root, source)).replace(/\.ts$/, '.js');
    await mkdir(path.dirname(outFile), { recursive: true });
    await writeFile(outFile, relocated);
  }
  return {
    entryPath: path.join(outDir, path.relative(root, path.resolve(entryFile))).replace(/\.ts$/, '.js'),
    cleanup: () => rm(outDir, { recursive: true, force: true }),
  };
}

function resolveSource(root: string, importer: string, specifier: string): string | null {
  const alias = PACKAGE_ALIAS.exec(specifier);
  const target = alias ? path.join(root, 'libs', alias[1], 'src', alias[2]) : path.resolve(path.dirname(importer), specifier);
  const source = target.replace(/\.js$/, '.ts');
  return existsSync(source) ? source : null;
}

function findProjectRoot(start: string): string {
  for (let directory = start; ; directory = path.dirname(directory)) {
    if (existsSync(path.join(directory, 'package.json')) && existsSync(path.join(directory, 'node_modules'))) return directory;
    if (path.dirname(directory) === directory) throw new Error(`no project root above ${start}`);
  }
}
