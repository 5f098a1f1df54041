/**
 * A large message read without its attachments: from the IMAP BODYSTRUCTURE, which parts to fetch
 * (every text part and every message/* part: delivery reports, returned headers, a forwarded
 * mail), and how to put them back together as one MIME message in which each other part keeps its
 * headers and loses its content. Detection reads text, HTML and reports; a 1.5 MB PDF costs a
 * watcher nothing this way. Pure: no I/O (src/mailbox/watcher.ts fetches).
 */

/** The part of imapflow's parsed BODYSTRUCTURE this reads. */
export interface StructureNode {
  /** "1", "1.2"; absent on the top node. */
  part?: string;
  type: string;
  parameters?: Record<string, string>;
  size?: number;
  childNodes?: StructureNode[];
}

export interface PartsPlan {
  /** The BODY[] sections to fetch besides the header (e.g. "1.MIME", "1"), upper-case. */
  sections: string[];
  /** Bytes of content that will be fetched. */
  bytes: number;
}

function kept(node: StructureNode): boolean {
  return node.type.startsWith('text/') || node.type.startsWith('message/');
}

/** The section holding a node's content: "TEXT" for the top of a one-part message. */
function contentSection(node: StructureNode): string {
  return node.part ?? 'TEXT';
}

/**
 * What to fetch, or null when reading without attachments would not hold less than `limit` bytes
 * or the structure cannot be put back together (a multipart without its boundary).
 */
export function planWithoutAttachments(structure: StructureNode, limit: number): PartsPlan | null {
  const sections: string[] = [];
  let bytes = 0;
  const walk = (node: StructureNode): boolean => {
    if (node.part) sections.push(`${node.part}.MIME`);
    if (node.type.startsWith('multipart/')) {
      if (!node.parameters?.boundary || !node.childNodes) return false;
      return node.childNodes.every(walk);
    }
    if (kept(node)) {
      sections.push(contentSection(node));
      bytes += node.size ?? 0;
    }
    return true;
  };
  if (!walk(structure) || bytes > limit) return null;
  return { sections, bytes };
}

/** A header block ending in exactly one empty line. */
function headerBlock(raw: Buffer | undefined): Buffer {
  const text = (raw ?? Buffer.alloc(0)).toString('binary').replace(/(?:\r?\n)+$/, '');
  return Buffer.from(`${text}\r\n\r\n`, 'binary');
}

/**
 * The message again from its header and the fetched sections (keys as in PartsPlan.sections, any
 * case): multiparts with their boundaries, every part's own headers, and the content of the kept
 * parts only.
 */
export function assembleWithoutAttachments(structure: StructureNode, header: Buffer, sections: Map<string, Buffer>): Buffer {
  const section = (key: string) => sections.get(key) ?? sections.get(key.toLowerCase());
  const content = (node: StructureNode): Buffer[] => {
    if (node.type.startsWith('multipart/')) {
      const boundary = node.parameters!.boundary!;
      const pieces: Buffer[] = [];
      for (const child of node.childNodes ?? []) {
        pieces.push(Buffer.from(`--${boundary}\r\n`, 'binary'), headerBlock(section(`${child.part}.MIME`)), ...content(child), Buffer.from('\r\n'));
      }
      pieces.push(Buffer.from(`--${boundary}--\r\n`, 'binary'));
      return pieces;
    }
    return kept(node) ? [section(contentSection(node)) ?? Buffer.alloc(0)] : [];
  };
  return Buffer.concat([headerBlock(header), ...content(structure)]);
}
