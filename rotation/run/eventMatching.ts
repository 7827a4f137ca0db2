/**
 * Which of the selected units Azure's expiry events name, pure and table-tested: a unit matches a
 * gateway of the events when its gateway resource id has the event's API Management instance and
 * gateway name (ARM ids compared case-insensitively). The events choose among the units the
 * operator selected and nothing else: a gateway no selected unit holds is reported `not-found`.
 * Whether a named unit is renewed is the event policy's (policy/eventRenewal.ts): at most once per
 * cooldown, a replay folded into the renewal it repeats.
 */
import { resourceIdKey, parseGatewayResourceId, serviceResourceId } from "../../components/token/resourceId";
import type { ExpiryEvents, GatewayExpiry } from "../azure/expiryEvents";
import type { EventReport, FoldedUnit } from "../model/runReport";
import { eventRenewal } from "../policy/eventRenewal";
import { RenewalJob, unitId } from "./renewals";
import type { JudgedUnit } from "./stackReader";

/** Whether the unit's gateway is the one the event names. */
export function holdsGateway(gatewayResourceId: string, expiry: GatewayExpiry): boolean {
    let parsed;
    try {
        parsed = parseGatewayResourceId(gatewayResourceId);
    } catch {
        return false;
    }
    return (
        resourceIdKey(serviceResourceId(parsed)) === resourceIdKey(expiry.serviceResourceId) &&
        parsed.gatewayId.toLowerCase() === expiry.gateway.toLowerCase()
    );
}

/** `GatewayTokenNearExpiry from 2 instances (a, b), expires 2025-…` */
function describeExpiry(expiry: GatewayExpiry): string {
    const types = expiry.eventTypes.map((type) => type.replace("Microsoft.ApiManagement.", "")).join(" and ");
    const instances = expiry.instances.length > 0 ? ` from ${expiry.instances.length} instance(s) (${expiry.instances.join(", ")})` : "";
    return `Azure's ${types} event${instances}, token expiry ${expiry.expiresAt}`;
}

/** What the events ask of a run's units: the renewals, the units they name and a report per gateway and ignored event. */
export interface EventPlan {
    readonly jobs: readonly RenewalJob[];
    /** {@link unitId}s of the units the events name: the only units the run reports besides stack problems. */
    readonly named: ReadonlySet<string>;
    /** Why a named token unit was not renewed (folded into a recent renewal, or refused), by {@link unitId}. */
    readonly held: ReadonlyMap<string, string>;
    readonly reports: readonly EventReport[];
}

/**
 * Matches the events' gateways to `units` at `now`. A named token unit is renewed as the run would
 * renew it anyway (due, expired, invalidated, `--force`), or else with a renewal trigger unless the
 * event policy folds it into its live token's issuance.
 */
export function planEvents(events: ExpiryEvents, units: readonly JudgedUnit[], now: Date): EventPlan {
    const jobs: RenewalJob[] = [];
    const named = new Set<string>();
    const held = new Map<string, string>();
    const reports: EventReport[] = events.gateways.map((expiry) => {
        const holders = units.filter((judged) => holdsGateway(judged.unit.gatewayResourceId, expiry));
        const base = {
            eventTypes: expiry.eventTypes,
            serviceResourceId: expiry.serviceResourceId,
            gateway: expiry.gateway,
            instances: expiry.instances,
            expiresAt: expiry.expiresAt,
        };
        if (holders.length === 0) {
            return {
                ...base,
                result: "not-found",
                stacks: [],
                message:
                    `no selected stack holds gateway "${expiry.gateway}" of ${expiry.serviceResourceId}: select its ` +
                    `stacks with --stack or --all, or check the Event Grid subscription`,
            };
        }
        let renewed = 0;
        const folded: FoldedUnit[] = [];
        const remarks: string[] = [];
        for (const judged of holders) {
            const id = unitId(judged.stack, judged.unit.key);
            named.add(id);
            const token = judged.unit.token;
            if (judged.assessment.status === "not-applicable" || token === undefined) {
                continue;
            }
            const verdict = eventRenewal({ now, token, plan: judged.plan, eventExpiresAt: expiry.expiresAt });
            if (verdict.renew) {
                renewed++;
                jobs.push({ judged, forced: verdict.forced, note: `renewed on ${describeExpiry(expiry)}` });
                continue;
            }
            held.set(id, verdict.reason);
            remarks.push(`${judged.stack}/${judged.unit.key} ${verdict.reason}`);
            if (verdict.kind === "folded" && verdict.issuedAt !== undefined) {
                folded.push({ unit: `${judged.stack}/${judged.unit.key}`, issuedAt: verdict.issuedAt });
            }
        }
        return {
            ...base,
            result: renewed === 0 && remarks.length > 0 ? "folded" : "matched",
            stacks: holders.map((judged) => `${judged.stack}/${judged.unit.key}`),
            message: [describeExpiry(expiry), ...remarks].join("; "),
            ...(folded.length > 0 ? { foldedInto: folded } : {}),
        };
    });
    const ignored = events.ignored.map(
        (event): EventReport => ({
            eventTypes: [event.eventType],
            result: "ignored",
            stacks: [],
            message: `event ${event.id} of type ${event.eventType} ignored: not a gateway token event`,
        }),
    );
    return { jobs, named, held, reports: [...reports, ...ignored] };
}
