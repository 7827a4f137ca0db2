/** The access-token policy (components/token/policy.ts): each rule, its boundaries, and the words of each problem and fix. */
import { strict as assert } from "node:assert";
import { TokenRuleProblem, productionRenewBeforeProblem, tokenRuleProblems } from "../../components/token/policy";

const validityRange = (got: string, fix: string): TokenRuleProblem => ({
    property: "validityDays",
    problem: `must be a whole number of days from 1 to 30 (the longest token lifetime the service allows), got ${got}`,
    fix,
});
const WHOLE_VALIDITY = "Use a whole number from 1 to 30 (default 30).";
const renewBeforeWhole = (got: string): TokenRuleProblem => ({
    property: "renewBeforeDays",
    problem: `must be a whole number of days of at least 1 (a daily rotation must renew before expiry), got ${got}`,
    fix: "Use e.g. 10.",
});
const renewBeforeBelow = (renewBeforeDays: number, validityDays: number): TokenRuleProblem => ({
    property: "renewBeforeDays",
    problem: `(${renewBeforeDays}) must be less than validityDays (${validityDays}), or every new token would already be due`,
    fix: "Lower renewBeforeDays, or raise validityDays.",
});

describe("token policy (components/token/policy.ts)", () => {
    describe("tokenRuleProblems(validityDays, renewBeforeDays)", () => {
        const cases: [string, unknown, unknown, TokenRuleProblem[]][] = [
            ["neither given", undefined, undefined, []],
            ["the longest validity, renewed a day before", 30, 29, []],
            ["the shortest validity", 1, undefined, []],
            ["the shortest policy", 2, 1, []],
            ["validity 0", 0, undefined, [validityRange("0", WHOLE_VALIDITY)]],
            ["validity 31: too high", 31, undefined, [validityRange("31", "Use 30 or less.")]],
            ["a fractional validity above the maximum", 30.5, undefined, [validityRange("30.5", "Use 30 or less.")]],
            ["a fractional validity", 7.5, undefined, [validityRange("7.5", WHOLE_VALIDITY)]],
            ["a validity given as text", "31", undefined, [validityRange('"31"', WHOLE_VALIDITY)]],
            ["renewal as long as the default validity", undefined, 30, [renewBeforeBelow(30, 30)]],
            ["renewal just inside the default validity", undefined, 29, []],
            ["renewal as long as the validity", 7, 7, [renewBeforeBelow(7, 7)]],
            ["renewal just inside the validity", 7, 6, []],
            ["renewal 0", 30, 0, [renewBeforeWhole("0")]],
            ["a fractional renewal", 30, 1.5, [renewBeforeWhole("1.5")]],
            ["a renewal given as text", 30, "5", [renewBeforeWhole('"5"')]],
            ["an invalid validity: renewal judged against the maximum, inside it", 45, 29, [validityRange("45", "Use 30 or less.")]],
            [
                "an invalid validity: renewal judged against the maximum, as long as it",
                45,
                30,
                [validityRange("45", "Use 30 or less."), renewBeforeBelow(30, 30)],
            ],
        ];
        for (const [name, validityDays, renewBeforeDays, expected] of cases) {
            it(`${name}: ${JSON.stringify(validityDays)}, ${JSON.stringify(renewBeforeDays)}`, () => {
                assert.deepEqual(tokenRuleProblems(validityDays, renewBeforeDays), expected);
            });
        }
    });

    describe("productionRenewBeforeProblem", () => {
        it("accepts 3 days or more: a daily schedule keeps retries", () => {
            assert.equal(productionRenewBeforeProblem(3), undefined);
            assert.equal(productionRenewBeforeProblem(10), undefined);
        });

        it("refuses fewer, naming the minimum, the reason and the fix", () => {
            assert.deepEqual(productionRenewBeforeProblem(2), {
                property: "renewBeforeDays",
                problem: "is 2; production needs at least 3 so a daily rotation that fails still has retries left before the token expires",
                fix: "Set token.renewBeforeDays to 3 or more (default 10).",
            });
        });
    });
});
