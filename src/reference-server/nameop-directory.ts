// Who is who in a nameop room: members in login order, names bound to
// connections, and groups in creation order. A group lives while it has
// members, so a client that creates and abandons groups cannot grow it forever.
import type { FlushScheduler } from './outbox.js';
import { Room, type RoomMember } from './room.js';

/** Groups alive at once; past this, joining a new group is refused (503). */
export const MAX_GROUPS = 10_000;

export class NameopDirectory<M extends RoomMember> {
  readonly room: Room<M>;

  constructor(scheduler: FlushScheduler) {
    this.room = new Room<M>(scheduler);
  }
  private readonly names = new Map<string, M>();
  private readonly groups = new Map<string, Set<M>>();
  /** The groups each member sits in, so a leave touches only those. */
  private readonly seats = new Map<M, Set<string>>();

  memberNamed(name: string): M | undefined {
    return this.names.get(name);
  }

  /** Binds the name and makes the connection a member; false when the name is taken. */
  login(member: M, name: string): boolean {
    if (this.names.has(name)) return false;
    this.names.set(name, member);
    this.room.add(member);
    return true;
  }

  /** Releases the name and every group seat; drops groups left empty. */
  logout(member: M, name: string): void {
    this.room.remove(member);
    if (this.names.get(name) === member) this.names.delete(name);
    for (const group of this.seats.get(member) ?? []) {
      const members = this.groups.get(group);
      if (members?.delete(member) && members.size === 0) this.groups.delete(group);
    }
    this.seats.delete(member);
  }

  group(group: string): ReadonlySet<M> | undefined {
    return this.groups.get(group);
  }

  /** Adds the member to the group, creating it: 'joined', 'already' a member, or 'full' (too many groups). */
  joinGroup(member: M, group: string): 'joined' | 'already' | 'full' {
    let members = this.groups.get(group);
    if (!members) {
      if (this.groups.size >= MAX_GROUPS) return 'full';
      members = new Set();
      this.groups.set(group, members);
    }
    if (members.has(member)) return 'already';
    members.add(member);
    let mine = this.seats.get(member);
    if (!mine) this.seats.set(member, (mine = new Set()));
    mine.add(group);
    return 'joined';
  }

  groupNames(): string[] {
    return [...this.groups.keys()];
  }
}
