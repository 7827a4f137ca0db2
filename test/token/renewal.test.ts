import { strict as assert } from "node:assert";
import { parseGatewayResourceId } from "../../components/token/arm";
import {
    clockSkewMarginMs,
    isDue,
    nextKeyType,
    renewAfter,
    requestedExpiry,
    unknownInput,
    validateTokenInputs,
} from "../../components/token/renewal";

const dayMs = 86_400_000;
const gatewayId =
    "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg1/providers/Microsoft.ApiManagement" +
    "/service/apimService1/gateways/gw1";

describe("token renewal rules", () => {
    describe("requestedExpiry", () => {
        it("is validityDays ahead less the skew margin, rounded down to the minute", () => {
            const now = new Date("2025-03-01T10:20:30.456Z");
            const expiry = requestedExpiry(now, 30);
            assert.equal(expiry.toISOString(), "2025-03-31T10:15:00.000Z");
            assert.ok(now.getTime() + 30 * dayMs - expiry.getTime() >= clockSkewMarginMs);
        });

        it("never reaches 30 days however close to a minute boundary", () => {
            for (const iso of ["2025-01-01T00:00:00.000Z", "2025-01-01T00:04:59.999Z", "2025-01-01T00:05:00.000Z"]) {
                const now = new Date(iso);
                const expiry = requestedExpiry(now, 30);
                assert.ok(expiry.getTime() <= now.getTime() + 30 * dayMs - clockSkewMarginMs, iso);
                assert.equal(expiry.getUTCSeconds(), 0);
                assert.equal(expiry.getUTCMilliseconds(), 0);
            }
        });
    });

    it("renewAfter is expiry less renewBeforeDays", () => {
        assert.equal(renewAfter(new Date("2025-03-31T10:15:00Z"), 10).toISOString(), "2025-03-21T10:15:00.000Z");
        assert.equal(renewAfter(new Date("2025-03-31T10:15:00Z"), 0).toISOString(), "2025-03-31T10:15:00.000Z");
    });

    describe("isDue", () => {
        const state = { expiresAt: "2025-03-31T00:00:00.000Z", renewBeforeDays: 10, renewalTrigger: "t1" };
        const inputs = { gatewayResourceId: gatewayId, validityDays: 30, renewBeforeDays: 10, renewalTrigger: "t1" };

        it("is not due before the renewal window", () => {
            assert.equal(isDue(new Date("2025-03-20T23:59:59Z"), state, inputs), false);
        });

        it("is due from the start of the renewal window", () => {
            assert.equal(isDue(new Date("2025-03-21T00:00:00Z"), state, inputs), true);
        });

        it("is due once expired", () => {
            assert.equal(isDue(new Date("2025-04-02T00:00:00Z"), state, inputs), true);
        });

        it("is due on a new non-empty renewalTrigger, whatever the window", () => {
            assert.equal(isDue(new Date("2025-03-02T00:00:00Z"), state, { ...inputs, renewalTrigger: "t2" }), true);
        });

        it("is not due when the trigger is unchanged, removed or empty", () => {
            const early = new Date("2025-03-02T00:00:00Z");
            assert.equal(isDue(early, state, inputs), false);
            assert.equal(isDue(early, state, { ...inputs, renewalTrigger: undefined }), false);
            assert.equal(isDue(early, state, { ...inputs, renewalTrigger: "" }), false);
        });

        it("measures the window with the new renewBeforeDays", () => {
            const now = new Date("2025-03-15T00:00:00Z");
            assert.equal(isDue(now, state, inputs), false);
            assert.equal(isDue(now, state, { ...inputs, renewBeforeDays: 20 }), true);
        });

        it("ignores a changed validityDays", () => {
            assert.equal(isDue(new Date("2025-03-02T00:00:00Z"), state, { ...inputs, validityDays: 7 }), false);
        });

        it("uses the stored renewBeforeDays while the new one is unknown (preview)", () => {
            const now = new Date("2025-03-22T00:00:00Z");
            assert.equal(isDue(now, state, { ...inputs, renewBeforeDays: unknownInput as unknown as number }), true);
        });

        it("is due when the stored expiry is unreadable", () => {
            assert.equal(isDue(new Date("2025-03-02T00:00:00Z"), { ...state, expiresAt: "garbage" }, inputs), true);
        });
    });

    it("nextKeyType starts with primary and alternates", () => {
        assert.equal(nextKeyType(), "primary");
        assert.equal(nextKeyType("primary"), "secondary");
        assert.equal(nextKeyType("secondary"), "primary");
    });

    describe("validateTokenInputs", () => {
        it("applies the defaults (30 days, renew 10 before)", () => {
            const { inputs, failures } = validateTokenInputs({ gatewayResourceId: gatewayId });
            assert.deepEqual(failures, []);
            assert.deepEqual(inputs, { gatewayResourceId: gatewayId, validityDays: 30, renewBeforeDays: 10 });
        });

        it("keeps the trigger and cloud and drops anything else", () => {
            const azureCloud = { name: "AzureUSGovernment" as const };
            const { inputs, failures } = validateTokenInputs({
                gatewayResourceId: gatewayId,
                renewalTrigger: "x",
                azureCloud,
                __provider: "code",
                token: "t",
            });
            assert.deepEqual(inputs, {
                gatewayResourceId: gatewayId,
                validityDays: 30,
                renewBeforeDays: 10,
                renewalTrigger: "x",
                azureCloud,
            });
            assert.deepEqual(failures, []);
        });

        const cases: [string, Record<string, unknown>, string, RegExp][] = [
            ["validityDays above 30", { validityDays: 31 }, "validityDays", /from 1 to 30.*got 31/],
            ["validityDays 0", { validityDays: 0 }, "validityDays", /from 1 to 30/],
            ["fractional validityDays", { validityDays: 7.5 }, "validityDays", /whole number/],
            ["validityDays as a string", { validityDays: "30" }, "validityDays", /got "30"/],
            [
                "renewBeforeDays equal to validityDays",
                { validityDays: 7, renewBeforeDays: 7 },
                "renewBeforeDays",
                /\(7\) must be less than validityDays \(7\)/,
            ],
            ["negative renewBeforeDays", { renewBeforeDays: -1 }, "renewBeforeDays", /at least 1.*got -1/],
            [
                "renewBeforeDays 0, which a daily rotation could miss",
                { validityDays: 1, renewBeforeDays: 0 },
                "renewBeforeDays",
                /at least 1.*got 0/,
            ],
            [
                "default renewBeforeDays with a short validity",
                { validityDays: 5 },
                "renewBeforeDays",
                /\(10\) must be less than validityDays \(5\)/,
            ],
            ["a non-string renewalTrigger", { renewalTrigger: 5 }, "renewalTrigger", /must be a string/],
            ["an http azureCloud endpoint", { azureCloud: { resourceManagerEndpoint: "http://x" } }, "azureCloud", /must use https/],
            [
                "a malformed gateway id",
                { gatewayResourceId: "gw1" },
                "gatewayResourceId",
                /not a self-hosted gateway resource id.*\/gateways\/\{gateway\}/,
            ],
        ];
        for (const [name, raw, property, reason] of cases) {
            it(`rejects ${name}, naming ${property}`, () => {
                const { failures } = validateTokenInputs({ gatewayResourceId: gatewayId, ...raw });
                assert.equal(failures.length, 1, JSON.stringify(failures));
                assert.equal(failures[0].property, property);
                assert.match(failures[0].reason, reason);
            });
        }

        it("accepts renewBeforeDays 1 and validityDays 2, the shortest policy", () => {
            assert.deepEqual(validateTokenInputs({ gatewayResourceId: gatewayId, validityDays: 2, renewBeforeDays: 1 }).failures, []);
        });

        it("rejects a missing gateway id, naming it", () => {
            const { failures } = validateTokenInputs({});
            assert.deepEqual(
                failures.map((failure) => failure.property),
                ["gatewayResourceId"],
            );
            assert.match(failures[0].reason, /^gatewayResourceId "undefined" is not a self-hosted gateway resource id/);
        });

        it("does not judge a renewBeforeDays unknown during preview", () => {
            const { failures } = validateTokenInputs({ gatewayResourceId: gatewayId, validityDays: 30, renewBeforeDays: unknownInput });
            assert.deepEqual(failures, []);
        });

        it("does not judge values unknown during preview", () => {
            const { failures } = validateTokenInputs({
                gatewayResourceId: unknownInput,
                validityDays: unknownInput,
                renewBeforeDays: 29,
                azureCloud: { resourceManagerEndpoint: unknownInput },
            });
            assert.deepEqual(failures, []);
        });
    });

    describe("parseGatewayResourceId", () => {
        it("splits a gateway id", () => {
            assert.deepEqual(parseGatewayResourceId(gatewayId), {
                subscriptionId: "00000000-0000-0000-0000-000000000000",
                resourceGroupName: "rg1",
                serviceName: "apimService1",
                gatewayId: "gw1",
            });
        });

        it("accepts ARM's case-insensitive segments and a trailing slash", () => {
            const id = gatewayId.replace("resourceGroups", "resourcegroups").replace("Microsoft.ApiManagement", "microsoft.apimanagement");
            assert.equal(parseGatewayResourceId(`${id}/`).gatewayId, "gw1");
        });

        it("rejects a service id, naming the expected shape", () => {
            assert.throws(
                () => parseGatewayResourceId(gatewayId.replace("/gateways/gw1", "")),
                /expected \/subscriptions\/\{subscriptionId\}\/.*\/gateways\/\{gateway\}/,
            );
        });

        it("rejects a subscription name instead of its UUID", () => {
            assert.throws(
                () => parseGatewayResourceId(gatewayId.replace("00000000-0000-0000-0000-000000000000", "my-subscription")),
                /subscription id "my-subscription" is not a UUID/,
            );
        });
    });
});
