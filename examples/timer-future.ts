// A future that parks its waker and is woken later: the executor's virtual
// timer fires, sets `completed` and wakes the parked waker, and the task is
// polled again to completion.
//
// Run: npm run example -- examples/timer-future.ts
import { Executor, Poll, currentRuntime, type Context, type Future, type Waker } from 'wakerscope/waker';

interface SharedState {
  completed: boolean;
  waker: Waker | undefined;
}

export class TimerFuture implements Future<string> {
  private readonly state: SharedState = { completed: false, waker: undefined };

  constructor(executor: Executor, delay: number) {
    const state = this.state;
    executor.setTimeout(() => {
      state.completed = true;
      const waker = state.waker;
      state.waker = undefined;
      waker?.wake();
    }, delay);
  }

  poll(cx: Context): Poll<string> {
    if (this.state.completed) return Poll.ready('timer fired');
    // Park a clone of the current waker, releasing the one parked by an earlier poll.
    this.state.waker?.drop();
    this.state.waker = cx.waker().clone();
    return Poll.pending();
  }
}

function main(): void {
  const executor = new Executor();
  const output = executor.blockOn(new TimerFuture(executor, 100));
  console.log(`${output} at t=${executor.now}; leaks: ${currentRuntime().leaks().length}`);
}

if (require.main === module) main();
