/**
 * Which of the selected units Azure's expiry events name, pure and table-tested: a unit matches a
 * gateway of the events when its gateway resource id has the event's API Management instance and
 * gateway name (ARM ids compared case-insensitively). The events choose among the units the
 * operator selected and nothing else: a gateway no selected unit holds is reported `not-found`.
 */
import { resourceIdKey, parseGatewayResourceId, serviceResourceId } from "../../components/token/resourceId";
import type { ExpiryEvents, GatewayExpiry } from "../azure/expiryEvents";
import type { EventReport } from "../model/runReport";
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
    readonly reports: readonly EventReport[];
}

/** Matches the events' gateways to `units`; each token unit named is renewed whether or not it is due. */
export function planEvents(events: ExpiryEvents, units: readonly JudgedUnit[]): EventPlan {
    const jobs: RenewalJob[] = [];
    const named = new Set<string>();
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
        for (const judged of holders) {
            named.add(unitId(judged.stack, judged.unit.key));
            if (judged.assessment.status !== "not-applicable") {
                jobs.push({ judged, forced: true, note: `renewed on ${describeExpiry(expiry)}` });
            }
        }
        return {
            ...base,
            result: "matched",
            stacks: holders.map((judged) => `${judged.stack}/${judged.unit.key}`),
            message: describeExpiry(expiry),
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
    return { jobs, named, reports: [...reports, ...ignored] };
}
