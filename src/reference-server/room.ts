// The room: its members in join order. Fan-out runs on one thread, so every
// member sees room events in the same total order; one Buffer is shared by
// all recipients of an event.
import type { Client } from './client.js';

export interface RoomMember {
  readonly client: Client;
}

export class Room<M extends RoomMember> {
  private readonly members = new Set<M>();

  get size(): number {
    return this.members.size;
  }

  has(member: M): boolean {
    return this.members.has(member);
  }

  add(member: M): void {
    this.members.add(member);
  }

  remove(member: M): boolean {
    return this.members.delete(member);
  }

  /** Members in join order. */
  list(): M[] {
    return [...this.members];
  }

  /** Sends one event to every member, or to every member but `except`. */
  broadcast(bytes: Buffer, except?: M): void {
    for (const member of this.members) if (member !== except) member.client.send(bytes);
  }
}
