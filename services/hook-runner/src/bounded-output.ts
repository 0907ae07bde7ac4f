/**
 * Captures a hook's stdout and stderr, combined in arrival order, within a bound per stream
 * (hooks.maxOutputBytes). When a stream outgrows its bound, the output keeps that stream's first
 * bytes where they arrived and its last bytes (a quarter of the bound) after a marker saying how
 * much was left out: the start shows what the hook did, the end usually says why it failed.
 */
export type StreamName = 'stdout' | 'stderr';

interface StreamState {
  total: number;
  headLeft: number;
  tail: Buffer;
  /** Index in `segments` where this stream's tail goes, once it overflowed its head. */
  tailSlot: number | undefined;
}

export interface CapturedOutput {
  output: string;
  truncated: boolean;
}

export class BoundedOutput {
  private readonly segments: Array<Buffer | StreamName> = [];
  private readonly streams: Record<StreamName, StreamState>;
  private readonly tailBytes: number;

  constructor(readonly maxBytesPerStream: number) {
    if (!Number.isInteger(maxBytesPerStream) || maxBytesPerStream < 4) throw new RangeError('maxBytesPerStream must be an integer >= 4');
    this.tailBytes = Math.floor(maxBytesPerStream / 4);
    const fresh = (): StreamState => ({ total: 0, headLeft: maxBytesPerStream - this.tailBytes, tail: Buffer.alloc(0), tailSlot: undefined });
    this.streams = { stdout: fresh(), stderr: fresh() };
  }

  push(stream: StreamName, chunk: Buffer | string): void {
    const data = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    const state = this.streams[stream];
    state.total += data.length;
    const head = Math.min(state.headLeft, data.length);
    if (head > 0) {
      this.segments.push(data.subarray(0, head));
      state.headLeft -= head;
    }
    if (head === data.length) return;
    if (state.tailSlot === undefined) {
      state.tailSlot = this.segments.length;
      this.segments.push(stream);
    }
    const rest = data.subarray(head);
    const keep = Buffer.concat([state.tail, rest.subarray(Math.max(0, rest.length - this.tailBytes))]);
    state.tail = keep.subarray(Math.max(0, keep.length - this.tailBytes));
  }

  result(): CapturedOutput {
    let truncated = false;
    const parts = this.segments.map((segment) => {
      if (Buffer.isBuffer(segment)) return segment;
      const state = this.streams[segment];
      const kept = this.maxBytesPerStream - this.tailBytes + state.tail.length;
      const omitted = state.total - kept;
      if (omitted <= 0) return state.tail;
      truncated = true;
      return Buffer.concat([Buffer.from(`\n[... ${omitted} bytes of ${segment} omitted ...]\n`), state.tail]);
    });
    return { output: Buffer.concat(parts).toString('utf8'), truncated };
  }
}
