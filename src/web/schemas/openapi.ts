import { z } from 'zod';

/** The OpenAPI document is generated from the other schemas; its own shape is OpenAPI's. */
export const openApiAnswer = z
  .looseObject({
    openapi: z.string().describe('The OpenAPI version the document follows (3.1.x).'),
    info: z.looseObject({}).describe('The API\'s name and version.'),
    paths: z.record(z.string(), z.unknown()).describe('Every /api route: its parameters, body and answers.'),
  })
  .describe('An OpenAPI 3.1 document of this API.');
