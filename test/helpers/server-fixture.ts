// Starts a reference server for one test and tears it (and every client the
// test opened) down afterwards, whatever the outcome.
import type { TestContext } from 'node:test';
import { type RunningServer, type ServerOptions, startServer } from '../../src/reference-server/index.js';
import { connectClient, type TestClient } from './server-client.js';

export interface ServerFixture {
  readonly server: RunningServer;
  readonly port: number;
  connect(): Promise<TestClient>;
}

export async function serverFixture(t: TestContext, options: ServerOptions): Promise<ServerFixture> {
  const server = await startServer({ host: '127.0.0.1', port: 0, ...options });
  const clients: TestClient[] = [];
  t.after(async () => {
    for (const client of clients) client.destroy();
    await server.close();
  });
  return {
    server,
    port: server.address.port,
    async connect() {
      const client = await connectClient(server.address.port);
      clients.push(client);
      return client;
    },
  };
}
