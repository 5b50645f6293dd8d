import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { startServerProcess, testRuntime } from '../support/server-process.js';
import { serverEnvironment, useDataLocation } from '../support/stored-tasks.js';

const location = useDataLocation('bun');

describe.runIf(testRuntime === 'bun')('the Bun entry (Bun.serve)', () => {
  it('refuses a WebSocket upgrade with 501 and points to SSE on the same URL', async () => {
    const server = await startServerProcess(serverEnvironment(location()));
    try {
      const socket = new WebSocket(`${server.url.replace(/^http/, 'ws')}/graphql`, 'graphql-transport-ws');
      const { status, body } = await new Promise<{ status: number | undefined; body: string }>((resolve, reject) => {
        socket.once('open', () => reject(new Error('the upgrade was accepted')));
        socket.once('error', reject);
        socket.once('unexpected-response', (_request, response: IncomingMessage) => {
          let text = '';
          response.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
          response.on('end', () => resolve({ status: response.statusCode, body: text }));
        });
      });
      expect(status).toBe(501);
      expect(JSON.parse(body)).toMatchObject({
        errors: [{ message: expect.stringContaining('SSE'), extensions: { code: 'BAD_REQUEST' } }],
      });
    } finally {
      expect(await server.stop()).toBe(0);
    }
  }, 60_000);
});
