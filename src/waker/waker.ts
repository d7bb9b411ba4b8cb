import { Arc } from './arc';
import { drop, forget } from './mem';
import { currentRuntime, dropWith, forgetWith, getterOf, nullPtr, type HandleRecord, type Owned, type Ptr, type SlotName } from './runtime';

export type RawWakerCloneFn = (data: Ptr) => RawWaker;
export type RawWakerFn = (data: Ptr) => void;

/** The four functions a runtime implements for its wakers (`std::task::RawWakerVTable`). */
export class RawWakerVTable {
  constructor(
    readonly clone: RawWakerCloneFn,
    readonly wake: RawWakerFn,
    readonly wakeByRef: RawWakerFn,
    readonly drop: RawWakerFn,
  ) {
    for (const [slot, fn] of Object.entries({ clone, wake, wakeByRef, drop })) {
      if (typeof fn !== 'function') throw new TypeError(`RawWakerVTable: \`${slot}\` must be a function, got ${typeof fn}`);
    }
    Object.freeze(this);
  }
}

let handleOfRaw: (raw: RawWaker) => HandleRecord;

/** A data pointer and the vtable that knows what it means. `Waker.fromRaw` takes ownership of it. */
export class RawWaker {
  readonly #handle: HandleRecord;
  readonly #data: Ptr;
  readonly #vtable: RawWakerVTable;

  static {
    handleOfRaw = (raw) => raw.#handle;
  }

  constructor(data: Ptr, vtable: RawWakerVTable) {
    if (!(vtable instanceof RawWakerVTable)) throw new TypeError('RawWaker: `vtable` must be a RawWakerVTable');
    const runtime = currentRuntime();
    this.#data = data;
    this.#vtable = vtable;
    this.#handle = runtime.op('RawWaker::new', RawWaker, () => runtime.newHandle('raw-waker', data));
  }

  get data(): Ptr {
    return this.#data;
  }
  get vtable(): RawWakerVTable {
    return this.#vtable;
  }
}

/** A borrowed waker: what `Context.waker()` hands out. It can be cloned or woken by reference, never consumed. */
export interface WakerRef {
  /** A new owned waker (calls the vtable's `clone`). */
  clone(): Waker;
  /** Wake without consuming (calls the vtable's `wakeByRef`). */
  wakeByRef(): void;
  /** Whether both wake the same task: same data pointer and same vtable. */
  willWake(other: WakerRef): boolean;
  readonly data: Ptr;
  readonly vtable: RawWakerVTable;
}

/**
 * What `Waker.fromArc` needs of a task, as Rust's `std::task::Wake`. `wake`
 * owns `self` and must drop it or keep it; `wakeByRef` only borrows it.
 */
export interface Wake {
  wake(self: Arc<this>): void;
  wakeByRef?(self: Arc<this>): void;
}

// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
let adopt: (raw: RawWaker, entry: Function) => Waker;

/** An owned waker. `wake()` and `drop()` consume it; nothing drops it implicitly. */
export class Waker implements WakerRef, Owned, Disposable {
  readonly #handle: HandleRecord;
  readonly #data: Ptr;
  readonly #vtable: RawWakerVTable;

  private constructor(handle: HandleRecord, data: Ptr, vtable: RawWakerVTable) {
    this.#handle = handle;
    this.#data = data;
    this.#vtable = vtable;
  }

  /** Take ownership of `raw`; using `raw` again is a use after move. */
  static fromRaw(raw: RawWaker): Waker {
    return adopt(raw, Waker.fromRaw);
  }

  /** A waker for an `Arc`-owned task (the seed's Arc runtime); consumes `task`. */
  static fromArc<W extends Wake>(task: Arc<W>): Waker {
    const runtime = currentRuntime();
    return runtime.op('Waker::from(Arc)', Waker.fromArc, () => adopt(new RawWaker(Arc.intoRaw(task), ARC_WAKER_VTABLE), Waker.fromArc));
  }

  /** A waker that does nothing when woken. */
  static noop(): WakerRef {
    return adopt(new RawWaker(nullPtr, NOOP_VTABLE), Waker.noop);
  }

  get data(): Ptr {
    this.#check('Waker::data', dataGetter);
    return this.#data;
  }
  get vtable(): RawWakerVTable {
    this.#check('Waker::vtable', vtableGetter);
    return this.#vtable;
  }

