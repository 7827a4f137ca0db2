import { strict as assert } from "node:assert";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { EXPIRY_EVENT_TYPES, EventFileError, parseExpiryEvents } from "../../../rotation/azure/expiryEvents";

const FIXTURES = path.join(__dirname, "..", "fixtures", "events");
/** Microsoft's sample events, verbatim (fixtures/events/README.md cites the page). */
const sample = (file: string): string => readFileSync(path.join(FIXTURES, file), "utf8");
const SUB = "00000000-0000-0000-0000-000000000000";
const SERVICE = `/subscriptions/${SUB}/resourceGroups/rg1/providers/Microsoft.ApiManagement/service/apim1`;

/** The sample with its placeholders filled in. */
function filled(file: string, gateway = "gw1", instance = "gw1-7d9c-abcde"): Record<string, unknown> {
    return JSON.parse(
        sample(file)
            .replaceAll("{subscription-id}", SUB)
            .replaceAll("{your-rg}", "rg1")
            .replaceAll("{your-APIM-instance}", "apim1")
            .replaceAll("{gateway-name}", gateway)
            .replaceAll("{instance-name}", instance),
    );
}

/** The page: the near-expiry event "substitutes an expiresAtUtc property for the expiredAtUtc property". */
function nearExpiry(gateway = "gw1", instance = "gw1-7d9c-abcde", expiresAtUtc = "2025-07-01T08:56:00.0000000Z"): Record<string, unknown> {
    const event = filled("event-grid-gateway-token-expired.json", gateway, instance) as {
        data: { tokenInfo: Record<string, string> };
    } & Record<string, unknown>;
    event.eventType = "Microsoft.ApiManagement.GatewayTokenNearExpiry";
    event.data.tokenInfo = { expiresAtUtc };
    return event;
}

const parse = (value: unknown) => parseExpiryEvents(JSON.stringify(value), "events.json");

