// Reading a page as a browser would, for tests that assert what a user sees: an HTML parser
// (htmlparser2, the one mailparser already brings) queried with CSS selectors (css-select), not
// regular expressions over the markup.
import { selectAll, selectOne } from 'css-select';
import type { AnyNode, Document, Element } from 'domhandler';
import { getAttributeValue, nextElementSibling, textContent } from 'domutils';
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

/**
 * The text as it stands in the document, entities decoded and whitespace kept, as a textarea's
 * value or a pre's text. htmlparser2 leaves a textarea's content undecoded, so it is read again as
 * text: it holds no markup, since every "<" in it is escaped.
 */
export function rawText(node: Root): string {
  const content = textContent(node);
  const nodes = Array.isArray(node) ? node : [node];
  return nodes.some((one) => 'name' in one && one.name === 'textarea') ? textContent(parseHtml(`<div>${content}</div>`)) : content;
}

/** The text a reader sees, whitespace folded. */
export function text(node: Root): string {
  return textContent(node).replace(/\s+/g, ' ').trim();
}

/** The element right after this one, as `h2 + pre` would select it. */
export function next(element: Element): Element {
  const found = nextElementSibling(element);
  if (!found) throw new Error(`nothing follows <${element.name}>`);
  return found;
}

export function attribute(element: Element, name: string): string | undefined {
  return getAttributeValue(element, name);
}

/**
 * Whatever in a page could run or style itself inline: script elements without a src, style
 * attributes and on* handlers, each named. The CSP forbids them; a page should have none.
 */
export function inlineCode(root: Root): string[] {
  return all(root, '*').flatMap((element) => [
    ...(element.name === 'script' && !('src' in element.attribs) ? ['<script> without src'] : []),
    ...Object.keys(element.attribs)
      .filter((name) => name === 'style' || /^on/i.test(name))
      .map((name) => `${element.name}[${name}]`),
  ]);
}

/** The text of the element the selector matches in a page's HTML. */
export function textOf(body: string, selector: string): string {
  return text(one(parseHtml(body), selector));
}
