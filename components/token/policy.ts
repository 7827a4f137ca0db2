/**
 * The access-token policy, in one place: the service's maximum lifetime, the defaults and the
 * rules on `validityDays` and `renewBeforeDays`. Used by the component's validation, the
 * GatewayToken provider (which must stay free of the Pulumi SDK) and the stack's render mocks.
 */

/** The longest token lifetime the service accepts, in days (`Gateway_GenerateToken`). */
export const MAX_TOKEN_VALIDITY_DAYS = 30;

/**
 * Defaults: the longest lifetime, renewed ten days before expiry so a daily rotation that fails
 * has ten days of retries.
 */
export const TOKEN_DEFAULTS = { validityDays: MAX_TOKEN_VALIDITY_DAYS, renewBeforeDays: 10 } as const;

/** Below one day a daily rotation could find the token already expired. */
export const MIN_RENEW_BEFORE_DAYS = 1;

/** Production wants a daily schedule to have retries left before expiry: at least three runs. */
export const PRODUCTION_MIN_RENEW_BEFORE_DAYS = 3;

/** One broken token rule: the input, what is wrong and the fix. */
export interface TokenRuleProblem {
    property: "validityDays" | "renewBeforeDays";
    problem: string;
    fix: string;
}

function isWholeNumberIn(value: unknown, min: number, max: number): value is number {
    return typeof value === "number" && Number.isInteger(value) && value >= min && value <= max;
}

/**
 * The rules that hold in every profile. An `undefined` value is not judged (not given, or not
 * known yet during a preview); renewBeforeDays is then compared with the default validity, and
 * against an invalid validity with the maximum.
 */
export function tokenRuleProblems(validityDays: unknown, renewBeforeDays: unknown): TokenRuleProblem[] {
    const problems: TokenRuleProblem[] = [];
    const validityValid = isWholeNumberIn(validityDays, 1, MAX_TOKEN_VALIDITY_DAYS);
    if (validityDays !== undefined && !validityValid) {
        const tooHigh = typeof validityDays === "number" && validityDays > MAX_TOKEN_VALIDITY_DAYS;
        problems.push({
            property: "validityDays",
            problem:
                `must be a whole number of days from 1 to ${MAX_TOKEN_VALIDITY_DAYS} (the longest token lifetime the service allows), ` +
                `got ${JSON.stringify(validityDays)}`,
            fix: tooHigh
                ? `Use ${MAX_TOKEN_VALIDITY_DAYS} or less.`
                : `Use a whole number from 1 to ${MAX_TOKEN_VALIDITY_DAYS} (default ${TOKEN_DEFAULTS.validityDays}).`,
        });
    }
    if (renewBeforeDays !== undefined) {
        const validity = validityValid ? validityDays : validityDays === undefined ? TOKEN_DEFAULTS.validityDays : MAX_TOKEN_VALIDITY_DAYS;
        if (!isWholeNumberIn(renewBeforeDays, MIN_RENEW_BEFORE_DAYS, Number.MAX_SAFE_INTEGER)) {
            problems.push({
                property: "renewBeforeDays",
                problem:
                    `must be a whole number of days of at least ${MIN_RENEW_BEFORE_DAYS} (a daily rotation must renew before expiry), ` +
                    `got ${JSON.stringify(renewBeforeDays)}`,
                fix: `Use e.g. ${TOKEN_DEFAULTS.renewBeforeDays}.`,
            });
        } else if (renewBeforeDays >= validity) {
            problems.push({
                property: "renewBeforeDays",
                problem: `(${renewBeforeDays}) must be less than validityDays (${validity}), or every new token would already be due`,
                fix: "Lower renewBeforeDays, or raise validityDays.",
            });
        }
    }
    return problems;
}

/** The production rule on top: `undefined` when renewBeforeDays leaves a daily schedule enough retries. */
export function productionRenewBeforeProblem(renewBeforeDays: number): TokenRuleProblem | undefined {
    if (renewBeforeDays >= PRODUCTION_MIN_RENEW_BEFORE_DAYS) {
        return undefined;
    }
    return {
        property: "renewBeforeDays",
        problem:
            `is ${renewBeforeDays}; production needs at least ${PRODUCTION_MIN_RENEW_BEFORE_DAYS} ` +
            "so a daily rotation that fails still has retries left before the token expires",
        fix: `Set token.renewBeforeDays to ${PRODUCTION_MIN_RENEW_BEFORE_DAYS} or more (default ${TOKEN_DEFAULTS.renewBeforeDays}).`,
    };
}
