import { dirname, join, resolve } from "node:path";
import {
  chromiumPath,
  closeRenderer,
  decodeDataUrl,
  renderImage,
} from "../../lib/plot/chromium.ts";
import {
  describeFigure,
  type Figure,
  heatmapFigure,
  histogramFigure,
  labelTitle,
  lineFigure,
  normaliseHistogram,
  rocFigure,
  withHLine,
  withVLine,
} from "../../lib/plot/figures.ts";
import { show } from "../../lib/plot/display.ts";
import { figureHtml, saveFigure, writeFigureHtml } from "../../lib/plot/write.ts";
import { assert, assertClose, assertEquals, assertThrows } from "../helpers.ts";

const hist = {
  edges: Float64Array.from([0, 1, 2, 4]),
  sumw: Float64Array.from([2, 6, 0]),
  sumw2: Float64Array.from([2, 6, 0]),
};

/** A spec survives JSON (no typed arrays, no functions) and has the expected parts. */
function assertValidSpec(fig: Figure): void {
  assertEquals(JSON.parse(JSON.stringify(fig)), fig);
  assert(Array.isArray(fig.data) && fig.data.length > 0, "spec has traces");
  for (const t of fig.data) assert(typeof t.type === "string", "every trace has a type");
  assert(typeof fig.layout.title?.text === "string", "spec has a title");
}

Deno.test("plot: labelTitle marks simulated figures once", () => {
  assertEquals(labelTitle("ROC", "simulation"), "ROC (simulated)");
  assertEquals(labelTitle("ROC (simulated)", "simulation"), "ROC (simulated)");
  assertEquals(labelTitle("ROC", "published"), "ROC");
  assertThrows(() => labelTitle("ROC", "other" as "published"), /dataLabel/);
});

Deno.test("plot: histogram normalisation and errors", () => {
  const d = normaliseHistogram(hist, "density");
  // integral of the density = 1 (bin widths 1, 1, 2)
  assertClose(d.values[0] * 1 + d.values[1] * 1 + d.values[2] * 2, 1, 1e-12, "density area");
  assertClose(d.errors![1], Math.sqrt(6) / 8, 1e-12, "scaled error");
  const u = normaliseHistogram(hist, "unit");
  assertEquals(u.values, [0.25, 0.75, 0]);
  assertEquals(normaliseHistogram(hist, "none").values, [2, 6, 0]);
  assertThrows(
    () => normaliseHistogram({ edges: [0, 1], sumw: [1, 2] }, "none"),
    /2 edges need 1 bin contents, got 2/,
  );
  assertThrows(() => normaliseHistogram({ edges: [0, 0, 1], sumw: [1, 2] }, "none"), /increasing/);
});

Deno.test("plot: histogramFigure overlays steps with error bars and log-y gaps", () => {
  const fig = histogramFigure(
    [{ name: "background", hist, fill: true }, {
      name: "signal",
      hist: { ...hist, sumw2: undefined },
    }],
    { title: "Score", xTitle: "score", dataLabel: "simulation", logY: true },
  );
  assertValidSpec(fig);
  assertEquals(fig.layout.title!.text, "Score (simulated)");
  assertEquals(fig.layout.yaxis!.type, "log");
  // background: step + error trace; signal (no sumw2): step only
  assertEquals(fig.data.map((t) => t.name), ["background", "background (stat. unc.)", "signal"]);
  const step = fig.data[0];
  assertEquals(step.x, [0, 1, 1, 2, 2, 4]);
  assertEquals((step.y as (number | null)[]).slice(4), [null, null], "empty bin -> gap on log-y");
  assertEquals((fig.data[1].error_y as { array: number[] }).array.length, 3);
  assertThrows(() => histogramFigure([], { title: "x", dataLabel: "published" }), /no series/);
});

Deno.test("plot: rocFigure axis conventions and log axes", () => {
  const tpr = [0.1, 0.5, 1];
  const fpr = [0, 0.01, 1];
  const a = rocFigure([{ name: "VAE", tpr, fpr, auc: 0.9123 }], { dataLabel: "simulation" });
  assertValidSpec(a);
  assertEquals(a.data[0].name, "VAE (AUC = 0.912)");
  assertEquals(a.data[0].x, tpr);
  assertEquals(a.data[0].y, [null, 0.01, 1], "FPR = 0 dropped on log-y");
  assertEquals(a.layout.yaxis!.type, "log");
  assertEquals(a.data[a.data.length - 1].name, "random");
  const b = rocFigure([{ name: "VAE", tpr, fpr }], {
    dataLabel: "published",
    axes: "fpr_tpr",
    showRandom: false,
  });
  assertEquals(b.data.length, 1);
  assertEquals(b.data[0].x, [null, 0.01, 1]);
  assertEquals(b.layout.xaxis!.type, "log");
  assertEquals(b.layout.title!.text, "ROC curves");
  const c = rocFigure([{ name: "VAE", tpr, fpr }], {
    dataLabel: "simulation",
    axes: "tpr_rejection",
    logY: false,
  });
  assertEquals(c.data[0].y, [null, 100, 1], "1/FPR, infinite rejection dropped");
  assertThrows(
    () => rocFigure([{ name: "x", tpr: [1, 2], fpr: [1] }], { dataLabel: "simulation" }),
    /lengths differ/,
  );
});

