import { GraphQLError } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { ErrorCode } from '../errors.js';

/**
 * Variables that fail coercion (a string for an Int, a missing non-null variable) come back as request errors
 * without a code, from graphql-js or graphql-jit (whose errors are plain objects); give them the code every other
 * bad input carries, and the HTTP 400 of a request error.
 */
export function useVariableErrorCodes(): Plugin {
  return {
    onExecute() {
      return {
        onExecuteDone({ result, setResult }) {
          if (!('errors' in result) || !result.errors || 'data' in result) return;
          setResult({
            ...result,
            errors: result.errors.map((error) => {
              const extensions: Record<string, unknown> = error.extensions ?? {};
              if (extensions.code) return error;
              return new GraphQLError(error.message, {
                nodes: error.nodes,
                source: error.source,
                positions: error.positions ?? undefined,
                extensions: { ...extensions, code: ErrorCode.BadUserInput, http: { status: 400, spec: true } },
              });
            }),
          });
        },
      };
    },
  };
}
