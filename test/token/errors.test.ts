/** The ARM call's own errors (components/token/errors.ts): the spent retry budget, and how the error reads. */
import { strict as assert } from "node:assert";
import { ArmOperationContext, ArmOperationError, armBudgetSpentError } from "../../components/token/errors";

describe("ARM call errors (components/token/errors.ts)", () => {
    const context: ArmOperationContext = {
        operation: "regenerateKey",
        gateway: { subscriptionId: "00000000-0000-0000-0000-000000000001", resourceGroupName: "rg", serviceName: "svc", gatewayId: "gw" },
        resourceManagerEndpoint: "https://arm.example",
        authorityHost: "https://login.example",
        limits: { timeoutMs: 5_000, retryBudgetMs: 60_000, maxRetries: 3 },
    };
    const gateway =
        "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg/providers/Microsoft.ApiManagement/service/svc/gateways/gw";
    const spent =
        `ARM at https://arm.example did not complete regenerateKey on gateway ${gateway} within the 60 s retry budget ` +
        "(APIM_GATEWAY_ARM_RETRY_BUDGET_SECONDS); gave up.";
    const fix = " Check network access to that endpoint (proxy, firewall, DNS) and Azure service health, then run again.";

    const cases: [number, string][] = [
        [0, `${spent}${fix}`],
        [1, `${spent} 1 request got no answer within the 5 s request timeout (APIM_GATEWAY_ARM_TIMEOUT_SECONDS).${fix}`],
        [3, `${spent} 3 requests got no answer within the 5 s request timeout (APIM_GATEWAY_ARM_TIMEOUT_SECONDS).${fix}`],
    ];
    for (const [timedOut, message] of cases) {
        it(`a spent retry budget after ${timedOut} unanswered requests names the endpoint, the limits and the fix`, () => {
            const error = armBudgetSpentError(context, timedOut);
            assert.ok(error instanceof ArmOperationError);
            assert.equal(error.message, message);
            assert.equal(error.statusCode, undefined);
            assert.equal(error.code, "RetryBudgetSpent");
        });
    }

    it("reads as its name and message, keeping ARM's status and code", () => {
        const error = new ArmOperationError("ARM refused it.", 409, "Conflict");
        assert.equal(error.name, "ArmOperationError");
        assert.equal(String(error), "ArmOperationError: ARM refused it.");
        assert.equal(error.message, "ARM refused it.");
        assert.deepEqual([error.statusCode, error.code], [409, "Conflict"]);
    });
});
