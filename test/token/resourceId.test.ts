/** ARM ids are compared in one form: case-insensitive, without a trailing slash. */
import { strict as assert } from "node:assert";
import { parseGatewayResourceId, parseServiceResourceId, resourceIdKey, sameResourceId } from "../../components/token/resourceId";

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
