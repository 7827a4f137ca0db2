/**
 * The rotation run: select the stacks (shard included), read and judge each stack's units
 * concurrently, renew those that need it (most urgent first, N stacks in flight), regenerate
 * unused keys per shared gateway, and report every unit in a stable order. Everything with side
 * effects comes in through {@link OrchestratorDeps}.
 */
import type { AzureCloudSettings } from "../../components/token/cloud";
import type { GatewayKeyType } from "../../components/token/keyType";
import type { AzureEndpoints } from "../azure/endpoints";
import type { Clock } from "./clock";
import { EventPlan, planEvents } from "./eventMatching";
import type { ExpiryEvents } from "../azure/expiryEvents";
import { RecordChecks, checkRecords, regenerateUnusedKeys } from "./keyRegeneration";
import type { StackTokenRecords } from "../policy/tokenRecords";
import type { Logger } from "../report/logger";
import { redactSecrets } from "../report/redaction";
import { RenewalJob, renewUnits, unitId } from "./renewals";
import type { KeyRegenerationReport, RunMode, RunReport, StackReport } from "../model/runReport";
import type { RetryPolicy } from "../model/retry";
import { runPool } from "./scheduler";
import { StackSelection, selectStacks } from "./selection";
import type { Shard } from "../policy/shard";
import { StackBackend } from "../pulumi/stackBackend";
import {
    JudgedUnit,
    ReaderContext,
    StackUnits,
    StackView,
    idleAction,
    idleReport,
    judgeStack,
    readStack,
    readStackUnits,
    stackProblem,
} from "./stackReader";
import type { ProcessProbe } from "../policy/staleLock";
import type { TokenVerifier } from "../evidence/tokenValidity";
import type { UnitOutcome } from "./unitRunner";

/** Regenerates one gateway key through ARM (components/token/arm.ts `regenerateGatewayKey`) at the operator's endpoints. */
export type KeyRegenerator = (gatewayResourceId: string, keyType: GatewayKeyType, cloud: AzureCloudSettings) => Promise<void>;

/** What to do, as decided by the command line. */
export interface RotationPlan {
    readonly mode: RunMode;
    readonly stacks: StackSelection;
    /** Renew even tokens that are not due. */
    readonly force: boolean;
    /** After verified rotations, regenerate the key no unit of the gateway uses any more. */
    readonly regenerateUnusedKey: boolean;
    /** Apply changes beyond the rotation's that the preview shows, instead of blocking. */
    readonly includePendingChanges: boolean;
    /** Patience with a stack locked by another update. */
    readonly lockRetry: RetryPolicy;
    /**
     * Release a lock whose holder ran on a host of this name and is not running here, even
     * without a marker proving it ran in this PID namespace (`--release-stale-locks`).
     */
    readonly releaseStaleLocks: boolean;
    /** Stacks in flight at once. */
    readonly concurrency: number;
    /** Where to sign in and call ARM: the operator's choice, never a stack's outputs. */
    readonly azure: AzureEndpoints;
    /** Only this shard of the selected stacks (with {@link regenerateUnusedKey}, each gateway's stacks kept in one shard). */
    readonly shard?: Shard;
    /**
     * Azure's expiry events (`--event`): only the selected units holding their gateways are renewed
     * (a fresh token at most once per event cooldown: policy/eventRenewal.ts) and reported, besides
     * stacks that could not be read. No key is regenerated in such a run.
     */
    readonly events?: ExpiryEvents;
}

export interface OrchestratorDeps {
    readonly backend: StackBackend;
    readonly clock: Clock;
    readonly regenerateKey: KeyRegenerator;
    /** Proves through ARM that a token's key was not regenerated since it was issued. */
    readonly verifyToken: TokenVerifier;
    readonly log: Logger;
    /** Aborted on SIGINT/SIGTERM: the running operations are cancelled and no further stack starts. */
    readonly signal: AbortSignal;
    /** Records which Pulumi process took each update, and judges whether a lock's holder still runs. */
    readonly processes: ProcessProbe;
}

