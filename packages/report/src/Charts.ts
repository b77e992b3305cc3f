/**
 * The report's figures as Vega-Lite specifications, rendered server-side to
 * SVG by Vega (for the HTML report) and rasterised to PNG by resvg (for the
 * Markdown report). Vega-Lite was chosen because one declarative spec per
 * figure gives axes, legends and scales without drawing code, and Vega's
 * headless `View.toSVG()` needs no browser or canvas; resvg is a maintained
 * Rust renderer shipped as prebuilt npm binaries (no downloads at install).
 */
import { Resvg } from "@resvg/resvg-js"
import type { TopLevelSpec } from "vega-lite"

/** A figure before rendering: a Vega-Lite specification with its title and caption; the Markdown reports link it as `<id>.png`. */
export interface Figure {
  /** File-name stem, e.g. "learning-curves". */
  readonly id: string
  readonly title: string
  /** What the figure shows, one or two sentences. */
  readonly caption: string
  readonly spec: TopLevelSpec
}

/** A figure with its spec rendered to a standalone SVG document (`renderSvg`), for the HTML reports. */
export interface RenderedFigure extends Figure {
  readonly svg: string
}

/**
 * Renders a figure's spec to a standalone SVG document. Vega and Vega-Lite are imported here, on
 * first use, not with the module: they take about 0.4 s to load, which every process that imports
 * the toolkit (the CLI's start, each sweep worker) paid before drawing anything.
 */
export const renderSvg = async (spec: TopLevelSpec): Promise<string> => {
  const [vega, { compile }] = await Promise.all([import("vega"), import("vega-lite")])
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: "none" })
  try {
    return await view.toSVG()
  } finally {
    view.finalize()
  }
}

/** Rasterises an SVG at twice its size (white background) for Markdown viewers. */
export const svgToPng = (svg: string): Uint8Array =>
  new Resvg(svg, { background: "white", fitTo: { mode: "zoom", value: 2 }, font: { loadSystemFonts: true } })
    .render()
    .asPng()

const base = { width: 480, height: 280, background: "white" } as const

/**
 * The categorical colours of every figure: Tableau's ten, which stay apart
 * for the up to eight cells or layers a figure draws (Vega's default palette
 * is not pinned by its version, this one is named).
 */
export const CATEGORY_SCHEME = "tableau10"

const colour = (field: string, extra: Record<string, unknown> = {}) =>
  ({ field, type: "nominal", title: field, scale: { scheme: CATEGORY_SCHEME }, ...extra }) as const

type Row = Record<string, string | number>

/**
 * An x scale for `lineChart`: linear, log, or symlog (log-like away from 0
 * but defined at 0, linear within ±`constant`), with ticks at `ticks` when
 * given (symlog's own ticks are linear and crowd the small values).
 */
export type XScale =
  | { readonly type: "linear" | "log" }
  | { readonly type: "symlog"; readonly constant: number; readonly ticks?: ReadonlyArray<number>; readonly format?: string }

/**
 * Lines of `y` against `x`, one per `color` value, points marked unless
 * `points` is false: a log or symlog x scale, a log y scale, a shaded band
 * per line, and one panel per `facet` value (each with its own y scale) when
 * asked for.
 */
export const lineChart = (options: {
  readonly values: ReadonlyArray<Row>
  readonly x: string
  readonly y: string
  readonly color: string
  readonly xTitle: string
  readonly yTitle: string
  readonly logX?: boolean
  /** Overrides `logX`. */
  readonly xScale?: XScale
  readonly logY?: boolean
  readonly yFormat?: string
  readonly points?: boolean
  readonly facet?: string
  /** Panel order for `facet`; default alphabetical. */
  readonly facetOrder?: ReadonlyArray<string>
  /** Integer x values (epochs, layers): whole-number ticks. */
  readonly integerX?: boolean
  /** Fields of a shaded band drawn under each line, e.g. mean ± sd over seeds. */
  readonly band?: { readonly lower: string; readonly upper: string }
}): TopLevelSpec => {
  const xScale = options.xScale ?? { type: options.logX === true ? "log" : "linear" }
  const encoding = {
    x: {
      field: options.x,
      type: "quantitative",
      title: options.xTitle,
      ...(xScale.type === "log" ? { scale: { type: "log" } } : {}),
      ...(xScale.type === "symlog"
        ? {
          scale: { type: "symlog", constant: xScale.constant },
          axis: { ...(xScale.ticks ? { values: [...xScale.ticks] } : {}), ...(xScale.format ? { format: xScale.format } : {}) }
        }
        : {}),
      ...(options.integerX === true ? { axis: { format: "d", tickMinStep: 1 } } : {})
    },
    y: {
      field: options.y,
      type: "quantitative",
      title: options.yTitle,
      ...(options.logY === true ? { scale: { type: "log" } } : {}),
      ...(options.yFormat ? { axis: { format: options.yFormat } } : {})
    },
    color: colour(options.color, { legend: { labelLimit: 320 } })
  }
  const line = {
    mark: { type: "line", point: options.points ?? true, tooltip: true },
    encoding
  }
  const band = options.band === undefined ? undefined : {
    mark: { type: "area", opacity: 0.18 },
    encoding: {
      x: encoding.x,
      y: { ...encoding.y, field: options.band.lower },
      y2: { field: options.band.upper },
      color: encoding.color
    }
  }
  const layers = band === undefined ? line : { layer: [band, line] }
  if (options.facet !== undefined) {
    return {
      background: "white",
      data: { values: [...options.values] },
      facet: { column: { field: options.facet, type: "nominal", title: null, ...(options.facetOrder ? { sort: [...options.facetOrder] } : {}) } },
      spec: { width: 300, height: 220, ...layers },
      resolve: { scale: { y: "independent" } }
    } as TopLevelSpec
  }
  return { ...base, data: { values: [...options.values] }, ...layers } as TopLevelSpec
}

