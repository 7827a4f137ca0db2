/**
 * Every shell block of README.md and docs/ is accounted for in docs/tests.md's "Command blocks"
 * table: run as written by a test (which reads it with `docBlock`, so an edit to the block is what
 * the test runs), or not run here, with why. A new block, a changed first line or a stale row fails.
 */
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { CommandBlock, REPOSITORY_ROOT, commandBlocks } from "../helpers/docBlocks";
import { markdownPages } from "../helpers/markdownLinks";

const INVENTORY_PAGE = "docs/tests.md";
const INVENTORY_HEADING = "## Command blocks";

/** One row of the inventory. */
interface InventoryRow {
    readonly page: string;
    readonly firstLine: string;
    /** The test files that run the block; empty when it is not run here. */
    readonly runBy: readonly string[];
    readonly how: string;
}

/** A table cell's text: `\|` unescaped, one pair of backticks removed. */
const cell = (text: string) =>
    text
        .trim()
        .replace(/\\\|/g, "|")
        .replace(/^`(.*)`$/, "$1");

function inventory(): InventoryRow[] {
    const text = fs.readFileSync(path.join(REPOSITORY_ROOT, INVENTORY_PAGE), "utf8");
    const section = text.split(/^(?=## )/m).find((part) => part.startsWith(`${INVENTORY_HEADING}\n`));
    assert.ok(section, `${INVENTORY_PAGE} has a "${INVENTORY_HEADING}" section`);
    return section
        .split("\n")
        .filter((line) => line.startsWith("| ") && !line.startsWith("| Page ") && !/^\| -/.test(line))
        .map((line) => {
            const cells = line.slice(1, -1).split(/(?<!\\)\|/);
            assert.equal(cells.length, 3, `a row of three cells: ${line}`);
            const how = cells[2].trim();
            const runBy = /^run by /.test(how) ? [...how.matchAll(/`([^`]+)`/g)].map(([, file]) => file) : [];
            return { page: cell(cells[0]), firstLine: cell(cells[1]), runBy, how };
        });
}

const key = (block: { page: string; firstLine: string }) => `${block.page}: ${block.firstLine}`;

describe(`${INVENTORY_PAGE}: every shell block of the docs, run or listed`, () => {
    let blocks: CommandBlock[];
    let rows: InventoryRow[];
    before(() => {
        blocks = markdownPages(REPOSITORY_ROOT).flatMap(commandBlocks);
        rows = inventory();
    });

    it("names each block of a page by a first line no other block of that page starts with", () => {
        const keys = blocks.map(key);
        assert.deepEqual(
            keys.filter((name, index) => keys.indexOf(name) !== index),
            [],
            "give the block a distinct first line (a comment saying what it is for)",
        );
    });

    it("lists every block, once", () => {
        const listed = new Set(rows.map(key));
        const missing = blocks.filter((block) => !listed.has(key(block)));
        assert.deepEqual(
            missing.map((block) => `| ${block.page} | \`${block.firstLine.replace(/\|/g, "\\|")}\` | run by … or not run here: … |`),
            [],
            `add these rows to ${INVENTORY_PAGE}`,
        );
        assert.equal(listed.size, rows.length, "no block listed twice");
    });

    it("lists no block the docs no longer have", () => {
        const present = new Set(blocks.map(key));
        assert.deepEqual(rows.filter((row) => !present.has(key(row))).map(key), []);
    });

    it("says of each block which test runs it, or why none does here", () => {
        for (const row of rows) {
            assert.ok(row.runBy.length > 0 || /^not run here( as (written|a block))?: \S/.test(row.how), `${key(row)}: "${row.how}"`);
        }
    });

    it("names, for a block run by a test, a test that reads that very block", () => {
        for (const row of rows) {
            for (const file of row.runBy) {
                const source = fs.readFileSync(path.join(REPOSITORY_ROOT, file), "utf8");
                assert.ok(
                    source.includes(JSON.stringify(row.page)) && source.includes(JSON.stringify(row.firstLine)),
                    `${file} reads the block with docBlock(${JSON.stringify(row.page)}, ${JSON.stringify(row.firstLine)})`,
                );
            }
        }
    });
});
