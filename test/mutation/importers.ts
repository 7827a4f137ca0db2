/**
 * Which unit tests import a folder's modules directly: pure (file paths and texts in, paths out), so
 * that a test written later for a folder joins its mutation run without anyone editing a table.
 */
import * as path from "node:path";

/** The module specifier of every static `import … from "…"` and `export … from "…"` in a text. */
const IMPORT_FROM = /\bfrom\s+"([^"\n]{1,300})"/g;

/**
 * The test files (repository-relative, `/`-separated) whose relative imports resolve into `folder`.
 * `tests` maps each test file to its text.
 */
export function importersOf(folder: string, tests: ReadonlyMap<string, string>): string[] {
    const inside = `${path.posix.normalize(folder).replace(/\/$/, "")}/`;
    const found: string[] = [];
    for (const [file, text] of tests) {
        for (const match of text.matchAll(IMPORT_FROM)) {
            const specifier = match[1];
            if (!specifier.startsWith(".")) continue;
            const target = path.posix.join(path.posix.dirname(file), specifier);
            if (`${target}/`.startsWith(inside)) {
                found.push(file);
                break;
            }
        }
    }
    return found.sort();
}
