// A notifier (tokio's `Notify::notify_one`) with tracing: `notifyOne` takes the
// oldest waiter's waker and hands it to `trace`, which only records it. The
// helper's parameter says `Waker`, but it neither wakes nor keeps the waker, so
// the waker taken out of the queue is never woken: it leaks, and its task stalls.
import { Executor, Poll, type Context, type Future, type Waker } from 'wakerscope/waker';

export class Tracer {
  readonly lines: string[] = [];

  trace(event: string, waker: Waker): void {
    this.lines.push(`${event}: task ${String(waker.data)}`);
  }
}

export class Notify implements Disposable {
  private readonly waiters: Waker[] = [];
  private permits = 0;
  constructor(private readonly tracer: Tracer) {}

  /** Keep the polling task's waker until a notification. */
  enqueue(waker: Waker): void {
    this.waiters.push(waker);
  }

  takePermit(): boolean {
    if (this.permits === 0) return false;
    this.permits--;
    return true;
  }

  notifyOne(): void {
    this.permits++;
    const waker = this.waiters.shift(); // expect: clone-without-drop error
    if (waker === undefined) return;
    this.tracer.trace('notify', waker);
  }

  [Symbol.dispose](): void {
    for (const waker of this.waiters.splice(0)) waker.drop();
  }
}

class Notified implements Future<void> {
  constructor(private readonly notify: Notify) {}

  poll(cx: Context): Poll<void> {
    if (this.notify.takePermit()) return Poll.ready(undefined);
    this.notify.enqueue(cx.waker().clone());
    return Poll.pending();
  }
}

export function drive(): void {
  const executor = new Executor();
  const tracer = new Tracer();
  using notify = new Notify(tracer);
  const waiter = executor.spawn(new Notified(notify));
  executor.setTimeout(() => notify.notifyOne(), 5);
  executor.run();
  if (!waiter.done) throw new Error('the waiter was never woken (a lost wakeup)');
}
