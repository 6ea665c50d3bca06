// What one run learns about its target that later cases use: the notices the
// server has shown it does not send (and, for NOTICE-1, that it keeps members
// it announced as gone connected). A wait for a notice that runs its whole
// length twice (a case and its replay, or two cases) while no notice of that
// type ever reached any member makes later waits for it short. The
// requirement behind it has failed, reproducibly, by then; a broken server's
// verdict should not cost every later wait in full. A server that sends the
// notice late, or to some members only, has been seen sending it: its waits
// stay whole.

/** A short wait's share of the whole wait. */
const SHORT_SHARE = 1 / 8;
/** Whole waits in vain, with none of the notice ever seen, before waits become short. */
const MISSES_TO_LEARN = 2;

export class RunMemory {
  private readonly missed = new Map<string, number>();
  private readonly seen = new Set<string>();

  /** True once the server has shown that it never sends notices of this type. */
  absent(type: string): boolean {
    return !this.seen.has(type) && (this.missed.get(type) ?? 0) >= MISSES_TO_LEARN;
  }

  /** How long to wait for a notice of this type, given one whole wait. */
  patience(type: string, waitMs: number): number {
    return this.absent(type) ? waitMs * SHORT_SHARE : waitMs;
  }

  /** After a wait for a notice: did it come, and has any notice of the type ever reached a member of the case? */
  note(type: string, arrived: boolean, anySeen: boolean): void {
    if (anySeen) this.seen.add(type);
    if (!arrived) this.missed.set(type, (this.missed.get(type) ?? 0) + 1);
  }

  /** After a wait for something the server does or does not do (not a notice type): whether it happened this time. */
  noteOutcome(key: string, happened: boolean): void {
    this.note(key, happened, happened);
  }
}
