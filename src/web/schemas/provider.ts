import type { FastifySchemaCompiler } from 'fastify';
import type { z } from 'zod';

/**
 * Route schemas are Zod schemas, through fastify-type-provider-zod: one definition gives the
 * validation Fastify runs before a handler, the handler's TypeScript types, and the serialisation
 * of its answer (a field the response schema does not name is left out, so an answer holds only
 * what its schema documents). Requests are validated here rather than by the library's compiler:
 * a bad request answers 400 with every problem in one message, as the API always has.
 */
export { serializerCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';

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

export const validatorCompiler: FastifySchemaCompiler<z.ZodType> = ({ schema, httpPart }) => {
  const part = httpPart === 'querystring' ? 'query' : (httpPart ?? 'request');
  return (data: unknown) => {
    const result = schema.safeParse(data);
    if (result.success) return { value: result.data };
    const problems = result.error.issues.map((issue) => (issue.path.length > 0 ? `${issue.path.join('.')}: ${issue.message}` : `${part}: ${issue.message}`));
    return { error: new RequestValidationError(part, problems) };
  };
};
