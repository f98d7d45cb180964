/**
 * Plotly figure builders. Each returns a plain JSON spec `{data, layout}` that can be shown in
 * a notebook, written as HTML or rendered to PNG. Every builder takes a `dataLabel`: figures
 * built on the built-in simulation get " (simulated)" appended to their title.
 */

import { thinRoc } from "../stats/roc.ts";

/** Where the numbers in a figure come from. */
export type DataLabel = "simulation" | "published";

/** One plotly trace: `type` plus any plotly attributes. */
export interface Trace {
  type: string;
  name?: string;
  [attribute: string]: unknown;
}

/** A plotly layout (only the parts the builders rely on are typed). */
export interface Layout {
  title?: { text: string; [attribute: string]: unknown };
  xaxis?: Record<string, unknown>;
  yaxis?: Record<string, unknown>;
  shapes?: Record<string, unknown>[];
  [attribute: string]: unknown;
}

/** A plotly figure spec, serialisable with JSON.stringify. */
export interface Figure {
  data: Trace[];
  layout: Layout;
}

/** The suffix that marks a title as built on simulated data. */
export const SIMULATED_SUFFIX = " (simulated)";

/** The title with " (simulated)" appended when `dataLabel` is "simulation" (never twice). */
export function labelTitle(title: string, dataLabel: DataLabel): string {
  if (dataLabel !== "simulation" && dataLabel !== "published") {
    throw new Error(`dataLabel must be "simulation" or "published", got "${dataLabel}"`);
  }
  if (dataLabel === "published" || /\(simulated\)|simulated data/i.test(title)) return title;
  return title + SIMULATED_SUFFIX;
}

/** Options shared by all builders. */
export interface CommonOptions {
  title: string;
  dataLabel: DataLabel;
  xTitle?: string;
  yTitle?: string;
  width?: number;
  height?: number;
}

/** A default qualitative palette (colour-blind friendly, Okabe-Ito). */
export const PALETTE: readonly string[] = [
  "#0072B2",
  "#D55E00",
  "#009E73",
  "#CC79A7",
  "#E69F00",
  "#56B4E9",
  "#000000",
  "#F0E442",
];

/** Set an axis to log scale with 10^n tick labels. */
function logAxis(axis: Record<string, unknown> | undefined): void {
  if (axis === undefined) return;
  axis.type = "log";
  axis.exponentformat = "power";
}

function baseLayout(opts: CommonOptions): Layout {
  const layout: Layout = {
    title: { text: labelTitle(opts.title, opts.dataLabel) },
    xaxis: { title: { text: opts.xTitle ?? "" }, showline: true, mirror: true, ticks: "outside" },
    yaxis: { title: { text: opts.yTitle ?? "" }, showline: true, mirror: true, ticks: "outside" },
    template: "plotly_white",
    plot_bgcolor: "white",
    paper_bgcolor: "white",
    legend: { bgcolor: "rgba(255,255,255,0.7)" },
    margin: { l: 70, r: 30, t: 60, b: 60 },
  };
  if (opts.width !== undefined) layout.width = opts.width;
  if (opts.height !== undefined) layout.height = opts.height;
  return layout;
}

function toArray(values: ArrayLike<number>, what: string): number[] {
  const out = Array.from(values);
  for (let i = 0; i < out.length; i++) {
    if (typeof out[i] !== "number" || Number.isNaN(out[i])) {
      throw new Error(`${what}[${i}] is not a number (${out[i]})`);
    }
  }
  return out;
}

function sameLength(a: ArrayLike<unknown>, b: ArrayLike<unknown>, what: string): void {
  if (a.length !== b.length) {
    throw new Error(`${what}: lengths differ (${a.length} vs ${b.length})`);
  }
}

/** Replace non-positive or non-finite values by null (plotly draws gaps on log axes). */
function forLog(values: number[], log: boolean): (number | null)[] {
  return values.map((v) => (!Number.isFinite(v) || (log && v <= 0)) ? null : v);
}

