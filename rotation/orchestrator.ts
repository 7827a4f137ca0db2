/**
 * The rotation run: which stacks, what each unit (a gateway of a stack) needs, and what happened.
 * It reads every selected stack's contract output (concurrently), judges each unit with the pure
 * policy (decision.ts), hands the units to renew to the runner (unitRunner.ts) through the
 * scheduler (most urgent first, N stacks in flight, one operation at a time per stack), applies
 * the shared-gateway key policy (sharedGateways.ts), and reports in a stable order. Everything
 * with side effects comes in through {@link OrchestratorDeps}.
 */
import { ROTATION_OUTPUT, RotationUnit, parseRotationOutput } from "../components/rotation/contract";
import type { AzureCloudSettings } from "../components/token/cloud";
import type { GatewayKeyType } from "../components/token/keyType";
import type { Clock } from "./clock";
import { Assessment, UnitPlan, assessUnit, planUnit, urgency } from "./decision";
import type { Logger, StackLogger } from "./logger";
import { redactSecrets } from "./redact";
import type { KeyRegenerationReport, RunMode, RunReport, StackAction, StackReport } from "./report";
import type { RetryPolicy } from "./retry";
import { byUrgency, runPool } from "./scheduler";
import { Shard, inShard } from "./shard";
import { GatewayMember, regenerationVerdict, siblingsToAlign, targetKey } from "./sharedGateways";
import { StackBackend, StackMissingError } from "./stackBackend";
import { withThrottleRetries } from "./throttling";
import type { ProcessProbe } from "./staleLock";
import type { TokenVerifier } from "./tokenValidity";
import { RunnerContext, UnitOutcome, runUnit } from "./unitRunner";

/** Regenerates one gateway key through ARM (components/token/arm.ts `regenerateGatewayKey`). */
export type KeyRegenerator = (gatewayResourceId: string, keyType: GatewayKeyType, cloud?: AzureCloudSettings) => Promise<void>;

/** The stacks named on the command line, or every stack of the project. */
export type StackSelection = { readonly all: true } | { readonly all: false; readonly names: readonly string[] };

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
    /** Stacks in flight at once. */
    readonly concurrency: number;
    /** Only this shard of the selected stacks. */
    readonly shard?: Shard;
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
    /** Judges whether a stack's lock holder still runs, so a lock left by a killed job can be released. */
    readonly processes: ProcessProbe;
}

/** A unit as read and judged. */
interface JudgedUnit {
    readonly stack: string;
    readonly unit: RotationUnit;
    readonly assessment: Assessment;
    readonly plan: UnitPlan;
    readonly notes: readonly string[];
    readonly log: StackLogger;
}

/** A stack as read: its units, and reports for what could not be judged. */
interface StackView {
    readonly name: string;
    readonly units: readonly JudgedUnit[];
    /** Stack-level results and units whose contract entry is malformed. */
    readonly problems: readonly StackReport[];
    /** Why its gateways are unknown (not found, unreadable); undefined when read. */
    readonly unreadable?: string;
}

function describe(error: unknown): string {
    return redactSecrets(error instanceof Error ? error.message : String(error));
}

const unitId = (stack: string, key: string) => `${stack}\u0000${key}`;

