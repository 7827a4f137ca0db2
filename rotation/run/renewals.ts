/**
 * Renews a set of units through the scheduler: grouped by stack (one operation at a time per
 * stack, as they share its lock), the stacks ordered by their most urgent unit, up to N stacks in
 * flight. Units not started when the run is cancelled are reported so.
 */
import { urgency } from "../policy/decision";
import type { StackAction } from "../model/runReport";
import { byUrgency, runPool } from "./scheduler";
import type { JudgedUnit } from "./stackReader";
import { RunnerContext, UnitOutcome, runUnit } from "./unitRunner";

/** One unit to renew, and why beyond its assessment. */
export interface RenewalJob {
    readonly judged: JudgedUnit;
    /** Run with a renewal trigger. */
    readonly forced: boolean;
    /** A remark for the report (e.g. a sibling rotated for a key regeneration). */
    readonly note?: string;
}

/** The key of a unit in outcome maps. */
export const unitId = (stack: string, key: string): string => `${stack}\u0000${key}`;

function notStarted(job: RenewalJob, action: StackAction): UnitOutcome {
    const { unit, stack } = job.judged;
    return {
        report: {
            stack,
            gateway: unit.key,
            gatewayResourceId: unit.gatewayResourceId,
            action,
            forced: false,
            result: "cancelled",
            ...(unit.token ? { before: unit.token } : {}),
            message: "not started: the run was cancelled",
        },
        rotated: false,
        ...(unit.token ? { keyType: unit.token.keyType } : {}),
    };
}

/** Renews `jobs`; resolves to each unit's outcome by {@link unitId}. */
export async function renewUnits(
    jobs: readonly RenewalJob[],
    context: RunnerContext & { readonly concurrency: number; readonly idleAction: StackAction },
): Promise<Map<string, UnitOutcome>> {
    const byStack = new Map<string, RenewalJob[]>();
    for (const job of byUrgency(jobs, (job) => urgency(job.judged.assessment, job.judged.unit))) {
        byStack.set(job.judged.stack, [...(byStack.get(job.judged.stack) ?? []), job]);
    }
    const outcomes = new Map<string, UnitOutcome>();
    const record = (job: RenewalJob, outcome: UnitOutcome) => outcomes.set(unitId(job.judged.stack, job.judged.unit.key), outcome);
    await runPool(
        [...byStack.values()],
        context.concurrency,
        async (stackJobs) => {
            for (const job of stackJobs) {
                const { judged } = job;
                record(
                    job,
                    context.signal.aborted
                        ? notStarted(job, context.idleAction)
                        : await runUnit(context, {
                              stack: judged.stack,
                              unit: judged.unit,
                              forced: job.forced,
                              log: judged.log,
                              notes: [...judged.notes, ...(job.note ? [job.note] : [])],
                          }),
                );
            }
        },
        (stackJobs) => stackJobs.forEach((job) => record(job, notStarted(job, context.idleAction))),
        context.signal,
    );
    return outcomes;
}
