/**
 * `--regenerate-unused-key` over shared gateways: every unit of every stack of the project in the
 * backend counts, selected or not. Units still on the key to regenerate are rotated first (in the
 * same run), then each gateway's verdict (the shared-gateway policy) is applied through ARM.
 *
 * A unit's gateway is the one its token's own record names (the GatewayToken's state, read before
 * any renewal and again after), never the contract output alone: a unit whose output and record
 * disagree, or whose record the update changed, is failed, and its gateway's key is left alone.
 */
import type { GatewayKeyType } from "../../components/token/keyType";
import { resourceIdKey } from "../../components/token/resourceId";
import { AzureEndpoints, asCloudSettings } from "../azure/endpoints";
import type { Clock } from "./clock";
import type { Logger } from "../report/logger";
import type { KeyRegenerator } from "./orchestrator";
import { redactSecrets } from "../report/redaction";
import { RenewalJob, unitId } from "./renewals";
import type { KeyRegenerationReport } from "../model/runReport";
import { GatewayMember, RegenerationVerdict, regenerationVerdict, siblingsToAlign, targetKey } from "../policy/sharedGateways";
import { RecordCheck, StackTokenRecords, checkRecordUnchanged, checkTokenRecord, recordedGateway } from "../policy/tokenRecords";
import type { JudgedUnit, StackView } from "./stackReader";
import { withThrottleRetries } from "./throttling";
import type { UnitOutcome } from "./unitRunner";

export interface KeyRegenerationContext {
    readonly clock: Clock;
    readonly log: Logger;
    readonly signal: AbortSignal;
    readonly regenerateKey: KeyRegenerator;
    /** The operator's endpoints: every unit here was checked to name the same. */
    readonly azure: AzureEndpoints;
    /** Renews units, adding their outcomes. */
    readonly renew: (jobs: readonly RenewalJob[]) => Promise<Map<string, UnitOutcome>>;
    /** Reads the token records of `stacks` (concurrently), by stack name. */
    readonly readRecords: (stacks: readonly string[]) => Promise<Map<string, StackTokenRecords>>;
}

/** What the shared-gateway step did. */
export interface KeyRegenerationResult {
    /** By token unit ({@link unitId}): its gateway's regeneration, or why it has none. */
    readonly regenerations: Map<string, KeyRegenerationReport>;
    /** Outcomes of the siblings rotated in this step, and of the units failed by their token's record. */
    readonly outcomes: Map<string, UnitOutcome>;
}

/** The token units' records checked, by {@link unitId}; and an outcome for each unit whose record fails. */
export interface RecordChecks {
    readonly checks: Map<string, RecordCheck>;
    readonly refused: Map<string, UnitOutcome>;
}

/**
 * Reads the token records of the stacks of `views` holding a token unit (one read per stack) and
 * checks each unit's against its outputs: a unit whose record contradicts its outputs (or is missing
 * or ambiguous) is refused before anything is done to it. A unit whose stack's state could not be
 * read is renewed as any run would, but its gateway is unknown, so the run regenerates no key.
 */
export async function checkRecords(views: readonly StackView[], readRecords: KeyRegenerationContext["readRecords"]): Promise<RecordChecks> {
    const stacks = views.filter((view) => view.units.some((judged) => judged.unit.token !== undefined)).map((view) => view.name);
    const records = await readRecords(stacks);
    const checks = new Map<string, RecordCheck>();
    const refused = new Map<string, UnitOutcome>();
    for (const judged of views.flatMap((view) => view.units).filter((unit) => unit.unit.token !== undefined)) {
        const id = unitId(judged.stack, judged.unit.key);
        const check = checkTokenRecord(judged.unit, records.get(judged.stack) ?? { unreadable: "not read" });
        checks.set(id, check);
        if (!check.ok && check.unread === undefined) {
            refused.set(id, refusedOutcome(judged, check.problem));
        }
    }
    return { checks, refused };
}

const NO_WRITE = "nothing was changed for it, and no key of its gateway is regenerated: redeploy the stack, and check who changed it";

