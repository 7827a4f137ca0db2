/**
 * `apim-gateway-rotate` as users run it: compiled by the project's build (tsconfig.build.json,
 * into a temporary directory rather than the repository's dist/), run as `node cli.js`.
 */
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";

const REPOSITORY = path.resolve(__dirname, "..", "..");

let built: Promise<string> | undefined;

/** Compiles the program once per test process; resolves to its `cli.js`. */
export function buildRotationProgram(): Promise<string> {
    return (built ??= (async () => {
        const dir = mkdtempSync(path.join(tmpdir(), "apim-gateway-e2e-build-"));
        process.once("exit", () => rmSync(dir, { recursive: true, force: true }));
        // The build's dependencies resolve from here as they do from the repository's dist/.
        symlinkSync(path.join(REPOSITORY, "node_modules"), path.join(dir, "node_modules"));
        const tsc = path.join(REPOSITORY, "node_modules", "typescript", "bin", "tsc");
        await promisify(execFile)(
            process.execPath,
            [tsc, "-p", path.join(REPOSITORY, "tsconfig.build.json"), "--outDir", path.join(dir, "dist")],
            { cwd: REPOSITORY, timeout: 5 * 60_000 },
        );
        return path.join(dir, "dist", "rotation", "cli.js");
    })());
}
