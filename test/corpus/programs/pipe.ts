// tokio's `io::duplex`/`simplex`: a bounded in-memory pipe. The reader and the
// writer share one state; each parks its waker there when it cannot go on,
// and the other side takes it out and wakes it when it made room or data.
import { Executor, Poll, type Context, type Future, type Waker } from 'wakerscope/waker';

interface Pipe {
  readonly buffer: number[];
  readonly capacity: number;
  closed: boolean;
  readWaker?: Waker;
  writeWaker?: Waker;
}

function park(slot: Waker | undefined, cx: Context): Waker {
  if (slot !== undefined && slot.willWake(cx.waker())) return slot;
  slot?.drop();
  return cx.waker().clone();
}

function wakeTaken(waker: Waker | undefined): void {
  waker?.wake();
}

export class PipeReader implements Disposable {
  constructor(private readonly pipe: Pipe) {}

  /** Up to `max` bytes; an empty array once the writer closed and the pipe is drained. */
  pollRead(cx: Context, max: number): Poll<number[]> {
    const pipe = this.pipe;
    if (pipe.buffer.length === 0) {
      if (pipe.closed) return Poll.ready([]);
      pipe.readWaker = park(pipe.readWaker, cx);
      return Poll.pending();
    }
    const bytes = pipe.buffer.splice(0, max);
    const writer = pipe.writeWaker;
    pipe.writeWaker = undefined;
    wakeTaken(writer);
    return Poll.ready(bytes);
  }

  [Symbol.dispose](): void {
    this.pipe.closed = true;
    this.pipe.readWaker?.drop();
    this.pipe.readWaker = undefined;
    const writer = this.pipe.writeWaker;
    this.pipe.writeWaker = undefined;
    writer?.wake();
  }
}

export class PipeWriter implements Disposable {
  constructor(private readonly pipe: Pipe) {}

  /** How many of `bytes` went in; pending while the pipe is full. */
  pollWrite(cx: Context, bytes: readonly number[]): Poll<number> {
    const pipe = this.pipe;
    if (pipe.closed) return Poll.ready(0);
    const room = pipe.capacity - pipe.buffer.length;
    if (room === 0) {
      pipe.writeWaker = park(pipe.writeWaker, cx);
      return Poll.pending();
    }
    const written = bytes.slice(0, room);
    pipe.buffer.push(...written);
    const reader = pipe.readWaker;
    pipe.readWaker = undefined;
    reader?.wake();
    return Poll.ready(written.length);
  }

  [Symbol.dispose](): void {
    this.pipe.closed = true;
    this.pipe.writeWaker?.drop();
    this.pipe.writeWaker = undefined;
    const reader = this.pipe.readWaker;
    this.pipe.readWaker = undefined;
    reader?.wake();
  }
}

export function pipe(capacity: number): [PipeReader, PipeWriter] {
  const shared: Pipe = { buffer: [], capacity, closed: false };
  return [new PipeReader(shared), new PipeWriter(shared)];
}

class WriteAll implements Future<void> {
  #offset = 0;
  constructor(private readonly writer: PipeWriter, private readonly bytes: readonly number[]) {}
  poll(cx: Context): Poll<void> {
    while (this.#offset < this.bytes.length) {
      const result = this.writer.pollWrite(cx, this.bytes.slice(this.#offset));
      if (!result.ready) return Poll.pending();
      if (result.value === 0) throw new Error('pipe closed');
      this.#offset += result.value;
    }
    this.writer[Symbol.dispose]();
    return Poll.ready(undefined);
  }
}

class ReadToEnd implements Future<number[]> {
  readonly #out: number[] = [];
  constructor(private readonly reader: PipeReader) {}
  poll(cx: Context): Poll<number[]> {
    for (;;) {
      const result = this.reader.pollRead(cx, 3);
      if (!result.ready) return Poll.pending();
      if (result.value.length === 0) return Poll.ready(this.#out);
      this.#out.push(...result.value);
    }
  }
}

export function drive(): void {
  const executor = new Executor();
  const [reader, writer] = pipe(4);
  const data = Array.from({ length: 11 }, (_, i) => i);
  const read = executor.spawn(new ReadToEnd(reader));
  executor.spawn(new WriteAll(writer, data));
  executor.run();
  if (read.output?.join() !== data.join()) throw new Error(`read ${read.output?.join()}: lost wakeup`);
  reader[Symbol.dispose]();
}