/** A unit failed by its token's record before anything was done to it. */
function refusedOutcome(judged: JudgedUnit, problem: string): UnitOutcome {
    const { unit, stack } = judged;
    return {
        report: {
            stack,
            gateway: unit.key,
            gatewayResourceId: unit.gatewayResourceId,
            action: "none",
            forced: false,
            result: "failed",
            ...(unit.token ? { before: unit.token } : {}),
            message: `${problem}: ${NO_WRITE}`,
            ...(judged.notes.length > 0 ? { notes: judged.notes } : {}),
        },
        rotated: false,
        uncertain: "its token's record does not match its outputs",
    };
}

/** A unit whose token's record the update changed: its renewal stands, but the unit is failed. */
function movedOutcome(outcome: UnitOutcome, problem: string): UnitOutcome {
    return {
        ...outcome,
        report: { ...outcome.report, result: "failed", message: `${problem}: no key of its gateway is regenerated` },
        uncertain: "its token's record changed in the update",
    };
}

const label = (judged: JudgedUnit) => `${judged.stack}/${judged.unit.key}`;

function member(judged: JudgedUnit, outcome: UnitOutcome | undefined): GatewayMember {
    const keyType = outcome ? outcome.keyType : judged.unit.token?.keyType;
    return {
        label: label(judged),
        rotated: outcome?.rotated ?? false,
        ...(outcome?.uncertain !== undefined ? { uncertain: outcome.uncertain } : {}),
        ...(keyType !== undefined ? { keyType } : {}),
    };
}

/** A gateway's token units, and its ARM id as the first unit's token record spells it. */
interface GatewayGroup {
    readonly gatewayResourceId: string;
    readonly units: JudgedUnit[];
}

/**
 * Token units by the gateway their token's record names, keyed by {@link resourceIdKey} (however
 * each stack spells the id); a unit whose record names none is left out (the caller blocks every key).
 */
function byGateway(views: readonly StackView[], checks: ReadonlyMap<string, RecordCheck>): Map<string, GatewayGroup> {
    const groups = new Map<string, GatewayGroup>();
    for (const judged of views.flatMap((view) => view.units)) {
        const gatewayResourceId = checks.get(unitId(judged.stack, judged.unit.key))?.gatewayResourceId;
        if (judged.unit.token !== undefined && gatewayResourceId !== undefined) {
            const key = resourceIdKey(gatewayResourceId);
            const group = groups.get(key) ?? { gatewayResourceId, units: [] };
            group.units.push(judged);
            groups.set(key, group);
        }
    }
    return groups;
}

/**
 * Aligns and regenerates per gateway. `views` are all the project's stacks as read, `outcomes`
 * the run's rotations so far (units failed by their token's record included), `checks` the
 * records checked so far (the others' are read here); `unknown` says why the backend's stacks are
 * not all known (then no key is touched).
 */