Deno.test("plot: lineFigure with error bars and a band", () => {
  const fig = lineFigure(
    [{
      name: "eff",
      x: [1, 2],
      y: [0.2, 0.4],
      yErr: [0.01, 0.02],
      band: { lo: [0, 0.3], hi: [0.3, 0.5] },
    }],
    { title: "Efficiency", dataLabel: "simulation", logX: true },
  );
  assertValidSpec(fig);
  assertEquals(fig.data.length, 2);
  assertEquals(fig.data[0].fill, "toself");
  assertEquals(fig.data[0].x, [1, 2, 2, 1]);
  assertEquals((fig.data[1].error_y as { array: number[] }).array, [0.01, 0.02]);
  assertEquals(fig.layout.xaxis!.type, "log");
  assertThrows(
    () =>
      lineFigure([{ name: "e", x: [1, 2], y: [1, 2], yErr: [1] }], {
        title: "t",
        dataLabel: "simulation",
      }),
    /yErr vs y/,
  );
  assertThrows(
    () => lineFigure([{ name: "e", x: [1], y: [NaN] }], { title: "t", dataLabel: "simulation" }),
    /not a number/,
  );
});

Deno.test("plot: heatmapFigure from rows and flat matrices", () => {
  const a = heatmapFigure([[1, 2], [3, 4]], {
    title: "Correlation",
    dataLabel: "published",
    annotate: true,
    x: ["a", "b"],
    y: ["c", "d"],
  });
  assertValidSpec(a);
  assertEquals(a.data[0].z, [[1, 2], [3, 4]]);
  assertEquals(a.data[0].text, [["1.00", "2.00"], ["3.00", "4.00"]]);
  const b = heatmapFigure({ rows: 2, cols: 3, data: Float32Array.from([1, 0, 100, 1, 10, 1000]) }, {
    title: "Image",
    dataLabel: "simulation",
    logZ: true,
    image: true,
  });
  assertEquals(b.data[0].z, [[0, null, 2], [0, 1, 3]]);
  assertEquals(b.layout.yaxis!.autorange, "reversed");
  assertEquals(b.layout.title!.text, "Image (simulated)");
  assertThrows(
    () =>
      heatmapFigure({ rows: 2, cols: 2, data: [1, 2, 3] }, { title: "x", dataLabel: "simulation" }),
    /needs 4 values, got 3/,
  );
  assertThrows(
    () => heatmapFigure([[1, 2], [3]], { title: "x", dataLabel: "simulation" }),
    /row 1 has 1 columns/,
  );
});

Deno.test("plot: threshold lines are added without mutating the figure", () => {
  const fig = lineFigure([{ name: "a", x: [0, 1], y: [0, 1] }], {
    title: "t",
    dataLabel: "simulation",
  });
  const v = withHLine(withVLine(fig, 0.5, { label: "cut" }), 0.1);
  assertEquals(fig.layout.shapes, undefined);
  assertEquals(v.layout.shapes!.length, 2);
  assertEquals(v.layout.shapes![0].x0, 0.5);
  assertEquals(v.layout.shapes![0].yref, "paper");
  assertEquals(v.layout.shapes![1].y0, 0.1);
  assertThrows(() => withVLine(fig, NaN), /not finite/);
  assert(describeFigure(v).includes('"t (simulated)"'));
});

Deno.test("plot: show outside a notebook prints one line", async () => {
  const fig = lineFigure([{ name: "a", x: [0, 1], y: [0, 1] }], {
    title: "t",
    dataLabel: "simulation",
  });
  const log = console.log;
  const lines: string[] = [];
  console.log = (...a: unknown[]) => lines.push(a.join(" "));
  try {
    await show(fig);
  } finally {
    console.log = log;
  }
  assertEquals(lines, ['Figure "t (simulated)": 1 scatter']);
});

