import { access, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Handlebars from 'handlebars';
import { htmlFromBody } from './body.ts';

/**
 * The script template engine. Templates are edited by the user, so they are treated as untrusted
 * programs: every template is parsed and its syntax tree checked against a small allow-list before
 * Handlebars compiles it, and it is compiled when it is saved or loaded, never at send time.
 *
 * What a template may contain:
 * - text, comments (`{{! … }}`) and whitespace control (`{{~x~}}`);
 * - `{{var}}` where `var` is one of SCRIPT_VARIABLES (`{{{var}}}` only in the subject, body and text parts,
 *   where nothing is escaped anyway);
 * - `{{#if var}}…{{else}}…{{/if}}` and `{{#unless var}}…{{/unless}}`, with `{{else if var}}` chains.
 *
 * In the HTML part a variable may stand in text or in a quoted attribute value, nowhere else in a
 * tag: HTML escaping does not escape spaces, so in an unquoted value (`title={{name}}`) or between
 * attributes a sender's name could add attributes of its own; nor in `on…` or `style` attributes
 * or inside `<script>` and `<style>`, where escaped text is still code.
 *
 * Everything else is refused with the part, line and column: unknown variables, paths (`a.b`,
 * `../x`, `this`, `@root`), literals, parameters, hash arguments, sub-expressions, partials,
 * decorators, raw blocks, block parameters and every other block or helper (`each`, `with`,
 * `lookup`, `log`). The context is a flat object of strings, so iteration and scoping helpers have
 * nothing to do; refusing them keeps the language small enough to check completely.
 *
 * The same engine renders Winnow's own mail to the user (the digest, src/digest), whose vocabulary
 * adds lists: `{{#each list}}…{{/each}}` over a list the vocabulary names, inside which the
 * variables are those of one entry (strings, or lists of their own), and nothing else. A script's
 * vocabulary has no lists, so for scripts `each` stays refused, and its instance has no `each`.
 */

export const SCRIPT_VARIABLES = ['name', 'firstName', 'platform', 'userName', 'originalSubject', 'greeting', 'onPlatform', 'replyWhere'] as const;
export type ScriptVariable = (typeof SCRIPT_VARIABLES)[number];
export type ScriptVariables = Record<ScriptVariable, string>;

/** What a template may name: its variables (strings), and lists whose entries have a vocabulary of their own. */
export interface TemplateVocabulary {
  variables: readonly string[];
  lists?: Readonly<Record<string, TemplateVocabulary>>;
}

/** The values a template is rendered with: a string for each variable, an array of entries for each list. */
export type TemplateValues = { [name: string]: string | readonly TemplateValues[] };

export const SCRIPT_VOCABULARY: TemplateVocabulary = Object.freeze({ variables: SCRIPT_VARIABLES });

/** A script written once: the text part is the body, the HTML part is made from it (body.ts). */
export interface OneBodySource {
  subject: string;
  body: string;
}

/** A script whose text and HTML parts are written separately. */
export interface SeparateSource {
  subject: string;
  text: string;
  html: string;
}

/** What the user writes; which of the two it is decides how the HTML part comes about. */
export type TemplateSource = OneBodySource | SeparateSource;
export type TemplateFormat = 'one-body' | 'separate';

export type TemplatePart = 'subject' | 'body' | 'text' | 'html';

export function isOneBody(source: TemplateSource): source is OneBodySource {
  return typeof (source as Partial<OneBodySource>).body === 'string';
}

export function formatOf(source: TemplateSource): TemplateFormat {
  return isOneBody(source) ? 'one-body' : 'separate';
}

export interface RenderedScript {
  subject: string;
  text: string;
  html: string;
}

export interface CompiledTemplate<Values extends TemplateValues> {
  source: TemplateSource;
  /** The three parts that are sent: for one body, the body as the text part and the HTML made from it. */
  parts: SeparateSource;
  render(values: Values): RenderedScript;
}

export type CompiledScript = CompiledTemplate<ScriptVariables>;

/** Largest template part, in UTF-8 bytes. The default script is about 1 KB per part. */
export const MAX_TEMPLATE_BYTES = 20 * 1024;
/** Deepest nesting of `{{#if}}`/`{{#unless}}` blocks. */
export const MAX_BLOCK_DEPTH = 8;
/** Longest value of one variable, in characters; longer values are cut at render time. */
export const MAX_VARIABLE_LENGTH = 200;
/** Most entries of one list rendered; the rest are left out. */
export const MAX_LIST_ENTRIES = 100;
/** Longest rendered subject, in characters. */
export const MAX_SUBJECT_LENGTH = 200;

/** A template that cannot be used, with where and what. Lines and columns count from 1. */
export class TemplateError extends Error {
  override readonly name = 'TemplateError';
  readonly part: TemplatePart;
  readonly line: number;
  readonly column: number;
  /** What is wrong, without the position. */
  readonly problem: string;
  /** The file the template was read from, when it was read from one. */
  readonly file: string | null;

  constructor(part: TemplatePart, line: number, column: number, problem: string, file: string | null = null) {
    super(
      file === null
        ? `${part} template, line ${line}, column ${column}: ${problem}`
        : `${file}:${line}:${column}: ${problem}`,
    );
    this.part = part;
    this.line = line;
    this.column = column;
    this.problem = problem;
    this.file = file;
  }
}

/**
 * An isolated instance: helpers, partials and decorators registered elsewhere in the process (by a
 * library, say) cannot leak into user templates, and removals here do not affect anyone else.
 * `with`, `lookup` and `log` (and `each`, but for vocabularies with lists) are unreachable after
 * the syntax check; unregistering them means that a gap in the check still could not call them.
 * `helperMissing` and `blockHelperMissing` stay: the runtime moves them into its hooks, and all
 * they do is throw or return nothing.
 */
function lockedDown(helpers: readonly string[]): typeof Handlebars {
  const instance = Handlebars.create();
  for (const helper of ['each', 'with', 'lookup', 'log']) if (!helpers.includes(helper)) instance.unregisterHelper(helper);
  instance.unregisterDecorator('inline');
  return instance;
}

/** For scripts: if and unless only. */
const handlebars = lockedDown([]);
/** For templates whose vocabulary has lists (Winnow's own mail to the user): each as well. */
const listHandlebars = lockedDown(['each']);

function hasLists(vocabulary: TemplateVocabulary): boolean {
  return Object.keys(vocabulary.lists ?? {}).length > 0;
}

/** Values for rendering each template once when it is compiled: every variable its own name, every list one entry. */
function sampleValues(vocabulary: TemplateVocabulary): TemplateValues {
  const values: TemplateValues = Object.fromEntries(vocabulary.variables.map((name) => [name, name]));
  for (const [name, entry] of Object.entries(vocabulary.lists ?? {})) values[name] = [sampleValues(entry)];
  return values;
}

function compileOptions(noEscape: boolean, lists: boolean): CompileOptions {
  return {
    noEscape,
    // `{{name}}` is a plain property read, never a helper call; unknown helpers fail to compile.
    knownHelpersOnly: true,
    knownHelpers: { if: true, unless: true, each: lists, with: false, lookup: false, log: false },
    // Missing variables throw instead of rendering as ''; render() always supplies all of them.
    strict: true,
    // No @data variables (@root, @index…).
    data: false,
    compat: false,
  };
}

const RUNTIME_OPTIONS: RuntimeOptions = {
  // The defaults since Handlebars 4.6, spelled out so an upgrade cannot silently change them.
  allowProtoPropertiesByDefault: false,
  allowProtoMethodsByDefault: false,
};

/**
 * Compiles the three parts of a script. Throws TemplateError for the first problem found, so
 * the caller can show it beside the editor. Call this when a template is saved or loaded; the
 * returned render() does no parsing or compiling.
 */
export function compileScript(source: TemplateSource): CompiledScript {
  return compileTemplate<ScriptVariables>(source, SCRIPT_VOCABULARY);
}

/**
 * Compiles a template of any vocabulary (a script's, or the digest's) as compileScript does: the
 * same checks, the same instance rules, the same limits; values longer than `maxValueLength`
 * are cut when rendered.
 */
export function compileTemplate<Values extends TemplateValues>(source: TemplateSource, vocabulary: TemplateVocabulary, maxValueLength = MAX_VARIABLE_LENGTH): CompiledTemplate<Values> {
  let copy: TemplateSource;
  let parts: SeparateSource;
  let text: Render;
  let html: Render;
  const part = (name: TemplatePart, template: string) => compilePart(name, template, vocabulary, maxValueLength);
  const subject = part('subject', source.subject);
  if (isOneBody(source)) {
    copy = { subject: source.subject, body: source.body };
    text = part('body', source.body);
    parts = { subject: source.subject, text: source.body, html: htmlFromBody(source.body) };
    try {
      html = part('html', parts.html);
    } catch (error) {
      if (!(error instanceof TemplateError)) throw error;
      throw new TemplateError('body', 1, 1, `the HTML part made from the body cannot be used: ${error.problem}`);
    }
  } else {
    copy = { subject: source.subject, text: source.text, html: source.html };
    parts = copy;
    text = part('text', source.text);
    html = part('html', source.html);
  }
  return Object.freeze({
    source: Object.freeze(copy),
    parts: Object.freeze({ ...parts }),
    render(values: Values): RenderedScript {
      const context = renderContext(values, vocabulary, maxValueLength);
      return {
        subject: singleLine(subject(context), MAX_SUBJECT_LENGTH),
        text: text(context),
        html: html(context),
      };
    },
  });
}

/** The templates a user edits: the script, and the single reminder sent before the deadline. */
export const SCRIPT_KINDS = ['script', 'reminder'] as const;
export type ScriptKind = (typeof SCRIPT_KINDS)[number];

/**
 * Reads and compiles the default script, `subject.hbs` and `body.hbs` (or `text.hbs` and `html.hbs`) in `dir`
 * (default: `templates/script` of this repository). A broken template throws TemplateError whose
 * message starts with the file path; a missing file throws the file system's error.
 */
export async function loadDefaultScript(dir?: string): Promise<CompiledScript> {
  return loadDefaultTemplate('script', dir);
}

/** The defaults of every kind, from `templates/<kind>/`, compiled; a broken one throws as loadDefaultScript does. */
export async function loadDefaultTemplates(): Promise<Record<ScriptKind, CompiledScript>> {
  const [script, reminder] = await Promise.all([loadDefaultTemplate('script'), loadDefaultTemplate('reminder')]);
  return { script, reminder };
}

/** Reads and compiles the default template of one kind, from `dir` or `templates/<kind>`. */
export async function loadDefaultTemplate(kind: ScriptKind, dir?: string): Promise<CompiledScript> {
  return loadTemplateFolder<ScriptVariables>(kind, SCRIPT_VOCABULARY, { dir });
}

/**
 * Reads and compiles the template in `dir`, or in `templates/<name>` of this repository, with the
 * given vocabulary: `subject.hbs` and `body.hbs`, or `subject.hbs`, `text.hbs` and `html.hbs`. A
 * broken template throws TemplateError whose message starts with the file path.
 */
export async function loadTemplateFolder<Values extends TemplateValues>(
  name: string,
  vocabulary: TemplateVocabulary,
  options: { dir?: string | undefined; maxValueLength?: number } = {},
): Promise<CompiledTemplate<Values>> {
  const folder = options.dir ?? (await defaultTemplateDir(name));
  const file = (part: TemplatePart) => path.join(folder, `${part}.hbs`);
  const files: Record<TemplatePart, string> = { subject: file('subject'), body: file('body'), text: file('text'), html: file('html') };
  const read = async (part: TemplatePart) => stripBom(await readFile(files[part], 'utf8'));
  // One body when there is a body.hbs; the text and HTML parts written apart otherwise.
  const oneBody = await access(files.body).then(
    () => true,
    () => false,
  );
  const source: TemplateSource = oneBody
    ? { subject: await read('subject'), body: await read('body') }
    : { subject: await read('subject'), text: await read('text'), html: await read('html') };
  try {
    return compileTemplate<Values>(source, vocabulary, options.maxValueLength);
  } catch (error) {
    if (error instanceof TemplateError) {
      throw new TemplateError(error.part, error.line, error.column, error.problem, files[error.part]);
    }
    throw error;
  }
}

/** What Handlebars renders from: strings, and arrays of the same for lists; no prototypes. */
type RenderContext = { [name: string]: string | RenderContext[] };
type Render = (context: RenderContext) => string;

function compilePart(part: TemplatePart, source: string, vocabulary: TemplateVocabulary, maxValueLength: number): Render {
  if (typeof source !== 'string') throw new TemplateError(part, 1, 1, 'the template is not text');
  checkSize(part, source);
  let program: hbs.AST.Program;
  try {
    program = handlebars.parse(source);
  } catch (error) {
    throw syntaxError(part, source, error);
  }
  new TemplateChecker(part, source, vocabulary).program(program, 0);
  // The string is compiled, not the checked tree: Handlebars parses it again with the same parser,
  // and compiling from source is its supported path for untrusted input.
  const lists = hasLists(vocabulary);
  const template = (lists ? listHandlebars : handlebars).compile<RenderContext>(source, compileOptions(part !== 'html', lists));
  // Handlebars compiles lazily, on the first call: render once now so that compiling, and any error
  // it could raise, happens when the template is saved, not while a script is being sent.
  try {
    template(renderContext(sampleValues(vocabulary), vocabulary, maxValueLength), RUNTIME_OPTIONS);
  } catch (error) {
    throw new TemplateError(part, 1, 1, `the template could not be compiled: ${errorMessage(error)}`);
  }
  return (context) => template(context, RUNTIME_OPTIONS);
}

function checkSize(part: TemplatePart, source: string): void {
  if (Buffer.byteLength(source, 'utf8') <= MAX_TEMPLATE_BYTES) return;
  // Point at the first character past the limit.
  let bytes = 0;
  let line = 1;
  let column = 1;
  for (const char of source) {
    bytes += Buffer.byteLength(char, 'utf8');
    if (bytes > MAX_TEMPLATE_BYTES) break;
    if (char === '\n') {
      line += 1;
      column = 1;
    } else {
      column += 1;
    }
  }
  throw new TemplateError(part, line, column, `the template is larger than ${MAX_TEMPLATE_BYTES / 1024} KB`);
}

/** The parser shares one lexer per process; right after a failed parse it points at the bad token. */
interface JisonLexer {
  yylloc?: { first_line?: number; first_column?: number };
}

function syntaxError(part: TemplatePart, source: string, error: unknown): TemplateError {
  const message = errorMessage(error);
  // Handlebars' own checks (a `{{/each}}` closing an `{{#if}}`) carry a position.
  const exception = error as { lineNumber?: unknown; column?: unknown };
  if (typeof exception.lineNumber === 'number' && typeof exception.column === 'number') {
    const problem = message.replace(/ - \d+:\d+$/, '');
    return new TemplateError(part, exception.lineNumber, exception.column + 1, `syntax error: ${problem}`);
  }
  // Parser errors are plain Errors; the position is in the shared lexer.
  const lexer = (handlebars as unknown as { Parser?: { lexer?: JisonLexer } }).Parser?.lexer;
  const lineFromMessage = /on line (\d+)/.exec(message)?.[1];
  const line = lexer?.yylloc?.first_line ?? (lineFromMessage === undefined ? 1 : Number(lineFromMessage));
  const column = (lexer?.yylloc?.first_column ?? 0) + 1;
  const got = /got '([^']+)'$/.exec(message)?.[1];
  let problem: string;
  if (got === 'EOF') {
    problem = /OPEN_ENDBLOCK/.test(message)
      ? 'syntax error: the template ends inside a block (is a {{/if}} or {{/unless}} missing?)'
      : 'syntax error: the template ends in the middle of a tag';
  } else if (lexer?.yylloc?.first_line !== undefined) {
    problem = `syntax error near "${excerpt(source, line, column)}"`;
  } else {
    problem = `syntax error: ${message.split('\n')[0] ?? message}`;
  }
  return new TemplateError(part, line, column, problem);
}

