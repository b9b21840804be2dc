import { Controller, Get, Header, Inject, Param, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { NotFoundError, ScimError } from '#scim/scim-error.js';
import { ConsoleAssets } from './console-assets.js';

/**
 * The console's Content-Security-Policy: scripts and styles from this origin only (no inline script, no eval),
 * requests to this origin only, no frames, no plugins, forms only to this origin.
 */
export const CONSOLE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "font-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/** The page every console URL answers; the script draws the page its path names (History API routing). */
const SHELL = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>SCIM gateway console</title>
<link rel="stylesheet" href="/console/assets/console.css">
<script type="module" src="/console/assets/main.js"></script>
</head>
<body>
<a class="skip-link" href="#main">Skip to content</a>
<div id="app"><main id="main" tabindex="-1" aria-busy="true"><h1>SCIM gateway console</h1><p id="loading">Loading…</p></main></div>
<noscript><p>The console needs JavaScript (no inline script: it loads /console/assets/main.js from this gateway).</p></noscript>
</body>
</html>
`;

/** Headers on every console response: the CSP above, no sniffing, no framing, no referrer leaking ids. */
function secure(response: Response): void {
  response.setHeader('Content-Security-Policy', CONSOLE_CSP);
  response.setHeader('X-Content-Type-Options', 'nosniff');
  response.setHeader('X-Frame-Options', 'DENY');
  response.setHeader('Referrer-Policy', 'no-referrer');
  response.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
}

/** `/console`: the operator's and auditor's console (docs/console.md), a client of the admin API only. */
@Controller('console')
export class ConsoleController {
  constructor(@Inject(ConsoleAssets) private readonly assets: ConsoleAssets) {}

  @Get('assets/*path')
  asset(@Param('path') parts: string | string[], @Req() request: Request, @Res() response: Response): void {
    const name = Array.isArray(parts) ? parts.join('/') : parts;
    const asset = this.assets.get(name);
    if (!asset) throw new NotFoundError(`no console file "${name.slice(0, 200)}"`);
    secure(response);
    response.setHeader('Content-Type', asset.contentType);
    // Revalidated on every load (cheap: 304), so an upgraded gateway never runs a stale mix of modules.
    response.setHeader('Cache-Control', 'no-cache');
    response.setHeader('ETag', asset.etag);
    if (request.headers['if-none-match'] === asset.etag) {
      response.status(304).end();
      return;
    }
    response.status(200).end(asset.body);
  }

  @Get(['', '*path'])
  @Header('Cache-Control', 'no-store')
  page(@Res() response: Response): void {
    secure(response);
    if (!this.assets.built) {
      throw new ScimError(503, undefined, `the console is not built (${this.assets.directory} has no main.js): run npm run build`);
    }
    response.status(200).type('html').end(SHELL);
  }
}
