// Limits have documented defaults, and a bad option is a typed error before
// anything listens.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadProfile, parseProfile } from '../src/profile/index.js';
import {
  DEFAULT_EVICT_AFTER_MS,
  DEFAULT_JOIN_TIMEOUT_MS,
  DEFAULT_LINE_TIMEOUT_MS,
  DEFAULT_MAX_CLIENTS,
  DEFAULT_MAX_CLIENTS_PER_ADDRESS,
  DEFAULT_OUTBOUND_BUDGET_BYTES,
  DEFAULT_QUEUE_BYTES,
  ServerOptionError,
  startServer,
} from '../src/reference-server/index.js';

test('defaults: maxLineBytes and idle timeout from the profile, 10000 clients (1000 an address), 1 MiB queues, 256 MiB in all', async (t) => {
  const server = await startServer({ profile: 'who-rename' });
  t.after(() => server.close());
  assert.deepEqual(server.limits, {
    maxLineBytes: 65536,
    maxClients: DEFAULT_MAX_CLIENTS,
    queueBytes: DEFAULT_QUEUE_BYTES,
    evictAfterMs: DEFAULT_EVICT_AFTER_MS,
    outboundBudgetBytes: DEFAULT_OUTBOUND_BUDGET_BYTES,
    maxClientsPerAddress: DEFAULT_MAX_CLIENTS_PER_ADDRESS,
    joinTimeoutMs: DEFAULT_JOIN_TIMEOUT_MS,
    lineTimeoutMs: DEFAULT_LINE_TIMEOUT_MS,
    idleTimeoutMs: 60000,
  });
  assert.equal(DEFAULT_MAX_CLIENTS, 10_000);
  assert.equal(DEFAULT_MAX_CLIENTS_PER_ADDRESS, 1_000);
  assert.equal(DEFAULT_QUEUE_BYTES, 1024 * 1024);
  assert.equal(DEFAULT_EVICT_AFTER_MS, 2_000);
  assert.equal(DEFAULT_OUTBOUND_BUDGET_BYTES, 256 * 1024 * 1024);
  assert.equal(DEFAULT_JOIN_TIMEOUT_MS, 30_000);
  assert.equal(DEFAULT_LINE_TIMEOUT_MS, 30_000);
  assert.equal(server.address.host, '127.0.0.1');
  assert.equal(server.url, `127.0.0.1:${server.address.port}`);
  assert.deepEqual(
    { clients: server.stats().clients, members: server.stats().members },
    { clients: 0, members: 0 },
  );
});

test('idleTimeoutMs: null turns the profile timeout off', async (t) => {
  const server = await startServer({ profile: 'who-rename', idleTimeoutMs: null });
  t.after(() => server.close());
  assert.equal(server.limits.idleTimeoutMs, null);
});

test("join and line deadlines: the profile's declared ones, unless an option says otherwise", async (t) => {
  const declared = parseProfile({ ...(await loadProfile('gopl-en')), name: 'deadlines', joinTimeoutMs: 1500, lineTimeoutMs: 2500 });
  const server = await startServer({ profile: declared });
  t.after(() => server.close());
  assert.deepEqual([server.limits.joinTimeoutMs, server.limits.lineTimeoutMs], [1500, 2500]);
  const overridden = await startServer({ profile: declared, joinTimeoutMs: null, lineTimeoutMs: 700 });
  t.after(() => overridden.close());
  assert.deepEqual([overridden.limits.joinTimeoutMs, overridden.limits.lineTimeoutMs], [null, 700]);
});

for (const [what, options] of [
  ['maxLineBytes 0', { maxLineBytes: 0 }],
  ['maxClients 1.5', { maxClients: 1.5 }],
  ['queueBytes too small for one line', { queueBytes: 1000 }],
  ['idleTimeoutMs -1', { idleTimeoutMs: -1 }],
  ['evictAfterMs 0', { evictAfterMs: 0 }],
  ['outboundBudgetBytes below queueBytes', { outboundBudgetBytes: 1024 * 1024 - 1 }],
  ['maxClientsPerAddress 0', { maxClientsPerAddress: 0 }],
  ['joinTimeoutMs 0 (null turns it off)', { joinTimeoutMs: 0 }],
  ['lineTimeoutMs NaN', { lineTimeoutMs: NaN }],
] as const) {
  test(`rejected: ${what}`, async () => {
    await assert.rejects(startServer({ profile: 'gopl-en', ...options }), ServerOptionError);
  });
}

test('rejected: a raw profile that joins on login (the reference server would have to guess)', async () => {
  const raw = await loadProfile('raw');
  const profile = parseProfile({ ...raw, name: 'login-raw', joinOn: 'login', commands: { ...raw.commands, login: 'LOGIN {name}' } });
  await assert.rejects(startServer({ profile }), /joins raw members on connect/);
});

test('rejected: assigned names the name pattern refuses', async () => {
  const gopl = await loadProfile('gopl-en');
  const profile = parseProfile({
    ...gopl,
    name: 'assigned-upper',
    identity: 'assigned',
    selfJoin: false,
    patterns: { name: '[A-Z]{2,8}' },
    notices: { welcome: 'You are {name}', chat: '{name}: {text}' },
  });
  await assert.rejects(startServer({ profile }), /assigns names only .* the profile's name pattern accepts none of them/);
});

test('an unknown profile name is the profile loader’s error', async () => {
  await assert.rejects(startServer({ profile: 'no-such-profile' }), /no-such-profile/);
});
