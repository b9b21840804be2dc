import type { Api, Session } from './api.js';
import type { Route } from './routes.js';

/** What a page is given to draw itself. */
export interface PageContext<R extends Route = Route> {
  readonly api: Api;
  readonly route: R;
  /** The query string of the current URL (filters, paging). */
  readonly query: URLSearchParams;
  readonly session: Session;
  /** Goes to another console URL (pushState) and draws it. */
  navigate(href: string, options?: { replace?: boolean }): void;
  /** Draws the current URL again (after a change). */
  refresh(): void;
  /** Says something to screen-reader users and shows it in the status line (e.g. "Token revoked"). */
  announce(message: string): void;
}

/** A drawn page: its title (the h1 and the document title) and its content below the h1. */
export interface PageView {
  readonly title: string;
  readonly body: Node;
}

export type Page<R extends Route = Route> = (context: PageContext<R>) => Promise<PageView>;
