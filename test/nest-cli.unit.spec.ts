import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * nest-cli.json describes the monorepo (STYLE.md "Layout"): it must name only files that exist (issue 16: the
 * libraries named an `index` entry file, and the libraries have no barrels) and every library there is.
 */
interface NestProject {
  type: 'application' | 'library';
  root: string;
  sourceRoot: string;
  entryFile?: string;
}

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const nestCli = JSON.parse(readFileSync(path.join(ROOT, 'nest-cli.json'), 'utf8')) as {
  root: string;
  sourceRoot: string;
  compilerOptions: { tsConfigPath: string };
  projects: Record<string, NestProject>;
};
const packageImports = Object.keys((JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { imports: Record<string, unknown> }).imports);
const isDirectory = (relative: string) => existsSync(path.join(ROOT, relative)) && statSync(path.join(ROOT, relative)).isDirectory();
const projects = Object.entries(nestCli.projects);

describe('nest-cli.json', () => {
  it('names a default project, and a build tsconfig, that exist', () => {
    expect([nestCli.root, nestCli.sourceRoot].filter((dir) => !isDirectory(dir))).toEqual([]);
    expect(existsSync(path.join(ROOT, nestCli.compilerOptions.tsConfigPath))).toBe(true);
  });

  it.each(projects)('names directories that exist (%s)', (_name, project) => {
    expect([project.root, project.sourceRoot].filter((dir) => !isDirectory(dir))).toEqual([]);
    expect(project.sourceRoot.startsWith(project.root + '/')).toBe(true);
  });

  it.each(projects)('names an entry file that exists as TypeScript, if it names one (%s)', (_name, project) => {
    if (project.type === 'application') expect(project.entryFile).toBeDefined();
    if (project.entryFile !== undefined) expect(existsSync(path.join(ROOT, project.sourceRoot, `${project.entryFile}.ts`))).toBe(true);
  });

  it('lists every library under libs/, each with its "#name/*" import in package.json', () => {
    const libraries = readdirSync(path.join(ROOT, 'libs')).filter((name) => isDirectory(`libs/${name}`)).sort();
    const listed = projects.filter(([, project]) => project.type === 'library').map(([name]) => name).sort();
    expect(listed).toEqual(libraries);
    expect(libraries.filter((name) => !packageImports.includes(`#${name}/*`))).toEqual([]);
    for (const [name, project] of projects.filter(([, project]) => project.type === 'library')) {
      expect([name, project.root, project.sourceRoot]).toEqual([name, `libs/${name}`, `libs/${name}/src`]);
    }
  });
});
