// An executor whose tasks sit in a slab (an array indexed by task key) and
// whose wakers point at `Arc<TaskCell>`s. The vtable is written inline as
// arrow functions. Its `clone` rebuilds the Arc from the pointer and turns it
// straight back into a raw pointer, as if `into_raw` made a copy: no count is
// taken, so the clone and the original share one count and the second release
// frees a task that is already gone.
import { Arc, Context, Poll, RawWaker, RawWakerVTable, Waker, drop, forget, type Future } from 'wakerscope/waker';

interface TaskCell {
  readonly key: number;
  readonly ready: number[];
}

const VTABLE: RawWakerVTable = new RawWakerVTable(
  (data) => { // expect: vtable-clone-no-retain error
    const task = Arc.fromRaw<TaskCell>(data);
    return new RawWaker(Arc.intoRaw(task), VTABLE);
  },
  (data) => {
    const task = Arc.fromRaw<TaskCell>(data);
    task.value.ready.push(task.value.key);
    drop(task);
  },
  (data) => {
    const task = Arc.fromRaw<TaskCell>(data);
    task.value.ready.push(task.value.key);
    forget(task);
  },
  (data) => drop(Arc.fromRaw<TaskCell>(data)),
);

export class SlabExecutor {
  readonly #slab: (Future<void> | undefined)[] = [];
  readonly #ready: number[] = [];

  spawn(future: Future<void>): number {
    const key = this.#slab.length;
    this.#slab.push(future);
    this.#ready.push(key);
    return key;
  }

  get live(): number {
    return this.#slab.filter((f) => f !== undefined).length;
  }

  run(): void {
    for (;;) {
      const key = this.#ready.shift();
      if (key === undefined) return;
      const future = this.#slab[key];
      if (future === undefined) continue;
      const waker = Waker.fromRaw(new RawWaker(Arc.intoRaw(Arc.new<TaskCell>({ key, ready: this.#ready })), VTABLE));
      const polled = future.poll(Context.fromWaker(waker));
      waker.drop();
      if (polled.ready) this.#slab[key] = undefined;
    }
  }
}

/** Parks a clone of its waker in a mailbox and completes when a letter arrives. */
class Mailbox implements Future<void> {
  waiting: Waker | undefined;
  letters = 0;

  poll(cx: Context): Poll<void> {
    if (this.letters > 0) return Poll.ready(undefined);
    this.waiting?.drop();
    this.waiting = cx.waker().clone();
    return Poll.pending();
  }

  deliver(): void {
    this.letters++;
    const waiting = this.waiting;
    this.waiting = undefined;
    waiting?.wake();
  }
}

export function drive(): void {
  const executor = new SlabExecutor();
  const mailbox = new Mailbox();
  executor.spawn(mailbox);
  executor.run();
  mailbox.deliver();
  executor.run();
  if (executor.live !== 0) throw new Error('the mailbox was never woken (a lost wakeup)');
}