/**
 * Points of `y` against `x`, coloured by `color` (and shaped by `shape`, when
 * given), on a log y scale when asked; neither axis is made to include zero.
 */
export const scatterChart = (options: {
  readonly values: ReadonlyArray<Row>
  readonly x: string
  readonly y: string
  readonly color: string
  readonly shape?: string
  readonly xTitle: string
  readonly yTitle: string
  readonly xFormat?: string
  readonly yFormat?: string
  readonly logY?: boolean
}): TopLevelSpec => ({
  ...base,
  data: { values: [...options.values] },
  mark: { type: "point", filled: true, size: 60, tooltip: true },
  encoding: {
    x: { field: options.x, type: "quantitative", title: options.xTitle, ...(options.xFormat ? { axis: { format: options.xFormat } } : {}), scale: { zero: false } },
    y: {
      field: options.y,
      type: "quantitative",
      title: options.yTitle,
      ...(options.yFormat ? { axis: { format: options.yFormat } } : {}),
      scale: options.logY === true ? { type: "log" } : { zero: false }
    },
    color: colour(options.color),
    ...(options.shape === undefined ? {} : { shape: { field: options.shape, type: "nominal", title: null } })
  }
} as TopLevelSpec)

/** One bar of `y` per `x` category, in the order the values give them. */
export const barChart = (options: {
  readonly values: ReadonlyArray<Row>
  readonly x: string
  readonly y: string
  readonly xTitle: string
  readonly yTitle: string
}): TopLevelSpec => ({
  ...base,
  data: { values: [...options.values] },
  mark: { type: "bar", tooltip: true },
  encoding: {
    x: { field: options.x, type: "nominal", title: options.xTitle, sort: null },
    y: { field: options.y, type: "quantitative", title: options.yTitle }
  }
} as TopLevelSpec)

/** Counts of `field` in at most 20 bins, one panel per `facet` value, the `color` groups overlaid; the y axis counts units. */
export const histogramChart = (options: {
  readonly values: ReadonlyArray<Row>
  readonly field: string
  readonly color: string
  readonly facet: string
  readonly xTitle: string
}): TopLevelSpec => ({
  background: "white",
  data: { values: [...options.values] },
  facet: { column: { field: options.facet, type: "nominal", title: null } },
  spec: {
    width: 240,
    height: 180,
    mark: { type: "bar", opacity: 0.6 },
    encoding: {
      x: { field: options.field, type: "quantitative", bin: { maxbins: 20 }, title: options.xTitle },
      y: { aggregate: "count", type: "quantitative", title: "units", stack: null },
      color: colour(options.color)
    }
  }
} as TopLevelSpec)

/** Bars of `y` per `x` category, one bar per `group` side by side; one panel per `facet` value when given. */
export const groupedBarChart = (options: {
  readonly values: ReadonlyArray<Row>
  readonly x: string
  readonly y: string
  readonly group: string
  readonly xTitle: string
  readonly yTitle: string
  /** Category order on x; default: as first seen. */
  readonly xOrder?: ReadonlyArray<string>
  readonly yFormat?: string
  readonly facet?: string
  readonly facetOrder?: ReadonlyArray<string>
  /** Angle of the x labels; default Vega-Lite's (vertical when they crowd). */
  readonly xLabelAngle?: number
}): TopLevelSpec => {
  const layer = {
    mark: { type: "bar", tooltip: true },
    encoding: {
      x: {
        field: options.x,
        type: "nominal",
        title: options.xTitle,
        sort: options.xOrder ? [...options.xOrder] : null,
        ...(options.xLabelAngle === undefined ? {} : { axis: { labelAngle: options.xLabelAngle } })
      },
      // Groups side by side and in the legend in the order the values first give them.
      xOffset: { field: options.group, type: "nominal", sort: null },
      y: { field: options.y, type: "quantitative", title: options.yTitle, ...(options.yFormat ? { axis: { format: options.yFormat } } : {}) },
      color: colour(options.group, { legend: { labelLimit: 320 }, sort: null })
    }
  }
  if (options.facet !== undefined) {
    return {
      background: "white",
      data: { values: [...options.values] },
      facet: { column: { field: options.facet, type: "nominal", title: null, ...(options.facetOrder ? { sort: [...options.facetOrder] } : {}) } },
      spec: { width: 260, height: 200, ...layer }
    } as TopLevelSpec
  }
  return { ...base, data: { values: [...options.values] }, ...layer } as TopLevelSpec
}
