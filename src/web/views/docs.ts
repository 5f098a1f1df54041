import { html, type Html } from '../html.ts';
import { layout, type View } from './layout.ts';

/** A JSON Schema as the OpenAPI document holds it (draft 2020-12); only what the page shows. */
export interface JsonSchema {
  type?: string | string[];
  format?: string;
  description?: string;
  enum?: unknown[];
  const?: unknown;
  default?: unknown;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  items?: JsonSchema;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  allOf?: JsonSchema[];
  $ref?: string;
}

interface Parameter {
  name: string;
  in: string;
  required?: boolean;
  description?: string;
  schema?: JsonSchema;
}

interface Content {
  content?: Record<string, { schema?: JsonSchema }>;
  description?: string;
}

interface Operation {
  description?: string;
  parameters?: Parameter[];
  requestBody?: Content & { required?: boolean };
  responses?: Record<string, Content>;
}

export interface OpenApiDocument {
  openapi: string;
  info: { title: string; version: string; description?: string };
  paths: Record<string, Record<string, Operation>>;
  components?: { securitySchemes?: Record<string, { description?: string }> };
  [field: string]: unknown;
}

const METHODS = ['get', 'put', 'post', 'delete', 'patch'] as const;

/** Past this depth a schema is summed up by its type: the document has the rest. */
const MAX_DEPTH = 6;

/** The page's anchor of an operation: "get-api-contacts-id". */
export function operationAnchor(method: string, path: string): string {
  return `${method}${path}`.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/-+$/, '');
}

function typeLabel(schema: JsonSchema): string {
  if (schema.$ref) return schema.$ref.split('/').pop() ?? schema.$ref;
  if (schema.const !== undefined) return JSON.stringify(schema.const);
  if (schema.enum) return `one of ${schema.enum.map((value) => JSON.stringify(value)).join(', ')}`;
  const types = [schema.type ?? []].flat();
  if (types.includes('array') && schema.items) return `array of ${typeLabel(schema.items)}`;
  const label = types.join(' or ') || (schema.anyOf || schema.oneOf ? 'one of' : 'any');
  return schema.format ? `${label} (${schema.format})` : label;
}

/** A schema as nested lists: each field with its type, whether it is required and what it means. */
function schemaView(schema: JsonSchema, depth = 0): Html | null {
  if (depth > MAX_DEPTH) return null;
  const target = schema.type === 'array' && schema.items ? schema.items : schema;
  const choices = target.anyOf ?? target.oneOf ?? target.allOf;
  if (choices) {
    return html`<ul class="schema">${choices.map((choice) => html`<li><code>${typeLabel(choice)}</code>${choice.description ? html` — ${choice.description}` : null}${schemaView(choice, depth + 1)}</li>`)}</ul>`;
  }
  const properties = Object.entries(target.properties ?? {});
  const extra = typeof target.additionalProperties === 'object' ? target.additionalProperties : null;
  if (properties.length === 0 && !extra) return null;
  const required = new Set(target.required ?? []);
  return html`<ul class="schema">
${properties.map(([name, property]) => fieldView(name, property, required.has(name), depth))}
${extra ? fieldView('(any name)', extra, false, depth) : null}
</ul>`;
}

function fieldView(name: string, schema: JsonSchema, required: boolean, depth: number): Html {
  return html`<li><code>${name}</code> <span class="hint">${typeLabel(schema)}${required ? ', required' : null}</span>${schema.description ? html` — ${schema.description}` : null}${schemaView(schema, depth + 1)}</li>`;
}

function contentView(content: Content['content']): Html[] {
  return Object.entries(content ?? {}).map(([type, { schema }]) => html`<p class="hint">As <code>${type}</code>${schema?.description ? html`: ${schema.description}` : null}</p>${schema ? schemaView(schema) : null}`)
}

function operationView(method: string, path: string, operation: Operation): Html {
  const parameters = operation.parameters ?? [];
  return html`<section class="card" id="${operationAnchor(method, path)}">
<h3><code>${method.toUpperCase()} ${path}</code></h3>
${operation.description ? html`<p>${operation.description}</p>` : null}
${parameters.length > 0
  ? html`<h4>Parameters</h4>
<div class="table-wrap"><table>
<thead><tr><th scope="col">Name</th><th scope="col">In</th><th scope="col">Type</th><th scope="col">Meaning</th></tr></thead>
<tbody>${parameters.map((parameter) => html`<tr><th scope="row"><code>${parameter.name}</code></th><td>${parameter.in}</td><td>${parameter.schema ? typeLabel(parameter.schema) : 'any'}${parameter.required ? ', required' : null}</td><td>${parameter.description ?? parameter.schema?.description ?? ''}</td></tr>`)}</tbody>
</table></div>`
  : null}
${operation.requestBody ? html`<h4>Body${operation.requestBody.required ? null : ' (optional)'}</h4>${contentView(operation.requestBody.content)}` : null}
<h4>Answers</h4>
<dl class="answers">
${Object.entries(operation.responses ?? {}).map(([status, response]) => html`<div><dt>${status}</dt><dd>${response.description ?? ''}${contentView(response.content)}</dd></div>`)}
</dl>
</section>`;
}

/** Every operation of the document in its order, grouped by the first part of its path under /api (contacts.csv with contacts). */
function operationsOf(document: OpenApiDocument): Array<{ group: string; method: string; path: string; operation: Operation }> {
  return Object.entries(document.paths).flatMap(([path, item]) =>
    METHODS.filter((method) => item[method]).map((method) => ({ group: (path.split('/')[2] ?? path).replace(/\..*$/, ''), method, path, operation: item[method]! })),
  );
}

/**
 * The API reference: the OpenAPI document rendered on the server, in the dashboard's own style.
 * It needs no script, so the dashboard's strict policy holds on this page too.
 */
export function docsPage(view: View, document: OpenApiDocument): Html {
  const operations = operationsOf(document);
  const groups = [...new Set(operations.map((entry) => entry.group))];
  const token = Object.values(document.components?.securitySchemes ?? {})[0]?.description;
  return layout(
    view,
    { title: 'API reference', section: null },
    html`<h1>${document.info.title} <span class="hint">${document.info.version}</span></h1>
<p class="lead">${document.info.description ?? ''}</p>
<p>Send <code>Authorization: Bearer &lt;API_TOKEN&gt;</code> with every request${token ? html` (${token})` : null}. The same reference as an OpenAPI ${document.openapi} document, for client generators: <a href="/api/openapi.json"><code>/api/openapi.json</code></a> (with the token as well).</p>
<nav aria-label="Routes"><ul>
${groups.map((group) => html`<li>${group}: ${operations.filter((entry) => entry.group === group).map((entry, i) => html`${i > 0 ? ', ' : null}<a href="#${operationAnchor(entry.method, entry.path)}"><code>${entry.method.toUpperCase()} ${entry.path}</code></a>`)}</li>`)}
</ul></nav>
${groups.map((group) => html`<h2>${group}</h2>${operations.filter((entry) => entry.group === group).map((entry) => operationView(entry.method, entry.path, entry.operation))}`)}`,
  );
}
