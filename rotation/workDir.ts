/** Finds the Pulumi project directory the rotation program operates on. */
import { existsSync } from "node:fs";
import * as path from "node:path";

const PROJECT_FILES = ["Pulumi.yaml", "Pulumi.yml"];

/** No project directory could be found; the message says how to name one. */
export class WorkDirError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "WorkDirError";
    }
}

function isProjectDir(dir: string): boolean {
    return PROJECT_FILES.some((file) => existsSync(path.join(dir, file)));
}

function findUpwards(start: string): string | undefined {
    for (let dir = path.resolve(start); ; dir = path.dirname(dir)) {
        if (isProjectDir(dir)) {
            return dir;
        }
        if (path.dirname(dir) === dir) {
            return undefined;
        }
    }
}

/**
 * The project directory: `explicit` (`--work-dir`, relative to `cwd`) when given, else the nearest
 * directory with a Pulumi.yaml above each of `searchFrom` in turn (the current directory first,
 * then the program's own location, so `npx apim-gateway-rotate` works from anywhere in a checkout).
 */
export function resolveWorkDir(explicit: string | undefined, cwd: string, searchFrom: readonly string[]): string {
    if (explicit !== undefined) {
        const dir = path.resolve(cwd, explicit);
        if (!isProjectDir(dir)) {
            throw new WorkDirError(`--work-dir ${explicit}: no Pulumi.yaml in ${dir}; pass the directory of the project's Pulumi.yaml`);
        }
        return dir;
    }
    for (const start of searchFrom) {
        const found = findUpwards(start);
        if (found !== undefined) {
            return found;
        }
    }
    throw new WorkDirError(
        `no Pulumi.yaml found above ${searchFrom.join(" or ")}; run from the Pulumi project or pass --work-dir DIR`,
    );
}
