import { dropWith, forgetWith, type Owned } from './runtime';

/** `std::mem::drop`: release what `x` owns. */
export function drop(x: Owned): void {
  x[dropWith](drop);
}

/** `std::mem::forget`: give up `x` without releasing what it owns. */
export function forget(x: Owned): void {
  x[forgetWith](forget);
}
