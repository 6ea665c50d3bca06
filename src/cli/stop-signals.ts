// Stopping a run from outside: SIGINT (^C), SIGTERM (timeout, docker stop, CI
// cancellation) and SIGHUP (a closed terminal) all abort the running case and
// end the run with its partial reports; a second signal leaves at once.
export const STOP_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
export type StopSignal = (typeof STOP_SIGNALS)[number];

export interface StopHandlers {
  /** The first signal: abort the run; the caller writes the reports and exits. */
  readonly first: (signal: StopSignal) => void;
  /** A second signal: leave now (after writing what can be written at once). */
  readonly second: (signal: StopSignal) => void;
}

/** Installs the handlers; returns the function that removes them. */
export function onStopSignals(handlers: StopHandlers): () => void {
  let count = 0;
  const listeners = STOP_SIGNALS.map((signal) => {
    const listener = (): void => {
      count += 1;
      if (count === 1) handlers.first(signal);
      else handlers.second(signal);
    };
    process.on(signal, listener);
    return [signal, listener] as const;
  });
  return () => {
    for (const [signal, listener] of listeners) process.off(signal, listener);
  };
}
