/** The rotation contract as the CLI reads it: the stack output parsed unit by unit (components/contract/rotationContract.ts). */
import { strict as assert } from "node:assert";
import { parseRotationOutput } from "../../components/contract/rotationContract";
import { DAY, GATEWAY_ID, NOW, targetsOf, tokenUnit } from "./fakes";

describe("rotation contract (components/contract/rotationContract.ts)", () => {
    const parse = (units: Record<string, unknown>) => parseRotationOutput(units);
    const only = (units: Record<string, unknown>) => {
        const [entry] = parse(units);
        if ("error" in entry) {
            throw new Error(entry.error);
        }
        return entry.unit;
    };

    it("reads a token unit: snapshot, targets, no cloud", () => {
        const unit = only({ west: tokenUnit(20, "secondary", { key: "west" }) });
        assert.equal(unit.key, "west");
        assert.equal(unit.token?.keyType, "secondary");
        assert.equal(unit.token?.expiresAt, new Date(NOW.getTime() + 20 * DAY).toISOString());
        assert.equal(unit.token?.renewAfter, new Date(NOW.getTime() + 10 * DAY).toISOString());
        assert.equal(typeof unit.token?.issuedAt, "string");
        assert.deepEqual(unit.targets, targetsOf("west"));
        assert.equal(unit.azureCloud, undefined);
    });

    it("reads several gateways, sorted by key, a malformed one reported alone", () => {
        const entries = parse({
            north: tokenUnit(20, "primary", { key: "north" }),
            west: { ...tokenUnit(20), tokenKeyType: "tertiary" },
            aad: { gatewayResourceId: GATEWAY_ID, authType: "azureAdApp" },
        });
        assert.deepEqual(
            entries.map((entry) => entry.key),
            ["aad", "north", "west"],
        );
        assert.ok("unit" in entries[0] && entries[0].unit.token === undefined);
        assert.ok("unit" in entries[1]);
        assert.ok("error" in entries[2] && /apimGatewayRotation\["west"\]\.tokenKeyType is "tertiary"/.test(entries[2].error));
    });

    it("names a malformed field and the fix, without revealing values beyond it", () => {
        const error = (unit: unknown) => {
            const [entry] = parse({ gw: unit });
            return "error" in entry ? entry.error : "";
        };
        assert.match(error({ ...tokenUnit(20), tokenRenewAfter: "soon" }), /\.tokenRenewAfter is not an ISO 8601 instant/);
        assert.match(error({ ...tokenUnit(20), authType: "basic" }), /expected one of token/);
        assert.match(error({ ...tokenUnit(20), tokenExpiresAt: undefined }), /\.tokenExpiresAt is missing: run `pulumi up`/);
        assert.match(
            error({ ...tokenUnit(20), rotationTargets: ["not-a-urn"] }),
            /rotationTargets must be an object with the URNs token, secret, deployment/,
        );
        assert.match(error({ ...tokenUnit(20), azureCloud: { endpoint: 1 } }), /azureCloud must be an object/);
        assert.throws(() => parse([] as never), /must be an object keyed by gateway/);
    });
});
