// Writing to stdout when the reader may go away: `chat-conformance | head`
// closes the pipe, and the run must still finish and write its reports.
export interface Output {
  write(text: string): void;
  readonly isTTY: boolean;
}

/** Wraps a stream so that a closed reader (EPIPE) turns later writes into no-ops instead of errors. */
export function tolerantOutput(stream: NodeJS.WritableStream & { isTTY?: boolean }): Output {
  let closed = false;
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE' || err.code === 'ERR_STREAM_DESTROYED') closed = true;
    else throw err;
  });
  return {
    isTTY: stream.isTTY === true,
    write(text: string): void {
      if (closed || ('destroyed' in stream && stream.destroyed === true)) return;
      try {
        stream.write(text);
      } catch {
        closed = true;
      }
    },
  };
}
