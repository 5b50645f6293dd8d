// The peer: PostGraphile v5 (Amber preset, the library API, grafserv on node:http) generating its schema from the
// same database the bench seeds, with a pg pool the API's size. No GraphiQL, no watch mode, no explain. It needs
// Node 22+, so the bench runs it on Node 24. Its operations are in scenarios.ts (postgraphileScenarios).
import { createServer } from 'node:http';
import pg from 'pg';
import { postgraphile } from 'postgraphile';
import { makePgService } from 'postgraphile/adaptors/pg';
import { grafserv } from 'postgraphile/grafserv/node';
import { PostGraphileAmberPreset } from 'postgraphile/presets/amber';

const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: Number(process.env.DATABASE_POOL_SIZE ?? 10) });

const preset: GraphileConfig.Preset = {
  extends: [PostGraphileAmberPreset],
  pgServices: [makePgService({ pool, schemas: ['public'] })],
  grafserv: { graphiql: false, watch: false },
  grafast: { explain: false },
};

const pgl = postgraphile(preset);
await pgl.getSchema();
const graphql = pgl.createServ(grafserv).createHandler();
const server = createServer((request, response) => {
  if (request.method === 'GET' && request.url === '/ready') {
    response.end('{"ready":true}');
    return;
  }
  graphql(request, response);
});
server.listen(Number(process.env.PORT ?? 4003), '127.0.0.1');

const stop = () =>
  server.close(async () => {
    await pgl.release();
    await pool.end();
    process.exit(0);
  });
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