// ---------------------------------------------------------------------------------------------
// Histograms

/**
 * Minimal histogram input: `edges` (n+1 increasing bin edges), `sumw` (n bin contents) and
 * optionally `sumw2` (n sums of squared weights, for error bars). No under/overflow bins.
 */
export interface HistogramInput {
  edges: ArrayLike<number>;
  sumw: ArrayLike<number>;
  sumw2?: ArrayLike<number>;
}

/** How histograms are scaled: to unit area (density), unit sum, or left as counts. */
export type Normalisation = "density" | "unit" | "none";

/** One histogram to overlay. */
export interface HistogramSeries {
  name: string;
  hist: HistogramInput;
  color?: string;
  dash?: "solid" | "dash" | "dot" | "dashdot";
  /** Fill under the step line (e.g. for a background). */
  fill?: boolean;
}

/** Options of `histogramFigure`. */
export interface HistogramOptions extends CommonOptions {
  normalise?: Normalisation;
  logY?: boolean;
  logX?: boolean;
  /** Draw sqrt(sumw2) error bars at bin centres (default: true when sumw2 is given). */
  errors?: boolean;
}

/** Bin contents and errors after normalisation, for tests and tables. */
export function normaliseHistogram(
  hist: HistogramInput,
  mode: Normalisation,
): { edges: number[]; values: number[]; errors: number[] | undefined } {
  const edges = toArray(hist.edges, "edges");
  const sumw = toArray(hist.sumw, "sumw");
  if (edges.length < 2) throw new Error(`histogram needs at least 2 edges, got ${edges.length}`);
  if (sumw.length !== edges.length - 1) {
    throw new Error(
      `histogram: ${edges.length} edges need ${edges.length - 1} bin contents, got ${sumw.length}`,
    );
  }
  for (let i = 1; i < edges.length; i++) {
    if (!(edges[i] > edges[i - 1])) throw new Error(`histogram edges not increasing at ${i}`);
  }
  let sumw2: number[] | undefined;
  if (hist.sumw2 !== undefined) {
    sumw2 = toArray(hist.sumw2, "sumw2");
    sameLength(sumw2, sumw, "histogram sumw2 vs sumw");
  }
  const total = sumw.reduce((a, b) => a + b, 0);
  const scaleOf = (i: number): number => {
    if (mode === "none") return 1;
    if (total === 0) return 0;
    return mode === "unit" ? 1 / total : 1 / (total * (edges[i + 1] - edges[i]));
  };
  const values = sumw.map((w, i) => w * scaleOf(i));
  const errors = sumw2?.map((w2, i) => Math.sqrt(Math.max(w2, 0)) * scaleOf(i));
  return { edges, values, errors };
}

/** Overlaid step histograms, normalised to unit area by default, with optional error bars. */
export function histogramFigure(series: HistogramSeries[], opts: HistogramOptions): Figure {
  if (series.length === 0) throw new Error("histogramFigure: no series given");
  const mode = opts.normalise ?? "density";
  const logY = opts.logY ?? false;
  const data: Trace[] = [];
  series.forEach((s, k) => {
    const color = s.color ?? PALETTE[k % PALETTE.length];
    const { edges, values, errors } = normaliseHistogram(s.hist, mode);
    // A step line: each bin is a horizontal segment from edges[i] to edges[i+1], so an empty
    // bin on a log axis breaks the line without hiding its neighbours.
    const x: number[] = [];
    const yRaw: number[] = [];
    values.forEach((v, i) => {
      x.push(edges[i], edges[i + 1]);
      yRaw.push(v, v);
    });
    const y = forLog(yRaw, logY);
    data.push({
      type: "scatter",
      mode: "lines",
      name: s.name,
      legendgroup: s.name,
      x,
      y,
      line: { color, width: 2, dash: s.dash ?? "solid" },
      ...(s.fill ? { fill: "tozeroy", fillcolor: withAlpha(color, 0.25) } : {}),
    });
    const showErrors = opts.errors ?? errors !== undefined;
    if (showErrors && errors !== undefined) {
      const centres = values.map((_, i) => 0.5 * (edges[i] + edges[i + 1]));
      data.push({
        type: "scatter",
        mode: "markers",
        name: `${s.name} (stat. unc.)`,
        legendgroup: s.name,
        showlegend: false,
        x: centres,
        y: forLog(values, logY),
        marker: { size: 1, color },
        error_y: { type: "data", array: errors, visible: true, color, thickness: 1, width: 0 },
        hoverinfo: "x+y",
      });
    }
  });
  const yTitle = opts.yTitle ??
    (mode === "density" ? "normalised density" : mode === "unit" ? "fraction" : "entries");
  const layout = baseLayout({ ...opts, yTitle });
  if (logY) logAxis(layout.yaxis);
  if (opts.logX) logAxis(layout.xaxis);
  layout.barmode = "overlay";
  return { data, layout };
}

