// Reading a page as a browser would, for tests that assert what a user sees: an HTML parser
// (htmlparser2, the one mailparser already brings), not regular expressions over the markup.
import { findAll, findOne, getAttributeValue, textContent } from 'domutils';
import type { AnyNode, Element } from 'domhandler';
import { parseDocument } from 'htmlparser2';

export type { Element };

/** What an element must be: its tag, and attributes with these values (`class` holds the word). */
export interface Match {
  tag?: string;
  class?: string;
  [attribute: string]: string | undefined;
}

function matches(element: Element, match: Match): boolean {
  if (match.tag && element.name !== match.tag) return false;
  for (const [name, value] of Object.entries(match)) {
    if (name === 'tag' || value === undefined) continue;
    const actual = getAttributeValue(element, name);
    if (name === 'class' ? !(actual ?? '').split(/\s+/).includes(value) : actual !== value) return false;
  }
  return true;
}

/** Every element under `root` that matches, in document order. */
export function all(root: AnyNode | AnyNode[], match: Match): Element[] {
  return findAll((element) => matches(element, match), Array.isArray(root) ? root : [root]);
}

/** The first element under `root` that matches; a test fails loudly when there is none. */
export function one(root: AnyNode | AnyNode[], match: Match): Element {
  const found = findOne((element) => matches(element, match), Array.isArray(root) ? root : [root], true);
  if (!found) throw new Error(`no element matches ${JSON.stringify(match)}`);
  return found;
}

/** Whether an element matches under `root`. */
export function has(root: AnyNode | AnyNode[], match: Match): boolean {
  return all(root, match).length > 0;
}

/** The text a reader sees, whitespace folded. */
export function text(node: AnyNode | AnyNode[]): string {
  return textContent(node).replace(/\s+/g, ' ').trim();
}

export function attribute(element: Element, name: string): string | undefined {
  return getAttributeValue(element, name);
}

/** A page as a document tree. */
export function parseHtml(body: string) {
  return parseDocument(body, { decodeEntities: true });
}