/** Up to 20 characters of `source` from a 1-based line and column, on one line. */
function excerpt(source: string, line: number, column: number): string {
  const text = (source.split('\n')[line - 1] ?? '').slice(column - 1);
  return text.length > 20 ? `${text.slice(0, 20)}…` : text.trimEnd();
}

class TemplateChecker {
  private readonly lineStarts: number[] = [0];
  /** Where each tag of the HTML part stands in the HTML, read when the first variable is checked. */
  private places: Map<number, HtmlPlace> | undefined;

  private readonly part: TemplatePart;
  private readonly source: string;
  /** What may be named here: the template's vocabulary, or inside {{#each}} that of one entry. */
  private scope: TemplateVocabulary;

  constructor(part: TemplatePart, source: string, vocabulary: TemplateVocabulary) {
    this.part = part;
    this.source = source;
    this.scope = vocabulary;
    for (let i = 0; i < source.length; i += 1) if (source[i] === '\n') this.lineStarts.push(i + 1);
  }

  program(program: hbs.AST.Program, depth: number): void {
    if (program.blockParams !== undefined && program.blockParams.length > 0) {
      this.refuse(program, 'block parameters (as |x|) are not allowed');
    }
    for (const statement of program.body) this.statement(statement, depth);
  }

  private statement(node: hbs.AST.Statement, depth: number): void {
    switch (node.type) {
      case 'ContentStatement':
      case 'CommentStatement':
        return;
      case 'MustacheStatement':
        return this.mustache(node as hbs.AST.MustacheStatement);
      case 'BlockStatement':
        return this.block(node as hbs.AST.BlockStatement, depth);
      case 'PartialStatement':
      case 'PartialBlockStatement':
        return this.refuse(node, 'partials ({{> name}}) are not allowed');
      case 'Decorator':
      case 'DecoratorBlock':
        return this.refuse(node, 'decorators ({{* name}}) are not allowed');
      default:
        return this.refuse(node, `${node.type} is not allowed`);
    }
  }

