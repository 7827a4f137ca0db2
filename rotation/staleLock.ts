/**
 * Recognising a stack lock left behind by a Pulumi process that no longer runs (a job killed
 * mid-update), so the rotation can release it instead of failing until someone runs
 * `pulumi cancel`. A lock is only ever judged stale on proof: every holder ran on this host and
 * none of their processes is running. Anything else (another host, a live or unknown process,
 * a backend whose lock message names no process) is left alone.
 */
import { readFileSync } from "node:fs";
import { hostname } from "node:os";

/** One lock on a stack, as the DIY backends (file://, azblob://, s3://, gs://) record it. */
export interface LockHolder {
    /** Where the lock lives, as Pulumi prints it. */
    readonly lock: string;
    readonly user: string;
    readonly host: string;
    /** Process id of the `pulumi` command that took the lock. */
    readonly pid: number;
    /** When the lock was taken, as Pulumi prints it (RFC 3339). */
    readonly createdAt: string;
}

/** The facts about this machine's processes that staleness is judged by. */
export interface ProcessProbe {
    /** This host's name, as the Pulumi CLI records it in a lock. */
    readonly hostname: string;
    /** Whether a process with this id exists on this host (a zombie does not count). */
    isRunning(pid: number): boolean;
}

// "  file:///state/.pulumi/locks/organization/p/dev/<id>.json: created by root@runner-1 (pid 4242) at 2026-01-01T10:00:00Z"
const HOLDER = /^\s*(\S+): created by (.*)@(\S+) \(pid (\d+)\) at (\S+)\s*$/;

/** The lock holders listed in a DIY backend's "the stack is currently locked" error, each once. */
export function parseLockHolders(message: string): LockHolder[] {
    const holders = new Map<string, LockHolder>();
    for (const line of message.split(/\r?\n/)) {
        const match = HOLDER.exec(line);
        if (match && !holders.has(match[1])) {
            holders.set(match[1], { lock: match[1], user: match[2], host: match[3], pid: Number(match[4]), createdAt: match[5] });
        }
    }
    return [...holders.values()];
}

/** "pid 4242 on runner-1 since 2026-01-01T10:00:00Z", for each holder. */
export function describeLockHolders(holders: readonly LockHolder[]): string {
    return holders.map((holder) => `pid ${holder.pid} on ${holder.host} since ${holder.createdAt}`).join("; ");
}

/**
 * Why the lock is stale, or `undefined` when that is not proven: it needs at least one holder,
 * and every holder on this host with no running process.
 */
export function staleLockReason(holders: readonly LockHolder[], probe: ProcessProbe): string | undefined {
    if (holders.length === 0 || !holders.every((holder) => holder.host === probe.hostname && !probe.isRunning(holder.pid))) {
        return undefined;
    }
    return `its lock (${describeLockHolders(holders)}) was left by a Pulumi process that is no longer running`;
}

/** Whether `pid` is a live process here: signal 0 probes it; a zombie has exited already. */
function isRunning(pid: number): boolean {
    try {
        process.kill(pid, 0);
    } catch (error) {
        // EPERM: it exists but belongs to another user.
        return (error as NodeJS.ErrnoException).code === "EPERM";
    }
    try {
        // /proc/<pid>/stat: "<pid> (<command>) <state> ..."; the command may contain spaces.
        const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
        return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) !== "Z";
    } catch {
        // No procfs (macOS, Windows): signal 0 is all there is.
        return true;
    }
}

/** This machine. */
export const localProcessProbe: ProcessProbe = { hostname: hostname(), isRunning };
