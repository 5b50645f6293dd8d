import { useCSRFPrevention } from '@graphql-yoga/plugin-csrf-prevention';
import { GraphQLError } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { ErrorCode, requestRefused } from '../errors.js';

export const csrfHeader = 'x-graphql-yoga-csrf';

/**
 * Yoga's CSRF prevention: a POST a browser could send without a CORS preflight (a form, text/plain, no content
 * type) must carry the x-graphql-yoga-csrf header, which a form cannot set. JSON clients and GraphiQL send
 * application/json and pass. GET is exempt: Yoga refuses mutations over GET (405), so a cross-site GET can only
 * read, and reading the answer is up to CORS; plain GET queries keep working.
 */
export function useCsrfPrevention(): Plugin {
  const csrf = useCSRFPrevention({ requestHeaders: [csrfHeader] });
  return {
    onRequestParse(payload) {
      if (payload.request.method === 'GET') return;
      try {
        return csrf.onRequestParse?.(payload);
      } catch (error) {
        if (!(error instanceof GraphQLError)) throw error;
        throw requestRefused(
          ErrorCode.CsrfHeaderMissing,
          403,
          `Send Content-Type: application/json, or the ${csrfHeader} header, with POST requests.`,
        );
      }
    },
  };
}
