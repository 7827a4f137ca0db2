/**
 * The evidence behind {@link decideStaleLock}: while an update runs, a marker file per Pulumi
 * process this rotation started for the stack (pid, start time, boot id, PID namespace); later,
 * what those markers and procfs say about a lock's holders.
 *
 * Markers live in `$PULUMI_HOME/apim-gateway-rotate/updates` (default `~/.pulumi`), one file per
 * boot, PID namespace and pid, so rotations in containers sharing that directory never read each
 * other's. A marker is removed when its update ends (the CLI released its lock); it outlives only
 * a run killed mid-update, which is what lets the next run in the same container release the lock.
 * A marker is believed only when this user owns it and it is read without following a symbolic
 * link, in a directory of this user's closed to others: a planted marker would
 * otherwise release a live lock.
 */
import { createHash } from "node:crypto";
import { rmSync } from "node:fs";
import { homedir, hostname } from "node:os";
import * as path from "node:path";
import { tryHoldHostMutex } from "./hostMutex";
import { privateDirectory, readOwnFile, writeOwnFile } from "./privateFiles";
import { bootId, childrenOf, isRunning, pidNamespace, processStartTime } from "./processIdentity";
import {
    HolderEvidence,
    LockHolder,
    PidState,
    ProcessNamespace,
    ProcessProbe,
    StaleLockDecision,
    UpdateMarker,
    decideStaleLock,
} from "../policy/staleLock";

/** How often a running update's Pulumi process is looked for until found. */
const TRACK_INTERVAL_MS = 200;

/** Where markers are kept for a process with this environment. */
export function markerDir(env: NodeJS.ProcessEnv): string {
    return path.join(env.PULUMI_HOME || path.join(homedir(), ".pulumi"), "apim-gateway-rotate", "updates");
}

/** Whether `argv` is a `pulumi` command on `stack` (`--stack NAME`, `--stack=NAME`, `-s NAME`; NAME possibly `org/project/NAME`). */
export function isPulumiCommandOn(argv: readonly string[], stack: string): boolean {
    if (argv.length === 0 || path.basename(argv[0]) !== "pulumi") {
        return false;
    }
    const names = argv.flatMap((arg, index) =>
        arg.startsWith("--stack=")
            ? [arg.slice("--stack=".length)]
            : (arg === "--stack" || arg === "-s") && index + 1 < argv.length
              ? [argv[index + 1]]
              : [],
    );
    return names.some((name) => name === stack || name.endsWith(`/${stack}`));
}

function isMarker(value: unknown): value is UpdateMarker {
    const marker = value as Partial<UpdateMarker> | null;
    return (
        typeof marker === "object" &&
        marker !== null &&
        typeof marker.stack === "string" &&
        typeof marker.pid === "number" &&
        typeof marker.startTime === "string" &&
        typeof marker.host === "string" &&
        typeof marker.bootId === "string" &&
        typeof marker.pidNamespace === "string"
    );
}

/** Facts about processes, injectable so the probe's file handling is testable anywhere. */
export interface ProcessFacts {
    readonly here: ProcessNamespace;
    /** The pid of this process, whose children are the Pulumi commands it runs. */
    readonly self: number;
    isRunning(pid: number): boolean;
    startTime(pid: number): string | undefined;
    children(pid: number): { pid: number; argv: readonly string[] }[];
}

/** This process and this machine, through procfs. */
export function localProcessFacts(): ProcessFacts {
    return {
        here: { hostname: hostname(), bootId: bootId(), pidNamespace: pidNamespace() },
        self: process.pid,
        isRunning,
        startTime: processStartTime,
        children: childrenOf,
    };
}

/** A {@link ProcessProbe} keeping its markers in `dir`. */
export function createProcessProbe(
    dir: string,
    facts: ProcessFacts = localProcessFacts(),
    clock: () => Date = () => new Date(),
): ProcessProbe {
    const { here } = facts;
    // Boot and namespace in the file name: markers of other containers are never even opened.
    const namespaceKey =
        here.bootId !== undefined && here.pidNamespace !== undefined
            ? createHash("sha256").update(`${here.bootId}\n${here.pidNamespace}`).digest("hex").slice(0, 16)
            : undefined;
    const markerFile = (pid: number): string | undefined =>
        namespaceKey === undefined ? undefined : path.join(dir, `${namespaceKey}-${pid}.json`);

    const readMarker = (pid: number): UpdateMarker | undefined => {
        const file = markerFile(pid);
        const text = file === undefined || privateDirectory(dir) === undefined ? undefined : readOwnFile(file);
        try {
            const parsed: unknown = text === undefined ? undefined : JSON.parse(text);
            return isMarker(parsed) ? parsed : undefined;
        } catch {
            return undefined;
        }
    };
    const removeMarker = (pid: number): void => {
        const file = markerFile(pid);
        if (file !== undefined) {
            rmSync(file, { force: true });
        }
    };

    return {
        here,
        evidence(holders: readonly LockHolder[]): HolderEvidence[] {
            return holders.map((holder) => {
                const running = holder.host === here.hostname && facts.isRunning(holder.pid);
                const startTime = running ? facts.startTime(holder.pid) : undefined;
                const now: PidState = running ? { running: true, ...(startTime !== undefined ? { startTime } : {}) } : { running: false };
                const marker = holder.host === here.hostname ? readMarker(holder.pid) : undefined;
                return { holder, now, ...(marker !== undefined ? { marker } : {}) };
            });
        },
        trackUpdate(stack: string) {
            const recorded = new Set<number>();
            const record = (): void => {
                for (const child of facts.children(facts.self)) {
                    const file = markerFile(child.pid);
                    const startTime = facts.startTime(child.pid);
                    if (recorded.has(child.pid) || file === undefined || startTime === undefined || !isPulumiCommandOn(child.argv, stack)) {
                        continue;
                    }
                    const marker: UpdateMarker = {
                        stack,
                        pid: child.pid,
                        startTime,
                        host: here.hostname,
                        bootId: here.bootId as string,
                        pidNamespace: here.pidNamespace as string,
                        recordedAt: clock().toISOString(),
                    };
                    try {
                        if (privateDirectory(dir) !== undefined) {
                            writeOwnFile(file, `${JSON.stringify(marker, undefined, 2)}\n`);
                        }
                        recorded.add(child.pid);
                    } catch {
                        // Unwritable (read-only home, a link in the marker's place): a lock this update leaves then needs
                        // --release-stale-locks.
                        recorded.add(child.pid);
                    }
                }
            };
            record();
            const timer = namespaceKey === undefined ? undefined : setInterval(record, TRACK_INTERVAL_MS);
            timer?.unref();
            return {
                stop: () => {
                    clearInterval(timer);
                    recorded.forEach(removeMarker);
                },
            };
        },
        forget(holders: readonly LockHolder[]): void {
            holders.forEach((holder) => removeMarker(holder.pid));
        },
        // Keyed by the stack's own name (its last part), so `dev` and `organization/p/dev` share one.
        holdStack: (stack) => tryHoldHostMutex(stack.slice(stack.lastIndexOf("/") + 1)),
    };
}

/** {@link decideStaleLock} over what `probe` knows about `holders`. */
export function judgeLock(
    stack: string,
    holders: readonly LockHolder[],
    probe: ProcessProbe,
    releaseStaleLocks: boolean,
): StaleLockDecision {
    return decideStaleLock(stack, probe.evidence(holders), probe.here, releaseStaleLocks);
}
