import type { Plugin } from 'graphql-yoga';

/**
 * `GET /` is where a newcomer looks first: browsers are sent to the GraphQL endpoint (GraphiQL there), other
 * clients get a short JSON pointer to it instead of a blank 404.
 */
export function useRootPointer(graphqlEndpoint: string): Plugin {
  return {
    onRequest({ request, url, fetchAPI, endResponse }) {
      if (url.pathname !== '/' || (request.method !== 'GET' && request.method !== 'HEAD')) return;
      if (request.headers.get('accept')?.includes('text/html')) {
        endResponse(new fetchAPI.Response(null, { status: 302, headers: { location: graphqlEndpoint } }));
        return;
      }
      const pointer = { graphql: graphqlEndpoint, health: '/health', ready: '/ready' };
      endResponse(
        new fetchAPI.Response(JSON.stringify(pointer), {
          status: 200,
          headers: { 'content-type': 'application/json; charset=utf-8' },
        }),
      );
    },
  };
}