  clone(): Waker {
    const runtime = this.#handle.runtime;
    return runtime.op('Waker::clone', this.clone, () => {
      runtime.use(this.#handle, 'Waker::clone');
      runtime.record({ type: 'waker', action: 'clone', handle: this.#handle.id });
      const raw = this.#callSlot('clone');
      if (!(raw instanceof RawWaker)) throw new TypeError(`vtable \`clone\` (${this.#vtable.clone.name || 'anonymous'}) must return a RawWaker`);
      return adopt(raw, this.clone);
    });
  }

  /** Wake the task and consume this waker. */
  wake(): void {
    const runtime = this.#handle.runtime;
    runtime.op('Waker::wake', this.wake, () => {
      runtime.consume(this.#handle, 'woken', 'Waker::wake');
      runtime.record({ type: 'waker', action: 'wake', handle: this.#handle.id });
      this.#callSlot('wake');
    });
  }

  wakeByRef(): void {
    const runtime = this.#handle.runtime;
    runtime.op('Waker::wake_by_ref', this.wakeByRef, () => {
      runtime.use(this.#handle, 'Waker::wake_by_ref');
      runtime.record({ type: 'waker', action: 'wakeByRef', handle: this.#handle.id });
      this.#callSlot('wakeByRef');
    });
  }

  willWake(other: WakerRef): boolean {
    this.#check('Waker::will_wake', this.willWake);
    return this.#data.address === other.data.address && this.#vtable === other.vtable;
  }

  drop(): void {
    this[dropWith](this.drop);
  }

  [Symbol.dispose](): void {
    if (this.#handle.state === 'live') this[dropWith](this[Symbol.dispose]);
  }

  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  [dropWith](entry: Function): void {
    const runtime = this.#handle.runtime;
    runtime.op('Waker::drop', entry, () => {
      runtime.consume(this.#handle, 'dropped', 'Waker::drop');
      runtime.record({ type: 'waker', action: 'drop', handle: this.#handle.id });
      this.#callSlot('drop');
    });
  }

  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  [forgetWith](entry: Function): void {
    this.#handle.runtime.forget(this.#handle, entry);
  }

  /** @internal The runtime's handle id, so tools can name this waker in a trace. */
  get handleId(): number {
    return this.#handle.id;
  }

  toString(): string {
    return `Waker(${this.#data})`;
  }

  #callSlot(slot: SlotName): unknown {
    return this.#handle.runtime.inSlot<unknown>(slot, this.#vtable[slot] as (data: Ptr) => unknown, this.#data);
  }

  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  #check(what: string, entry: Function): void {
    if (this.#handle.state === 'live') return;
    const runtime = this.#handle.runtime;
    runtime.op(what, entry, () => runtime.use(this.#handle, what));
  }

  static {
    // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
    adopt = (raw: RawWaker, entry: Function): Waker => {
      const runtime = currentRuntime();
      return runtime.op('Waker::from_raw', entry, () => {
        runtime.consume(handleOfRaw(raw), 'moved', 'Waker::from_raw');
        return new Waker(runtime.newHandle('waker', raw.data), raw.data, raw.vtable);
      });
    };
  }
}

const dataGetter = getterOf(Waker.prototype, 'data');
const vtableGetter = getterOf(Waker.prototype, 'vtable');

// The seed's Arc runtime, as std implements `Waker: From<Arc<W: Wake>>`.
const ARC_WAKER_VTABLE: RawWakerVTable = new RawWakerVTable(
  function arcWakerClone(data) {
    Arc.incrementStrongCount(data);
    return new RawWaker(data, ARC_WAKER_VTABLE);
  },
  function arcWakerWake(data) {
    const task = Arc.fromRaw<Wake>(data);
    task.value.wake(task);
  },
  function arcWakerWakeByRef(data) {
    const task = Arc.fromRaw<Wake>(data);
    const target = task.value;
    if (target.wakeByRef) target.wakeByRef(task);
    else target.wake(Arc.clone(task));
    forget(task);
  },
  function arcWakerDrop(data) {
    drop(Arc.fromRaw<Wake>(data));
  },
);

function doNothing(): void {}
const NOOP_VTABLE: RawWakerVTable = new RawWakerVTable((data) => new RawWaker(data, NOOP_VTABLE), doNothing, doNothing, doNothing);

/** What a future is polled with: access to the waker of the task being polled. */
export class Context {
  readonly #waker: WakerRef;
  private constructor(waker: WakerRef) {
    this.#waker = waker;
  }
  static fromWaker(waker: WakerRef): Context {
    return new Context(waker);
  }
  waker(): WakerRef {
    return this.#waker;
  }
}

export type Poll<T> = { readonly ready: true; readonly value: T } | { readonly ready: false };

export const Poll = {
  ready<T>(value: T): Poll<T> {
    return { ready: true, value };
  },
  pending<T = never>(): Poll<T> {
    return PENDING;
  },
  isReady<T>(poll: Poll<T>): poll is { readonly ready: true; readonly value: T } {
    return poll.ready;
  },
  isPending<T>(poll: Poll<T>): poll is { readonly ready: false } {
    return !poll.ready;
  },
};
const PENDING = Object.freeze({ ready: false as const });

export interface Future<T> {
  poll(cx: Context): Poll<T>;
}
