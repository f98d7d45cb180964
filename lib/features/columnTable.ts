/**
 * A growable columnar table: one typed array per numeric column plus a categorical label
 * column (`process`), appended row by row without per-row objects.
 *
 * Tables cross worker boundaries as {@link ColumnTableTransfer} (plain typed arrays, sent
 * as transferables) and are concatenated in order by the parent.
 */

/** Storage type of a numeric column. */
export type NumericColumnType = "f32" | "f64";

/** A numeric column: name (as in the published files), storage type and meaning. */
export interface ColumnSpec {
  readonly name: string;
  readonly type: NumericColumnType;
  /** Meaning and units. */
  readonly doc: string;
}

/** A numeric column's storage. */
export type NumericColumn = Float32Array | Float64Array;

/** Plain-data form of a table for postMessage (arrays trimmed to `n` rows). */
export interface ColumnTableTransfer {
  names: string[];
  types: NumericColumnType[];
  data: NumericColumn[];
  labelName: string;
  labelNames: string[];
  labelCodes: Uint8Array;
  n: number;
}

function alloc(type: NumericColumnType, n: number): NumericColumn {
  return type === "f32" ? new Float32Array(n) : new Float64Array(n);
}

/** Columnar table with fixed numeric columns and one categorical label column. */
export class ColumnTable {
  readonly specs: readonly ColumnSpec[];
  /** Name of the categorical column (e.g. "process"). */
  readonly labelName: string;
  /** Category names; `labelCodes[i]` indexes this list. */
  readonly labelNames: string[];
  n = 0;
  capacity: number;
  /** Column storage in the order of `specs` (length >= n; rows beyond n are garbage). */
  data: NumericColumn[];
  labelCodes: Uint8Array;
  readonly #index: Map<string, number>;

  constructor(specs: readonly ColumnSpec[], labelName = "process", capacity = 1024) {
    const seen = new Set<string>();
    for (const s of specs) {
      if (seen.has(s.name)) throw new Error(`ColumnTable: duplicate column "${s.name}"`);
      if (s.name === labelName) {
        throw new Error(`ColumnTable: column "${s.name}" clashes with the label column`);
      }
      seen.add(s.name);
    }
    this.specs = specs;
    this.labelName = labelName;
    this.labelNames = [];
    this.capacity = Math.max(1, capacity);
    this.data = specs.map((s) => alloc(s.type, this.capacity));
    this.labelCodes = new Uint8Array(this.capacity);
    this.#index = new Map(specs.map((s, i) => [s.name, i]));
  }

  /** Column names in order. */
  get names(): string[] {
    return this.specs.map((s) => s.name);
  }

  /** Position of column `name`; throws naming the known columns if absent. */
  indexOf(name: string): number {
    const i = this.#index.get(name);
    if (i === undefined) {
      throw new Error(`ColumnTable: no column "${name}"; columns: ${this.names.join(", ")}`);
    }
    return i;
  }

  /** Code of label `name`, registering it on first use (at most 256 labels). */
  labelCode(name: string): number {
    let c = this.labelNames.indexOf(name);
    if (c < 0) {
      if (this.labelNames.length >= 256) throw new Error("ColumnTable: more than 256 labels");
      c = this.labelNames.push(name) - 1;
    }
    return c;
  }

  /** Reserve a new row with label code `code` and return its index; fill `data[c][row]`. */
  addRow(code: number): number {
    if (this.n === this.capacity) this.#grow(this.capacity * 2);
    const r = this.n++;
    this.labelCodes[r] = code;
    return r;
  }

  /** Read-only view of column `name` (length n). */
  column(name: string): NumericColumn {
    return this.data[this.indexOf(name)].subarray(0, this.n);
  }

  /** Label of row `i`. */
  label(i: number): string {
    return this.labelNames[this.labelCodes[i]];
  }

  /** Labels of all rows as strings (for writing). */
  labels(): string[] {
    const out = new Array<string>(this.n);
    for (let i = 0; i < this.n; i++) out[i] = this.labelNames[this.labelCodes[i]];
    return out;
  }

  #grow(cap: number): void {
    this.data = this.data.map((a, i) => {
      const b = alloc(this.specs[i].type, cap);
      b.set(a.subarray(0, this.n));
      return b;
    });
    const l = new Uint8Array(cap);
    l.set(this.labelCodes.subarray(0, this.n));
    this.labelCodes = l;
    this.capacity = cap;
  }

  /** Trimmed copies of the columns for postMessage; list `transferables()` to move them. */
  toTransfer(): ColumnTableTransfer {
    return {
      names: this.names,
      types: this.specs.map((s) => s.type),
      data: this.data.map((a) => a.slice(0, this.n)),
      labelName: this.labelName,
      labelNames: [...this.labelNames],
      labelCodes: this.labelCodes.slice(0, this.n),
      n: this.n,
    };
  }

  /**
   * Append the rows of `parts` in order into one table with these `specs` (columns are
   * matched by name; label codes are remapped by name).
   */
  static concat(
    specs: readonly ColumnSpec[],
    parts: readonly (ColumnTable | ColumnTableTransfer)[],
    labelName = "process",
  ): ColumnTable {
    let total = 0;
    for (const p of parts) total += p.n;
    const out = new ColumnTable(specs, labelName, Math.max(1, total));
    for (const p of parts) {
      const t = p instanceof ColumnTable ? p.toTransfer() : p;
      if (t.labelName !== labelName) {
        throw new Error(
          `ColumnTable.concat: label column "${t.labelName}", expected "${labelName}"`,
        );
      }
      const remap = t.labelNames.map((nm) => out.labelCode(nm));
      const start = out.n;
      for (let c = 0; c < specs.length; c++) {
        const k = t.names.indexOf(specs[c].name);
        if (k < 0) throw new Error(`ColumnTable.concat: a part lacks column "${specs[c].name}"`);
        if (t.data[k].length < t.n) {
          throw new Error(`ColumnTable.concat: column "${specs[c].name}" shorter than ${t.n} rows`);
        }
        out.data[c].set(t.data[k].subarray(0, t.n), start);
      }
      for (let i = 0; i < t.n; i++) out.labelCodes[start + i] = remap[t.labelCodes[i]];
      out.n += t.n;
    }
    return out;
  }
}

/** The ArrayBuffers of a transfer, to pass as postMessage transferables. */
export function transferables(t: ColumnTableTransfer): ArrayBuffer[] {
  return [...t.data.map((a) => a.buffer as ArrayBuffer), t.labelCodes.buffer as ArrayBuffer];
}

/**
 * Column layout of a simulated event table: the `features` then `extras` (float32), `weight`
 * (float64), then the `truth` columns (float32), each documented by `docs[name]` (the layout
 * of the HLF21 and paper-3 tables).
 */
export function eventTableColumns(
  features: readonly string[],
  extras: readonly string[],
  truth: readonly string[],
  docs: Readonly<Record<string, string>>,
): readonly ColumnSpec[] {
  const f32 = (name: string): ColumnSpec => ({ name, type: "f32", doc: docs[name] });
  return Object.freeze([
    ...features.map(f32),
    ...extras.map(f32),
    { name: "weight", type: "f64", doc: docs.weight },
    ...truth.map(f32),
  ]);
}

/** Position of each column of `columns` by name. */
export function columnPositions(columns: readonly ColumnSpec[]): Record<string, number> {
  return Object.fromEntries(columns.map((s, i) => [s.name, i]));
}
