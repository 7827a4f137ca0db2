/**
 * What procfs says about processes (Linux): this machine's boot, this process's PID namespace,
 * a process's start time, its liveness and its children. Without procfs (macOS, Windows) the
 * identities are undefined, so nothing can be proven about a pid, and liveness falls back to
 * signal 0.
 */
import { readFileSync, readdirSync, readlinkSync } from "node:fs";

function readOrUndefined(read: () => string): string | undefined {
    try {
        return read().trim() || undefined;
    } catch {
        return undefined;
    }
}

/** This boot of this machine (`/proc/sys/kernel/random/boot_id`). */
export function bootId(): string | undefined {
    return readOrUndefined(() => readFileSync("/proc/sys/kernel/random/boot_id", "utf8"));
}

/** This process's PID namespace, e.g. `pid:[4026531836]` (`/proc/self/ns/pid`). */
export function pidNamespace(): string | undefined {
    return readOrUndefined(() => readlinkSync("/proc/self/ns/pid"));
}

/** The fields of `/proc/<pid>/stat` after the command (`state` is field 3), or undefined. */
function statFields(pid: number): string[] | undefined {
    const stat = readOrUndefined(() => readFileSync(`/proc/${pid}/stat`, "utf8"));
    // "<pid> (<command>) <state> <ppid> ...": the command may contain spaces and parentheses.
    return stat === undefined ? undefined : stat.slice(stat.lastIndexOf(")") + 2).split(" ");
}

/** Field 22 of `/proc/<pid>/stat`: clock ticks from boot to the start of `pid`; with the boot id, it names one process. */
export function processStartTime(pid: number): string | undefined {
    return statFields(pid)?.[19];
}

/** Whether `pid` is a live process here: signal 0 probes it; a zombie has exited already. */
export function isRunning(pid: number): boolean {
    try {
        process.kill(pid, 0);
    } catch (error) {
        // EPERM: it exists but belongs to another user.
        return (error as NodeJS.ErrnoException).code === "EPERM";
    }
    const fields = statFields(pid);
    // No procfs: signal 0 is all there is.
    return fields === undefined || fields[0] !== "Z";
}

/** A process with its command line. */
export interface ProcessInfo {
    readonly pid: number;
    readonly argv: readonly string[];
}

/** The running children of `parent`, with their command lines; empty without procfs. */
export function childrenOf(parent: number): ProcessInfo[] {
    let entries: string[];
    try {
        entries = readdirSync("/proc");
    } catch {
        return [];
    }
    const children: ProcessInfo[] = [];
    for (const entry of entries) {
        if (!/^\d+$/.test(entry)) {
            continue;
        }
        const pid = Number(entry);
        if (Number(statFields(pid)?.[1]) !== parent) {
            continue;
        }
        const cmdline = readOrUndefined(() => readFileSync(`/proc/${pid}/cmdline`, "utf8"));
        if (cmdline !== undefined) {
            children.push({ pid, argv: cmdline.split("\0").filter((arg) => arg !== "") });
        }
    }
    return children;
}
