// A bounded mpsc channel whose blocked senders cancel lazily: a cancelled
// send only marks its waiter, and whoever drains the queue later is meant to
// release it. `close` skips cancelled waiters without dropping their wakers.
import { Arc, Context, Poll, Waker, type Future, type Wake } from 'wakerscope/waker';

interface SendWaiter {
  cancelled: boolean;
  waker: Waker;
}

export class Channel<T> {
  private readonly buffer: T[] = [];
  private readonly sendWaiters: SendWaiter[] = [];
  closed = false;

  constructor(private readonly capacity: number) {}

  trySend(value: T): boolean {
    if (this.closed || this.buffer.length >= this.capacity) return false;
    this.buffer.push(value);
    return true;
  }

  waitForRoom(cx: Context): SendWaiter {
    const waiter: SendWaiter = { cancelled: false, waker: cx.waker().clone() };
    this.sendWaiters.push(waiter);
    return waiter;
  }

  recv(): T | undefined {
    const value = this.buffer.shift();
    while (this.sendWaiters.length > 0) {
      const { cancelled, waker } = this.sendWaiters.shift()!;
      if (cancelled) {
        waker.drop();
        continue;
      }
      waker.wake();
      break;
    }
    return value;
  }

  close(): void {
    this.closed = true;
    for (const { waker, cancelled } of this.sendWaiters.splice(0)) { // expect: clone-without-drop warning
      if (cancelled) continue;
      waker.wake();
    }
  }
}

export class Send<T> implements Future<boolean> {
  private waiter: SendWaiter | undefined;
  constructor(private readonly channel: Channel<T>, private readonly value: T) {}

  poll(cx: Context): Poll<boolean> {
    if (this.channel.closed) return Poll.ready(false);
    if (this.channel.trySend(this.value)) return Poll.ready(true);
    const waiter = this.waiter;
    if (waiter === undefined || waiter.cancelled) {
      this.waiter = this.channel.waitForRoom(cx);
      return Poll.pending();
    }
    if (waiter.waker.willWake(cx.waker())) return Poll.pending();
    const previous = waiter.waker;
    waiter.waker = cx.waker().clone();
    previous.drop();
    return Poll.pending();
  }

  /** Give up waiting (a timeout fired): the queue entry stays, marked. */
  cancel(): void {
    if (this.waiter) this.waiter.cancelled = true;
  }
}

class Probe implements Wake {
  wake(self: Arc<this>): void {
    self.drop();
  }
}

export function drive(): void {
  const channel = new Channel<string>(1);
  channel.trySend('fill');
  const waker = Waker.fromArc(Arc.new(new Probe()));
  const cx = Context.fromWaker(waker);
  const patient = new Send(channel, 'patient');
  const impatient = new Send(channel, 'impatient');
  patient.poll(cx);
  impatient.poll(cx);
  impatient.cancel();
  channel.close();
  patient.poll(cx);
  waker.drop();
}
