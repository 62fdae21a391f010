// Keeps docs/plugins.md honest: every code block it marks with `<!-- file: examples/greeter/… -->` must
// appear verbatim in that file, and every TypeScript block must be so marked, so the guide cannot drift
// from the example it teaches.
import { readFile } from "node:fs/promises"
import { fileURLToPath } from "node:url"
import { describe, expect, it } from "vitest"

const root = fileURLToPath(new URL("../../", import.meta.url))
const MARKER = /^<!-- file: (examples\/greeter\/[^\s]+) -->$/
const IGNORE = "<!-- prettier-ignore -->"

interface Block {
  /** 1-based line of the opening fence. */
  readonly line: number
  readonly lang: string
  /** The file named by a marker on the last non-blank line before the fence, if any. */
  readonly file: string | null
  /** The block's text, each line ending with a newline. */
  readonly text: string
}

/** The fenced code blocks of a Markdown text (``` fences, not nested). */
export const fencedBlocks = (markdown: string): Block[] => {
  const lines = markdown.split("\n")
  const blocks: Block[] = []
  for (let i = 0; i < lines.length; i++) {
    const open = /^```(\S*)\s*$/.exec(lines[i]!)
    if (open === null) continue
    const end = lines.findIndex((line, j) => j > i && line.trimEnd() === "```")
    if (end === -1) throw new Error(`unclosed code block at line ${i + 1}`)
    // Above the fence: the marker, then (so that Prettier leaves the quote as the file has it) an optional
    // `<!-- prettier-ignore -->`, with the blank lines Prettier puts between them.
    let above = i - 1
    while (above >= 0 && (lines[above]!.trim() === "" || lines[above]!.trim() === IGNORE)) above--
    const marker = above >= 0 ? MARKER.exec(lines[above]!.trim()) : null
    blocks.push({
      line: i + 1,
      lang: open[1]!,
      file: marker?.[1] ?? null,
      text: lines
        .slice(i + 1, end)
        .map((line) => line + "\n")
        .join(""),
    })
    i = end
  }
  return blocks
}

const guide = await readFile(`${root}docs/plugins.md`, "utf8")
const blocks = fencedBlocks(guide)
const quoted = blocks.filter((block) => block.file !== null)

describe("docs/plugins.md", () => {
  it("quotes the greeter's code, from each of its source files and its test", () => {
    expect(new Set(quoted.map((block) => block.file))).toEqual(
      new Set([
        "examples/greeter/package.json",
        "examples/greeter/src/index.ts",
        "examples/greeter/src/messages.ts",
        "examples/greeter/src/machine.ts",
        "examples/greeter/src/actors.ts",
        "examples/greeter/src/config.ts",
        "examples/greeter/test/greeter.test.ts",
      ]),
    )
  })

  it("names the greeter file of every TypeScript block", () => {
    const unmarked = blocks.filter((block) => block.lang === "ts" && block.file === null)
    expect(unmarked.map((block) => `line ${block.line}`)).toEqual([])
  })

  it.each(quoted.map((block) => [`${block.file} (guide line ${block.line})`, block] as const))(
    "quotes %s verbatim",
    async (_, block) => {
      const source = await readFile(`${root}${block.file}`, "utf8")
      expect(block.text.trim()).not.toBe("")
      // Whole lines only: the excerpt starts at a line start in the file.
      expect(
        `\n${source}`.includes(`\n${block.text}`),
        `${block.file} no longer contains:\n${block.text}`,
      ).toBe(true)
    },
  )

  it("finds blocks and their markers as described", () => {
    const sample = [
      "<!-- file: examples/greeter/src/a.ts -->",
      "",
      "<!-- prettier-ignore -->",
      "```ts",
      "const a = 1",
      "```",
      "text",
      "```ts",
      "free",
      "```",
    ].join("\n")
    expect(fencedBlocks(sample)).toEqual([
      { line: 4, lang: "ts", file: "examples/greeter/src/a.ts", text: "const a = 1\n" },
      { line: 8, lang: "ts", file: null, text: "free\n" },
    ])
  })
})
