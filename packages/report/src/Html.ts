/**
 * The page both HTML reports (a run's, a sweep's) are written into: one
 * self-contained document, no scripts and nothing fetched, styled for light
 * and dark mode by `prefers-color-scheme`. Figures keep their white
 * background in both, as a printed figure would, so their colours and text
 * read the same everywhere. A paragraph right after a figure is its caption
 * (the run report's Markdown puts it there).
 */
import type { RenderedFigure } from "./Charts.ts"

/** `text` with &, <, > and " escaped: safe as an element's text or a double-quoted attribute value. */
export const escapeHtml = (text: string) =>
  text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;")

/** A table with a `header` row and `rows`, every cell escaped (text, never markup). */
export const htmlTable = (header: ReadonlyArray<string>, rows: ReadonlyArray<ReadonlyArray<string>>) =>
  `<table><thead><tr>${header.map((h) => `<th>${escapeHtml(h)}</th>`).join("")}</tr></thead><tbody>` +
  rows.map((r) => `<tr>${r.map((c) => `<td>${escapeHtml(c)}</td>`).join("")}</tr>`).join("") + "</tbody></table>"

const style = `:root{color-scheme:light dark;--fg:#222;--bg:#fff;--muted:#555;--rule:#ccc;--head:#f3f3f3;--warn:#a40000;--card:#fff}
@media (prefers-color-scheme:dark){:root{--fg:#e4e4e4;--bg:#17181a;--muted:#a8a8a8;--rule:#444;--head:#26282b;--warn:#ff8a80;--card:#fff}}
body{font-family:system-ui,sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:var(--fg);background:var(--bg);line-height:1.45}
table{border-collapse:collapse;margin:1em 0;font-size:14px}th,td{border:1px solid var(--rule);padding:4px 8px;text-align:right}
th:first-child,td:first-child{text-align:left}thead{background:var(--head)}
figure{margin:2em 0}figure h3{margin:0 0 .5em}figcaption,figure+p{color:var(--muted);font-size:14px;max-width:820px;margin-top:.5em}
h3+figure{margin-top:.5em}figure:has(+p){margin-bottom:0}figure+p{margin-bottom:2em}
figure svg{display:block;box-sizing:border-box;max-width:100%;height:auto;background:var(--card);border-radius:6px;padding:6px}
code{font-size:90%}.note{color:var(--muted);font-size:14px}.warning{color:var(--warn);font-weight:bold}`

/** A rendered figure: its title, inline SVG and caption. */
export const figureHtml = (figure: RenderedFigure) =>
  `<figure id="${figure.id}"><h3>${escapeHtml(figure.title)}</h3>${figure.svg}<figcaption>${escapeHtml(figure.caption)}</figcaption></figure>`

/** A complete document around `body` (HTML). */
export const htmlPage = (title: string, body: string) =>
  `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">` +
  `<title>${escapeHtml(title)}</title><style>${style}</style></head>
<body>
${body}
</body></html>
`