  private mustache(node: hbs.AST.MustacheStatement): void {
    if (!node.escaped && this.part === 'html') {
      this.refuse(
        node,
        'unescaped output ({{{…}}} or {{& …}}) is not allowed in the HTML part: the values come from the mail and would be inserted as HTML',
      );
    }
    const name = this.variable(node.path);
    if (this.scope.lists?.[name] !== undefined) this.refuse(node, `{{${name}}} is a list: use {{#each ${name}}}…{{/each}}`);
    if (node.params.length > 0 || hasHash(node)) {
      this.refuse(node, `{{${name}}} takes no arguments`);
    }
    if (this.part === 'html') this.htmlPlace(node, name);
  }

  /** Refuses a variable where HTML escaping does not make its value harmless (see the top of this file). */
  private htmlPlace(node: hbs.AST.MustacheStatement, name: string): void {
    this.places ??= htmlPlaces(this.source);
    const place = this.places.get(this.offset(node));
    if (!place) return;
    switch (place.kind) {
      case 'unquoted-value':
        return this.refuse(
          node,
          `{{${name}}} is in an attribute value without quotes: put the value in quotes, as in ${place.attribute}="{{${name}}}" (without them, a value with a space adds attributes of the sender's choosing)`,
        );
      case 'tag':
        return this.refuse(node, `{{${name}}} is inside a tag but not in a quoted attribute value: it could add attributes of the sender's choosing`);
      case 'code-attribute':
        return this.refuse(node, `{{${name}}} is in the ${place.attribute} attribute, whose value is code: a variable may stand only in text or in an ordinary quoted attribute`);
      case 'raw-text':
        return this.refuse(node, `{{${name}}} is inside <${place.element}>, whose content is code: a variable may stand only in text or in a quoted attribute`);
      default:
        return;
    }
  }

