import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import net from 'node:net';
import { performance } from 'node:perf_hooks';
import { buildGoPeers, peerNames, startPeer, type PeerName, type RunningPeer } from '../bench/peers/build.js';
import { LineDecoder, encodeLine } from '../src/codec/index.js';
import { Wakeup, waitUntil } from '../src/loadgen/wakeup.js';

const built = await buildGoPeers();
const skip = !built.ok && built.missingGo ? `Go peers skipped: ${built.reason}` : false;

/** Addresses of this test's clients: the server's notices about other connections (the readiness probe's) are not theirs. */
const ours = new Set<string>();
const aboutAnother = (line: string): boolean => {
  const m = /^(\S+) has (joined us|left )$/.exec(line);
  return m !== null && !ours.has(m[1]!);
};

/** A test client of a line dialect: every line it receives, in order, with deadline-bound waits. */
class LineClient {
  readonly lines: string[] = [];
  private cursor = 0;
  readonly wakeup = new Wakeup();
  closed = false;
  private readonly decoder = new LineDecoder({ maxFrameBytes: 1 << 20 });

  private constructor(
    readonly socket: net.Socket,
    readonly addr: string,
  ) {
    socket.on('data', (chunk: Buffer) => {
      for (const item of this.decoder.push(chunk)) if (item.kind === 'frame') this.lines.push(item.frame.text);
      this.wakeup.notify();
    });
    socket.on('error', () => {});
    socket.on('close', () => {
      this.closed = true;
      this.wakeup.notify();
    });
  }

  static connect(port: number): Promise<LineClient> {
    return new Promise((resolve, reject) => {
      const socket = net.connect({ host: '127.0.0.1', port }, () => {
        const addr = `${socket.localAddress}:${socket.localPort}`;
        ours.add(addr);
        resolve(new LineClient(socket, addr));
      });
      socket.setNoDelay(true);
      socket.once('error', reject);
    });
  }

  say(text: string): void {
    const encoded = encodeLine(text);
    assert.ok(encoded.ok);
    this.socket.write(encoded.bytes);
  }

  /** The next line not yet taken, or a failure after ms. */
  async next(ms = 3_000): Promise<string> {
    // src/supervise's readiness probe connects and closes before the test's clients: its leave may trail.
    const skipOthers = (): void => {
      while (this.cursor < this.lines.length && aboutAnother(this.lines[this.cursor]!)) this.cursor += 1;
    };
    const ok = await waitUntil(() => (skipOthers(), this.cursor < this.lines.length || this.closed), this.wakeup, performance.now() + ms);
    assert.ok(ok && this.cursor < this.lines.length, `${this.addr}: no line within ${ms} ms (got ${this.lines.length} lines)`);
    return this.lines[this.cursor++]!;
  }

  /** Joined: the client's own line came back, so it is a member. */
  async confirmMembership(): Promise<void> {
    this.say('ping');
    for (;;) if ((await this.next()) === `${this.addr}: ping`) return;
  }
}

async function withPeer(name: PeerName, body: (peer: RunningPeer, clients: LineClient[]) => Promise<void>): Promise<void> {
  const peer = await startPeer(name);
  const clients: LineClient[] = [];
  try {
    await body(peer, clients);
  } finally {
    for (const c of clients) c.socket.destroy();
    await peer.close();
  }
}

