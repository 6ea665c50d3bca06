// The room: its members in join order. Fan-out runs on one thread, so every
// member sees room events in the same total order.
//
// Events broadcast during one event-loop turn are not queued member by
// member: the room keeps them in order, and when the turn's writes go out
// (or its events reach EARLY_WRITE_BYTES) every member gets them as one
// Buffer, the same Buffer for every member that was in the room all turn and
// is left out of none of them. A join storm in a big room thus costs one
// queued Buffer per member per flush, not one per member per join (the k-th
// join's notice goes to k members: n²/2 queue operations for n joins).
// Order is kept per member: a line sent to one member (a reply, a welcome)
// first takes that member's share of the turn's events, and so does a
// member that leaves the room or whose connection ends.
import type { Client } from './client.js';
import { EARLY_WRITE_BYTES, type FlushScheduler } from './outbox.js';

export interface RoomMember {
  readonly client: Client;
}

/** Where a client's share of a room's unsent events is delivered first (before its own lines, its leave, its FIN). */
export interface PendingShare {
  deliverTo(client: Client): void;
}

export class Room<M extends RoomMember> implements PendingShare {
  private readonly members = new Set<M>();
  /** This turn's events, in order, and the member each leaves out (if any). */
  private events: Buffer[] = [];
  private excepts: (Client | undefined)[] = [];
  private eventBytes = 0;
  /** Per client whose share does not start at the turn's first event: where it starts (joined this turn, or already delivered up to there). */
  private from = new Map<Client, number>();
  /** Per client left out of some event this turn: the last such event. */
  private lastExcept = new Map<Client, number>();
  private scheduled = false;

  constructor(private readonly scheduler: FlushScheduler) {}

  get size(): number {
    return this.members.size;
  }

  has(member: M): boolean {
    return this.members.has(member);
  }

  add(member: M): void {
    this.members.add(member);
    member.client.share = this;
    if (this.events.length > 0) this.from.set(member.client, this.events.length);
  }

  remove(member: M): boolean {
    if (!this.members.delete(member)) return false;
    this.deliverTo(member.client);
    if (member.client.share === this) member.client.share = undefined;
    this.from.delete(member.client);
    return true;
  }

  /** Members in join order. */
  list(): M[] {
    return [...this.members];
  }

  /** Sends one event to every member, or to every member but `except`: queued with the turn's other events. */
  broadcast(bytes: Buffer, except?: M): void {
    if (bytes.length === 0 || this.members.size === 0) return;
    const at = this.events.length;
    this.events.push(bytes);
    this.excepts.push(except?.client);
    if (except) this.lastExcept.set(except.client, at);
    this.eventBytes += bytes.length;
    if (this.eventBytes >= EARLY_WRITE_BYTES) this.deliver();
    else if (!this.scheduled) {
      this.scheduled = true;
      this.scheduler.beforeFlush(this.deliver);
    }
  }

  /** The client's share of the turn's events, now (before a line of its own, its leave or its FIN). */
  deliverTo(client: Client): void {
    const start = this.from.get(client) ?? 0;
    if (start >= this.events.length) return;
    this.from.set(client, this.events.length);
    const bytes = shareOf(this.events, this.excepts, client, start);
    if (bytes) client.queue(bytes);
  }

  /**
   * Every member's share of the turn's events, queued; the turn starts
   * afresh first, so that what a delivery sets off (an eviction's leave
   * notice) is an event of the next one.
   */
  private readonly deliver = (): void => {
    this.scheduled = false;
    const { events, excepts, from, lastExcept } = this;
    const n = events.length;
    if (n === 0) return;
    this.events = [];
    this.excepts = [];
    this.eventBytes = 0;
    this.from = new Map();
    this.lastExcept = new Map();
    const whole = new Map<number, Buffer>();
    for (const member of this.members) {
      const client = member.client;
      const start = from.get(client) ?? 0;
      if (start >= n) continue;
      let bytes: Buffer | undefined;
      if ((lastExcept.get(client) ?? -1) >= start) bytes = shareOf(events, excepts, client, start);
      else {
        bytes = whole.get(start);
        if (!bytes) whole.set(start, (bytes = n - start === 1 ? events[start]! : Buffer.concat(events.slice(start))));
      }
      if (bytes) client.queue(bytes);
    }
  };

}

/** events[start..] but those that leave `client` out, as one Buffer (undefined when none). */
function shareOf(events: readonly Buffer[], excepts: readonly (Client | undefined)[], client: Client, start: number): Buffer | undefined {
  const parts: Buffer[] = [];
  for (let i = start; i < events.length; i++) if (excepts[i] !== client) parts.push(events[i]!);
  return parts.length === 0 ? undefined : parts.length === 1 ? parts[0] : Buffer.concat(parts);
}
