// An executor on `Waker.fromArc`: the task's `Wake.wake` receives its own
// `Arc` by value and must queue it or drop it. When the task is already
// queued it returns early, and the `Arc` it owned leaks.
import { Arc, Context, Poll, Waker, type Future, type Wake } from 'wakerscope/waker';

class Task implements Wake {
  scheduled = false;
  done = false;
  constructor(readonly future: Future<void>, private readonly queue: Arc<Task>[]) {}

  wake(self: Arc<this>): void { // expect: clone-without-drop warning
    if (this.scheduled) return;
    this.scheduled = true;
    this.queue.push(self);
  }

  wakeByRef(self: Arc<this>): void {
    this.wake(self.clone());
  }
}

export class Executor {
  private readonly queue: Arc<Task>[] = [];

  spawn(future: Future<void>): void {
    const task = Arc.new(new Task(future, this.queue));
    task.value.wake(task);
  }

  run(): void {
    for (;;) {
      const task = this.queue.shift();
      if (!task) return;
      task.value.scheduled = false;
      if (!task.value.done) {
        const waker = Waker.fromArc(task.clone());
        if (task.value.future.poll(Context.fromWaker(waker)).ready) task.value.done = true;
        waker.drop();
      }
      task.drop();
    }
  }
}

/** Wakes itself twice in one poll (two events arrived at once). */
class Chatty implements Future<void> {
  private polls = 0;
  poll(cx: Context): Poll<void> {
    if (this.polls++ > 0) return Poll.ready(undefined);
    const waker = cx.waker().clone();
    cx.waker().wakeByRef();
    waker.wake();
    return Poll.pending();
  }
}

export function drive(): void {
  const executor = new Executor();
  executor.spawn(new Chatty());
  executor.run();
}