describe('Go peers', { skip }, () => {
  test('both peers build into bench/peers/bin/', () => {
    assert.ok(built.ok, built.ok ? '' : built.reason);
    for (const name of peerNames) assert.ok(existsSync(built.binaries[name]), built.binaries[name]);
  });

  for (const name of peerNames) {
    test(`${name}: a client pair exchanges lines with exact gopl-en strings`, () =>
      withPeer(name, async (peer, clients) => {
        assert.match(peer.url, /^127\.0\.0\.1:\d+$/);
        const a = await LineClient.connect(peer.port);
        clients.push(a);
        assert.equal(await a.next(), `You are ${a.addr}`);
        await a.confirmMembership();

        const b = await LineClient.connect(peer.port);
        clients.push(b);
        assert.equal(await b.next(), `You are ${b.addr}`);
        assert.equal(await a.next(), `${b.addr} has joined us`);
        await b.confirmMembership();
        assert.equal(await a.next(), `${b.addr}: ping`);

        a.say('hello 世界 | with: colons');
        assert.equal(await a.next(), `${a.addr}: hello 世界 | with: colons`);
        assert.equal(await b.next(), `${a.addr}: hello 世界 | with: colons`);

        b.say('last words');
        b.socket.end(); // FIN right after the line: the line comes first, then the leave
        assert.equal(await a.next(), `${b.addr}: last words`);
        assert.equal(await a.next(), `${b.addr} has left `);
      }));
  }

  // One member stops reading while another floods the room with 4 KiB lines,
  // at most FLOOD_LAG lines ahead of what an observer has received (a reader
  // that keeps up must never look slow), until FLOOD_LINES are sent or the
  // observer gets nothing for 500 ms. That is enough bytes to fill the kernel
  // buffers toward the paused member and then the buffered peer's 1024-line channel.
  const FLOOD_LINES = 5_000;
  const FLOOD_LAG = 100;
  const pad = 'x'.repeat(4_000);

  interface Flood {
    readonly observer: LineClient;
    readonly paused: LineClient;
    readonly sent: number;
    readonly received: () => number;
    readonly stalled: boolean;
  }

  async function floodWithPausedMember(port: number, clients: LineClient[]): Promise<Flood> {
    const observer = await LineClient.connect(port);
    const sender = await LineClient.connect(port);
    const paused = await LineClient.connect(port);
    clients.push(observer, sender, paused);
    for (const c of [observer, sender, paused]) await c.confirmMembership();
    paused.socket.pause();
    const prefix = `${sender.addr}: flood `;
    let counted = 0;
    let scanned = 0;
    const received = (): number => {
      for (; scanned < observer.lines.length; scanned++) if (observer.lines[scanned]!.startsWith(prefix)) counted++;
      return counted;
    };
    let sent = 0;
    while (sent < FLOOD_LINES) {
      for (; sent < FLOOD_LINES && sent - received() < FLOOD_LAG; sent++) sender.say(`flood ${sent} ${pad}`);
      const moved = await waitUntil(() => sent - received() < FLOOD_LAG || received() === FLOOD_LINES, observer.wakeup, performance.now() + 500);
      if (!moved) return { observer, paused, sent, received, stalled: true };
    }
    return { observer, paused, sent, received, stalled: false };
  }

  test('gopl-unbuffered: one member that stops reading stalls the room (the seed design bug)', () =>
    withPeer('gopl-unbuffered', async (peer, clients) => {
      const flood = await floodWithPausedMember(peer.port, clients);
      assert.ok(flood.stalled, `the observer kept receiving: ${flood.received()} of ${FLOOD_LINES} lines, no stall`);
      assert.ok(flood.received() < FLOOD_LINES, `stalled after ${flood.received()} of ${FLOOD_LINES} lines`);
      assert.ok(!flood.observer.lines.includes(`${flood.paused.addr} has left `), 'the unbuffered peer does not evict');
    }));

  test('gopl-buffered: the non-reading member is evicted with one leave notice and the room keeps flowing', () =>
    withPeer('gopl-buffered', async (peer, clients) => {
      const { observer, paused, received, stalled } = await floodWithPausedMember(peer.port, clients);
      assert.ok(!stalled, `the observer stalled after ${received()} lines`);
      const all = await waitUntil(() => received() === FLOOD_LINES, observer.wakeup, performance.now() + 5_000);
      assert.ok(all, `the observer got ${received()} of ${FLOOD_LINES} lines`);
      const leaves = observer.lines.filter((l) => l === `${paused.addr} has left `);
      assert.equal(leaves.length, 1, 'exactly one leave notice for the evicted member');
      assert.ok(!observer.lines.slice(observer.lines.indexOf(leaves[0]!)).some((l) => l.startsWith(`${paused.addr}: `)), 'nothing from it after its leave');
      // Its connection was closed by the server: reading again finds the end.
      paused.socket.resume();
      assert.ok(await waitUntil(() => paused.closed, paused.wakeup, performance.now() + 5_000), 'the evicted connection was closed');
    }));
});
