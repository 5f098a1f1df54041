// What loadConfig says of an environment, for the tests of settings read from it.
import { ConfigError, loadConfig } from '../../src/config/env.ts';

/** Every problem loadConfig finds in `env`; empty when it loads. */
export function configProblems(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}