  private block(node: hbs.AST.BlockStatement, depth: number): void {
    if (this.source.startsWith('{{{{', this.offset(node))) {
      this.refuse(node, 'raw blocks ({{{{…}}}}) are not allowed');
    }
    const helper = node.path.type === 'PathExpression' ? node.path.original : String(node.path.type);
    const lists = Object.keys(this.scope.lists ?? {});
    const helpers = lists.length > 0 ? ['if', 'unless', 'each'] : ['if', 'unless'];
    if (!helpers.includes(helper) || node.path.type !== 'PathExpression' || node.path.parts.length !== 1) {
      const allowed = helpers.map((name) => `{{#${name}}}`);
      this.refuse(node, `the block {{#${helper}}} is not allowed: only ${allowed.slice(0, -1).join(', ')} and ${allowed.at(-1)!} are`);
    }
    const example = helper === 'each' ? lists[0]! : (this.scope.variables[0] ?? 'x');
    const [condition, ...rest] = node.params;
    if (condition === undefined) this.refuse(node, `{{#${helper}}} needs one variable, as in {{#${helper} ${example}}}`);
    if (rest.length > 0 || hasHash(node)) {
      this.refuse(node, `{{#${helper}}} takes exactly one variable, as in {{#${helper} ${example}}}`);
    }
    const name = this.variable(condition);
    const entry = this.scope.lists?.[name];
    if (helper === 'each' && entry === undefined) this.refuse(node, `{{#each}} goes over a list; "${name}" is not one (the lists are: ${lists.join(', ')})`);
    if (depth + 1 > MAX_BLOCK_DEPTH) {
      this.refuse(node, `blocks are nested more than ${MAX_BLOCK_DEPTH} deep`);
    }
    if (helper === 'each') {
      // Inside, the names are those of one entry; {{else}} (an empty list) is back outside.
      const outer = this.scope;
      this.scope = entry!;
      this.program(node.program, depth + 1);
      this.scope = outer;
      if (node.inverse) this.program(node.inverse, depth + 1);
      return;
    }
    this.program(node.program, depth + 1);
    // `{{else if x}}` is a block nested in the inverse program, so a chain counts as nesting too:
    // with five variables, a chain longer than the limit has nothing left to test.
    if (node.inverse) this.program(node.inverse, depth + 1);
  }

