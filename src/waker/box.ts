import { currentRuntime, dropWith, forgetWith, getterOf, type Cell, type HandleRecord, type Owned, type Ptr } from './runtime';

/** `Box<T>`: a uniquely owned heap cell. Nothing frees it but `drop`. */
export class Box<T> implements Owned, Disposable {
  readonly #cell: Cell;
  readonly #handle: HandleRecord;

  private constructor(cell: Cell, handle: HandleRecord) {
    this.#cell = cell;
    this.#handle = handle;
  }

  /** Allocate `value` on the heap. */
  static new<T>(value: T): Box<T> {
    const runtime = currentRuntime();
    return runtime.op('Box::new', Box.new, () => {
      const cell = runtime.allocate('box', value);
      return new Box<T>(cell, runtime.newHandle('box', cell.ptr));
    });
  }

  /** Consume the box and return its pointer; the cell stays allocated. */
  static intoRaw<T>(b: Box<T>): Ptr<T> {
    const runtime = b.#handle.runtime;
    return runtime.op('Box::into_raw', Box.intoRaw, () => {
      runtime.consume(b.#handle, 'moved', 'Box::into_raw');
      return b.#cell.ptr as Ptr<T>;
    });
  }

  /** Take ownership of the cell behind `p`. Touches no memory, as in Rust. */
  static fromRaw<T>(p: Ptr): Box<T> {
    const runtime = currentRuntime();
    return runtime.op('Box::from_raw', Box.fromRaw, () => {
      const cell = runtime.cellAt(p, 'box');
      return new Box<T>(cell, runtime.newHandle('box', cell.ptr));
    });
  }

  get value(): T {
    return this.#access('Box::deref', valueGetter) as T;
  }

  set value(next: T) {
    this.#access('Box::deref_mut', valueSetter);
    this.#cell.value = next;
  }

  drop(): void {
    this[dropWith](this.drop);
  }

  [Symbol.dispose](): void {
    // Scope end drops only what was not moved or dropped, as in Rust.
    if (this.#handle.state === 'live') this[dropWith](this[Symbol.dispose]);
  }

  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  [dropWith](entry: Function): void {
    const runtime = this.#handle.runtime;
    runtime.op('Box::drop', entry, () => {
      runtime.consume(this.#handle, 'dropped', 'Box::drop');
      runtime.free(this.#cell, 'Box::drop');
    });
  }

  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  [forgetWith](entry: Function): void {
    this.#handle.runtime.forget(this.#handle, entry);
  }

  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  #access(what: string, entry: Function): unknown {
    if (this.#handle.state !== 'live' || this.#cell.state !== 'live') {
      const runtime = this.#handle.runtime;
      runtime.op(what, entry, () => {
        runtime.use(this.#handle, what);
        runtime.access(this.#cell, what);
      });
    }
    return this.#cell.value;
  }

  toString(): string {
    return `Box(${this.#cell.ptr})`;
  }
}

const valueGetter = getterOf(Box.prototype, 'value');
const valueSetter = Object.getOwnPropertyDescriptor(Box.prototype, 'value')!.set!;
