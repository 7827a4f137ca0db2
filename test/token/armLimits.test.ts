import { strict as assert } from "node:assert";
import { ARM_RETRY_BUDGET_ENV, ARM_TIMEOUT_ENV, armCallDefaults, armCallLimits } from "../../components/token/armLimits";

describe("ARM call limits from the environment", () => {
    const cases: { env: Record<string, string | undefined>; timeoutMs: number; retryBudgetMs: number }[] = [
        { env: {}, timeoutMs: armCallDefaults.timeoutSeconds * 1000, retryBudgetMs: armCallDefaults.retryBudgetSeconds * 1000 },
        { env: { [ARM_TIMEOUT_ENV]: "", [ARM_RETRY_BUDGET_ENV]: "  " }, timeoutMs: 30_000, retryBudgetMs: 120_000 },
        { env: { [ARM_TIMEOUT_ENV]: "5" }, timeoutMs: 5_000, retryBudgetMs: 120_000 },
        { env: { [ARM_TIMEOUT_ENV]: " 5 ", [ARM_RETRY_BUDGET_ENV]: "\t60\n" }, timeoutMs: 5_000, retryBudgetMs: 60_000 },
        { env: { [ARM_TIMEOUT_ENV]: "1", [ARM_RETRY_BUDGET_ENV]: "1" }, timeoutMs: 1_000, retryBudgetMs: 1_000 },
        { env: { [ARM_TIMEOUT_ENV]: "3600", [ARM_RETRY_BUDGET_ENV]: "3600" }, timeoutMs: 3_600_000, retryBudgetMs: 3_600_000 },
    ];
    for (const { env, timeoutMs, retryBudgetMs } of cases) {
        it(`${JSON.stringify(env)} → timeout ${timeoutMs} ms, budget ${retryBudgetMs} ms`, () => {
            assert.deepEqual(armCallLimits(env), { timeoutMs, retryBudgetMs, maxRetries: armCallDefaults.maxRetries });
        });
    }

    const refused: { env: Record<string, string>; message: RegExp }[] = [
        {
            env: { [ARM_TIMEOUT_ENV]: "0" },
            message: new RegExp(
                /APIM_GATEWAY_ARM_TIMEOUT_SECONDS must be a whole number of seconds from 1 to 3600; got "0"\. Unset it /.source +
                    /for the default \(30\)/.source,
            ),
        },
        { env: { [ARM_TIMEOUT_ENV]: "2.5" }, message: /APIM_GATEWAY_ARM_TIMEOUT_SECONDS .* got "2\.5"/ },
        { env: { [ARM_TIMEOUT_ENV]: "30s" }, message: /APIM_GATEWAY_ARM_TIMEOUT_SECONDS .* got "30s"/ },
        {
            env: { [ARM_RETRY_BUDGET_ENV]: "3601" },
            message: /APIM_GATEWAY_ARM_RETRY_BUDGET_SECONDS must be a whole number .* got "3601"\. Unset it for the default \(120\)/,
        },
        { env: { [ARM_RETRY_BUDGET_ENV]: "-1" }, message: /APIM_GATEWAY_ARM_RETRY_BUDGET_SECONDS .* got "-1"/ },
        {
            env: { [ARM_TIMEOUT_ENV]: "60", [ARM_RETRY_BUDGET_ENV]: "30" },
            message: new RegExp(
                /APIM_GATEWAY_ARM_RETRY_BUDGET_SECONDS \(30\) must be at least APIM_GATEWAY_ARM_TIMEOUT_SECONDS \(60\): /.source +
                    /the budget covers every attempt of an ARM call\. Raise the budget or lower the timeout\.$/.source,
            ),
        },
    ];
    for (const { env, message } of refused) {
        it(`refuses ${JSON.stringify(env)}, naming the variable`, () => {
            assert.throws(() => armCallLimits(env), message);
        });
    }
});
