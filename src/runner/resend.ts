// Proof lines that a lossy server may drop. A sync line, a barrier or a
// liveness probe proves something when it arrives; per-sender order makes any
// later line of the same sender as good a proof as the first. So instead of
// one line and a whole wait, the kit says another line after a short pause,
// then after pauses that double: a line the server loses costs one pause, not
// the wait, and a server that is merely slow still gets the whole deadline.
import { now } from './clock.js';

/** Lines said at most, the first included: bounded whatever the server does. */
export const MAX_PROOF_LINES = 5;
/** The first pause before another line, as a share of the deadline (then doubled each time). */
const FIRST_PAUSE_SHARE = 1 / 16;

export type WaitFn = (cond: () => boolean, timeoutMs: number) => Promise<boolean>;

/**
 * Waits until `heard()` holds, calling `again()` (which says one more proof
 * line) after each pause while it does not; the first line is the caller's.
 * Resolves true when heard, false at the deadline. `stop()` ends the resends
 * early (the speaker is gone), the wait goes on to the deadline.
 */
export async function untilHeard(waitUntil: WaitFn, heard: () => boolean, again: () => Promise<void>, timeoutMs: number, stop: () => boolean = () => false): Promise<boolean> {
  const start = now();
  let pause = timeoutMs * FIRST_PAUSE_SHARE;
  for (let said = 1; ; said += 1) {
    const left = timeoutMs - (now() - start);
    const last = said >= MAX_PROOF_LINES || stop() || left <= pause;
    if (await waitUntil(heard, last ? left : pause)) return true;
    if (last) return false;
    pause *= 2;
    await again();
  }
}
