/** ARM ids are compared in one form: case-insensitive, without a trailing slash. */
import { strict as assert } from "node:assert";
import {
    gatewayResourceId,
    parseGatewayResourceId,
    parseServiceResourceId,
    resourceIdKey,
    sameResourceId,
    serviceResourceId,
} from "../../components/token/resourceId";

const id =
    "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-apim/providers" +
    "/Microsoft.ApiManagement/service/apim1/gateways/gw1";

describe("resourceIdKey / sameResourceId", () => {
    const same: [string, string][] = [
        ["identical", id],
        ["resource group in another case", id.replace("rg-apim", "rg-APIM")],
        ["every segment upper case", id.toUpperCase()],
        ["a trailing slash", `${id}/`],
        ["surrounding white space", ` ${id}\n`],
    ];
    for (const [name, other] of same) {
        it(`the same resource: ${name}`, () => {
            assert.equal(resourceIdKey(other), resourceIdKey(id));
            assert.ok(sameResourceId(id, other));
        });
    }
    const different: [string, unknown][] = [
        ["another gateway", id.replace("gw1", "gw2")],
        ["another resource group", id.replace("rg-apim", "rg-apim2")],
        ["not a string", undefined],
    ];
    for (const [name, other] of different) {
        it(`not the same resource: ${name}`, () => assert.ok(!sameResourceId(id, other)));
    }
});

describe("resource ids from untrusted text (stack outputs, events)", () => {
    const MiB = 1024 * 1024;
    // A run of slashes that does not end the id: a /\/+$/ retried from each slash is quadratic here.
    const slashes = `${"/".repeat(MiB)}x`;

    it("keys a 1 MiB run of slashes in linear time, keeping them", () => {
        assert.equal(resourceIdKey(slashes), slashes);
        assert.equal(resourceIdKey(`/A${"/".repeat(MiB)}`), "/a");
    });

    for (const [name, parse] of [
        ["gateway", parseGatewayResourceId],
        ["service", parseServiceResourceId],
    ] as const) {
        it(`refuses a 1 MiB ${name} id with a message of bounded length, its text quoted`, () => {
            for (const id of [slashes, `/subscriptions/${"\u0085::add-mask::x".repeat(MiB / 16)}`]) {
                assert.throws(
                    () => parse(id),
                    (error: Error) =>
                        error.message.length < 2000 &&
                        /\(first 600 of \d+ characters\)/.test(error.message) &&
                        !error.message.includes("\u0085"),
                );
            }
        });
    }
});

describe("API Management instance ids (parseServiceResourceId)", () => {
    const service = id.slice(0, id.indexOf("/gateways/"));

    it("splits an instance id, whatever its case or trailing slash, into the parts a gateway id is built from", () => {
        const parts = { subscriptionId: "00000000-0000-0000-0000-000000000000", resourceGroupName: "rg-apim", serviceName: "apim1" };
        assert.deepEqual(parseServiceResourceId(service), parts);
        assert.deepEqual(
            parseServiceResourceId(` ${service.replace("/providers/Microsoft.ApiManagement", "/providers/microsoft.apimanagement")}/ `),
            parts,
        );
        assert.equal(serviceResourceId({ ...parts, gatewayId: "gw1" }), service);
        assert.equal(gatewayResourceId({ ...parts, gatewayId: "gw1" }), id);
    });

    it("refuses a gateway id or a non-string, naming the expected shape", () => {
        for (const value of [id, undefined]) {
            assert.throws(() => parseServiceResourceId(value as string), {
                message:
                    `${value === undefined ? '"undefined"' : JSON.stringify(id)} ` +
                    "is not an API Management instance's resource id: expected " +
                    "/subscriptions/{subscriptionId}/resourceGroups/{resourceGroup}/providers/Microsoft.ApiManagement/service/{service} " +
                    '(the instance\'s "id" output, or az apim show --query id).',
            });
        }
    });

    it("refuses a subscription name instead of its UUID", () => {
        assert.throws(() => parseServiceResourceId(service.replace("00000000-0000-0000-0000-000000000000", "my-subscription")), {
            message:
                'subscription id "my-subscription" is not a UUID: use the subscription\'s id (az account show --query id), not its name.',
        });
    });
});

describe("gateway ids (parseGatewayResourceId): only a whole gateway id", () => {
    const shape =
        "expected /subscriptions/{subscriptionId}/resourceGroups/{resourceGroup}/providers/Microsoft.ApiManagement/service/{service}" +
        "/gateways/{gateway}, e.g. /subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg1/providers" +
        '/Microsoft.ApiManagement/service/apim1/gateways/gw1 (the gateway\'s "id" output).';
    const refused: [string, string][] = [
        ["the GatewayToken's own id (the gateway id and more)", `${id}/accessToken`],
        ["a gateway id behind a prefix", `/tenants/t${id}`],
    ];
    for (const [name, value] of refused) {
        it(`refuses ${name}, naming the expected shape and an example`, () => {
            assert.throws(() => parseGatewayResourceId(value), {
                message: `gatewayResourceId ${JSON.stringify(value)} is not a self-hosted gateway resource id: ${shape}`,
            });
        });
    }

    it("refuses an instance id behind a prefix", () => {
        assert.throws(() => parseServiceResourceId(`/tenants/t${id.slice(0, id.indexOf("/gateways/"))}`), /is not an API Management/);
    });

    it("refuses a subscription id that only contains a UUID", () => {
        for (const subscription of ["x00000000-0000-0000-0000-000000000000", "00000000-0000-0000-0000-000000000000x"]) {
            assert.throws(
                () => parseGatewayResourceId(id.replace("00000000-0000-0000-0000-000000000000", subscription)),
                new RegExp(`subscription id "${subscription}" is not a UUID`),
            );
        }
    });

    it("an id that is not a string is no resource, on either side", () => {
        assert.equal(sameResourceId(undefined, id), false);
        assert.equal(sameResourceId(id, 42), false);
    });
});
