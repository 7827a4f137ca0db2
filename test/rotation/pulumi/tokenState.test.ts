import { strict as assert } from "node:assert";
import fc from "fast-check";
import { GATEWAY_TOKEN_TYPE } from "../../../components/token/typeToken";
import { MAX_STATE_EXPORT_CHARS, tokenRecordsFromState } from "../../../rotation/pulumi/tokenState";
import { GATEWAY_ID, TARGETS } from "../fakes";

/** `pulumi stack export` output holding `resources`. */
const exported = (resources: unknown[]) => JSON.stringify({ version: 3, deployment: { manifest: {}, resources } });
const token = (overrides: Record<string, unknown> = {}) => ({
    urn: TARGETS.token,
    type: GATEWAY_TOKEN_TYPE,
    inputs: { gatewayResourceId: GATEWAY_ID },
    outputs: { gatewayResourceId: GATEWAY_ID, token: { ciphertext: "v1:abc" } },
    ...overrides,
});

describe("the token records of an exported stack state", () => {
    const cases: [string, unknown[], unknown[]][] = [
        ["a GatewayToken", [token()], [{ urn: TARGETS.token, gatewayResourceId: GATEWAY_ID }]],
        [
            "inputs spelling the id in another case",
            [token({ inputs: { gatewayResourceId: GATEWAY_ID.toUpperCase() } })],
            [{ urn: TARGETS.token, gatewayResourceId: GATEWAY_ID }],
        ],
        ["other resource types, even with a gatewayResourceId", [token({ type: "azure-native:apimanagement:Gateway" })], []],
        ["a replaced token pending deletion", [token({ delete: true })], []],
        ["no resources (an empty stack)", [], []],
        [
            "a token whose outputs name no gateway",
            [token({ outputs: {} })],
            [{ urn: TARGETS.token, problem: `the token's state ("${TARGETS.token}") records no gateway (outputs.gatewayResourceId)` }],
        ],
        [
            "a token whose inputs name another gateway than its outputs",
            [token({ inputs: { gatewayResourceId: GATEWAY_ID.replace(/gw1$/, "gw2") } })],
            [
                {
                    urn: TARGETS.token,
                    problem: `the token's state ("${TARGETS.token}") names another gateway in its inputs than in its outputs`,
                },
            ],
        ],
    ];
    for (const [what, resources, expected] of cases) {
        it(what, () => assert.deepEqual(tokenRecordsFromState(exported(resources), "dev"), expected));
    }

    it("refuses what is not an export, naming the stack", () => {
        for (const [text, message] of [
            ["not json", /`pulumi stack export` of stack "dev" did not print JSON/],
            ["[]", /printed no deployment with a resources list/],
            [JSON.stringify({ deployment: { resources: {} } }), /printed no deployment with a resources list/],
            ["x".repeat(MAX_STATE_EXPORT_CHARS + 1), /larger than/],
        ] as const) {
            assert.throws(() => tokenRecordsFromState(text, "dev"), message);
        }
    });

    it("reads any JSON as no record or its own error, and any resource list as one record per GatewayToken", () => {
        fc.assert(
            fc.property(
                fc.jsonValue(),
                fc.array(fc.record({ type: fc.constantFrom(GATEWAY_TOKEN_TYPE, "pulumi:pulumi:Stack"), urn: fc.string() })),
                (junk, resources) => {
                    try {
                        assert.deepEqual(tokenRecordsFromState(JSON.stringify(junk), "dev"), []);
                    } catch (error) {
                        assert.match((error as Error).message, /stack "dev"/);
                    }
                    const records = tokenRecordsFromState(exported([...resources, junk]), "dev");
                    const tokens = resources.filter((resource) => resource.type === GATEWAY_TOKEN_TYPE);
                    assert.deepEqual(
                        records.map((record) => record.urn),
                        tokens.map((resource) => resource.urn),
                    );
                },
            ),
        );
    });
});
