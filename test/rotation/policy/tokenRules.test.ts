/** The token rules, each alone, and the chain as a table (rotation/policy/tokenRules.ts). */
import { strict as assert } from "node:assert";
import { RotationUnit, parseRotationUnit } from "../../../components/contract/rotationContract";
import {
    TOKEN_RULES,
    TokenRule,
    TokenValidity,
    UnitFacts,
    UnitStatus,
    assessUnit,
    decidingRule,
    expired,
    fresh,
    insideRenewalWindow,
    keyRegenerated,
    noTokenExported,
    notTokenAuth,
} from "../../../rotation/policy/tokenRules";
import { DAY, GATEWAY_ID, NOW, tokenUnit } from "../fakes";

const unitOf = (raw: unknown, key = "gateway"): RotationUnit => parseRotationUnit(key, raw);

describe("token rules", () => {
    describe("assessUnit: the first rule that applies decides", () => {
        const invalid: TokenValidity = {
            state: "invalid",
            reason: "the primary key that signed the token was regenerated after it was issued",
        };
        const unknown: TokenValidity = { state: "unknown", reason: "offline" };
        const cases: { name: string; unit: unknown; validity?: TokenValidity; status: UnitStatus; reason: RegExp }[] = [
            {
                name: "Entra workload identity",
                unit: { gatewayResourceId: GATEWAY_ID, authType: "workloadIdentity" },
                status: "not-applicable",
                reason: /workloadIdentity, not a token/,
            },
            {
                name: "Entra app",
                unit: { gatewayResourceId: GATEWAY_ID, authType: "azureAdApp" },
                status: "not-applicable",
                reason: /azureAdApp, not a token/,
            },
            { name: "fresh", unit: tokenUnit(25), status: "fresh", reason: /^not due until / },
            {
                name: "fresh, verified valid",
                unit: tokenUnit(25),
                validity: { state: "valid" },
                status: "fresh",
                reason: /^not due until /,
            },
            { name: "fresh, not verifiable", unit: tokenUnit(25), validity: unknown, status: "fresh", reason: /^not due until / },
            {
                name: "at the renewal instant",
                unit: tokenUnit(10),
                status: "due",
                reason: /inside its renewal window since .*apim-gateway-rotate --stack dev`/,
            },
            { name: "due", unit: tokenUnit(5), status: "due", reason: /inside its renewal window/ },
            {
                name: "fresh but its key regenerated",
                unit: tokenUnit(25),
                validity: invalid,
                status: "invalidated",
                reason: /primary key .* regenerated.*--stack dev --force/,
            },
            {
                name: "due and invalidated: invalidated wins",
                unit: tokenUnit(5),
                validity: invalid,
                status: "invalidated",
                reason: /regenerated/,
            },
            {
                name: "expired",
                unit: tokenUnit(0),
                status: "expired",
                reason: /^expired at .*no longer receives configuration.*--stack dev --force/,
            },
            {
                name: "expired and invalidated: expired wins",
                unit: tokenUnit(-2),
                validity: invalid,
                status: "expired",
                reason: /^expired at /,
            },
        ];
        for (const { name, unit, validity, status, reason } of cases) {
            it(`${name} → ${status}`, () => {
                const assessment = assessUnit({ stack: "dev", unit: unitOf(unit), now: NOW, ...(validity ? { validity } : {}) });
                assert.equal(assessment.status, status);
                assert.match(assessment.reason, reason);
            });
        }
    });

    it("a token expiring now is expired, one day later due", () => {
        assert.equal(assessUnit({ stack: "s", unit: unitOf(tokenUnit(0)), now: NOW }).status, "expired");
        assert.equal(assessUnit({ stack: "s", unit: unitOf(tokenUnit(1)), now: new Date(NOW.getTime() - DAY) }).status, "due");
    });

    const invalidKey: TokenValidity = { state: "invalid", reason: "the primary key that signed the token was regenerated" };
    /** Written down here, not taken from the rules: the fixtures each rule is asked about. */
    const FACTS: Readonly<Record<string, UnitFacts>> = {
        entra: { stack: "dev", unit: unitOf({ gatewayResourceId: GATEWAY_ID, authType: "workloadIdentity" }), now: NOW },
        "token auth, none exported": { stack: "dev", unit: { key: "gateway", gatewayResourceId: GATEWAY_ID, authType: "token" }, now: NOW },
        fresh: { stack: "dev", unit: unitOf(tokenUnit(25)), now: NOW },
        due: { stack: "dev", unit: unitOf(tokenUnit(5)), now: NOW },
        expired: { stack: "dev", unit: unitOf(tokenUnit(-2)), now: NOW },
        "fresh, key regenerated": { stack: "dev", unit: unitOf(tokenUnit(25)), now: NOW, validity: invalidKey },
        "expired token exported, no targets": { stack: "dev", unit: { ...unitOf(tokenUnit(-2)), targets: undefined }, now: NOW },
        "targets, no token": { stack: "dev", unit: { ...unitOf(tokenUnit(25)), token: undefined }, now: NOW },
        "entra, with an expired token left over": {
            stack: "dev",
            unit: { ...unitOf(tokenUnit(-2)), authType: "workloadIdentity" },
            now: NOW,
        },
    };
    const NAMES = Object.keys(FACTS);

    describe("each rule alone: decides (status) or passes (-)", () => {
        const table: readonly {
            readonly rule: TokenRule;
            readonly name: string;
            readonly decides: Readonly<Record<string, UnitStatus>>;
        }[] = [
            {
                rule: notTokenAuth,
                name: "not-token-auth",
                decides: { entra: "not-applicable", "entra, with an expired token left over": "not-applicable" },
            },
            {
                rule: noTokenExported,
                name: "no-token-exported",
                decides: {
                    entra: "not-applicable",
                    "token auth, none exported": "not-applicable",
                    "expired token exported, no targets": "not-applicable",
                    "targets, no token": "not-applicable",
                },
            },
            { rule: expired, name: "expired", decides: { expired: "expired" } },
            { rule: keyRegenerated, name: "key-regenerated", decides: { "fresh, key regenerated": "invalidated" } },
            { rule: insideRenewalWindow, name: "inside-renewal-window", decides: { due: "due" } },
            {
                rule: fresh,
                name: "fresh",
                decides: { fresh: "fresh", due: "fresh", expired: "fresh", "fresh, key regenerated": "fresh" },
            },
        ];
        for (const { rule, name, decides } of table) {
            for (const facts of NAMES) {
                const expected = decides[facts];
                it(`${name} on ${facts} → ${expected ?? "-"}`, () => {
                    assert.equal(rule(FACTS[facts])?.status, expected);
                });
            }
        }
    });

    it("says why a token gateway without a token or targets is not rotated", () => {
        for (const facts of ["token auth, none exported", "expired token exported, no targets", "targets, no token"]) {
            assert.equal(noTokenExported(FACTS[facts])?.reason, "the gateway exports no token to rotate", facts);
        }
    });

    describe("the chain: which rule decides", () => {
        it("runs the rules in the documented order", () => {
            assert.deepEqual(
                TOKEN_RULES.map(({ name }) => name),
                ["not-token-auth", "no-token-exported", "expired", "key-regenerated", "inside-renewal-window", "fresh"],
            );
        });
        const table: readonly [facts: string, rule: string, status: UnitStatus][] = [
            ["entra", "not-token-auth", "not-applicable"],
            ["token auth, none exported", "no-token-exported", "not-applicable"],
            ["expired token exported, no targets", "no-token-exported", "not-applicable"],
            ["targets, no token", "no-token-exported", "not-applicable"],
            ["entra, with an expired token left over", "not-token-auth", "not-applicable"],
            ["expired", "expired", "expired"],
            ["fresh, key regenerated", "key-regenerated", "invalidated"],
            ["due", "inside-renewal-window", "due"],
            ["fresh", "fresh", "fresh"],
        ];
        for (const [facts, rule, status] of table) {
            it(`${facts} → ${rule} (${status})`, () => {
                const decided = decidingRule(FACTS[facts]);
                assert.equal(decided.name, rule);
                assert.equal(decided.assessment.status, status);
                assert.deepEqual(assessUnit(FACTS[facts]), decided.assessment);
            });
        }
    });
});
