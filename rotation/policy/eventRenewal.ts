/**
 * Whether an expiry event renews a unit it names, pure and table-tested. An event is untrusted: a
 * `repository_dispatch` can be sent by anyone with `contents: write` or the relay's token, and
 * replayed at will. So an event only ever asks for work within bounds the operator set:
 * - what the run would do anyway (a due, expired or invalidated token; any token under the
 *   operator's `--force`) is done as the run would do it;
 * - otherwise (a fresh token) the event renews it with a renewal trigger at most once per
 *   {@link EVENT_RENEWAL_COOLDOWN_MS}: an event for a token issued within the cooldown, or for a
 *   token older than the live one (a replay, or an instance still reporting the token it had), is
 *   folded into the live token's issuance and changes nothing.
 *
 * The cooldown needs no store of its own: the live token's issue time is in the stack (the token
 * resource's state, repeated in the rotation contract output as `tokenIssuedAt`), and the next run
 * reads it from there. A token whose issue time is unknown or in the future (clock skew, edited
 * state) is not renewed on an event; the scheduled run still renews it when it falls due.
 */
import type { TokenSnapshot } from "../../components/contract/rotationContract";
import type { UnitPlan } from "./decision";

/**
 * The least time between two event-driven renewals of one unit's token: 24 hours. Event Grid
 * retries a delivery for up to 24 hours (its default event time to live), so one event and all its
 * redeliveries fall within one cooldown; a forged or replayed dispatch restarts a gateway at most
 * once a day. Renewals that do not need an event (due, expired, invalidated) are not held back.
 */
export const EVENT_RENEWAL_COOLDOWN_MS = 24 * 60 * 60 * 1000;

/**
 * How much later than an event's stated expiry the live token may expire and still be the token
 * the event speaks of. ARM signs expiries to the minute; an hour absorbs any rounding of the
 * event's value, and is far less than the time between two issuances.
 */
export const EVENT_EXPIRY_TOLERANCE_MS = 60 * 60 * 1000;

/** What an event does to one unit it names. */
export type EventRenewal =
    | {
          readonly renew: true;
          /** Run with a renewal trigger. */
          readonly forced: boolean;
      }
    | {
          readonly renew: false;
          /** `folded`: into the live token's issuance at {@link issuedAt}; `refused`: the cooldown cannot be checked. */
          readonly kind: "folded" | "refused";
          /** The live token's issue time, when known. */
          readonly issuedAt?: string;
          readonly reason: string;
      };

/** What the decision reads: the clock, the unit's live token and plan, and the events' stated expiry. */
export interface EventRenewalInput {
    readonly now: Date;
    readonly token: TokenSnapshot;
    /** What the run would do to the unit without the event (the operator's flags included). */
    readonly plan: UnitPlan;
    /** The earliest expiry the events state for the unit's gateway, ISO 8601. */
    readonly eventExpiresAt: string;
}

const hours = (ms: number) => `${Math.round(ms / (60 * 60 * 1000))} h`;
const minutes = (ms: number) => `${Math.floor(ms / (60 * 1000))} min`;

/** Whether the event renews the unit, and why not. */
export function eventRenewal(input: EventRenewalInput): EventRenewal {
    const { now, token, plan } = input;
    if (plan.rotate) {
        return { renew: true, forced: plan.forced };
    }
    if (token.issuedAt === undefined) {
        return {
            renew: false,
            kind: "refused",
            reason:
                "not renewed on the event: the stack outputs do not say when its token was issued (tokenIssuedAt), so the " +
                "event cooldown cannot be checked; redeploy the stack with this version of the component",
        };
    }
    const issuedAt = Date.parse(token.issuedAt);
    const since = now.getTime() - issuedAt;
    if (Number.isNaN(issuedAt) || since < 0) {
        return {
            renew: false,
            kind: "refused",
            issuedAt: token.issuedAt,
            reason:
                `not renewed on the event: its token's issue time ${token.issuedAt} is ` +
                `${Number.isNaN(issuedAt) ? "not an instant" : "in the future (clock skew, or edited state)"}; ` +
                "the scheduled run renews it when it is due",
        };
    }
    if (since < EVENT_RENEWAL_COOLDOWN_MS) {
        return {
            renew: false,
            kind: "folded",
            issuedAt: token.issuedAt,
            reason:
                `folded into the renewal issued at ${token.issuedAt}: at most one event-driven renewal per ` +
                `${hours(EVENT_RENEWAL_COOLDOWN_MS)} (issued ${minutes(since)} ago)`,
        };
    }
    const eventExpiry = Date.parse(input.eventExpiresAt);
    if (!Number.isNaN(eventExpiry) && Date.parse(token.expiresAt) > eventExpiry + EVENT_EXPIRY_TOLERANCE_MS) {
        return {
            renew: false,
            kind: "folded",
            issuedAt: token.issuedAt,
            reason:
                `folded into the renewal issued at ${token.issuedAt}: the event speaks of a token expiring ` +
                `${input.eventExpiresAt}, the live token expires ${token.expiresAt}`,
        };
    }
    return { renew: true, forced: true };
}
