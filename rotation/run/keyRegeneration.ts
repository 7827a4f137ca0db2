/**
 * `--regenerate-unused-key` over shared gateways: every unit of every stack of the project in the
 * backend counts, selected or not. Units still on the key to regenerate are rotated first (in the
 * same run), then each gateway's verdict (the shared-gateway policy) is applied through ARM.
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
}

/** What the shared-gateway step did. */
export interface KeyRegenerationResult {
    /** By gateway, keyed by `resourceIdKey` of its ARM id. */
    readonly regenerations: Map<string, KeyRegenerationReport>;
    /** Outcomes of the siblings rotated in this step. */
    readonly outcomes: Map<string, UnitOutcome>;
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

/** Token units by gateway, keyed by {@link resourceIdKey} (however each stack spells the id). */
function byGateway(views: readonly StackView[]): Map<string, JudgedUnit[]> {
    const groups = new Map<string, JudgedUnit[]>();
    for (const judged of views.flatMap((view) => view.units)) {
        if (judged.unit.token !== undefined) {
            const key = resourceIdKey(judged.unit.gatewayResourceId);
            groups.set(key, [...(groups.get(key) ?? []), judged]);
        }
    }
    return groups;
}

/**
 * Aligns and regenerates per gateway. `views` are all the project's stacks as read, `outcomes`
 * the run's rotations so far; `unknown` says why the backend's stacks are not all known (then no
 * key is touched).
 */
export async function regenerateUnusedKeys(
    context: KeyRegenerationContext,
    views: readonly StackView[],
    outcomes: ReadonlyMap<string, UnitOutcome>,
    unknown?: string,
): Promise<KeyRegenerationResult> {
    const unreadable = views.filter((view) => view.unreadable !== undefined);
    const blocked =
        unknown !== undefined
            ? `${unknown}, so no key was touched`
            : unreadable.length > 0
              ? `the gateways of ${unreadable.map((view) => view.name).join(", ")} are unknown ` +
                `(${unreadable[0].unreadable}), so no key was touched`
              : undefined;
    const groups = byGateway(views);
    const known = new Map(outcomes);
    const outcomeOf = (judged: JudgedUnit) => known.get(unitId(judged.stack, judged.unit.key));

    const siblingJobs: RenewalJob[] = [];
    for (const units of groups.values()) {
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

    const regenerations = new Map<string, KeyRegenerationReport>();
    for (const [key, units] of groups) {
        const verdict: RegenerationVerdict =
            blocked !== undefined
                ? { skip: blocked }
                : context.signal.aborted
                  ? { skip: "the run was cancelled" }
                  : regenerationVerdict(units.map((judged) => member(judged, outcomeOf(judged))));
        // ARM takes the id in any case: the first unit's spelling names the gateway in the log.
        regenerations.set(
            key,
            "skip" in verdict
                ? { status: "skipped", reason: verdict.skip }
                : await regenerate(context, units[0].unit.gatewayResourceId, verdict.regenerate),
        );
    }
    return { regenerations, outcomes: siblingOutcomes };
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
