// A bounded mpsc channel (tokio's `sync::mpsc::channel(n)`, futures' `Sender`):
// senders that find the buffer full queue their waker and wait for the receiver
// to make room; the receiver parks its own waker while the buffer is empty.
import { Executor, Poll, type Context, type Future, type Waker } from 'wakerscope/waker';

interface SendWaiter {
  readonly id: number;
  readonly waker: Waker;
}

export class Channel<T> implements Disposable {
  private readonly buffer: T[] = [];
  private readonly sendWaiters: SendWaiter[] = [];
  private recvWaker: Waker | undefined;
  private nextWaiterId = 0;
  closed = false;

  constructor(private readonly capacity: number) {}

  trySend(value: T): boolean {
    if (this.buffer.length >= this.capacity) return false;
    this.buffer.push(value);
    const waker = this.recvWaker;
    this.recvWaker = undefined;
    waker?.wake();
    return true;
  }

  /** Queue a sender's waker; the returned id cancels it. */
  waitForRoom(cx: Context): number {
    const id = this.nextWaiterId++;
    this.sendWaiters.push({ id, waker: cx.waker().clone() });
    return id;
  }

  cancelWait(id: number): void {
    const index = this.sendWaiters.findIndex((w) => w.id === id);
    if (index < 0) return;
    const [waiter] = this.sendWaiters.splice(index, 1);
    waiter.waker.drop();
  }

  tryRecv(): T | undefined {
    const value = this.buffer.shift();
    if (value === undefined) return undefined;
    // Room for one more: wake the longest-waiting sender.
    const next = this.sendWaiters.shift();
    if (next) next.waker.wake();
    return value;
  }

  parkReceiver(cx: Context): void {
    this.recvWaker?.drop();
    this.recvWaker = cx.waker().clone();
  }

  close(): void {
    this.closed = true;
    for (const { waker } of this.sendWaiters.splice(0)) waker.wake();
    const waker = this.recvWaker;
    this.recvWaker = undefined;
    waker?.wake();
  }

  [Symbol.dispose](): void {
    for (const { waker } of this.sendWaiters.splice(0)) waker.drop();
    this.recvWaker?.drop();
    this.recvWaker = undefined;
  }
}

class Send<T> implements Future<boolean> {
  private waiting: number | undefined;
  constructor(private readonly channel: Channel<T>, private readonly value: T) {}

  poll(cx: Context): Poll<boolean> {
    if (this.waiting !== undefined) {
      this.channel.cancelWait(this.waiting);
      this.waiting = undefined;
    }
    if (this.channel.closed) return Poll.ready(false);
    if (this.channel.trySend(this.value)) return Poll.ready(true);
    this.waiting = this.channel.waitForRoom(cx);
    return Poll.pending();
  }
}

class Recv<T> implements Future<T | undefined> {
  constructor(private readonly channel: Channel<T>) {}

  poll(cx: Context): Poll<T | undefined> {
    const value = this.channel.tryRecv();
    if (value !== undefined) return Poll.ready(value);
    if (this.channel.closed) return Poll.ready(undefined);
    this.channel.parkReceiver(cx);
    return Poll.pending();
  }
}

/** Send each value in order, waiting for room. */
class Producer implements Future<void> {
  private sending: Send<number> | undefined;
  private next = 0;
  constructor(private readonly channel: Channel<number>, private readonly count: number) {}

  poll(cx: Context): Poll<void> {
    for (;;) {
      if (this.next === this.count) return Poll.ready(undefined);
      this.sending ??= new Send(this.channel, this.next);
      const sent = this.sending.poll(cx);
      if (!sent.ready) return Poll.pending();
      this.sending = undefined;
      this.next++;
    }
  }
}

class Consumer implements Future<number[]> {
  private readonly received: number[] = [];
  private recv: Recv<number> | undefined;
  constructor(private readonly channel: Channel<number>, private readonly count: number) {}

  poll(cx: Context): Poll<number[]> {
    while (this.received.length < this.count) {
      this.recv ??= new Recv(this.channel);
      const got = this.recv.poll(cx);
      if (!got.ready) return Poll.pending();
      this.recv = undefined;
      if (got.value === undefined) break;
      this.received.push(got.value);
    }
    return Poll.ready(this.received);
  }
}

export function drive(): void {
  const executor = new Executor();
  using channel = new Channel<number>(2);
  const a = executor.spawn(new Producer(channel, 5));
  const b = executor.spawn(new Producer(channel, 5));
  const consumer = executor.spawn(new Consumer(channel, 10));
  executor.run();
  if (!a.done || !b.done || consumer.output?.length !== 10) throw new Error('channel stalled (a lost wakeup)');
  channel.close();
}
