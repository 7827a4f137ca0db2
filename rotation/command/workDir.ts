/** Finds the Pulumi project directory the rotation program operates on. */
import { existsSync, statSync } from "node:fs";
import { homedir } from "node:os";
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

/** Whether `dir` is a repository's root (a `.git` directory, or a worktree's `.git` file). */
function isRepositoryRoot(dir: string): boolean {
    return existsSync(path.join(dir, ".git"));
}

/** Whether users other than its owner may create files in `dir` (the system's temporary directory). */
function writableByOthers(dir: string): boolean {
    try {
        return (statSync(dir).mode & 0o022) !== 0;
    } catch {
        return true;
    }
}

/**
 * The nearest project directory at or above `start`, within its repository or home directory: the
 * search stops after a repository's root or `home`, and never enters a directory that others may
 * write to, where anyone could leave a Pulumi.yaml for the rotation to run.
 */
function findUpwards(start: string, home: string): string | undefined {
    for (let dir = path.resolve(start); ; dir = path.dirname(dir)) {
        if (isProjectDir(dir)) {
            return dir;
        }
        const parent = path.dirname(dir);
        if (parent === dir || isRepositoryRoot(dir) || dir === home || writableByOthers(parent)) {
            return undefined;
        }
    }
}

/**
 * The project directory: `explicit` (`--work-dir`, relative to `cwd`) when given, else the nearest
 * directory with a Pulumi.yaml above each of `searchFrom` in turn (the current directory first,
 * then the program's own location, so `npx apim-gateway-rotate` works from anywhere in a checkout),
 * within the repository or `home` (see {@link findUpwards}).
 */
export function resolveWorkDir(explicit: string | undefined, cwd: string, searchFrom: readonly string[], home: string = homedir()): string {
    if (explicit !== undefined) {
        const dir = path.resolve(cwd, explicit);
        if (!isProjectDir(dir)) {
            throw new WorkDirError(`--work-dir ${explicit}: no Pulumi.yaml in ${dir}; pass the directory of the project's Pulumi.yaml`);
        }
        return dir;
    }
    for (const start of searchFrom) {
        const found = findUpwards(start, path.resolve(home));
        if (found !== undefined) {
            return found;
        }
    }
    throw new WorkDirError(
        `no Pulumi.yaml found above ${searchFrom.join(" or ")} (the search stops at a repository's root, the home directory ` +
            "and directories others can write to); run from the Pulumi project or pass --work-dir DIR",
    );
}