describe("Azure's gateway token expiry events (--event)", () => {
    it("reads Microsoft's Event Grid sample verbatim, placeholders and all", async () => {
        const events = await parseExpiryEvents(sample("event-grid-gateway-token-expired.json"), "events.json");
        assert.deepEqual(events, {
            gateways: [
                {
                    serviceResourceId:
                        "/subscriptions/{subscription-id}/resourceGroups/{your-rg}" +
                        "/providers/Microsoft.ApiManagement/service/{your-APIM-instance}",
                    gateway: "{gateway-name}",
                    eventTypes: ["Microsoft.ApiManagement.GatewayTokenExpired"],
                    instances: ["{instance-name}"],
                    expiresAt: "2025-02-25T08:56:00.000Z",
                },
            ],
            ignored: [],
        });
    });

    it("reads Microsoft's CloudEvent sample verbatim (its specVersion spelling included)", async () => {
        const events = await parseExpiryEvents(sample("cloud-event-gateway-token-expired.json"), "-");
        assert.equal(events.gateways.length, 1);
        assert.equal(events.gateways[0].gateway, "{gateway-name}");
        assert.deepEqual(events.gateways[0].eventTypes, ["Microsoft.ApiManagement.GatewayTokenExpired"]);
    });

    it("ignores and lists Microsoft's product-created sample, an event of another type", async () => {
        const events = await parseExpiryEvents(sample("event-grid-product-created.json"), "events.json");
        assert.deepEqual(events, {
            gateways: [],
            ignored: [{ id: "92c502f2-a966-42a7-a428-d3b319844544", eventType: "Microsoft.ApiManagement.ProductCreated" }],
        });
    });

    it("accepts both spellings of the expiry field, on either event type", async () => {
        const expires = nearExpiry();
        const expired = filled("event-grid-gateway-token-expired.json");
        (expired as { data: { tokenInfo: unknown } }).data.tokenInfo = { expiresAtUtc: "2025-02-25T08:56:00Z" };
        const near = nearExpiry();
        (near as { data: { tokenInfo: unknown } }).data.tokenInfo = { expiredAtUtc: "2025-07-01T08:56:00Z" };
        for (const [event, expiresAt] of [
            [expires, "2025-07-01T08:56:00.000Z"],
            [expired, "2025-02-25T08:56:00.000Z"],
            [near, "2025-07-01T08:56:00.000Z"],
        ] as const) {
            assert.equal((await parse([event])).gateways[0].expiresAt, expiresAt);
        }
    });

    it("deduplicates the instances of one gateway (service and name in any case), keeping the earliest expiry and every type", async () => {
        const other = nearExpiry("GW1", "gw1-7d9c-fghij", "2025-06-30T00:00:00Z");
        (other as { topic: string }).topic = SERVICE.toUpperCase().replace("/SUBSCRIPTIONS/", "/subscriptions/");
        const events = await parse([
            nearExpiry(),
            other,
            filled("event-grid-gateway-token-expired.json", "gw1", "gw1-7d9c-abcde"),
            nearExpiry("gw2", "gw2-1"),
        ]);
        assert.deepEqual(
            events.gateways.map((gateway) => [gateway.gateway, gateway.instances, gateway.eventTypes, gateway.expiresAt]),
            [
                ["gw1", ["gw1-7d9c-abcde", "gw1-7d9c-fghij"], [...EXPIRY_EVENT_TYPES], "2025-02-25T08:56:00.000Z"],
                ["gw2", ["gw2-1"], ["Microsoft.ApiManagement.GatewayTokenNearExpiry"], "2025-07-01T08:56:00.000Z"],
            ],
        );
    });

    it("reads gatewayId as a bare name, an ARM id, or the SDK's documented form (no providers/, gateway/ singular)", async () => {
        for (const gatewayId of [
            "gw1",
            `${SERVICE}/gateways/gw1`,
            `/subscriptions/${SUB}/resourceGroups/RG1/Microsoft.ApiManagement/service/APIM1/gateway/gw1`,
        ]) {
            const event = nearExpiry();
            (event as { data: { gatewayInfo: { gatewayId: string } } }).data.gatewayInfo.gatewayId = gatewayId;
            const [gateway] = (await parse([event])).gateways;
            assert.equal(gateway.gateway, "gw1", gatewayId);
            assert.equal(gateway.serviceResourceId, SERVICE, gatewayId);
        }
    });

    it("reads a batch of CloudEvents and the SDK model's names (gateway, token.expiresOn)", async () => {
        const cloud = filled("cloud-event-gateway-token-expired.json");
        const modelled = {
            ...cloud,
            specversion: "1.0",
            id: "2",
            data: { gateway: { gatewayId: "gw1", instanceId: "i-2" }, token: { expiresOn: "2025-02-24T00:00:00Z" } },
        };
        const events = await parse([cloud, modelled]);
        assert.deepEqual(events.gateways[0].instances, ["gw1-7d9c-abcde", "i-2"]);
        assert.equal(events.gateways[0].expiresAt, "2025-02-24T00:00:00.000Z");
    });

    const malformed: [string, unknown | string, RegExp][] = [
        ["not JSON", "{", /--event events\.json is not JSON/],
        ["an empty array", [], /holds no event/],
        ["an array of strings", ["x"], /event 0 is not a JSON object/],
        [
            "an Event Grid event without metadataVersion",
            [{ ...nearExpiry(), metadataVersion: undefined }],
            /event 0 \(id "92c502f2.*missing required property 'metadataVersion'/,
        ],
        [
            "a CloudEvent of another spec version",
            [{ ...filled("cloud-event-gateway-token-expired.json"), specVersion: "0.3" }],
            /not in the Cloud Event 1\.0 schema/,
        ],
        [
            "a topic that is not an API Management instance",
            [{ ...nearExpiry(), topic: "/subscriptions/x/resourceGroups/rg1/providers/Microsoft.Storage/storageAccounts/s1" }],
            /topic .* is not an API Management instance's ARM id/,
        ],
        [
            "a gatewayId of another instance than the topic",
            [
                {
                    ...nearExpiry(),
                    data: { gatewayInfo: { gatewayId: `${SERVICE}2/gateways/gw1` }, tokenInfo: { expiresAtUtc: "2025-07-01T00:00:00Z" } },
                },
            ],
            /belongs to another API Management instance/,
        ],
        [
            "a subject naming another gateway",
            [{ ...nearExpiry(), subject: "/gateways/gw9/i-1" }],
            /subject names gateway "gw9" but data\.gatewayInfo\.gatewayId names "gw1"/,
        ],
        [
            "no gateway at all",
            [{ ...nearExpiry(), subject: "/other", data: { tokenInfo: { expiresAtUtc: "2025-07-01T00:00:00Z" } } }],
            /names no gateway/,
        ],
        [
            "no expiry",
            [{ ...nearExpiry(), data: { gatewayInfo: { gatewayId: "gw1" }, tokenInfo: {} } }],
            /has no expiresAtUtc \(or expiredAtUtc\)/,
        ],
        [
            "an expiry that is no instant",
            [{ ...nearExpiry(), data: { gatewayInfo: { gatewayId: "gw1" }, tokenInfo: { expiresAtUtc: "soon" } } }],
            /"soon" is not an ISO 8601 instant/,
        ],
        [
            "a gatewayId with a path elsewhere",
            [
                {
                    ...nearExpiry(),
                    data: { gatewayInfo: { gatewayId: "../../etc/passwd" }, tokenInfo: { expiresAtUtc: "2025-07-01T00:00:00Z" } },
                },
            ],
            /neither a gateway's ARM id nor its name/,
        ],
        [
            "data of the wrong shape",
            [{ ...nearExpiry(), data: { gatewayInfo: { gatewayId: 7 } } }],
            /its data is not a gateway token event's/,
        ],
    ];
    for (const [what, value, message] of malformed) {
        it(`refuses ${what} with an error naming the event`, async () => {
            await assert.rejects(
                () => parseExpiryEvents(typeof value === "string" ? value : JSON.stringify(value), "events.json"),
                (error: Error) => error instanceof EventFileError && message.test(error.message),
            );
        });
    }

    it("refuses an event of another type whose id or type holds control characters, naming the field, escaped", async () => {
        for (const [event, message] of [
            [{ ...nearExpiry(), id: "a\u001b[2Jb", eventType: "Contoso.Thing" }, /: id "a\\u001b\[2Jb" is not printable text$/],
            [{ ...nearExpiry(), eventType: "Contoso.Thing\nHappened" }, /: eventType "Contoso\.Thing\\nHappened" is not printable text$/],
        ] as const) {
            await assert.rejects(parse([event]), (error: Error) => error instanceof EventFileError && message.test(error.message));
        }
    });
});
