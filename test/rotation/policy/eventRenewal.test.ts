import { strict as assert } from "node:assert";
import fc from "fast-check";
import type { TokenSnapshot } from "../../../components/contract/rotationContract";
import type { UnitPlan } from "../../../rotation/policy/decision";
import { EVENT_EXPIRY_TOLERANCE_MS, EVENT_RENEWAL_COOLDOWN_MS, EventRenewal, eventRenewal } from "../../../rotation/policy/eventRenewal";

const NOW = new Date("2025-06-15T12:00:00.000Z");
const HOUR = 60 * 60 * 1000;
const DAY = 24 * HOUR;
const at = (offsetMs: number) => new Date(NOW.getTime() + offsetMs).toISOString();

/** A 30-day token issued `ago` before now. */
function token(ago: number | undefined, expiresAt = at(30 * DAY - (ago ?? 2 * DAY))): TokenSnapshot {
    return {
        expiresAt,
        renewAfter: new Date(Date.parse(expiresAt) - 10 * DAY).toISOString(),
        keyType: "primary",
        ...(ago !== undefined ? { issuedAt: at(-ago) } : {}),
    };
}
const FRESH: UnitPlan = { rotate: false, reason: "fresh" };
const DUE: UnitPlan = { rotate: true, forced: false, reason: "due" };
const FORCED: UnitPlan = { rotate: true, forced: true, reason: "renewal forced (--force)" };

/** What the decision comes to, for the table: renew (forced or not), folded or refused. */
function outcome(verdict: EventRenewal): string {
    return verdict.renew ? `renew${verdict.forced ? " forced" : ""}` : verdict.kind;
}

