/**
 * Which unit tests import a folder's modules directly: pure (file paths and texts in, paths out), so
 * that a test written later for a folder joins its mutation run without anyone editing a table.
 */
import * as path from "node:path";
import * as ts from "typescript";

/**
 * The test files (repository-relative, `/`-separated) whose relative imports resolve into `folder`.
 * `tests` maps each test file to its text.
 */
export function importersOf(folder: string, tests: ReadonlyMap<string, string>): string[] {
    const inside = `${path.posix.normalize(folder).replace(/\/$/, "")}/`;
    const found: string[] = [];
    for (const [file, text] of tests) {
        // TypeScript's own pre-processor, as test/rotation/structure.test.ts reads imports: type-only
        // imports, re-exports and side-effect imports all count.
        for (const { fileName: specifier } of ts.preProcessFile(text, true, false).importedFiles) {
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
