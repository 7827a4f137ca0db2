/**
 * Replaces a file atomically: the text goes to a temporary file in the same directory, which is
 * then renamed over the target, so a reader (node_exporter's textfile collector scraping `*.prom`)
 * sees the old file or the new one, never half of one. The temporary name does not end in `.prom`.
 */
import { randomBytes } from "node:crypto";
import { rename, rm, writeFile } from "node:fs/promises";
import * as path from "node:path";

/** Writes `text` to `file` (mode 0644), replacing it atomically; no temporary file is left behind. */
export async function replaceFileAtomically(file: string, text: string): Promise<void> {
    const target = path.resolve(file);
    const temporary = path.join(path.dirname(target), `.${path.basename(target)}.${process.pid}.${randomBytes(6).toString("hex")}.tmp`);
    try {
        await writeFile(temporary, text, { encoding: "utf8", mode: 0o644, flag: "wx" });
        await rename(temporary, target);
    } catch (error) {
        await rm(temporary, { force: true });
        throw error;
    }
}
