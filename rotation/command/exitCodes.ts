import { RunReport, StackReport } from "../model/runReport";

/** Every stack is fine: rotated, not due, previewed, fresh or not applicable. */
export const EXIT_OK = 0;
/**
 * A unit failed, was blocked or not found, a key regeneration failed, (`--check`) a token is due,
 * expired or invalidated, or (`--event`) no selected stack holds an event's gateway.
 */
export const EXIT_FAILED = 1;
/** Bad command line; the help is printed. */
export const EXIT_USAGE = 2;
/** Cancelled by SIGINT (128 + 2). */
export const EXIT_SIGINT = 130;
/** Cancelled by SIGTERM (128 + 15). */
export const EXIT_SIGTERM = 143;

function needsAttention(stack: StackReport): boolean {
    return (
        ["due", "expired", "invalidated", "blocked", "not-found", "failed"].includes(stack.result) ||
        stack.keyRegeneration?.status === "failed"
    );
}

/** The exit code for the worst outcome of the run; `signal` is the one that cancelled it, if any. */
export function exitCodeFor(report: RunReport, signal?: string): number {
    if (report.cancelled) {
        return signal === "SIGTERM" ? EXIT_SIGTERM : EXIT_SIGINT;
    }
    const eventNotFound = (report.events ?? []).some((event) => event.result === "not-found");
    return report.errors.length > 0 || eventNotFound || report.stacks.some(needsAttention) ? EXIT_FAILED : EXIT_OK;
}
