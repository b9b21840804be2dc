/// <reference lib="dom" />
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { startTestGateway, TEST_ADMIN_TOKEN, type TestGateway } from '../support/test-gateway.js';

/**
 * The console's browser tests drive Debian's Chromium (apt-get install chromium) through playwright-core; browsers
 * cannot be downloaded here (docs/console.md "Tests"). Without Chromium the suites are skipped on a laptop and
 * fail in CI (CI set), so CI cannot pass without running them.
 */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export function browserAvailable(): boolean {
  if (existsSync(CHROMIUM_PATH)) return true;
  if (process.env.CI) throw new Error(`CI: the console's browser tests need Chromium at ${CHROMIUM_PATH} (.ci/run installs Debian's chromium)`);
  console.warn(`console browser tests skipped: no Chromium at ${CHROMIUM_PATH} (apt-get install chromium, or set CHROMIUM_PATH)`);
  return false;
}

export interface ConsoleHarness {
  readonly gateway: TestGateway;
  readonly baseUrl: string;
  readonly context: BrowserContext;
  /** A new tab that records CSP violations and page errors (see problemsOf). */
  newPage(): Promise<Page>;
  close(): Promise<void>;
}

/** A gateway on PGlite listening on a loopback port, and a fresh Chromium profile (its own --user-data-dir). */
export async function startConsoleHarness(env: Record<string, string> = {}): Promise<ConsoleHarness> {
  const gateway = await startTestGateway(env);
  const baseUrl = await gateway.listen();
  const profile = mkdtempSync(path.join(tmpdir(), 'console-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: CHROMIUM_FLAGS,
    viewport: { width: 1280, height: 900 },
    baseURL: baseUrl,
  });
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: baseUrl });
  // Runs before the page's own scripts (through the DevTools protocol, not as an inline script the CSP would refuse).
  await context.addInitScript(() => {
    const w = window as unknown as { __problems: string[] };
    w.__problems = [];
    document.addEventListener('securitypolicyviolation', (event) => w.__problems.push(`CSP violation: ${event.violatedDirective} ${event.blockedURI}`));
  });
  return {
    gateway,
    baseUrl,
    context,
    async newPage() {
      const page = await context.newPage();
      const errors: string[] = [];
      page.on('pageerror', (error) => errors.push(`page error: ${error.message}`));
      (page as Page & { __errors?: string[] }).__errors = errors;
      return page;
    },
    async close() {
      await context.close().catch(() => undefined);
      rmSync(profile, { recursive: true, force: true });
      await gateway.close();
    },
  };
}

/** CSP violations and uncaught errors the page has seen so far: every test expects none. */
export async function problemsOf(page: Page): Promise<string[]> {
  const inPage = await page.evaluate(() => (window as unknown as { __problems?: string[] }).__problems ?? []).catch(() => []);
  return [...inPage, ...((page as Page & { __errors?: string[] }).__errors ?? [])];
}

/** Resolves once the console has drawn the page its URL names (main.ts clears aria-busy when it is drawn). */
export async function waitForPage(page: Page): Promise<void> {
  await page.locator('main#main:not([aria-busy="true"]) h1').waitFor();
}

/**
 * 200 % zoom of a 1280 px window is 640 CSS px: the pages that scroll sideways there, with by how many pixels
 * (wide tables scroll inside their own region, so a page never should). Restores the viewport afterwards.
 */
export async function pagesOverflowingAt640(page: Page, paths: readonly string[]): Promise<Record<string, number>> {
  const size = page.viewportSize();
  await page.setViewportSize({ width: 640, height: 800 });
  try {
    const overflowing: Record<string, number> = {};
    for (const path of paths) {
      await page.goto(path);
      await waitForPage(page);
      await page.waitForLoadState('networkidle');
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      if (overflow > 0) overflowing[path] = overflow;
    }
    return overflowing;
  } finally {
    if (size) await page.setViewportSize(size);
  }
}

/** Signs in through the form, as a person would; resolves on the page the console lands on. */
export async function signIn(page: Page, token: string = TEST_ADMIN_TOKEN, path = '/console'): Promise<void> {
  await page.goto(path);
  await page.getByLabel('Admin token').fill(token);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('button', { name: 'Sign out' }).waitFor();
}

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

export interface AxeViolation {
  readonly id: string;
  readonly impact: string | null;
  readonly help: string;
  readonly nodes: number;
  readonly targets: string[];
}

/**
 * axe-core run inside the page (WCAG 2.0-2.2 A and AA rules); returns the serious and critical violations. axe is
 * evaluated through the DevTools protocol, which the page's CSP does not govern, so the CSP stays as served.
 */
export async function seriousAccessibilityViolations(page: Page): Promise<AxeViolation[]> {
  await page.evaluate(axeSource);
  const violations: AxeViolation[] = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run: (context: Document, options: unknown) => Promise<{ violations: { id: string; impact: string | null; help: string; nodes: { target: string[] }[] }[] }> } }).axe;
    const result = await axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'] } });
    return result.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.length, targets: v.nodes.slice(0, 5).map((n) => n.target.join(' ')) }));
  });
  return violations.filter((violation) => violation.impact === 'serious' || violation.impact === 'critical');
}

/**
 * With CONSOLE_SCREENSHOTS_DIR set (npm run console:screenshots sets docs/console), saves a full-page PNG named
 * `name`; otherwise does nothing, so an ordinary test run leaves the working tree as it was.
 */
export async function screenshot(page: Page, name: string): Promise<void> {
  const dir = process.env.CONSOLE_SCREENSHOTS_DIR;
  if (!dir) return;
  mkdirSync(dir, { recursive: true });
  await page.screenshot({ path: path.join(dir, `${name}.png`), fullPage: true });
}
