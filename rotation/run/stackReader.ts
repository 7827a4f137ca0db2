/**
 * Reading one stack for the run: its masked outputs, the contract output's units, each judged by
 * the pure policy, with the ARM validity check where it applies. Whatever cannot be
 * judged becomes a report of its own; nothing here throws.
 */
import { ROTATION_OUTPUT, RotationUnit, parseRotationOutput } from "../../components/contract/rotationContract";
import { AzureEndpoints, foreignCloud } from "../azure/endpoints";
import type { Clock } from "./clock";
import { UnitPlan, planUnit } from "../policy/decision";
import { Assessment, assessUnit } from "../policy/tokenRules";
import type { Logger, StackLogger } from "../report/logger";
import { redactSecrets } from "../report/redaction";
import type { RunMode, StackAction, StackReport } from "../model/runReport";
import { StackBackend, StackMissingError } from "../pulumi/stackBackend";
import type { TokenVerifier } from "../evidence/tokenValidity";

/** A unit as read and judged. */
export interface JudgedUnit {
    readonly stack: string;
    readonly unit: RotationUnit;
    readonly assessment: Assessment;
    readonly plan: UnitPlan;
    readonly notes: readonly string[];
    readonly log: StackLogger;
}

/** A stack as read: its units, and reports for what could not be judged. */
export interface StackView {
    readonly name: string;
    readonly units: readonly JudgedUnit[];
    /** Stack-level results and units whose contract entry is malformed. */
    readonly problems: readonly StackReport[];
    /** Why its gateways are unknown (not found, unreadable); undefined when read. */
    readonly unreadable?: string;
}

export interface ReaderContext {
    readonly backend: StackBackend;
    readonly clock: Clock;
    readonly log: Logger;
    readonly signal: AbortSignal;
    readonly verifyToken: TokenVerifier;
    readonly mode: RunMode;
    readonly force: boolean;
    /** The operator's endpoints; a unit whose outputs name others is reported failed, never sent a request. */
    readonly azure: AzureEndpoints;
}

/** The action of a unit nothing is done to: reading outputs is the action of `--check`. */
export function idleAction(mode: RunMode): StackAction {
    return mode === "check" ? "check" : "none";
}

/** A stack-level result. */
export function stackProblem(stack: string, mode: RunMode, result: StackReport["result"], message: string): StackReport {
    return { stack, action: idleAction(mode), forced: false, result, message };
}

/** A stack's units as read from its outputs, not yet judged; reports for what could not be read. */
export interface StackUnits {
    readonly name: string;
    readonly units: readonly RotationUnit[];
    /** Stack-level results and units whose contract entry is malformed. */
    readonly problems: readonly StackReport[];
    /** Why its gateways are unknown (not found, unreadable); undefined when read. */
    readonly unreadable?: string;
}

const unreadable = (name: string, mode: RunMode, result: StackReport["result"], message: string): StackUnits => ({
    name,
    units: [],
    problems: [stackProblem(name, mode, result, message)],
    unreadable: message,
});

