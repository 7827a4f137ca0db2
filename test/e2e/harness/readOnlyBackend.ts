/**
 * A state backend that the rotation may read but not write, as one whose storage credentials
 * lost write access: the local file backend's directories and files without write permission,
 * and the program run without the capabilities that let root write anyway.
 */
import { chmodSync, readdirSync, statSync } from "node:fs";
import * as path from "node:path";

/**
 * The command prefix that runs a program without the capabilities that override file
 * permissions (CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH, CAP_FOWNER) when this suite runs as root,
 * so the permissions decide as they do for any other user; nothing otherwise.
 */
export function withoutPermissionOverride(): string[] {
    return process.getuid?.() === 0 ? ["setpriv", "--bounding-set", "-dac_override,-dac_read_search,-fowner", "--"] : [];
}

/** Removes every write permission under `dir` (itself included); returns what puts the old modes back. */
export function makeReadOnly(dir: string): () => void {
    const modes = new Map<string, number>();
    const walk = (current: string) => {
        const mode = statSync(current).mode & 0o7777;
        modes.set(current, mode);
        if (statSync(current).isDirectory()) {
            for (const entry of readdirSync(current)) {
                walk(path.join(current, entry));
            }
        }
        chmodSync(current, mode & ~0o222);
    };
    walk(dir);
    return () => {
        for (const [file, mode] of modes) {
            chmodSync(file, mode);
        }
    };
}
