/** ARM ids are compared in one form: case-insensitive, without a trailing slash. */
import { strict as assert } from "node:assert";
import { resourceIdKey, sameResourceId } from "../../components/token/resourceId";

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
