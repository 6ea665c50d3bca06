// A stand-in for net.Socket as the reference server's outbox uses it: what
// each write handed over, a kernel that takes a set number of bytes per
// write, and the peer's reading on demand.
/** A socket whose kernel takes `accept` bytes per write synchronously; the rest waits until the test calls drain(). */
export class FakeSocket {
  writable = true;
  writableLength = 0;
  accept = Infinity;
  /** What each write (or writev) handed over, in order. */
  readonly writes: Buffer[] = [];
  /** The bytes as the peer would get them, copied at each write (a copy area the outbox reuses is not read later). */
  wire = '';
  /** Writes since cork(): handed over together at uncork(), as a writev. */
  readonly writevs: Buffer[][] = [];
  private corked: { data: Buffer; cb: ((err?: Error | null) => void) | undefined }[] | undefined;
  private callbacks: ((err?: Error | null) => void)[] = [];
  write(data: Buffer, cb?: (err?: Error | null) => void): boolean {
    if (this.corked) {
      this.corked.push({ data, cb });
      this.writableLength += data.length;
      return true;
    }
    this.writes.push(data);
    this.wire += data.toString('latin1');
    return this.take(data.length, cb ? [cb] : []);
  }
  destroyed = false;
  /** FIN sent: the peer gets nothing after this. */
  ended = false;
  end(): void {
    this.ended = true;
    this.writable = false;
  }
  destroy(): void {
    this.destroyed = true;
    this.writable = false;
  }
  cork(): void {
    this.corked = [];
  }
  uncork(): void {
    const corked = this.corked ?? [];
    this.corked = undefined;
    this.writevs.push(corked.map((w) => w.data));
    this.writes.push(Buffer.concat(corked.map((w) => w.data))); // what one writev puts on the wire
    this.wire += this.writes[this.writes.length - 1]!.toString('latin1');
    const bytes = corked.reduce((n, w) => n + w.data.length, 0);
    this.writableLength -= bytes;
    this.take(bytes, corked.flatMap((w) => (w.cb ? [w.cb] : [])));
  }
  private take(bytes: number, cbs: ((err?: Error | null) => void)[]): boolean {
    if (bytes <= this.accept && this.writableLength === 0) {
      queueMicrotask(() => cbs.forEach((cb) => cb()));
      return true;
    }
    this.writableLength += bytes;
    this.callbacks.push(...cbs);
    return false;
  }
  /** The peer read everything: the pending writes complete. */
  drain(): void {
    this.writableLength = 0;
    const callbacks = this.callbacks;
    this.callbacks = [];
    for (const cb of callbacks) cb();
  }
}
