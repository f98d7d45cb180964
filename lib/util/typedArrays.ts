/**
 * Growth of the struct-of-arrays buffers (PF candidates, generator record, particle and object
 * lists): one helper instead of a copy per class.
 */

/** Any typed array with a `(length)` constructor. */
export type GrowableArray =
  | Float64Array
  | Float32Array
  | Int32Array
  | Uint32Array
  | Int8Array
  | Uint8Array;

/**
 * A new array of the same type as `a` with length `cap`, holding the first min(a.length, cap)
 * elements of `a` (the rest zero).
 */
export function grown<T extends GrowableArray>(a: T, cap: number): T {
  const b = new (a.constructor as new (n: number) => T)(cap);
  b.set(a.length <= cap ? a : (a.subarray(0, cap) as T));
  return b;
}
