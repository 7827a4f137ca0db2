import { strict as assert } from "node:assert";
import { holdsGateway } from "../../../rotation/run/eventMatching";
import type { GatewayExpiry } from "../../../rotation/azure/expiryEvents";

const SUB = "00000000-0000-0000-0000-000000000000";
const UNIT = `/subscriptions/${SUB}/resourceGroups/rg1/providers/Microsoft.ApiManagement/service/apim1/gateways/gw1`;

const expiry = (serviceResourceId: string, gateway: string): GatewayExpiry => ({
    serviceResourceId,
    gateway,
    eventTypes: ["Microsoft.ApiManagement.GatewayTokenNearExpiry"],
    instances: [],
    expiresAt: "2025-07-01T00:00:00.000Z",
});

describe("which units an expiry event names", () => {
    const cases: [string, string, GatewayExpiry, boolean][] = [
        [
            "the same ids",
            UNIT,
            expiry(`/subscriptions/${SUB}/resourceGroups/rg1/providers/Microsoft.ApiManagement/service/apim1`, "gw1"),
            true,
        ],
        [
            "ids in other cases",
            UNIT,
            expiry(`/SUBSCRIPTIONS/${SUB}/RESOURCEGROUPS/RG1/PROVIDERS/MICROSOFT.APIMANAGEMENT/SERVICE/APIM1`, "GW1"),
            true,
        ],
        [
            "a unit id with a trailing slash",
            `${UNIT}/`,
            expiry(`/subscriptions/${SUB}/resourceGroups/rg1/providers/Microsoft.ApiManagement/service/apim1`, "gw1"),
            true,
        ],
        [
            "another gateway",
            UNIT,
            expiry(`/subscriptions/${SUB}/resourceGroups/rg1/providers/Microsoft.ApiManagement/service/apim1`, "gw2"),
            false,
        ],
        [
            "another instance",
            UNIT,
            expiry(`/subscriptions/${SUB}/resourceGroups/rg1/providers/Microsoft.ApiManagement/service/apim2`, "gw1"),
            false,
        ],
        [
            "another resource group",
            UNIT,
            expiry(`/subscriptions/${SUB}/resourceGroups/rg2/providers/Microsoft.ApiManagement/service/apim1`, "gw1"),
            false,
        ],
        [
            "another subscription",
            UNIT,
            expiry(
                `/subscriptions/11111111-1111-1111-1111-111111111111/resourceGroups/rg1/providers/Microsoft.ApiManagement/service/apim1`,
                "gw1",
            ),
            false,
        ],
        [
            "a gateway name that is a prefix",
            UNIT,
            expiry(`/subscriptions/${SUB}/resourceGroups/rg1/providers/Microsoft.ApiManagement/service/apim1`, "gw"),
            false,
        ],
        [
            "a malformed unit id",
            "gw1",
            expiry(`/subscriptions/${SUB}/resourceGroups/rg1/providers/Microsoft.ApiManagement/service/apim1`, "gw1"),
            false,
        ],
    ];
    for (const [what, unit, event, expected] of cases) {
        it(`${expected ? "matches" : "does not match"} ${what}`, () => assert.equal(holdsGateway(unit, event), expected));
    }
});
