/**
 * Recognising a stack lock left behind by a Pulumi process that no longer runs (a job killed
 * mid-update), so the rotation can release it instead of failing until someone runs
 * `pulumi cancel`. Pure: the facts are gathered by a {@link ProcessProbe}.
 *
 * A DIY backend's lock names the host and the pid of the `pulumi` process that took it. A pid
 * means something only in one PID namespace on one boot: containers of one pod share a host name
 * but not their PIDs, so "pid 42 is not running here" says nothing about pid 42 of a sibling
 * container, which may be updating the stack right now. The rule, per lock holder:
 *
 * 1. Its host is not ours: never released (its processes cannot be checked from here).
 * 2. This rotation recorded, when a Pulumi process it started took an update of this stack, a
 *    marker with that process's pid and start time, the boot id and the PID namespace. With a
 *    marker for the holder's pid, from this boot and this PID namespace, the holder is gone when
 *    no process has that pid or the one that has it started at another time (a reused pid).
 * 3. Without such a marker, only `--release-stale-locks` releases it, and only when no process
 *    here has its pid: the operator vouches that nothing else shares this host name.
 *
 * The lock is released only when every holder is judged gone.
 */

/** The hold on one stack's mutex; `release()` frees it. */
export interface HostHold {
    release(): Promise<void>;
}

/** Why a stack's mutex could not be taken: held by another process, or no abstract sockets here. */
export type HostMutexRefusal = "held" | "unsupported";

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

/** Where pids mean something: a host name, and (with procfs) one boot and one PID namespace. */
export interface ProcessNamespace {
    /** This host's name, as the Pulumi CLI records it in a lock. */
    readonly hostname: string;
    /** `/proc/sys/kernel/random/boot_id`; undefined without procfs. */
    readonly bootId?: string;
    /** `/proc/self/ns/pid`, e.g. `pid:[4026531836]`; undefined without procfs. */
    readonly pidNamespace?: string;
}

/** Recorded by the rotation when a Pulumi process it started took an update of `stack`. */
export interface UpdateMarker {
    readonly stack: string;
    readonly pid: number;
    /** Field 22 of `/proc/<pid>/stat`: clock ticks from boot to the process's start. */
    readonly startTime: string;
    readonly host: string;
    readonly bootId: string;
    readonly pidNamespace: string;
    /** ISO 8601, for people reading the file. */
    readonly recordedAt: string;
}

/** The process that has a pid here now: none, or one started at `startTime` (when readable). */
export type PidState = { readonly running: false } | { readonly running: true; readonly startTime?: string };

/** What is known about one lock holder. */
export interface HolderEvidence {
    readonly holder: LockHolder;
    /** The marker recorded for the holder's pid in this boot and PID namespace, if any. */
    readonly marker?: UpdateMarker;
    /** The holder's pid as seen from here. */
    readonly now: PidState;
}

/** Whether to release a stack's lock, and why (or why not), for the operator. */
export interface StaleLockDecision {
    readonly release: boolean;
    readonly reason: string;
}

/**
 * The seam to this machine's processes: its namespace, the evidence about lock holders, and the
 * recording of markers while an update runs.
 */
export interface ProcessProbe {
    readonly here: ProcessNamespace;
    /** What is known about each holder of a lock on `stack`. */
    evidence(holders: readonly LockHolder[]): HolderEvidence[];
    /**
     * Records a marker for each Pulumi process this process starts for `stack` until `stop()`,
     * which removes them (the CLI releases its lock when it ends); call it around every update.
     */
    trackUpdate(stack: string): { stop(): void };
    /** Removes the markers of holders whose lock was released. */
    forget(holders: readonly LockHolder[]): void;
    /**
     * Takes this host's mutex for releasing `stack`'s lock, without waiting; a
     * refusal says another rotation here holds it, or that this platform has none.
     */
    holdStack(stack: string): Promise<HostHold | HostMutexRefusal>;
}

/** Whether `a` and `b` name exactly the same locks (file, process, host and time), in any order. */
export function sameHolders(a: readonly LockHolder[], b: readonly LockHolder[]): boolean {
    const key = (holder: LockHolder) => JSON.stringify([holder.lock, holder.pid, holder.host, holder.user, holder.createdAt]);
    const keys = new Set(a.map(key));
    return a.length === b.length && keys.size === new Set(b.map(key)).size && b.every((holder) => keys.has(key(holder)));
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
 * Whether `marker` is this boot's and this PID namespace's record of `holder` taking an update of `stack`.
 * A marker's boot id and namespace are strings: without procfs (undefined here) no marker matches.
 */
function provesSameNamespace(stack: string, holder: LockHolder, marker: UpdateMarker | undefined, here: ProcessNamespace): boolean {
    return (
        marker !== undefined &&
        marker.stack === stack &&
        marker.pid === holder.pid &&
        marker.host === holder.host &&
        marker.bootId === here.bootId &&
        marker.pidNamespace === here.pidNamespace
    );
}

/**
 * Whether one holder is gone: why it is kept, or what qualifies its release beyond "has exited" (a
 * release's reason names every holder at once).
 */
type HolderJudgement = { readonly gone: true; readonly note?: string } | { readonly gone: false; readonly reason: string };

function judgeHolder(
    stack: string,
    { holder, marker, now }: HolderEvidence,
    here: ProcessNamespace,
    releaseStaleLocks: boolean,
): HolderJudgement {
    const who = `pid ${holder.pid} on ${holder.host}`;
    if (holder.host !== here.hostname) {
        return { gone: false, reason: `${who} ran on another host, whose processes cannot be checked from here` };
    }
    if (provesSameNamespace(stack, holder, marker, here)) {
        if (!now.running) {
            return { gone: true };
        }
        if (now.startTime !== undefined && marker?.startTime !== now.startTime) {
            return { gone: true, note: `pid ${holder.pid} now belongs to a process started later` };
        }
        return { gone: false, reason: `${who} is still running` };
    }
    if (now.running) {
        return { gone: false, reason: `${who} is running` };
    }
    if (releaseStaleLocks) {
        return {
            gone: true,
            note: `released on --release-stale-locks: no marker proves pid ${holder.pid} ran in this PID namespace`,
        };
    }
    return {
        gone: false,
        reason:
            `${who} is not running here, but no marker shows it was started by a rotation in this PID namespace and boot ` +
            "(a container sharing this host name may hold it): once no other update runs, pass --release-stale-locks " +
            `or run \`pulumi cancel --stack ${stack}\``,
    };
}

/**
 * Whether the lock on `stack` is stale, by the rule at the top of this module. `here` is this
 * process's namespace; `releaseStaleLocks` is the operator's `--release-stale-locks`.
 */
export function decideStaleLock(
    stack: string,
    evidence: readonly HolderEvidence[],
    here: ProcessNamespace,
    releaseStaleLocks: boolean,
): StaleLockDecision {
    if (evidence.length === 0) {
        return { release: false, reason: "the backend names no lock holder (Pulumi Cloud, or an unknown lock format)" };
    }
    const judged = evidence.map((item) => judgeHolder(stack, item, here, releaseStaleLocks));
    for (const judgement of judged) {
        if (!judgement.gone) {
            return { release: false, reason: judgement.reason };
        }
    }
    const holders = evidence.map((item) => item.holder);
    const notes = judged.flatMap((judgement) => (judgement.gone && judgement.note !== undefined ? [judgement.note] : []));
    return {
        release: true,
        reason:
            `its lock (${describeLockHolders(holders)}) was left by a Pulumi process that is no longer running` +
            (notes.length > 0 ? ` (${notes.join("; ")})` : ""),
    };
}