/**
 * Why an `--event` run leaves every key alone, though `--regenerate-unused-key` is given: an event
 * is untrusted and may not ask for a key regeneration; the scheduled run regenerates.
 */
export const EVENT_RUN_KEEPS_KEYS =
    "an --event run never regenerates a key (events are untrusted): the scheduled run with --regenerate-unused-key does it";

/** The key regeneration reported on a unit, when asked for. */
function keyRegenerationOf(
    plan: RotationPlan,
    report: StackReport,
    regenerations: ReadonlyMap<string, KeyRegenerationReport>,
): KeyRegenerationReport | undefined {
    if (!plan.regenerateUnusedKey) {
        return undefined;
    }
    if (plan.events !== undefined) {
        return { status: "skipped", reason: EVENT_RUN_KEEPS_KEYS };
    }
    if (plan.mode === "dry-run") {
        return { status: "skipped", reason: "dry run: nothing was changed" };
    }
    if (report.gatewayResourceId === undefined || report.before === undefined) {
        return {
            status: "skipped",
            reason: report.result === "not-applicable" ? "the gateway does not use a token" : "its gateway is not known",
        };
    }
    return (
        regenerations.get(unitId(report.stack, report.gateway ?? "")) ?? { status: "skipped", reason: "the gateway does not use a token" }
    );
}