  /** Checks that an expression is a plain known variable and returns its name. */
  private variable(node: hbs.AST.Expression): string {
    if (node.type === 'SubExpression') this.refuse(node, 'sub-expressions ((helper x)) are not allowed');
    if (node.type !== 'PathExpression') {
      this.refuse(node, `a literal value is not allowed here; use one of the variables: ${this.names().join(', ')}`);
    }
    const path = node as hbs.AST.PathExpression;
    const original = String(path.original);
    if (path.data) this.refuse(node, `data variables such as @root are not allowed: "${original}"`);
    if (path.depth > 0 || original.startsWith('..')) {
      this.refuse(node, `parent paths such as ../x are not allowed: "${original}"`);
    }
    if (original === 'this' || /^(this|\.)[./]/.test(original) || original === '.') {
      this.refuse(node, `"this" is not allowed; use the variable by its name: "${original}"`);
    }
    const [name] = path.parts;
    if (path.parts.length !== 1 || name === undefined || original !== name) {
      this.refuse(node, `paths such as a.b are not allowed: "${original}"`);
    }
    const names = this.names();
    if (!names.includes(name)) {
      const close = names.find((known) => known.toLowerCase() === name.toLowerCase());
      const hint = close === undefined ? '' : ` (did you mean "${close}"?)`;
      this.refuse(node, `unknown variable "${name}"${hint}; the variables are: ${names.join(', ')}`);
    }
    return name;
  }

