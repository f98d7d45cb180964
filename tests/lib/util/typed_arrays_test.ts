import { grown } from "../../../lib/util/typedArrays.ts";
import { assert, assertEquals } from "../../helpers.ts";

Deno.test("grown keeps the type and the contents, zero-fills, and truncates", () => {
  const a = Int8Array.from([1, -2, 3]);
  const b = grown(a, 5);
  assert(b instanceof Int8Array, "same typed-array type");
  assertEquals(Array.from(b), [1, -2, 3, 0, 0]);
  const f = grown(Float64Array.from([0.5, 1.5, 2.5]), 2);
  assert(f instanceof Float64Array, "same typed-array type");
  assertEquals(Array.from(f), [0.5, 1.5]);
  assert(b.buffer !== a.buffer, "a copy, not a view");
});
