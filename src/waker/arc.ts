import { currentRuntime, dropWith, forgetWith, getterOf, type Cell, type HandleRecord, type Owned, type Ptr } from './runtime';

/**
 * `Arc<T>`: a reference-counted heap cell. The count lives in the allocation,
 * so touching the count of a freed Arc is a use after free.
 */
export class Arc<T> implements Owned, Disposable {
  readonly #cell: Cell;
  readonly #handle: HandleRecord;

  private constructor(cell: Cell, handle: HandleRecord) {
    this.#cell = cell;
    this.#handle = handle;
  }

  static new<T>(value: T): Arc<T> {
    const runtime = currentRuntime();
    return runtime.op('Arc::new', Arc.new, () => {
      const cell = runtime.allocate('arc', value);
      return new Arc<T>(cell, runtime.newHandle('arc', cell.ptr));
    });
  }

  /** A new handle to the same cell; the count goes up by one. */
  static clone<T>(a: Arc<T>): Arc<T> {
    return a.#clone(Arc.clone);
  }

  clone(): Arc<T> {
    return this.#clone(this.clone);
  }

  /** Consume the handle and return its pointer; the count is unchanged. */
  static intoRaw<T>(a: Arc<T>): Ptr<T> {
    const runtime = a.#handle.runtime;
    return runtime.op('Arc::into_raw', Arc.intoRaw, () => {
      runtime.consume(a.#handle, 'moved', 'Arc::into_raw');
      return a.#cell.ptr as Ptr<T>;
    });
  }

  /** A handle that takes over one count of the cell behind `p`. */
  static fromRaw<T>(p: Ptr): Arc<T> {
    const runtime = currentRuntime();
    return runtime.op('Arc::from_raw', Arc.fromRaw, () => {
      const cell = runtime.cellAt(p, 'arc');
      return new Arc<T>(cell, runtime.newHandle('arc', cell.ptr));
    });
  }

  static strongCount<T>(a: Arc<T>): number {
    const runtime = a.#handle.runtime;
    return runtime.op('Arc::strong_count', Arc.strongCount, () => {
      runtime.use(a.#handle, 'Arc::strong_count');
      runtime.access(a.#cell, 'Arc::strong_count');
      return a.#cell.count;
    });
  }

  static incrementStrongCount(p: Ptr): void {
    const runtime = currentRuntime();
    runtime.op('Arc::increment_strong_count', Arc.incrementStrongCount, () => {
      runtime.changeCount(runtime.cellAt(p, 'arc'), +1, 'Arc::increment_strong_count');
    });
  }

  static decrementStrongCount(p: Ptr): void {
    const runtime = currentRuntime();
    runtime.op('Arc::decrement_strong_count', Arc.decrementStrongCount, () => {
      runtime.changeCount(runtime.cellAt(p, 'arc'), -1, 'Arc::decrement_strong_count');
    });
  }

  get value(): T {
    if (this.#handle.state !== 'live' || this.#cell.state !== 'live') {
      const runtime = this.#handle.runtime;
      runtime.op('Arc::deref', valueGetter, () => {
        runtime.use(this.#handle, 'Arc::deref');
        runtime.access(this.#cell, 'Arc::deref');
      });
    }
    return this.#cell.value as T;
  }

  /** Count − 1; the cell is freed when it reaches 0. */
  drop(): void {
    this[dropWith](this.drop);
  }

  [Symbol.dispose](): void {
    if (this.#handle.state === 'live') this[dropWith](this[Symbol.dispose]);
  }

  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  [dropWith](entry: Function): void {
    const runtime = this.#handle.runtime;
    runtime.op('Arc::drop', entry, () => {
      runtime.consume(this.#handle, 'dropped', 'Arc::drop');
      runtime.changeCount(this.#cell, -1, 'Arc::drop');
    });
  }

  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  [forgetWith](entry: Function): void {
    this.#handle.runtime.forget(this.#handle, entry);
  }

  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  #clone(entry: Function): Arc<T> {
    const runtime = this.#handle.runtime;
    return runtime.op('Arc::clone', entry, () => {
      runtime.use(this.#handle, 'Arc::clone');
      runtime.changeCount(this.#cell, +1, 'Arc::clone');
      return new Arc<T>(this.#cell, runtime.newHandle('arc', this.#cell.ptr));
    });
  }

  toString(): string {
    return `Arc(${this.#cell.ptr})`;
  }
}

const valueGetter = getterOf(Arc.prototype, 'value');