function withAlpha(color: string, alpha: number): string {
  const m = /^#([0-9a-f]{6})$/i.exec(color);
  if (m === null) return color;
  const n = parseInt(m[1], 16);
  return `rgba(${(n >> 16) & 255},${(n >> 8) & 255},${n & 255},${alpha})`;
}

// ---------------------------------------------------------------------------------------------
// ROC curves

/** One ROC curve as arrays of true- and false-positive rates (signal / background eff.). */
export interface RocSeries {
  name: string;
  tpr: ArrayLike<number>;
  fpr: ArrayLike<number>;
  auc?: number;
  color?: string;
  dash?: "solid" | "dash" | "dot" | "dashdot";
}

/**
 * Axis convention: `tpr_fpr` (x = signal efficiency, y = background efficiency),
 * `fpr_tpr` (the textbook x = FPR, y = TPR), `tpr_rejection` (x = signal eff., y = 1/FPR).
 */
export type RocAxes = "tpr_fpr" | "fpr_tpr" | "tpr_rejection";

/** Options of `rocFigure`. Log axes default to log-y for tpr_fpr/tpr_rejection, log-x for fpr_tpr. */
export interface RocOptions extends Omit<CommonOptions, "title"> {
  title?: string;
  axes?: RocAxes;
  logX?: boolean;
  logY?: boolean;
  /** Draw the random-classifier line (default true). */
  showRandom?: boolean;
}

function rocXY(axes: RocAxes, tpr: number[], fpr: number[]): { x: number[]; y: number[] } {
  switch (axes) {
    case "tpr_fpr":
      return { x: tpr, y: fpr };
    case "fpr_tpr":
      return { x: fpr, y: tpr };
    case "tpr_rejection":
      return { x: tpr, y: fpr.map((f) => (f > 0 ? 1 / f : Infinity)) };
  }
}

/** ROC curves with more points than this are thinned by {@link rocFigure}. */
export const ROC_MAX_POINTS = 2000;

/**
 * ROC curves in the chosen axis convention, with log axes by default; curves of more than
 * {@link ROC_MAX_POINTS} points are thinned for plotting (thinRoc of lib/stats/roc.ts).
 */
