/** The rotation contract as the CLI reads it: the stack output parsed unit by unit (components/contract/rotationContract.ts). */
import { strict as assert } from "node:assert";
import { parseRotationOutput, parseRotationUnit } from "../../components/contract/rotationContract";
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

    it("keeps a token's issue instant and checksum as exported, and adds neither when the outputs do not hold it", () => {
        const { tokenIssuedAt, tokenChecksum, ...bare } = tokenUnit(20, "primary", { tokenChecksum: "ab".repeat(32) });
        const expected = { expiresAt: bare.tokenExpiresAt, renewAfter: bare.tokenRenewAfter, keyType: "primary" };
        assert.deepEqual(only({ gw: { ...bare, tokenIssuedAt, tokenChecksum } }).token, {
            ...expected,
            issuedAt: tokenIssuedAt,
            checksum: "ab".repeat(32),
        });
        assert.deepEqual(only({ gw: { ...bare, tokenIssuedAt } }).token, { ...expected, issuedAt: tokenIssuedAt });
        assert.deepEqual(only({ gw: { ...bare, tokenChecksum } }).token, { ...expected, checksum: "ab".repeat(32) });
        assert.deepEqual(only({ gw: bare }).token, expected);
    });

    it("reads azureCloud as exported; absent or null is no cloud (the public one)", () => {
        assert.equal("azureCloud" in only({ gw: tokenUnit(20) }), false);
        assert.equal("azureCloud" in only({ gw: { ...tokenUnit(20), azureCloud: null } }), false);
        const partial = {
            name: "AzureUSGovernment",
            resourceManagerEndpoint: undefined,
            authorityHost: "https://login.microsoftonline.us",
        };
        assert.deepEqual(only({ gw: { ...tokenUnit(20), azureCloud: partial } }).azureCloud, partial);
    });

    describe("rejects a malformed unit with a RotationContractError naming the field and the fix", () => {
        const unit = (overrides: Record<string, unknown>) => ({ ...tokenUnit(20, "primary", { key: "gw" }), ...overrides });
        const fix = "run `pulumi up` on the stack so it exports the outputs of this version of the component";
        const targetsError =
            'apimGatewayRotation["gw"].rotationTargets must be an object with the URNs token, secret, deployment; ' +
            `without it a rotation would not know what to update: ${fix}`;
        const cloudError =
            'apimGatewayRotation["gw"].azureCloud must be an object with optional string fields ' +
            "name, resourceManagerEndpoint, authorityHost";
        const cases: [string, unknown, string][] = [
            ["a unit that is not an object", "token", `apimGatewayRotation["gw"] is not an object: ${fix}`],
            [
                "an empty gateway id",
                unit({ gatewayResourceId: "" }),
                `apimGatewayRotation["gw"].gatewayResourceId is not a non-empty string: ${fix}`,
            ],
            [
                "an authType that is not a string",
                unit({ authType: 42 }),
                `apimGatewayRotation["gw"].authType is not a non-empty string: ${fix}`,
            ],
            [
                "an unknown authType",
                unit({ authType: "basic" }),
                'apimGatewayRotation["gw"].authType is "basic"; expected one of token, workloadIdentity, azureAdApp, existingTokenSecret',
            ],
            [
                "a token unit without its key type",
                unit({ tokenKeyType: undefined }),
                `apimGatewayRotation["gw"].tokenKeyType is missing: ${fix}`,
            ],
            ["a target that is not a URN", unit({ rotationTargets: { ...targetsOf("gw"), secret: "gw-token-secret" } }), targetsError],
            [
                "a target URN inside an array",
                unit({ rotationTargets: { ...targetsOf("gw"), token: [targetsOf("gw").token] } }),
                targetsError,
            ],
            ["a cloud with an unknown field", unit({ azureCloud: { name: "AzureCloud", endpoint: "https://127.0.0.1:9443" } }), cloudError],
            ["a cloud with a field that is not a string", unit({ azureCloud: { authorityHost: 9444 } }), cloudError],
        ];
        for (const [name, value, message] of cases) {
            it(name, () => {
                assert.throws(() => parseRotationUnit("gw", value), { name: "RotationContractError", message });
            });
        }
    });
});
