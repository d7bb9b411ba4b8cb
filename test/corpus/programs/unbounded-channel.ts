// async-channel's unbounded channel: senders never wait; a receiver that finds
// the queue empty parks in a waiter list, and each send wakes the oldest parked
// receiver. Closing wakes everyone, so a parked `recv` sees the end of the stream.
import { Executor, Poll, type Context, type Future, type Waker } from 'wakerscope/waker';

interface Parked {
  readonly id: number;
  waker: Waker;
}

type Received<T> = { readonly value: T } | 'empty' | 'closed';

export class Channel<T> implements Disposable {
  readonly #queue: T[] = [];
  #receivers: Parked[] = [];
  #closed = false;
  #nextId = 0;

  send(value: T): boolean {
    if (this.#closed) return false;
    this.#queue.push(value);
    const oldest = this.#receivers.shift();
    oldest?.waker.wake();
    return true;
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    const parked = this.#receivers;
    this.#receivers = [];
    for (const receiver of parked) receiver.waker.wake();
  }

  recv(): Recv<T> {
    return new Recv(this);
  }

  /** @internal */
  tryRecv(): Received<T> {
    if (this.#queue.length > 0) return { value: this.#queue.shift()! };
    return this.#closed ? 'closed' : 'empty';
  }

  /** @internal A fresh id for a receiver about to park. */
  ticket(): number {
    return this.#nextId++;
  }

  /** @internal Park, or refresh the waker of a receiver that is still parked. */
  park(id: number, cx: Context): void {
    const existing = this.#receivers.find((p) => p.id === id);
    if (existing === undefined) {
      this.#receivers.push({ id, waker: cx.waker().clone() });
      return;
    }
    if (existing.waker.willWake(cx.waker())) return;
    const stale = existing.waker;
    existing.waker = cx.waker().clone();
    stale.drop();
  }

  /** @internal A receiver that stops waiting leaves the list. */
  unpark(id: number): void {
    const index = this.#receivers.findIndex((p) => p.id === id);
    if (index < 0) return;
    const [gone] = this.#receivers.splice(index, 1);
    gone.waker.drop();
  }

  [Symbol.dispose](): void {
    for (const { waker } of this.#receivers.splice(0)) waker.drop();
  }
}

export class Recv<T> implements Future<T | undefined> {
  #id: number | undefined;
  constructor(private readonly channel: Channel<T>) {}

  poll(cx: Context): Poll<T | undefined> {
    const next = this.channel.tryRecv();
    if (next === 'empty') {
      this.#id ??= this.channel.ticket();
      this.channel.park(this.#id, cx);
      return Poll.pending();
    }
    if (this.#id !== undefined) this.channel.unpark(this.#id);
    this.#id = undefined;
    return Poll.ready(next === 'closed' ? undefined : next.value);
  }
}

/** Sums what it receives until the channel closes. */
class Sum implements Future<number> {
  #total = 0;
  #recv: Recv<number> | undefined;
  constructor(private readonly channel: Channel<number>) {}

  poll(cx: Context): Poll<number> {
    for (;;) {
      this.#recv ??= this.channel.recv();
      const polled = this.#recv.poll(cx);
      if (!polled.ready) return Poll.pending();
      this.#recv = undefined;
      if (polled.value === undefined) return Poll.ready(this.#total);
      this.#total += polled.value;
    }
  }
}

export function drive(): void {
  const executor = new Executor();
  using channel = new Channel<number>();
  const a = executor.spawn(new Sum(channel));
  const b = executor.spawn(new Sum(channel));
  for (let i = 1; i <= 5; i++) executor.setTimeout(() => channel.send(i), i * 10);
  executor.setTimeout(() => channel.send(6), 50);
  executor.setTimeout(() => channel.close(), 60);
  executor.run();
  if (!a.done || !b.done) throw new Error('a receiver was never woken (a lost wakeup)');
  if ((a.output ?? 0) + (b.output ?? 0) !== 21) throw new Error(`received ${a.output} + ${b.output}, sent 21`);
}
