import { strict as assert } from "node:assert";
import { RotationUnit, parseRotationUnit } from "../../../components/contract/rotationContract";
import type { TokenRecord } from "../../../rotation/model/tokenRecord";
import { RecordCheck, StackTokenRecords, checkRecordUnchanged, checkTokenRecord } from "../../../rotation/policy/tokenRecords";
import { GATEWAY_ID, TARGETS, tokenUnit } from "../fakes";

const OTHER = GATEWAY_ID.replace("/rg1/", "/rg-other/").replace(/gw1$/, "gw9");
const unitNaming = (gatewayResourceId: string): RotationUnit =>
    parseRotationUnit("gateway", tokenUnit(25, "primary", { gatewayResourceId }));
/** `text` matched literally in a regular expression. */
const escaped = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
const recordOf = (gatewayResourceId: string, urn = TARGETS.token): TokenRecord => ({ urn, gatewayResourceId });

/** `ok GATEWAY`, or `failed` with the gateway the state names when it names one. */
function outcome(check: RecordCheck): string {
    const named = check.gatewayResourceId === GATEWAY_ID ? "gw1" : check.gatewayResourceId === OTHER ? "gw9" : "none";
    return `${check.ok ? "ok" : "failed"} ${named}`;
}

describe("a unit's gateway by its token's own record", () => {
    const cases: [string, RotationUnit, StackTokenRecords, string, RegExp?][] = [
        ["output and state agree", unitNaming(GATEWAY_ID), [recordOf(GATEWAY_ID)], "ok gw1"],
        ["they agree but for case", unitNaming(GATEWAY_ID.toUpperCase()), [recordOf(GATEWAY_ID)], "ok gw1"],
        [
            "the output edited to another team's gateway",
            unitNaming(OTHER),
            [recordOf(GATEWAY_ID)],
            "failed gw1",
            /its stack output names gateway .*gw9, but its token's state says the token was issued for .*gw1$/,
        ],
        [
            "no token at the output's target URN",
            unitNaming(GATEWAY_ID),
            [recordOf(GATEWAY_ID, `${TARGETS.token}-other`)],
            "failed none",
            new RegExp(String.raw`^its stack's state has no GatewayToken at its rotationTargets\.token \(${escaped(TARGETS.token)}\)$`),
        ],
        [
            "two tokens at that URN",
            unitNaming(GATEWAY_ID),
            [recordOf(GATEWAY_ID), recordOf(GATEWAY_ID)],
            "failed none",
            /has 2 GatewayTokens/,
        ],
        [
            "no rotation targets in the output",
            { ...unitNaming(GATEWAY_ID), targets: undefined },
            [recordOf(GATEWAY_ID)],
            "failed none",
            /^its stack's state has no GatewayToken at its rotationTargets\.token \(none\)$/,
        ],
        ["a record with a problem", unitNaming(GATEWAY_ID), [{ urn: TARGETS.token, problem: "no gateway" }], "failed none", /^no gateway$/],
        ["an unreadable state", unitNaming(GATEWAY_ID), { unreadable: "EACCES" }, "failed none", /could not be read \(EACCES\)/],
    ];
    for (const [what, unit, records, expected, problem] of cases) {
        it(`${expected}: ${what}`, () => {
            const check = checkTokenRecord(unit, records);
            assert.equal(outcome(check), expected);
            if (!check.ok) {
                assert.match(check.problem, problem!);
            }
        });
    }

    const after: [string, RecordCheck, string, string?][] = [
        ["still on its gateway", { ok: true, gatewayResourceId: GATEWAY_ID }, "ok gw1"],
        [
            "moved to another gateway",
            { ok: true, gatewayResourceId: OTHER },
            "failed gw9",
            `the update moved its token from gateway ${GATEWAY_ID} to ${OTHER}`,
        ],
        [
            "gone from the state",
            { ok: false, problem: "its stack's state has no GatewayToken" },
            "failed none",
            "after the update, its stack's state has no GatewayToken",
        ],
    ];
    for (const [what, check, expected, problem] of after) {
        it(`after the update, ${expected}: ${what}`, () => {
            const checked = checkRecordUnchanged(GATEWAY_ID, check);
            assert.equal(outcome(checked), expected);
            assert.equal(checked.ok ? undefined : checked.problem, problem);
        });
    }
});