export function rocFigure(curves: RocSeries[], opts: RocOptions): Figure {
  if (curves.length === 0) throw new Error("rocFigure: no curves given");
  const axes = opts.axes ?? "tpr_fpr";
  const logX = opts.logX ?? (axes === "fpr_tpr");
  const logY = opts.logY ?? (axes !== "fpr_tpr");
  const data: Trace[] = [];
  curves.forEach((c, k) => {
    let tpr = toArray(c.tpr, `${c.name} tpr`);
    let fpr = toArray(c.fpr, `${c.name} fpr`);
    sameLength(tpr, fpr, `ROC curve "${c.name}" tpr vs fpr`);
    // A curve with one point per event would put megabytes into the notebook: thin it
    // (shape kept on log and linear axes, see thinRoc).
    if (fpr.length > ROC_MAX_POINTS) ({ fpr, tpr } = thinRoc(fpr, tpr));
    const { x, y } = rocXY(axes, tpr, fpr);
    const name = c.auc === undefined ? c.name : `${c.name} (AUC = ${c.auc.toFixed(3)})`;
    data.push({
      type: "scatter",
      mode: "lines",
      name,
      x: forLog(x, logX),
      y: forLog(y, logY),
      line: { color: c.color ?? PALETTE[k % PALETTE.length], width: 2, dash: c.dash ?? "solid" },
    });
  });
  if (opts.showRandom ?? true) {
    const t = Array.from(
      { length: 201 },
      (_, i) => (logX || logY ? 10 ** (-4 + i * 0.02) : i / 200),
    );
    const { x, y } = rocXY(axes, t, t);
    data.push({
      type: "scatter",
      mode: "lines",
      name: "random",
      x,
      y,
      line: { color: "#888888", width: 1, dash: "dot" },
      hoverinfo: "skip",
    });
  }
  const titles: Record<RocAxes, [string, string]> = {
    tpr_fpr: ["signal efficiency (TPR)", "background efficiency (FPR)"],
    fpr_tpr: ["background efficiency (FPR)", "signal efficiency (TPR)"],
    tpr_rejection: ["signal efficiency (TPR)", "background rejection (1/FPR)"],
  };
  const layout = baseLayout({
    ...opts,
    title: opts.title ?? "ROC curves",
    xTitle: opts.xTitle ?? titles[axes][0],
    yTitle: opts.yTitle ?? titles[axes][1],
  });
  if (logX) logAxis(layout.xaxis);
  if (logY) logAxis(layout.yaxis);
  return { data, layout };
}

// ---------------------------------------------------------------------------------------------
// Lines and scatter plots

/** One line / scatter series, with optional error bars and a shaded band. */
export interface LineSeries {
  name: string;
  x: ArrayLike<number>;
  y: ArrayLike<number>;
  yErr?: ArrayLike<number>;
  xErr?: ArrayLike<number>;
  /** A shaded band from `lo` to `hi` (e.g. a confidence interval), drawn under the line. */
  band?: { lo: ArrayLike<number>; hi: ArrayLike<number> };
  mode?: "lines" | "markers" | "lines+markers";
  color?: string;
  dash?: "solid" | "dash" | "dot" | "dashdot";
}

/** Options of `lineFigure`. */
export interface LineOptions extends CommonOptions {
  logX?: boolean;
  logY?: boolean;
}

