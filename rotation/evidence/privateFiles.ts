/**
 * Files the rotation keeps on the host (Node's compile cache, update markers) are trusted only
 * when this user owns them and they are reached without a symbolic link: a directory another
 * user can write to (the system's temporary directory, a shared home) could otherwise plant code
 * to run or evidence that releases a live stack lock.
 */
import { closeSync, constants, fstatSync, lstatSync, mkdirSync, openSync, readFileSync, Stats, writeSync } from "node:fs";

/** This process's user id; undefined where there are no POSIX owners (Windows). */
function uid(): number | undefined {
    return typeof process.getuid === "function" ? process.getuid() : undefined;
}

/** Whether `stats` belong to this user (always, where there are no POSIX owners). */
function ownedByMe(stats: Stats): boolean {
    const me = uid();
    return me === undefined || stats.uid === me;
}

/**
 * `dir`, created when missing with mode 0700, when it is a real directory (not a symbolic link)
 * owned by this user and closed to group and others; otherwise undefined (then it is not used).
 */
export function privateDirectory(dir: string): string | undefined {
    try {
        mkdirSync(dir, { recursive: true, mode: 0o700 });
        const stats = lstatSync(dir);
        return stats.isDirectory() && ownedByMe(stats) && (uid() === undefined || (stats.mode & 0o077) === 0) ? dir : undefined;
    } catch {
        return undefined;
    }
}

/** The text of `file` when it is a regular file owned by this user, opened without following a symbolic link; else undefined. */
export function readOwnFile(file: string): string | undefined {
    let fd: number | undefined;
    try {
        fd = openSync(file, constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0));
        const stats = fstatSync(fd);
        return stats.isFile() && ownedByMe(stats) ? readFileSync(fd, "utf8") : undefined;
    } catch {
        return undefined;
    } finally {
        if (fd !== undefined) {
            closeSync(fd);
        }
    }
}

/** Creates or replaces `file` (mode 0600), never writing through a symbolic link planted in its place; throws then. */
export function writeOwnFile(file: string, text: string): void {
    const fd = openSync(file, constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC | (constants.O_NOFOLLOW ?? 0), 0o600);
    try {
        writeSync(fd, text);
    } finally {
        closeSync(fd);
    }
}