/** Runs the plan over the selected stacks and reports on each unit. */
export async function runRotation(plan: RotationPlan, deps: OrchestratorDeps): Promise<RunReport> {
    const { backend, clock, log, signal } = deps;
    const startedAt = clock.now().toISOString();
    const errors: string[] = [];
    const reader: ReaderContext = {
        backend,
        clock,
        log,
        signal,
        verifyToken: deps.verifyToken,
        mode: plan.mode,
        force: plan.force,
        azure: plan.azure,
    };
    const cancelled = (name: string) => ({
        name,
        units: [],
        problems: [stackProblem(name, plan.mode, "cancelled", "not started: the run was cancelled")],
        unreadable: "the run was cancelled",
    });
    const pool = <T, R>(items: readonly T[], task: (item: T) => Promise<R>, skipped: (item: T) => R) =>
        runPool(items, plan.concurrency, task, skipped, signal);
    const stacks = {
        read: (names: readonly string[], verify: boolean) => pool(names, (name) => readStack(reader, name, verify), cancelled),
        readUnits: (names: readonly string[]) => pool(names, (name) => readStackUnits(reader, name), cancelled),
        judge: (read: readonly StackUnits[], verify: boolean) =>
            pool(
                read,
                (units) => judgeStack(reader, units, verify),
                (units): StackView => cancelled(units.name),
            ),
    };
    const renew = (jobs: readonly RenewalJob[]) =>
        renewUnits(jobs, {
            backend,
            clock,
            signal,
            processes: deps.processes,
            lockRetry: plan.lockRetry,
            releaseStaleLocks: plan.releaseStaleLocks,
            dryRun: plan.mode === "dry-run",
            includePendingChanges: plan.includePendingChanges,
            concurrency: plan.concurrency,
            idleAction: idleAction(plan.mode),
        });

    /** The token records of `names`, concurrently; a stack whose state cannot be read gets the reason. */
    const readRecords = async (names: readonly string[]): Promise<Map<string, StackTokenRecords>> =>
        new Map(
            await pool(
                names,
                async (name): Promise<[string, StackTokenRecords]> => {
                    try {
                        return [name, await backend.readTokenRecords(name, signal)];
                    } catch (error) {
                        return [name, { unreadable: redactSecrets(error instanceof Error ? error.message : String(error)) }];
                    }
                },
                (name): [string, StackTokenRecords] => [name, { unreadable: "the run was cancelled" }],
            ),
        );

    // An event run regenerates no key, so its shard needs no other stack's gateways either.
    const regenerates = plan.regenerateUnusedKey && plan.events === undefined;
    if (plan.regenerateUnusedKey && !regenerates) {
        log.warn(`--regenerate-unused-key ignored: ${EVENT_RUN_KEEPS_KEYS}`);
    }
    const selection = await selectStacks(plan.stacks, plan.shard, regenerates, { backend, signal, log, ...stacks, errors });
    const { views } = selection;
    const eventPlan: EventPlan | undefined =
        plan.events !== undefined
            ? planEvents(
                  plan.events,
                  views.flatMap((view) => view.units),
                  clock.now(),
              )
            : undefined;
    const planned: readonly RenewalJob[] =
        eventPlan?.jobs ??
        views.flatMap((view) =>
            view.units
                .filter((judged) => judged.plan.rotate)
                .map((judged) => ({ judged, forced: judged.plan.rotate && judged.plan.forced })),
        );
    // Before a run that may regenerate keys changes anything, each unit's outputs must agree with
    // its token's own record (the GatewayToken's state); a unit that does not is failed untouched.
    const keyed = regenerates && plan.mode === "rotate";
    const { checks, refused }: RecordChecks = keyed ? await checkRecords(views, readRecords) : { checks: new Map(), refused: new Map() };
    const jobs = planned.filter((job) => !refused.has(unitId(job.judged.stack, job.judged.unit.key)));
    const outcomes = plan.mode === "check" ? new Map<string, UnitOutcome>() : await renew(jobs);
    refused.forEach((outcome, id) => outcomes.set(id, outcome));

    let regenerations = new Map<string, KeyRegenerationReport>();
    let changedOthers: StackView[] = [];
    if (keyed) {
        const { views: others, unknown } = await selection.others();
        const shared = await regenerateUnusedKeys(
            { clock, log, signal, regenerateKey: deps.regenerateKey, renew, azure: plan.azure, readRecords },
            [...views, ...others],
            outcomes,
            checks,
            unknown,
        );
        shared.outcomes.forEach((outcome, id) => outcomes.set(id, outcome));
        regenerations = shared.regenerations;
        // Of the stacks outside the selection, only those changed are reported.
        changedOthers = others
            .map((view) => ({
                ...view,
                problems: [],
                units: view.units.filter((judged) => shared.outcomes.has(unitId(judged.stack, judged.unit.key))),
            }))
            .filter((view) => view.units.length > 0);
    }

    const reported = (judged: JudgedUnit) =>
        eventPlan === undefined ||
        eventPlan.named.has(unitId(judged.stack, judged.unit.key)) ||
        outcomes.has(unitId(judged.stack, judged.unit.key));
    // A unit an event named but did not renew says why (the renewal it was folded into).
    const idle = (judged: JudgedUnit) => {
        const held = eventPlan?.held.get(unitId(judged.stack, judged.unit.key));
        return idleReport(held !== undefined ? { ...judged, notes: [...judged.notes, held] } : judged, plan.mode);
    };
    const reports = [...views, ...changedOthers].flatMap((view) => [
        ...view.problems,
        ...view.units.filter(reported).map((judged) => outcomes.get(unitId(judged.stack, judged.unit.key))?.report ?? idle(judged)),
    ]);
    return {
        mode: plan.mode,
        force: plan.force,
        regenerateUnusedKey: plan.regenerateUnusedKey,
        includePendingChanges: plan.includePendingChanges,
        startedAt,
        finishedAt: clock.now().toISOString(),
        stacks: reports.map((report) => {
            const regeneration = keyRegenerationOf(plan, report, regenerations);
            return regeneration ? { ...report, keyRegeneration: regeneration } : report;
        }),
        errors,
        cancelled: signal.aborted,
        ...(eventPlan !== undefined ? { events: eventPlan.reports } : {}),
    };
}
