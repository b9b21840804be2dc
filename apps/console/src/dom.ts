/**
 * The console's only way to build DOM: elements and text nodes, never HTML strings, so nothing a SCIM client or
 * an operator typed can become markup or script (and the CSP forbids inline script besides).
 */
export type Child = Node | string | number | null | undefined | false | readonly Child[];
export type AttributeValue = string | number | boolean | null | undefined;
export type Props = Record<string, AttributeValue | ((event: Event) => void)>;

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, props?: Props | null, ...children: Child[]): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(props ?? {})) {
    if (typeof value === 'function') {
      if (!name.startsWith('on')) throw new Error(`h(): ${name} is a function but not an event handler`);
      element.addEventListener(name.slice(2).toLowerCase(), value);
    } else if (value === true) {
      element.setAttribute(name, '');
    } else if (value !== false && value !== null && value !== undefined) {
      if (/^(href|src|action)$/i.test(name) && /^\s*javascript:/i.test(String(value))) throw new Error('h(): javascript: URLs are not allowed');
      element.setAttribute(name, String(value));
    }
  }
  append(element, children);
  return element;
}

export function append(parent: Node, children: readonly Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (Array.isArray(child)) append(parent, child);
    else if (child instanceof Node) parent.appendChild(child);
    else parent.appendChild(document.createTextNode(String(child)));
  }
}

/** Replaces everything inside `parent` with `children`. */
export function replaceChildren(parent: Element, ...children: Child[]): void {
  parent.replaceChildren();
  append(parent, children);
}

/** A unique id for label/aria wiring. */
let counter = 0;
export function uid(prefix: string): string {
  counter += 1;
  return `${prefix}-${counter}`;
}
