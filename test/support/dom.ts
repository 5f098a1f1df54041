// Reading a page as a browser would, for tests that assert what a user sees: an HTML parser
// (htmlparser2, the one mailparser already brings) queried with CSS selectors (css-select), not
// regular expressions over the markup.
import { selectAll, selectOne } from 'css-select';
import type { AnyNode, Document, Element } from 'domhandler';
import { getAttributeValue, textContent } from 'domutils';
import { parseDocument } from 'htmlparser2';

export type { Document, Element };

type Root = AnyNode | AnyNode[];

/** A page (or a fragment) as a document tree. */
export function parseHtml(body: string): Document {
  return parseDocument(body, { decodeEntities: true });
}

/** Every element under `root` that the CSS selector matches, in document order. */
export function all(root: Root, selector: string): Element[] {
  return selectAll(selector, root) as Element[];
}

/** The first element under `root` that the selector matches; a test fails loudly when there is none. */
export function one(root: Root, selector: string): Element {
  const found = selectOne(selector, root) as Element | null;
  if (!found) throw new Error(`no element matches ${selector}`);
  return found;
}

/** Whether an element under `root` matches. */
export function has(root: Root, selector: string): boolean {
  return selectOne(selector, root) !== null;
}

/** The text a reader sees, whitespace folded. */
export function text(node: Root): string {
  return textContent(node).replace(/\s+/g, ' ').trim();
}

export function attribute(element: Element, name: string): string | undefined {
  return getAttributeValue(element, name);
}

/** The text of the element the selector matches in a page's HTML. */
export function textOf(body: string, selector: string): string {
  return text(one(parseHtml(body), selector));
}
