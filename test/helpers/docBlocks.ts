/**
 * The shell command blocks of README.md and docs/*.md, for the tests that run them as written and
 * for the inventory in docs/tests.md ("Command blocks"), which says of every block which test runs
 * it or why none can here. A block is named by its page and its first line.
 */
import * as fs from "node:fs";
import * as path from "node:path";

export const REPOSITORY_ROOT = path.resolve(__dirname, "../..");

/** The info strings of a fenced block that holds commands to type. */
const SHELL_INFO = /^(sh|bash|shell|console)$/;

/** One fenced shell block. */
export interface CommandBlock {
    /** The Markdown file, relative to the repository (`README.md`, `docs/rotation.md`). */
    readonly page: string;
    /** The block's first line, as written (its indentation removed). */
    readonly firstLine: string;
    /** Every line of the block, its indentation removed. */
    readonly lines: readonly string[];
}

/** The shell blocks of `page`, in order. */
export function commandBlocks(page: string): CommandBlock[] {
    const blocks: CommandBlock[] = [];
    let open: { indent: number; lines: string[] } | undefined;
    let fenced = false;
    for (const line of fs.readFileSync(path.join(REPOSITORY_ROOT, page), "utf8").split("\n")) {
        const fence = /^( *)```(\S*)\s*$/.exec(line);
        if (fence !== null) {
            if (open !== undefined) {
                blocks.push({ page, firstLine: open.lines[0] ?? "", lines: open.lines });
                open = undefined;
            } else if (!fenced && SHELL_INFO.test(fence[2])) {
                open = { indent: fence[1].length, lines: [] };
            } else {
                fenced = !fenced;
            }
            continue;
        }
        open?.lines.push(line.slice(Math.min(open.indent, line.length - line.trimStart().length)));
    }
    return blocks;
}

/** The block of `page` whose first line is `firstLine`; throws when the page has none (the doc changed). */
export function docBlock(page: string, firstLine: string): CommandBlock {
    const block = commandBlocks(page).find((candidate) => candidate.firstLine === firstLine);
    if (block === undefined) {
        throw new Error(`${page} has no shell block starting ${JSON.stringify(firstLine)}: update the test with the doc`);
    }
    return block;
}
