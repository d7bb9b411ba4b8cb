// tokio's `sync::Barrier`: `n` tasks wait; the n-th arrival releases the whole
// generation, wakes the others and is the leader.
import { Executor, Poll, type Context, type Future, type Waker } from 'wakerscope/waker';

export class Barrier implements Disposable {
  private arrived = 0;
  private generation = 0;
  private waiters: Waker[] = [];
  constructor(private readonly parties: number) {}

  /** Arrive; true for the leader. Others get the generation to wait on. */
  arrive(cx: Context): { leader: true } | { leader: false; generation: number } {
    this.arrived++;
    if (this.arrived < this.parties) {
      this.waiters.push(cx.waker().clone());
      return { leader: false, generation: this.generation };
    }
    this.arrived = 0;
    this.generation++;
    const waiters = this.waiters;
    this.waiters = [];
    for (const waker of waiters) waker.wake();
    return { leader: true };
  }

  released(generation: number): boolean {
    return this.generation > generation;
  }

  /** Re-register for a waiter polled again before release. */
  rearm(cx: Context): void {
    this.waiters.push(cx.waker().clone());
  }

  [Symbol.dispose](): void {
    for (const waker of this.waiters.splice(0)) waker.drop();
  }
}

export class BarrierWait implements Future<boolean> {
  private generation: number | undefined;
  constructor(private readonly barrier: Barrier) {}

  poll(cx: Context): Poll<boolean> {
    if (this.generation === undefined) {
      const arrival = this.barrier.arrive(cx);
      if (arrival.leader) return Poll.ready(true);
      this.generation = arrival.generation;
      return Poll.pending();
    }
    if (this.barrier.released(this.generation)) return Poll.ready(false);
    this.barrier.rearm(cx);
    return Poll.pending();
  }
}

/** Crosses the barrier `rounds` times. */
class Crosser implements Future<number> {
  private waiting: BarrierWait | undefined;
  private leads = 0;
  private crossed = 0;
  constructor(private readonly barrier: Barrier, private readonly rounds: number) {}

  poll(cx: Context): Poll<number> {
    for (;;) {
      if (this.crossed === this.rounds) return Poll.ready(this.leads);
      this.waiting ??= new BarrierWait(this.barrier);
      const result = this.waiting.poll(cx);
      if (!result.ready) return Poll.pending();
      this.waiting = undefined;
      this.crossed++;
      if (result.value) this.leads++;
    }
  }
}

export function drive(): void {
  const executor = new Executor();
  using barrier = new Barrier(3);
  const tasks = [0, 1, 2].map(() => executor.spawn(new Crosser(barrier, 4)));
  executor.run();
  const leads = tasks.reduce((sum, task) => sum + (task.output ?? 0), 0);
  if (tasks.some((task) => !task.done) || leads !== 4) throw new Error('the barrier never released (a lost wakeup)');
}
