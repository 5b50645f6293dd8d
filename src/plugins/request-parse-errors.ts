import { GraphQLError } from 'graphql';
import { isPromise, type Plugin } from 'graphql-yoga';
import { ErrorCode, requestRefused } from '../errors.js';

/**
 * Yoga's request parsers quote what they could not parse: a POST body that is not JSON comes back (twice) in
 * extensions.originalError, so a 200 KB body gets a 200 KB answer; and a GET query string (or form) whose
 * variables or extensions are not JSON fails with a bare SyntaxError, answered as a 500. Both become a short
 * 400 BAD_REQUEST that never contains the input.
 */
function withoutInput(error: unknown): unknown {
  // Yoga sets originalError only on its invalid-JSON-body error; the other refusals it throws are short already.
  if (error instanceof GraphQLError && error.extensions.originalError !== undefined) {
    return requestRefused(ErrorCode.BadRequest, 400, 'The request body is not valid JSON.');
  }
  if (error instanceof SyntaxError) {
    return requestRefused(ErrorCode.BadRequest, 400, 'The variables and extensions parameters must be valid JSON.');
  }
  return error;
}

export function useRequestParseErrors(): Plugin {
  return {
    onRequestParse({ requestParser, setRequestParser }) {
      if (!requestParser) return;
      setRequestParser((request) => {
        try {
          const parsed = requestParser(request);
          return isPromise(parsed)
            ? parsed.catch((error: unknown) => {
                throw withoutInput(error);
              })
            : parsed;
        } catch (error) {
          throw withoutInput(error);
        }
      });
    },
  };
}
