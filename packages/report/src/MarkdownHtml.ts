/**
 * HTML from the Markdown our run report writes, so that `report.html` says
 * exactly what `report.md` says: headings, pipe tables, bullet lists,
 * paragraphs, **bold** and `code`. An image on a line of its own is handed to
 * `image` (the run report puts the figure's inline SVG there). Only this
 * subset is understood; anything else is an ordinary paragraph.
 */
import { escapeHtml } from "./Html.ts"

const inline = (text: string) =>
  escapeHtml(text).replace(/\*\*(.+?)\*\*/g, "<strong>$1</strong>").replace(/`([^`]+)`/g, "<code>$1</code>")

const cells = (line: string) => line.trim().replace(/^\|/, "").replace(/\|$/, "").split("|").map((c) => c.trim())

const block = (lines: ReadonlyArray<string>, image: (alt: string, src: string) => string): string => {
  const first = lines[0]!
  const heading = /^(#{1,6}) (.*)$/.exec(first)
  if (heading !== null) return `<h${heading[1]!.length}>${inline(heading[2]!)}</h${heading[1]!.length}>`
  const picture = /^!\[(.*)\]\((.*)\)$/.exec(first)
  if (picture !== null && lines.length === 1) return image(picture[1]!, picture[2]!)
  if (lines.length >= 2 && lines.every((l) => l.startsWith("|")) && /^\|( *-+ *\|)+$/.test(lines[1]!.replace(/\s/g, " "))) {
    return `<table><thead><tr>${cells(first).map((c) => `<th>${inline(c)}</th>`).join("")}</tr></thead><tbody>` +
      lines.slice(2).map((row) => `<tr>${cells(row).map((c) => `<td>${inline(c)}</td>`).join("")}</tr>`).join("") +
      "</tbody></table>"
  }
  if (lines.every((l) => l.startsWith("- "))) return `<ul>${lines.map((l) => `<li>${inline(l.slice(2))}</li>`).join("")}</ul>`
  return `<p>${inline(lines.join(" "))}</p>`
}

/** The HTML of `markdown`, block by block (blocks are separated by blank lines; a heading is a block of its own). */
export const markdownToHtml = (markdown: string, image: (alt: string, src: string) => string): string => {
  const blocks: Array<Array<string>> = [[]]
  for (const line of markdown.split("\n")) {
    if (line.trim() === "") blocks.push([])
    else if (/^#{1,6} /.test(line)) blocks.push([line], [])
    else blocks[blocks.length - 1]!.push(line)
  }
  return blocks.filter((b) => b.length > 0).map((b) => block(b, image)).join("\n")
}
