/** What a run does with an assessed unit: renew it or not, how urgently (rotation/policy/decision.ts). */
import { strict as assert } from "node:assert";
import { RotationUnit, parseRotationUnit } from "../../../components/contract/rotationContract";
import { judgeUpdate, planUnit, urgency } from "../../../rotation/policy/decision";
import type { Assessment, UnitStatus } from "../../../rotation/policy/tokenRules";
import { GATEWAY_ID, contractOutputs, plain, tokenUnit } from "../fakes";

const unitOf = (raw: unknown, key = "gateway"): RotationUnit => parseRotationUnit(key, raw);

describe("rotation decisions", () => {
    describe("planUnit", () => {
        const at = (status: UnitStatus): Assessment => ({ status, reason: `${status} reason` });
        /** The expected plan; its reason is the assessment's unless given. */
        const cases: [UnitStatus, "rotate" | "dry-run" | "check", boolean, { rotate: boolean; forced?: boolean; reason?: string }][] = [
            ["fresh", "rotate", false, { rotate: false }],
            ["fresh", "rotate", true, { rotate: true, forced: true, reason: "renewal forced (--force)" }],
            ["fresh", "dry-run", true, { rotate: true, forced: true, reason: "renewal forced (--force)" }],
            ["due", "rotate", false, { rotate: true, forced: false }],
            ["due", "rotate", true, { rotate: true, forced: true }],
            ["expired", "rotate", false, { rotate: true, forced: false }],
            ["invalidated", "rotate", false, { rotate: true, forced: true }],
            ["due", "check", false, { rotate: false }],
            ["expired", "check", false, { rotate: false }],
            ["not-applicable", "rotate", true, { rotate: false }],
        ];
        for (const [status, mode, force, expected] of cases) {
            it(
                `${status} in ${mode}${force ? " --force" : ""} → ` +
                    `${expected.rotate ? `rotate${expected.forced ? " with a trigger" : ""}` : "leave"}`,
                () => {
                    const plan = planUnit(at(status), { mode, force });
                    assert.equal(plan.rotate, expected.rotate);
                    assert.equal(plan.reason, expected.reason ?? `${status} reason`);
                    if (plan.rotate) {
                        assert.equal(plan.forced, expected.forced);
                    }
                },
            );
        }
    });

    it("urgency: expired and invalidated first, then due, then the earliest renewAfter", () => {
        const key = (status: UnitStatus, days: number) => urgency({ status, reason: "" }, unitOf(tokenUnit(days)));
        assert.ok(key("expired", -1)[0] < key("due", 5)[0]);
        assert.ok(key("invalidated", 25)[0] < key("due", 5)[0]);
        assert.ok(key("due", 5)[0] < key("fresh", 25)[0]);
        assert.ok(key("fresh", 20)[1] < key("fresh", 25)[1]);
    });

    describe("judgeUpdate: the update renewed the token only when its outputs changed", () => {
        const before = unitOf(tokenUnit(5));
        const outputsWith = (unit: object) => contractOutputs({ gateway: unit as never });
        const cases: { name: string; outputs: Parameters<typeof judgeUpdate>[1]; renewed: boolean; reason?: RegExp }[] = [
            { name: "a new expiry", outputs: outputsWith(tokenUnit(30)), renewed: true },
            { name: "the other key", outputs: outputsWith(tokenUnit(5, "secondary")), renewed: true },
            {
                name: "only a new expiry",
                outputs: outputsWith({ ...tokenUnit(5), tokenExpiresAt: tokenUnit(6).tokenExpiresAt }),
                renewed: true,
            },
            {
                name: "no token any more (the gateway moved to workload identity)",
                outputs: outputsWith({ gatewayResourceId: GATEWAY_ID, authType: "workloadIdentity" }),
                renewed: false,
                reason: /^the gateway "gateway" no longer exports a token$/,
            },
            {
                name: "only a new issue instant",
                outputs: outputsWith({ ...tokenUnit(5), tokenIssuedAt: "2025-06-15T12:00:00.000Z" }),
                renewed: true,
            },
            {
                name: "the same token",
                outputs: outputsWith(tokenUnit(5)),
                renewed: false,
                reason: /^the update succeeded but the token outputs did not change: .*APIM_GATEWAY_RENEWAL_TRIGGER/,
            },
            { name: "no contract output", outputs: {}, renewed: false, reason: /"apimGatewayRotation" is missing after the update/ },
            {
                name: "a secret contract output",
                outputs: { apimGatewayRotation: { secret: true } },
                renewed: false,
                reason: /"apimGatewayRotation" is a secret after the update/,
            },
            {
                name: "the gateway gone",
                outputs: contractOutputs({ other: tokenUnit(30) }),
                renewed: false,
                reason: /the gateway "gateway" is no longer in the stack output/,
            },
            {
                name: "an unreadable unit",
                outputs: { apimGatewayRotation: plain({ gateway: { authType: "token" } }) },
                renewed: false,
                reason: /apimGatewayRotation\["gateway"\]/,
            },
            {
                name: "a new token for another gateway (the program moved it)",
                outputs: outputsWith(tokenUnit(30, "secondary", { gatewayResourceId: GATEWAY_ID.replace(/gw1$/, "other-team") })),
                renewed: false,
                reason: /^the update moved the gateway "gateway" from \/subscriptions\/.*\/gw1 to .*\/other-team$/,
            },
            {
                name: "a new token, the gateway id spelt in another case",
                outputs: outputsWith(tokenUnit(30, "secondary", { gatewayResourceId: GATEWAY_ID.toUpperCase() })),
                renewed: true,
            },
        ];
        for (const { name, outputs, renewed, reason } of cases) {
            it(`${name} → ${renewed ? "renewed" : "not renewed"}`, () => {
                const verdict = judgeUpdate(before, outputs);
                assert.equal(verdict.renewed, renewed);
                if (!verdict.renewed) {
                    assert.match(verdict.reason, reason!);
                }
            });
        }
    });
});