/** Reads one stack's masked outputs and validates its units; logs nothing, so any stack can be read to learn its gateways. */
export async function readStackUnits(
    context: Pick<ReaderContext, "backend" | "signal" | "mode" | "azure">,
    name: string,
): Promise<StackUnits> {
    const { backend, signal, mode, azure } = context;
    let outputs;
    try {
        outputs = await backend.readOutputs(name, signal);
    } catch (error) {
        const message = redactSecrets(error instanceof Error ? error.message : String(error));
        return unreadable(name, mode, error instanceof StackMissingError ? "not-found" : signal.aborted ? "cancelled" : "failed", message);
    }
    if (Object.keys(outputs).length === 0) {
        return {
            name,
            units: [],
            problems: [stackProblem(name, mode, "not-applicable", "the stack has no outputs (never deployed): nothing to rotate")],
        };
    }
    const output = outputs[ROTATION_OUTPUT];
    if (output === undefined || output.secret) {
        return unreadable(
            name,
            mode,
            "failed",
            output === undefined
                ? `the stack exports no "${ROTATION_OUTPUT}" output: export it with \`export const ${ROTATION_OUTPUT} = ` +
                      `rotationOutputs(gateway)\` ` +
                      "(from the package's main entry) and run `pulumi up`"
                : `the stack output "${ROTATION_OUTPUT}" is a secret; the rotation only reads it in plain text: export it ` +
                      `without pulumi.secret()`,
        );
    }
    let parsed;
    try {
        parsed = parseRotationOutput(output.value);
    } catch (error) {
        return unreadable(name, mode, "failed", (error as Error).message);
    }
    if (parsed.length === 0) {
        return {
            name,
            units: [],
            problems: [stackProblem(name, mode, "not-applicable", `the stack's "${ROTATION_OUTPUT}" output lists no gateway`)],
        };
    }
    // Only a unit with a token is verified, renewed or regenerated at Azure: a keyless one (whose
    // outputs name no cloud) is never sent anywhere, so its outputs' cloud cannot matter.
    const checked = parsed.map((entry) => {
        const foreign = "error" in entry || entry.unit.token === undefined ? undefined : foreignCloud(entry.unit.azureCloud, azure);
        return foreign === undefined ? entry : { key: entry.key, error: `${ROTATION_OUTPUT}[${JSON.stringify(entry.key)}]: ${foreign}` };
    });
    return {
        name,
        units: checked.flatMap((entry) => ("error" in entry ? [] : [entry.unit])),
        problems: checked.flatMap((entry) =>
            "error" in entry ? [{ ...stackProblem(name, mode, "failed", entry.error), gateway: entry.key }] : [],
        ),
    };
}

/** Judges the units of a stack as read; `verify` adds the ARM validity check of unexpired tokens. */
export async function judgeStack(context: ReaderContext, read: StackUnits, verify: boolean): Promise<StackView> {
    for (const problem of read.problems.filter((entry) => entry.result === "not-applicable")) {
        context.log.forStack(read.name).info(problem.message ?? "nothing to rotate");
    }
    const units: JudgedUnit[] = [];
    for (const unit of read.units) {
        units.push(await judge(context, read.name, unit, verify));
    }
    return { name: read.name, units, problems: read.problems, ...(read.unreadable !== undefined ? { unreadable: read.unreadable } : {}) };
}

/** Reads and judges one stack; `verify` adds the ARM validity check of unexpired tokens. */
export async function readStack(context: ReaderContext, name: string, verify: boolean): Promise<StackView> {
    return judgeStack(context, await readStackUnits(context, name), verify);
}

async function judge(context: ReaderContext, stack: string, unit: RotationUnit, verify: boolean): Promise<JudgedUnit> {
    const now = context.clock.now();
    const needsVerification = verify && unit.token !== undefined && Date.parse(unit.token.expiresAt) > now.getTime();
    const validity = needsVerification ? await context.verifyToken(unit, context.azure) : undefined;
    const assessment = assessUnit({ stack, unit, now, ...(validity ? { validity } : {}) });
    const log = context.log.forStack(`${stack}/${unit.key}`);
    log.info(
        unit.token !== undefined
            ? `token signed with the ${unit.token.keyType} key, renew after ${unit.token.renewAfter}, expires ` +
                  `${unit.token.expiresAt}: ${assessment.status}`
            : assessment.reason,
    );
    return {
        stack,
        unit,
        assessment,
        plan: planUnit(assessment, context),
        notes: validity?.state === "unknown" ? [`validity not verified: ${validity.reason}`] : [],
        log,
    };
}

/** The report of a unit nothing is done to. */
export function idleReport(judged: JudgedUnit, mode: RunMode): StackReport {
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
        return { ...base, action: idleAction(mode), result: "not-applicable", message: assessment.reason };
    }
    if (mode === "check") {
        return {
            ...base,
            action: "check",
            result: assessment.status,
            ...(assessment.status !== "fresh" ? { message: assessment.reason } : {}),
        };
    }
    return { ...base, action: "none", result: "not-due", message: assessment.reason };
}