/** Lines or markers with optional x/y error bars and confidence bands. */
export function lineFigure(series: LineSeries[], opts: LineOptions): Figure {
  if (series.length === 0) throw new Error("lineFigure: no series given");
  const logX = opts.logX ?? false;
  const logY = opts.logY ?? false;
  const data: Trace[] = [];
  series.forEach((s, k) => {
    const color = s.color ?? PALETTE[k % PALETTE.length];
    const x = toArray(s.x, `${s.name} x`);
    const y = toArray(s.y, `${s.name} y`);
    sameLength(x, y, `series "${s.name}" x vs y`);
    if (s.band !== undefined) {
      const lo = toArray(s.band.lo, `${s.name} band.lo`);
      const hi = toArray(s.band.hi, `${s.name} band.hi`);
      sameLength(lo, x, `series "${s.name}" band.lo vs x`);
      sameLength(hi, x, `series "${s.name}" band.hi vs x`);
      data.push({
        type: "scatter",
        mode: "lines",
        name: `${s.name} band`,
        legendgroup: s.name,
        showlegend: false,
        x: [...x, ...[...x].reverse()],
        y: forLog([...hi, ...[...lo].reverse()], logY),
        fill: "toself",
        fillcolor: withAlpha(color, 0.2),
        line: { width: 0, color },
        hoverinfo: "skip",
      });
    }
    const trace: Trace = {
      type: "scatter",
      mode: s.mode ?? "lines+markers",
      name: s.name,
      legendgroup: s.name,
      x: forLog(x, logX),
      y: forLog(y, logY),
      line: { color, width: 2, dash: s.dash ?? "solid" },
      marker: { color, size: 6 },
    };
    if (s.yErr !== undefined) {
      const e = toArray(s.yErr, `${s.name} yErr`);
      sameLength(e, y, `series "${s.name}" yErr vs y`);
      trace.error_y = { type: "data", array: e, visible: true, color, thickness: 1 };
    }
    if (s.xErr !== undefined) {
      const e = toArray(s.xErr, `${s.name} xErr`);
      sameLength(e, x, `series "${s.name}" xErr vs x`);
      trace.error_x = { type: "data", array: e, visible: true, color, thickness: 1 };
    }
    data.push(trace);
  });
  const layout = baseLayout(opts);
  if (logX) logAxis(layout.xaxis);
  if (logY) logAxis(layout.yaxis);
  return { data, layout };
}

// ---------------------------------------------------------------------------------------------
// Heat maps

/** A matrix: rows of numbers, or a row-major flat array with its shape. */
export type MatrixInput = ArrayLike<number>[] | {
  rows: number;
  cols: number;
  data: ArrayLike<number>;
};

/** Options of `heatmapFigure`. */
export interface HeatmapOptions extends CommonOptions {
  /** Column coordinates (length cols) and row coordinates (length rows); default indices. */
  x?: ArrayLike<number> | string[];
  y?: ArrayLike<number> | string[];
  zTitle?: string;
  colorscale?: string;
  zmin?: number;
  zmax?: number;
  /** Plot log10(z) (non-positive cells left empty); the colour bar says so. */
  logZ?: boolean;
  /** Write each cell's value in it (for small matrices such as correlations). */
  annotate?: boolean;
  /** Image convention: row 0 at the top, square pixels. */
  image?: boolean;
}

/** Rows of a matrix input as number arrays, checking the shape. */
export function matrixRows(m: MatrixInput): number[][] {
  if (Array.isArray(m)) {
    const rows = m.map((r, i) => toArray(r, `row ${i}`));
    for (let i = 1; i < rows.length; i++) {
      if (rows[i].length !== rows[0].length) {
        throw new Error(
          `matrix row ${i} has ${rows[i].length} columns, row 0 has ${rows[0].length}`,
        );
      }
    }
    return rows;
  }
  const { rows, cols, data } = m as { rows: number; cols: number; data: ArrayLike<number> };
  if (!(Number.isInteger(rows) && Number.isInteger(cols) && rows >= 0 && cols >= 0)) {
    throw new Error(`matrix shape must be non-negative integers, got ${rows}x${cols}`);
  }
  if (data.length !== rows * cols) {
    throw new Error(`matrix ${rows}x${cols} needs ${rows * cols} values, got ${data.length}`);
  }
  const flat = toArray(data, "matrix data");
  return Array.from({ length: rows }, (_, i) => flat.slice(i * cols, (i + 1) * cols));
}

