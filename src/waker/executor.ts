// A small single-threaded executor on `Waker.fromArc`: the seed's Arc runtime.
// Each task is an `Arc<Task>`; waking it moves an Arc into the run queue.
// Time is virtual: `setTimeout` callbacks fire when the queue runs dry.

import { Arc } from './arc';
import { currentRuntime } from './runtime';
import { Context, Waker, type Future, type Wake } from './waker';

class Task<T> implements Wake {
  done = false;
  output: T | undefined;
  constructor(
    readonly id: number,
    readonly future: Future<T>,
    private readonly schedule: (task: Arc<Task<unknown>>) => void,
  ) {}

  wake(self: Arc<this>): void {
    this.schedule(self as Arc<Task<unknown>>);
  }

  wakeByRef(self: Arc<this>): void {
    this.schedule(Arc.clone(self) as Arc<Task<unknown>>);
  }
}

/** What `spawn` returns: whether the task finished, and its output. */
export class JoinHandle<T> {
  readonly #task: Task<T>;
  constructor(task: Task<T>) {
    this.#task = task;
  }
  get done(): boolean {
    return this.#task.done;
  }
  get output(): T | undefined {
    return this.#task.output;
  }
}

interface Timer {
  readonly at: number;
  readonly seq: number;
  readonly callback: () => void;
}

export class Executor {
  readonly #queue: Arc<Task<unknown>>[] = [];
  readonly #timers: Timer[] = [];
  #now = 0;
  #nextTaskId = 0;
  #timerSeq = 0;

  /** Virtual time: advances only to fire the next timer when no task is runnable. */
  get now(): number {
    return this.#now;
  }

  spawn<T>(future: Future<T>): JoinHandle<T> {
    const task = new Task<T>(this.#nextTaskId++, future, (t) => this.#schedule(t));
    this.#schedule(Arc.new(task) as Arc<Task<unknown>>);
    return new JoinHandle(task);
  }

  /** Call `callback` once virtual time reaches `now + delay`. */
  setTimeout(callback: () => void, delay: number): void {
    this.#timers.push({ at: this.#now + Math.max(0, delay), seq: this.#timerSeq++, callback });
    this.#timers.sort((a, b) => a.at - b.at || a.seq - b.seq);
  }

  /** Poll runnable tasks until none is left and no timer is pending. */
  run(): void {
    for (;;) {
      const task = this.#queue.shift();
      if (task) {
        this.#poll(task);
        continue;
      }
      const timer = this.#timers.shift();
      if (!timer) return;
      this.#now = timer.at;
      timer.callback();
    }
  }

  /** Run `future` to completion; throws if it is left pending with nothing to wake it. */
  blockOn<T>(future: Future<T>): T {
    const handle = this.spawn(future);
    this.run();
    if (!handle.done) {
      throw new Error('blockOn: the future is still pending and nothing is left to wake it (a lost wakeup)');
    }
    return handle.output as T;
  }

  #schedule(task: Arc<Task<unknown>>): void {
    currentRuntime().record({ type: 'task', action: 'schedule', task: task.value.id });
    this.#queue.push(task);
  }

  #poll(task: Arc<Task<unknown>>): void {
    const state = task.value;
    if (!state.done) {
      const runtime = currentRuntime();
      runtime.record({ type: 'task', action: 'poll', task: state.id });
      const waker = Waker.fromArc(Arc.clone(task));
      const poll = state.future.poll(Context.fromWaker(waker));
      waker.drop();
      if (poll.ready) {
        state.done = true;
        state.output = poll.value;
        runtime.record({ type: 'task', action: 'complete', task: state.id });
      }
    }
    task.drop();
  }
}