  /** The names known here: variables, then lists. */
  private names(): string[] {
    return [...this.scope.variables, ...Object.keys(this.scope.lists ?? {})];
  }

  private offset(node: hbs.AST.Node): number {
    return (this.lineStarts[node.loc.start.line - 1] ?? 0) + node.loc.start.column;
  }

  private refuse(node: hbs.AST.Node, problem: string): never {
    // Handlebars counts columns from 0.
    throw new TemplateError(this.part, node.loc.start.line, node.loc.start.column + 1, problem);
  }
}

/** Where a Handlebars tag stands in the HTML around it. */
type HtmlPlace =
  | { kind: 'text' | 'quoted-value' | 'comment' }
  | { kind: 'tag' }
  | { kind: 'unquoted-value' | 'code-attribute'; attribute: string }
  | { kind: 'raw-text'; element: string };

/** Elements whose content is not HTML text but code. */
const RAW_TEXT_ELEMENTS: ReadonlySet<string> = new Set(['script', 'style']);

/** Attributes whose value is code, even quoted: event handlers and inline styles. */
function isCodeAttribute(name: string): boolean {
  return name.startsWith('on') || name === 'style';
}

/**
 * Reads the HTML of a template the way a browser's tokenizer would (text, tags, attribute values,
 * comments, script and style content), treating Handlebars tags as opaque, and notes where each
 * `{{` stands: offset → place. Enough of HTML to place a variable, not a validator: what the
 * browser would make of broken markup is the user's business, what a sender's value can do there
 * is ours.
 */
