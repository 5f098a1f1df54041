import type { FastifySchemaCompiler, FastifyTypeProvider } from 'fastify';
import type { z } from 'zod';

/**
 * Route schemas are Zod schemas: one definition gives both the validation Fastify runs before a
 * handler and the handler's TypeScript types (what fastify-type-provider-zod does, in a few lines,
 * without another dependency). Responses are not schema-serialised; handlers build them from
 * typed values.
 */
export interface ZodTypeProvider extends FastifyTypeProvider {
  validator: this['schema'] extends z.ZodType ? z.output<this['schema']> : unknown;
  serializer: this['schema'] extends z.ZodType ? z.input<this['schema']> : unknown;
}

/** A request part that does not match its schema: a 400 with every problem in one message. */
export class RequestValidationError extends Error {
  readonly statusCode = 400;
  readonly code = 'FST_ERR_VALIDATION';

  readonly part: string;
  readonly problems: string[];

  constructor(part: string, problems: string[]) {
    super(problems.join('; '));
    this.part = part;
    this.problems = problems;
    this.name = 'RequestValidationError';
  }
}

export const zodValidatorCompiler: FastifySchemaCompiler<z.ZodType> = ({ schema, httpPart }) => {
  const part = httpPart === 'querystring' ? 'query' : (httpPart ?? 'request');
  return (data: unknown) => {
    const result = schema.safeParse(data);
    if (result.success) return { value: result.data };
    const problems = result.error.issues.map((issue) => (issue.path.length > 0 ? `${issue.path.join('.')}: ${issue.message}` : `${part}: ${issue.message}`));
    return { error: new RequestValidationError(part, problems) };
  };
};
