import { GraphQLError } from 'graphql';
import type { Plugin } from 'graphql-yoga';

// graphql-js ends the message with its suggestions: ' Did you mean "title"?', ' Did you mean the enum value "ASC" or "DESC"?'.
const suggestion = /\s*Did you mean .*\?$/s;

function withoutSuggestion(error: Error): Error {
  if (!(error instanceof GraphQLError) || !suggestion.test(error.message)) return error;
  return new GraphQLError(error.message.replace(suggestion, ''), {
    nodes: error.nodes,
    source: error.source,
    positions: error.positions,
    path: error.path,
    originalError: error.originalError,
    extensions: error.extensions,
  });
}

/**
 * With introspection off, "Did you mean …" in validation errors would still spell out the schema's field, argument,
 * type and enum value names one typo at a time: drop the suggestions (the error and its code stay).
 */
export function useNoSchemaSuggestions(): Plugin {
  return {
    onValidate() {
      return ({ valid, result, setResult }) => {
        if (!valid) setResult(result.map(withoutSuggestion));
      };
    },
  };
}