function htmlPlaces(source: string): Map<number, HtmlPlace> {
  const places = new Map<number, HtmlPlace>();
  type State = 'text' | 'comment' | 'tag-name' | 'tag' | 'attribute-name' | 'before-value' | 'unquoted-value' | 'quoted-value' | 'raw-text';
  let state: State = 'text';
  let element = '';
  let closing = false;
  let attribute = '';
  let quote = '';
  const place = (): HtmlPlace => {
    switch (state) {
      case 'comment':
        return { kind: 'comment' };
      case 'tag-name':
      case 'tag':
      case 'attribute-name':
        return { kind: 'tag' };
      case 'before-value':
      case 'unquoted-value':
        return { kind: 'unquoted-value', attribute };
      case 'quoted-value':
        return isCodeAttribute(attribute) ? { kind: 'code-attribute', attribute } : { kind: 'quoted-value' };
      case 'raw-text':
        return { kind: 'raw-text', element };
      default:
        return { kind: 'text' };
    }
  };
  let i = 0;
  while (i < source.length) {
    if (source.startsWith('{{', i)) {
      places.set(i, place());
      // A variable right after "=" starts an unquoted value, which goes on to the next space or ">".
      if (state === 'before-value') state = 'unquoted-value';
      const close = source.startsWith('{{!--', i) ? '--}}' : source.startsWith('{{{', i) ? '}}}' : '}}';
      const end = source.indexOf(close, i + 2);
      i = end < 0 ? source.length : end + close.length;
      continue;
    }
    const char = source[i]!;
    switch (state) {
      case 'text':
        if (source.startsWith('<!--', i)) {
          state = 'comment';
          i += 4;
          continue;
        }
        if (char === '<' && /[A-Za-z/]/.test(source[i + 1] ?? '')) {
          closing = source[i + 1] === '/';
          element = '';
          state = 'tag-name';
          i += closing ? 2 : 1;
          continue;
        }
        break;
      case 'comment':
        if (source.startsWith('-->', i)) {
          state = 'text';
          i += 3;
          continue;
        }
        break;
      case 'raw-text':
        if (source.slice(i, i + element.length + 2).toLowerCase() === `</${element}`) {
          closing = true;
          state = 'tag-name';
          i += element.length + 2;
          continue;
        }
        break;
      case 'tag-name':
        if (/[\s/>]/.test(char)) {
          state = 'tag';
          continue;
        }
        element += char.toLowerCase();
        break;
      case 'tag':
        if (char === '>') state = !closing && RAW_TEXT_ELEMENTS.has(element) ? 'raw-text' : 'text';
        else if (!/[\s/]/.test(char)) {
          attribute = '';
          state = 'attribute-name';
          continue;
        }
        break;
      case 'attribute-name':
        if (char === '=') state = 'before-value';
        else if (/[\s/>]/.test(char)) {
          state = 'tag';
          continue;
        } else attribute += char.toLowerCase();
        break;
      case 'before-value':
        if (char === '"' || char === "'") {
          quote = char;
          state = 'quoted-value';
        } else if (char === '>') {
          state = 'tag';
          continue;
        } else if (!/\s/.test(char)) state = 'unquoted-value';
        break;
      case 'unquoted-value':
        if (/[\s>]/.test(char)) {
          state = 'tag';
          continue;
        }
        break;
      case 'quoted-value':
        if (char === quote) state = 'tag';
        break;
    }
    i += 1;
  }
  return places;
}

