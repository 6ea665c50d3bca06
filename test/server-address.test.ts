// ADDR is the client's own address as it knows it: IPv6 in brackets, and an
// IPv4 client of a dual-stack listener without the ::ffff: prefix.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatAddress, startServer } from '../src/reference-server/index.js';
import { connectClient } from './helpers/server-client.js';

test('formatAddress', () => {
  assert.equal(formatAddress('127.0.0.1', 5000), '127.0.0.1:5000');
  assert.equal(formatAddress('::1', 5000), '[::1]:5000');
  assert.equal(formatAddress('::ffff:10.0.0.7', 80), '10.0.0.7:80');
  assert.equal(formatAddress('fe80::1%eth0', 1), '[fe80::1%eth0]:1');
});

for (const { listen, connect } of [
  { listen: '::1', connect: '::1' },
  { listen: '::', connect: '127.0.0.1' },
]) {
  test(`welcome names the client as it knows itself (listen ${listen}, connect ${connect})`, async (t) => {
    let server;
    try {
      server = await startServer({ profile: 'gopl-en', host: listen, port: 0 });
    } catch (err) {
      return t.skip(`IPv6 unavailable: ${(err as Error).message}`);
    }
    const running = server;
    t.after(() => running.close());
    const client = await connectClient(server.address.port, connect);
    t.after(() => client.destroy());
    // The expected address is written out from what the test connected to, not taken from the helper's
    // formatting (which would agree with the server's by construction).
    const expected = connect.includes(':') ? `[${connect}]:${client.socket.localPort}` : `${connect}:${client.socket.localPort}`;
    assert.equal(client.addr, expected);
    await client.waitForLine(`You are ${expected}`);
  });
}