/** A 2D heat map of a matrix or an image. */
export function heatmapFigure(matrix: MatrixInput, opts: HeatmapOptions): Figure {
  const rows = matrixRows(matrix);
  if (rows.length === 0 || rows[0].length === 0) throw new Error("heatmapFigure: empty matrix");
  const z = opts.logZ
    ? rows.map((r) => r.map((v) => (v > 0 && Number.isFinite(v) ? Math.log10(v) : null)))
    : rows.map((r) => r.map((v) => (Number.isFinite(v) ? v : null)));
  const trace: Trace = {
    type: "heatmap",
    z,
    colorscale: opts.colorscale ?? "Viridis",
    colorbar: { title: { text: opts.logZ ? `log10(${opts.zTitle ?? "z"})` : opts.zTitle ?? "" } },
  };
  const axisValues = (v: ArrayLike<number> | string[], n: number, what: string) => {
    if (v.length !== n) {
      throw new Error(`heatmapFigure: ${what} has ${v.length} values, expected ${n}`);
    }
    return Array.from(v as ArrayLike<number | string>);
  };
  if (opts.x !== undefined) trace.x = axisValues(opts.x, rows[0].length, "x");
  if (opts.y !== undefined) trace.y = axisValues(opts.y, rows.length, "y");
  if (opts.zmin !== undefined) trace.zmin = opts.zmin;
  if (opts.zmax !== undefined) trace.zmax = opts.zmax;
  if (opts.annotate) {
    trace.text = rows.map((r) => r.map((v) => formatCell(v)));
    trace.texttemplate = "%{text}";
    trace.textfont = { size: 11 };
  }
  const layout = baseLayout(opts);
  if (opts.image) {
    layout.yaxis = {
      ...layout.yaxis,
      autorange: "reversed",
      scaleanchor: "x",
      constrain: "domain",
    };
    layout.xaxis = { ...layout.xaxis, constrain: "domain" };
  }
  return { data: [trace], layout };
}

function formatCell(v: number): string {
  if (!Number.isFinite(v)) return "";
  const a = Math.abs(v);
  return a !== 0 && (a < 1e-2 || a >= 1e4) ? v.toExponential(1) : v.toPrecision(3);
}

// ---------------------------------------------------------------------------------------------
// Threshold lines

/** Style of a threshold line. */
export interface LineMarkOptions {
  label?: string;
  color?: string;
  dash?: "solid" | "dash" | "dot" | "dashdot";
  width?: number;
}

function markLine(fig: Figure, axis: "x" | "y", value: number, opts: LineMarkOptions): Figure {
  if (!Number.isFinite(value)) throw new Error(`threshold line at ${axis} = ${value}: not finite`);
  const shape: Record<string, unknown> = axis === "x"
    ? { type: "line", xref: "x", yref: "paper", x0: value, x1: value, y0: 0, y1: 1 }
    : { type: "line", xref: "paper", yref: "y", x0: 0, x1: 1, y0: value, y1: value };
  shape.line = {
    color: opts.color ?? "#444444",
    width: opts.width ?? 1.5,
    dash: opts.dash ?? "dash",
  };
  if (opts.label !== undefined) {
    shape.label = {
      text: opts.label,
      textposition: axis === "x" ? "end" : "end",
      font: { size: 11, color: opts.color ?? "#444444" },
      ...(axis === "x" ? { textangle: -90 } : {}),
    };
  }
  return {
    data: fig.data,
    layout: { ...fig.layout, shapes: [...(fig.layout.shapes ?? []), shape] },
  };
}

/** A copy of `fig` with a vertical line at x = `value` (data coordinates, log axes too). */
export function withVLine(fig: Figure, value: number, opts: LineMarkOptions = {}): Figure {
  return markLine(fig, "x", value, opts);
}

/** A copy of `fig` with a horizontal line at y = `value` (data coordinates, log axes too). */
export function withHLine(fig: Figure, value: number, opts: LineMarkOptions = {}): Figure {
  return markLine(fig, "y", value, opts);
}

/** One line of text describing a figure (for consoles and text/plain fallbacks). */
export function describeFigure(fig: Figure): string {
  const title = fig.layout.title?.text ?? "(untitled)";
  const kinds = new Map<string, number>();
  for (const t of fig.data) kinds.set(t.type, (kinds.get(t.type) ?? 0) + 1);
  const traces = [...kinds].map(([k, n]) => `${n} ${k}`).join(", ");
  return `Figure "${title}": ${traces || "no traces"}`;
}