function hasHash(node: { hash?: hbs.AST.Hash }): boolean {
  return node.hash !== undefined && node.hash.pairs.length > 0;
}

/**
 * A fresh context holding exactly the known variables as strings, with no prototype, each cut to
 * MAX_VARIABLE_LENGTH. Together with the syntax check this bounds rendering by construction: no
 * loops, no recursion, no helpers but if/unless, so the work is linear in the template size
 * (≤ 20 KB) and the output at most ~2,600 references × 200 characters. No timer is needed, and a
 * timer could not interrupt synchronous code anyway. A vocabulary with lists (Winnow's own, never
 * the user's values) repeats a block at most MAX_LIST_ENTRIES times per list, as deep as its lists
 * nest (the digest's: two).
 */
function renderContext(values: TemplateValues, vocabulary: TemplateVocabulary, maxValueLength: number): RenderContext {
  const context = Object.create(null) as RenderContext;
  for (const name of vocabulary.variables) {
    const value: unknown = values[name];
    context[name] = typeof value === 'string' ? cut(value, maxValueLength) : '';
  }
  // A list is as long as the code that fills it makes it, and no longer than MAX_LIST_ENTRIES.
  for (const [name, entry] of Object.entries(vocabulary.lists ?? {})) {
    const list: unknown = values[name];
    context[name] = Array.isArray(list) ? (list as TemplateValues[]).slice(0, MAX_LIST_ENTRIES).map((each) => renderContext(each, entry, maxValueLength)) : [];
  }
  return context;
}

/** Line breaks and other control characters become spaces, so a header built from it stays one line. */
function singleLine(value: string, max: number): string {
  // eslint-disable-next-line no-control-regex -- control characters are what this removes
  const flat = value.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, ' ').replace(/\s+/g, ' ').trim();
  return cut(flat, max).trimEnd();
}

/** Cuts to at most `max` characters without splitting a surrogate pair. */
export function cut(value: string, max: number): string {
  if (value.length <= max) return value;
  const end = /[\uD800-\uDBFF]/.test(value.charAt(max - 1)) ? max - 1 : max;
  return value.slice(0, end);
}

function stripBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** `templates/<kind>` in the nearest folder above this module that has one (works from src/ and dist/). */
async function defaultTemplateDir(kind: string): Promise<string> {
  const start = path.dirname(fileURLToPath(import.meta.url));
  for (let dir = start; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'templates', kind);
    try {
      await access(path.join(candidate, 'subject.hbs'));
      return candidate;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT' && code !== 'ENOTDIR') throw error;
      if (path.dirname(dir) === dir) throw new Error(`no templates/${kind} folder found above ${start}`, { cause: error });
    }
  }
}