describe("whether an expiry event renews a unit it names (the event cooldown)", () => {
    const live = token(2 * DAY);
    const cases: [string, TokenSnapshot, UnitPlan, string, string][] = [
        ["a fresh token issued two days ago, the event about it", live, FRESH, live.expiresAt, "renew forced"],
        ["a fresh token issued just past the cooldown", token(EVENT_RENEWAL_COOLDOWN_MS), FRESH, at(29 * DAY), "renew forced"],
        ["a fresh token issued just inside the cooldown", token(EVENT_RENEWAL_COOLDOWN_MS - 1), FRESH, at(29 * DAY), "folded"],
        ["a token issued a minute ago (a burst of events)", token(60_000), FRESH, at(-DAY), "folded"],
        ["a token issued this very instant", token(0), FRESH, at(30 * DAY), "folded"],
        ["a token issued in the future (clock skew or edited state)", token(-60_000), FRESH, at(30 * DAY), "refused"],
        ["a token issued far in the future", token(-365 * DAY), FRESH, at(30 * DAY), "refused"],
        ["a token whose issue time the outputs do not say", token(undefined), FRESH, at(28 * DAY), "refused"],
        [
            "an event about an older token (a replay after the renewal)",
            live,
            FRESH,
            new Date(Date.parse(live.expiresAt) - EVENT_EXPIRY_TOLERANCE_MS - 1).toISOString(),
            "folded",
        ],
        [
            "an event whose expiry is within the tolerance of the live token's",
            live,
            FRESH,
            new Date(Date.parse(live.expiresAt) - EVENT_EXPIRY_TOLERANCE_MS).toISOString(),
            "renew forced",
        ],
        ["an event stating a later expiry than the live token's", live, FRESH, at(60 * DAY), "renew forced"],
        ["a due token, whatever the cooldown: what the run does anyway", token(60_000), DUE, at(-DAY), "renew"],
        ["a token under the operator's --force, inside the cooldown", token(60_000), FORCED, at(-DAY), "renew forced"],
        ["a token under --force whose issue time is in the future", token(-DAY), FORCED, at(30 * DAY), "renew forced"],
    ];
    for (const [what, snapshot, plan, eventExpiresAt, expected] of cases) {
        it(`${expected}: ${what}`, () => {
            assert.equal(outcome(eventRenewal({ now: NOW, token: snapshot, plan, eventExpiresAt })), expected);
        });
    }

    it("names the renewal a folded event was folded into, and the cooldown", () => {
        const verdict = eventRenewal({ now: NOW, token: token(90 * 60_000), plan: FRESH, eventExpiresAt: at(-DAY) });
        assert.ok(!verdict.renew);
        assert.equal(verdict.issuedAt, at(-90 * 60_000));
        assert.match(verdict.reason, /^folded into the renewal issued at 2025-06-15T10:30:00\.000Z: .* per 24 h \(issued 90 min ago\)$/);
    });

    it("names the live token's expiry when it folds an event about an older token", () => {
        const live = token(2 * DAY);
        const stated = new Date(Date.parse(live.expiresAt) - 2 * EVENT_EXPIRY_TOLERANCE_MS).toISOString();
        const verdict = eventRenewal({ now: NOW, token: live, plan: FRESH, eventExpiresAt: stated });
        assert.deepEqual(verdict, {
            renew: false,
            kind: "folded",
            issuedAt: live.issuedAt,
            reason:
                `folded into the renewal issued at ${live.issuedAt}: the event speaks of a token expiring ${stated}, ` +
                `the live token expires ${live.expiresAt}`,
        });
    });

    it("a fresh token under any stream of events (bursts, replays, any stated expiry) is renewed at most once per cooldown", () => {
        fc.assert(
            fc.property(
                fc.array(
                    fc.record({ after: fc.integer({ min: 0, max: 3 * DAY }), stated: fc.integer({ min: -40 * DAY, max: 40 * DAY }) }),
                    {
                        maxLength: 60,
                    },
                ),
                (events) => {
                    let now = NOW.getTime();
                    let live = token(2 * DAY);
                    const renewals: number[] = [];
                    for (const event of events) {
                        now += event.after;
                        const verdict = eventRenewal({
                            now: new Date(now),
                            token: live,
                            plan: FRESH,
                            eventExpiresAt: new Date(now + event.stated).toISOString(),
                        });
                        if (verdict.renew) {
                            renewals.push(now);
                            live = { ...live, issuedAt: new Date(now).toISOString(), expiresAt: new Date(now + 30 * DAY).toISOString() };
                        }
                    }
                    renewals.slice(1).forEach((at, index) => assert.ok(at - renewals[index] >= EVENT_RENEWAL_COOLDOWN_MS));
                },
            ),
        );
    });

    it("says why a token issued in the future is not renewed", () => {
        const verdict = eventRenewal({ now: NOW, token: token(-HOUR), plan: FRESH, eventExpiresAt: at(DAY) });
        assert.ok(!verdict.renew);
        assert.equal(
            verdict.reason,
            "not renewed on the event: its token's issue time 2025-06-15T13:00:00.000Z is in the future (clock skew, or edited " +
                "state); the scheduled run renews it when it is due",
        );
    });

    it("says why a token whose issue time is not an instant is not renewed, and keeps that time", () => {
        const verdict = eventRenewal({ now: NOW, token: { ...token(DAY), issuedAt: "yesterday" }, plan: FRESH, eventExpiresAt: at(DAY) });
        assert.deepEqual(verdict, {
            renew: false,
            kind: "refused",
            issuedAt: "yesterday",
            reason:
                "not renewed on the event: its token's issue time yesterday is not an instant; " +
                "the scheduled run renews it when it is due",
        });
    });

    it("says how to get the issue time when the outputs do not say it", () => {
        const verdict = eventRenewal({ now: NOW, token: token(undefined), plan: FRESH, eventExpiresAt: at(DAY) });
        assert.deepEqual(verdict, {
            renew: false,
            kind: "refused",
            reason:
                "not renewed on the event: the stack outputs do not say when its token was issued (tokenIssuedAt), so the event " +
                "cooldown cannot be checked; redeploy the stack with this version of the component",
        });
    });
});