/** Runs the plan over the selected stacks and reports on each unit. */
export async function runRotation(plan: RotationPlan, deps: OrchestratorDeps): Promise<RunReport> {
    const { backend, clock, log, signal } = deps;
    const startedAt = clock.now().toISOString();
    const errors: string[] = [];
    const idleAction: StackAction = plan.mode === "check" ? "check" : "none";
    const regenerating = plan.regenerateUnusedKey && plan.mode === "rotate";

    async function listStacks(): Promise<string[] | undefined> {
        try {
            return await backend.listStacks(signal);
        } catch (error) {
            errors.push(`could not list the project's stacks: ${describe(error)}`);
            return undefined;
        }
    }

    async function selectStacks(): Promise<string[]> {
        if (!plan.stacks.all) {
            return inShard([...new Set(plan.stacks.names)], plan.shard);
        }
        const names = (await listStacks()) ?? [];
        if (names.length === 0 && errors.length === 0) {
            errors.push("the backend has no stacks of this project: check the logged-in backend (`pulumi whoami -v`) and --work-dir");
        }
        return inShard(names, plan.shard);
    }

    const stackProblem = (stack: string, result: StackReport["result"], message: string): StackReport => ({
        stack,
        action: idleAction,
        forced: false,
        result,
        message,
    });

    /** Reads one stack's contract output and judges its units; `verify` adds the ARM validity check. */
    async function readStack(name: string, verify: boolean): Promise<StackView> {
        const slog = log.forStack(name);
        let outputs;
        try {
            outputs = await backend.readOutputs(name, signal);
        } catch (error) {
            const result = error instanceof StackMissingError ? "not-found" : signal.aborted ? "cancelled" : "failed";
            return { name, units: [], problems: [stackProblem(name, result, describe(error))], unreadable: describe(error) };
        }
        if (Object.keys(outputs).length === 0) {
            const reason = "the stack has no outputs (never deployed): nothing to rotate";
            slog.info(reason);
            return { name, units: [], problems: [stackProblem(name, "not-applicable", reason)] };
        }
        const output = outputs[ROTATION_OUTPUT];
        if (output === undefined || output.secret) {
            const message =
                output === undefined
                    ? `the stack exports no "${ROTATION_OUTPUT}" output: export it with \`export const ${ROTATION_OUTPUT} = rotationOutputs(gateway)\` ` +
                      "(from the package's main entry) and run `pulumi up`"
                    : `the stack output "${ROTATION_OUTPUT}" is a secret; the rotation only reads it in plain text: export it without pulumi.secret()`;
            return { name, units: [], problems: [stackProblem(name, "failed", message)], unreadable: message };
        }
        let parsed;
        try {
            parsed = parseRotationOutput(output.value);
        } catch (error) {
            return { name, units: [], problems: [stackProblem(name, "failed", describe(error))], unreadable: describe(error) };
        }
        if (parsed.length === 0) {
            return { name, units: [], problems: [stackProblem(name, "not-applicable", `the stack's "${ROTATION_OUTPUT}" output lists no gateway`)] };
        }
        const problems: StackReport[] = [];
        const units: JudgedUnit[] = [];
        for (const entry of parsed) {
            if ("error" in entry) {
                problems.push({ ...stackProblem(name, "failed", entry.error), gateway: entry.key });
                continue;
            }
            const unit = entry.unit;
            const now = clock.now();
            const needsVerification = verify && unit.token !== undefined && Date.parse(unit.token.expiresAt) > now.getTime();
            const validity = needsVerification ? await deps.verifyToken(unit) : undefined;
            const assessment = assessUnit({ stack: name, unit, now, ...(validity ? { validity } : {}) });
            const unitLog = log.forStack(`${name}/${unit.key}`);
            if (unit.token !== undefined) {
                unitLog.info(
                    `token signed with the ${unit.token.keyType} key, renew after ${unit.token.renewAfter}, expires ${unit.token.expiresAt}: ${assessment.status}`,
                );
            } else {
                unitLog.info(assessment.reason);
            }
            units.push({
                stack: name,
                unit,
                assessment,
                plan: planUnit(assessment, plan),
                notes: validity?.state === "unknown" ? [`validity not verified: ${validity.reason}`] : [],
                log: unitLog,
            });
        }
        return { name, units, problems };
    }

    /** The report of a unit nothing is done to. */
    function idleReport(judged: JudgedUnit): StackReport {
        const { unit, assessment } = judged;
        const base = {
            stack: judged.stack,
            gateway: unit.key,
            gatewayResourceId: unit.gatewayResourceId,
            forced: false,
            ...(unit.token ? { before: unit.token } : {}),
            ...(judged.notes.length > 0 ? { notes: judged.notes } : {}),
        };
        if (assessment.status === "not-applicable") {
            return { ...base, action: idleAction, result: "not-applicable", message: assessment.reason };
        }
        if (plan.mode === "check") {
            return { ...base, action: "check", result: assessment.status, ...(assessment.status !== "fresh" ? { message: assessment.reason } : {}) };
        }
        return { ...base, action: "none", result: "not-due", message: assessment.reason };
    }

    const context: RunnerContext = {
        backend,
        clock,
        signal,
        processes: deps.processes,
        lockRetry: plan.lockRetry,
        dryRun: plan.mode === "dry-run",
        includePendingChanges: plan.includePendingChanges,
    };

    /** Renews units, most urgent stack first, one operation at a time per stack. */
    async function renew(jobs: readonly { judged: JudgedUnit; forced: boolean; note?: string }[]): Promise<Map<string, UnitOutcome>> {
        const byStack = new Map<string, typeof jobs[number][]>();
        for (const job of byUrgency(jobs, (job) => urgency(job.judged.assessment, job.judged.unit))) {
            byStack.set(job.judged.stack, [...(byStack.get(job.judged.stack) ?? []), job]);
        }
        const outcomes = new Map<string, UnitOutcome>();
        const cancelledOutcome = (job: typeof jobs[number]): UnitOutcome => ({
            report: {
                stack: job.judged.stack,
                gateway: job.judged.unit.key,
                gatewayResourceId: job.judged.unit.gatewayResourceId,
                action: idleAction,
                forced: false,
                result: "cancelled",
                ...(job.judged.unit.token ? { before: job.judged.unit.token } : {}),
                message: "not started: the run was cancelled",
            },
            rotated: false,
            ...(job.judged.unit.token ? { keyType: job.judged.unit.token.keyType } : {}),
        });
        await runPool(
            [...byStack.values()],
            plan.concurrency,
            async (stackJobs) => {
                for (const job of stackJobs) {
                    const { judged } = job;
                    const outcome = signal.aborted
                        ? cancelledOutcome(job)
                        : await runUnit(context, {
                              stack: judged.stack,
                              unit: judged.unit,
                              forced: job.forced,
                              log: judged.log,
                              notes: [...judged.notes, ...(job.note ? [job.note] : [])],
                          });
                    outcomes.set(unitId(judged.stack, judged.unit.key), outcome);
                }
            },
            (stackJobs) => stackJobs.forEach((job) => outcomes.set(unitId(job.judged.stack, job.judged.unit.key), cancelledOutcome(job))),
            signal,
        );
        return outcomes;
    }

    const names = await selectStacks();
    const views = await runPool(
        names,
        plan.concurrency,
        (name) => readStack(name, true),
        (name): StackView => ({ name, units: [], problems: [stackProblem(name, "cancelled", "not started: the run was cancelled")] }),
        signal,
    );

    const outcomes = new Map<string, UnitOutcome>();
    if (plan.mode !== "check") {
        const jobs = views.flatMap((view) =>
            view.units.filter((judged) => judged.plan.rotate).map((judged) => ({ judged, forced: judged.plan.rotate && judged.plan.forced })),
        );
        for (const [id, outcome] of await renew(jobs)) {
            outcomes.set(id, outcome);
        }
    }

    /** Key regeneration per gateway, and the stacks outside the selection whose siblings were rotated. */
    const regenerations = new Map<string, KeyRegenerationReport>();
    let extraViews: StackView[] = [];
    if (regenerating) {
        extraViews = await alignSharedGateways();
    }

    async function alignSharedGateways(): Promise<StackView[]> {
        // Every unit of a gateway in the backend counts, selected or not.
        const selected = new Set(names);
        const others = ((await listStacks()) ?? []).filter((name) => !selected.has(name));
        const otherViews = await runPool(
            others,
            plan.concurrency,
            (name) => readStack(name, false),
            (name): StackView => ({ name, units: [], problems: [], unreadable: "the run was cancelled" }),
            signal,
        );
        const all = [...views, ...otherViews];
        const unreadable = all.filter((view) => view.unreadable !== undefined);
        const member = (judged: JudgedUnit): GatewayMember => {
            const outcome = outcomes.get(unitId(judged.stack, judged.unit.key));
            return {
                label: `${judged.stack}/${judged.unit.key}`,
                rotated: outcome?.rotated ?? false,
                ...(outcome?.uncertain !== undefined ? { uncertain: outcome.uncertain } : {}),
                ...((outcome ? outcome.keyType : judged.unit.token?.keyType) !== undefined
                    ? { keyType: (outcome ? outcome.keyType : judged.unit.token?.keyType) as GatewayKeyType }
                    : {}),
            };
        };
        const groups = new Map<string, JudgedUnit[]>();
        for (const judged of all.flatMap((view) => view.units)) {
            if (judged.unit.token !== undefined) {
                groups.set(judged.unit.gatewayResourceId, [...(groups.get(judged.unit.gatewayResourceId) ?? []), judged]);
            }
        }
        // Siblings still on the key to regenerate are rotated now.
        const siblingJobs = [...groups.values()].flatMap((units) => {
            const members = units.map(member);
            const target = targetKey(members);
            if (target === undefined || unreadable.length > 0 || members.some((m) => m.uncertain !== undefined)) {
                return [];
            }
            const labels = new Set(siblingsToAlign(members, target).map((m) => m.label));
            return units
                .filter((judged) => labels.has(`${judged.stack}/${judged.unit.key}`))
                .map((judged) => ({
                    judged,
                    forced: true,
                    note: `rotated so the ${target === "primary" ? "secondary" : "primary"} key of the shared gateway can be regenerated: every unit of it must hold a token signed with the ${target} key`,
                }));
        });
        for (const [id, outcome] of await renew(siblingJobs)) {
            outcomes.set(id, outcome);
        }
        for (const [gatewayResourceId, units] of groups) {
            const verdict =
                unreadable.length > 0
                    ? { skip: `the gateways of ${unreadable.map((view) => view.name).join(", ")} are unknown (${unreadable[0].unreadable}), so no key was touched` }
                    : signal.aborted
                      ? { skip: "the run was cancelled" }
                      : regenerationVerdict(units.map(member));
            if ("skip" in verdict) {
                regenerations.set(gatewayResourceId, { status: "skipped", reason: verdict.skip });
                continue;
            }
            const cloud = units.find((judged) => judged.unit.azureCloud !== undefined)?.unit.azureCloud;
            log.info(`regenerating the ${verdict.regenerate} key of ${gatewayResourceId}: no unit's live token is signed with it`);
            try {
                await withThrottleRetries(
                    () => deps.regenerateKey(gatewayResourceId, verdict.regenerate, cloud),
                    (ms) => clock.sleep(ms, signal),
                    (ms, attempt) => log.warn(`ARM is throttling the key regeneration of ${gatewayResourceId}; attempt ${attempt} in ${ms / 1000}s`),
                );
                regenerations.set(gatewayResourceId, { status: "regenerated", keyType: verdict.regenerate });
            } catch (error) {
                regenerations.set(gatewayResourceId, { status: "failed", keyType: verdict.regenerate, reason: describe(error) });
            }
        }
        // Only the stacks outside the selection that were changed are reported.
        return otherViews
            .map((view) => ({ ...view, problems: [], units: view.units.filter((judged) => outcomes.has(unitId(judged.stack, judged.unit.key))) }))
            .filter((view) => view.units.length > 0);
    }

    const keyRegeneration = (report: StackReport): KeyRegenerationReport | undefined => {
        if (!plan.regenerateUnusedKey) {
            return undefined;
        }
        if (plan.mode === "dry-run") {
            return { status: "skipped", reason: "dry run: nothing was changed" };
        }
        if (report.gatewayResourceId === undefined || report.before === undefined) {
            return { status: "skipped", reason: report.result === "not-applicable" ? "the gateway does not use a token" : "its gateway is not known" };
        }
        return regenerations.get(report.gatewayResourceId) ?? { status: "skipped", reason: "the gateway does not use a token" };
    };

    const reports = [...views, ...extraViews].flatMap((view) => [
        ...view.problems,
        ...view.units.map((judged) => outcomes.get(unitId(judged.stack, judged.unit.key))?.report ?? idleReport(judged)),
    ]);

    return {
        mode: plan.mode,
        force: plan.force,
        regenerateUnusedKey: plan.regenerateUnusedKey,
        includePendingChanges: plan.includePendingChanges,
        startedAt,
        finishedAt: clock.now().toISOString(),
        stacks: reports.map((report) => {
            const regeneration = keyRegeneration(report);
            return regeneration ? { ...report, keyRegeneration: regeneration } : report;
        }),
        errors,
        cancelled: signal.aborted,
    };
}