Deno.test("plot: HTML references the shared plotly by a relative path that exists", async () => {
  const tmp = await Deno.makeTempDir({ prefix: "plot_test_" });
  try {
    const fig = lineFigure([{ name: "a", x: [0, 1], y: [0, 1] }], {
      title: "</script> & <b>",
      dataLabel: "simulation",
    });
    // A committed-style layout (figures/NN/) and a scale folder (figures/.scale-ci/NN/).
    for (const dir of [join(tmp, "01_nb"), join(tmp, ".scale-ci", "01_nb")]) {
      const saved = await saveFigure(fig, {
        notebook: "01_nb",
        name: "fig01_line",
        scale: "ci",
        png: false,
        dir,
      });
      assertEquals(saved.html, join(dir, "fig01_line.html"));
      assertEquals(saved.png, null);
      const html = await Deno.readTextFile(saved.html);
      const src = /<script src="([^"]+)"><\/script>/.exec(html)?.[1];
      assertEquals(src, "../plotly.min.js");
      const target = resolve(dirname(saved.html), src!);
      assert((await Deno.stat(target)).size > 1_000_000, `${target} is the plotly bundle`);
      assert(!html.includes("</script> &"), "title cannot close the script element");
    }
    // Explicit location of the shared copy: the relative path follows it.
    const deep = await writeFigureHtml(fig, join(tmp, "a", "b", "fig.html"), {
      plotlyJs: join(tmp, "plotly.min.js"),
    });
    assert((await Deno.readTextFile(deep)).includes('src="../../plotly.min.js"'));
    assertEquals(
      [...Deno.readDirSync(join(tmp, "01_nb"))].map((e) => e.name).sort(),
      ["fig01_line.html"],
      "atomic writes leave no temp files",
    );
    await assertRejects(
      () => saveFigure(fig, { notebook: "01_nb", name: "roc", scale: "ci", dir: tmp }),
      /fig03_roc_curves/,
    );
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
});

Deno.test("plot: figureHtml embeds the spec", () => {
  const fig = lineFigure([{ name: "a", x: [0, 1], y: [0, 1] }], {
    title: "t",
    dataLabel: "published",
  });
  const html = figureHtml(fig, "../plotly.min.js");
  assert(html.includes('Plotly.newPlot("fig"'));
  assert(html.includes('"name":"a"'));
});

Deno.test("plot: decodeDataUrl handles base64 and URL-encoded data", () => {
  assertEquals(decodeDataUrl("data:image/png;base64,iVBORw=="), Uint8Array.from([137, 80, 78, 71]));
  assertEquals(new TextDecoder().decode(decodeDataUrl("data:image/svg+xml,%3Csvg%3E")), "<svg>");
  assertThrows(() => decodeDataUrl("nonsense"), /unexpected result/);
});

Deno.test({
  name: "plot: PNG and SVG rendering with the shared headless Chromium",
  ignore: chromiumPath() === undefined,
  async fn() {
    const tmp = await Deno.makeTempDir({ prefix: "plot_png_test_" });
    try {
      const fig = rocFigure([{ name: "a", tpr: [0.1, 0.5, 1], fpr: [1e-3, 0.05, 1] }], {
        dataLabel: "simulation",
      });
      const saved = await saveFigure(fig, {
        notebook: "01_nb",
        name: "fig01_roc",
        scale: "ci",
        dir: join(tmp, "01_nb"),
        width: 400,
        height: 300,
      });
      const png = await Deno.readFile(saved.png!);
      assertEquals([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
      assert(saved.pngBase64!.startsWith("iVBORw0KGgo"), "base64 of a PNG");
      const svg = new TextDecoder().decode(await renderImage(fig, { format: "svg" }));
      assert(svg.startsWith("<svg"), "SVG markup");
    } finally {
      await closeRenderer();
      await Deno.remove(tmp, { recursive: true });
    }
  },
});

async function assertRejects(fn: () => Promise<unknown>, error: RegExp): Promise<void> {
  await assert.rejects(fn, error);
}

Deno.test("rocFigure thins a per-event ROC curve (notebook size)", () => {
  const n = 100_000;
  const fpr = Float64Array.from({ length: n }, (_, i) => (i + 1) / n);
  const tpr = Float64Array.from(fpr, (f) => Math.sqrt(f));
  const fig = rocFigure([{ name: "c", fpr, tpr }], {
    title: "t",
    axes: "fpr_tpr",
    dataLabel: "simulation",
  });
  const x = fig.data[0].x as number[];
  assert(x.length < 2000 && x.length > 100, `${x.length} points`);
  assertEquals(x[x.length - 1], 1);
});