export async function regenerateUnusedKeys(
    context: KeyRegenerationContext,
    views: readonly StackView[],
    outcomes: ReadonlyMap<string, UnitOutcome>,
    checked: ReadonlyMap<string, RecordCheck>,
    unknown?: string,
): Promise<KeyRegenerationResult> {
    // The stacks not checked before the renewals (the others) are checked now, before their siblings' renewals.
    const unchecked = views.filter((view) =>
        view.units.some((judged) => judged.unit.token !== undefined && !checked.has(unitId(judged.stack, judged.unit.key))),
    );
    const late = await checkRecords(unchecked, context.readRecords);
    const checks = new Map([...checked, ...late.checks]);
    const failed = new Map(late.refused);
    const known = new Map([...outcomes, ...failed]);
    const allUnits = views.flatMap((view) => view.units).filter((judged) => judged.unit.token !== undefined);
    const outcomeOf = (judged: JudgedUnit) => known.get(unitId(judged.stack, judged.unit.key));

    const unreadable = views.filter((view) => view.unreadable !== undefined);
    const problemOf = (judged: JudgedUnit) => {
        const check = checks.get(unitId(judged.stack, judged.unit.key));
        return check === undefined || check.ok ? "not read" : check.problem;
    };
    const unplaced = allUnits.filter((judged) => checks.get(unitId(judged.stack, judged.unit.key))?.gatewayResourceId === undefined);
    const blocked =
        unknown !== undefined
            ? `${unknown}, so no key was touched`
            : unreadable.length > 0
              ? `the gateways of ${unreadable.map((view) => view.name).join(", ")} are unknown ` +
                `(${unreadable[0].unreadable}), so no key was touched`
              : unplaced.length > 0
                ? `the token records of ${unplaced.map(label).join(", ")} name no gateway (${problemOf(unplaced[0])}), so no key was touched`
                : undefined;
    const groups = byGateway(views, checks);

    const siblingJobs: RenewalJob[] = [];
    for (const { units } of groups.values()) {
        const members = units.map((judged) => member(judged, outcomeOf(judged)));
        const target = targetKey(members);
        if (target === undefined || blocked !== undefined || members.some((m) => m.uncertain !== undefined)) {
            continue;
        }
        const labels = new Set(siblingsToAlign(members, target).map((m) => m.label));
        for (const judged of units.filter((unit) => labels.has(label(unit)))) {
            siblingJobs.push({
                judged,
                forced: true,
                note:
                    `rotated so the ${target === "primary" ? "secondary" : "primary"} key of the shared gateway can be ` +
                    `regenerated: every unit of it must hold a token signed with the ${target} key`,
            });
        }
    }
    const siblingOutcomes = await context.renew(siblingJobs);
    siblingOutcomes.forEach((outcome, id) => known.set(id, outcome));

    // The rotated units' token records again: the update must have left each on its gateway.
    const rotated = allUnits.filter((judged) => outcomeOf(judged)?.rotated === true);
    const after = await context.readRecords([...new Set(rotated.map((judged) => judged.stack))]);
    for (const judged of rotated) {
        const id = unitId(judged.stack, judged.unit.key);
        const before = checks.get(id);
        const check = checkRecordUnchanged(
            before?.gatewayResourceId ?? judged.unit.gatewayResourceId,
            recordedGateway(judged.unit, after.get(judged.stack) ?? { unreadable: "not read" }),
        );
        if (!check.ok && check.unread !== undefined) {
            // Renewed, but whether on its gateway is not known: only its gateway's key is left alone.
            known.set(id, { ...known.get(id)!, uncertain: check.problem });
        } else if (!check.ok) {
            const outcome = movedOutcome(known.get(id)!, check.problem);
            known.set(id, outcome);
            failed.set(id, outcome);
        }
    }

    const regenerations = new Map<string, KeyRegenerationReport>();
    for (const { gatewayResourceId, units } of groups.values()) {
        const verdict: RegenerationVerdict =
            blocked !== undefined
                ? { skip: blocked }
                : context.signal.aborted
                  ? { skip: "the run was cancelled" }
                  : regenerationVerdict(units.map((judged) => member(judged, outcomeOf(judged))));
        const report: KeyRegenerationReport =
            "skip" in verdict
                ? { status: "skipped", reason: verdict.skip }
                : await regenerate(context, gatewayResourceId, verdict.regenerate);
        units.forEach((judged) => regenerations.set(unitId(judged.stack, judged.unit.key), report));
    }
    for (const judged of unplaced) {
        regenerations.set(unitId(judged.stack, judged.unit.key), { status: "skipped", reason: blocked ?? "its gateway is not known" });
    }
    return { regenerations, outcomes: new Map([...siblingOutcomes, ...failed]) };
}

async function regenerate(
    context: KeyRegenerationContext,
    gatewayResourceId: string,
    keyType: GatewayKeyType,
): Promise<KeyRegenerationReport> {
    const { clock, log, signal } = context;
    const cloud = asCloudSettings(context.azure);
    log.info(`regenerating the ${keyType} key of ${gatewayResourceId}: no unit's live token is signed with it`);
    try {
        await withThrottleRetries(
            () => context.regenerateKey(gatewayResourceId, keyType, cloud),
            (ms) => clock.sleep(ms, signal),
            (ms, attempt) =>
                log.warn(`ARM is throttling the key regeneration of ${gatewayResourceId}; attempt ${attempt} in ${ms / 1000}s`),
        );
        return { status: "regenerated", keyType };
    } catch (error) {
        return { status: "failed", keyType, reason: redactSecrets(error instanceof Error ? error.message : String(error)) };
    }
}
