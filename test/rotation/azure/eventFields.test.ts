/**
 * Every field of an `--event` payload checked against its pattern and length, the number of
 * events per file capped, and hostile payloads of 1 MiB refused at once (rotation/azure/eventFields.ts,
 * rotation/azure/expiryEvents.ts). The caps are read from the module, so each case sits right at
 * its limit.
 */
import { strict as assert } from "node:assert";
import fc from "fast-check";
import {
    MAX_EVENTS_PER_FILE,
    MAX_EVENT_TEXT_LENGTH,
    MAX_GATEWAY_ID_LENGTH,
    MAX_GATEWAY_NAME_LENGTH,
    MAX_INSTANCE_ID_LENGTH,
    MAX_INSTANT_LENGTH,
    MAX_SUBJECT_LENGTH,
} from "../../../rotation/azure/eventFields";
import { quoted } from "../../../components/untrustedText";
import { EventFileError, parseExpiryEvents } from "../../../rotation/azure/expiryEvents";
import { neutraliseCiCommands } from "../../../rotation/report/ciCommands";
import { holdsCiCommand } from "../fakes";

const SUB = "00000000-0000-0000-0000-000000000000";
const SERVICE = `/subscriptions/${SUB}/resourceGroups/rg1/providers/Microsoft.ApiManagement/service/apim1`;
const MIB = 1024 * 1024;

/** A valid near-expiry event in the Event Grid schema, with `change` applied to a copy. */
function event(change: (event: EventShape) => void = () => {}): EventShape {
    const value: EventShape = {
        id: "92c502f2-a966-42a7-a428-d3b319844544",
        topic: SERVICE,
        subject: "/gateways/gw1/gw1-7d9c-abcde",
        data: {
            gatewayInfo: { gatewayId: "gw1", instanceId: "gw1-7d9c-abcde" },
            tokenInfo: { expiresAtUtc: "2025-07-01T08:56:00.0000000Z" },
        },
        eventType: "Microsoft.ApiManagement.GatewayTokenNearExpiry",
        dataVersion: "1",
        metadataVersion: "1",
        eventTime: "2025-06-15T11:00:00Z",
    };
    change(value);
    return value;
}

interface EventShape {
    id: string;
    topic: string;
    subject: string;
    data: { gatewayInfo: { gatewayId: string; instanceId: string }; tokenInfo: { expiresAtUtc: string } };
    eventType: string;
    dataVersion: string;
    metadataVersion: string;
    eventTime: string;
}

const parse = (value: unknown) => parseExpiryEvents(JSON.stringify(value), "events.json");

/** Whether parsing refuses `value` with an {@link EventFileError} whose message matches `message`. */
async function refuses(value: unknown, message: RegExp): Promise<void> {
    await assert.rejects(parse(value), (error: Error) => {
        assert.ok(error instanceof EventFileError, `${error.name}: ${error.message}`);
        assert.match(error.message, message);
        return true;
    });
}

/** Each field an event carries, how to set it, its cap, and a value of the right length that breaks its pattern. */
const FIELDS: readonly { field: string; pattern: RegExp; max: number; set: (event: EventShape, value: string) => void; bad: string }[] = [
    {
        field: "data.gatewayInfo.instanceId",
        pattern: /data\.gatewayInfo\.instanceId/,
        max: MAX_INSTANCE_ID_LENGTH,
        set: (e, v) => {
            e.data.gatewayInfo.instanceId = v;
            e.subject = "/gateways/gw1";
        },
        bad: "\u0085::add-mask::x",
    },
    {
        field: "data.gatewayInfo.gatewayId",
        pattern: /data\.gatewayInfo\.gatewayId/,
        max: MAX_GATEWAY_NAME_LENGTH,
        set: (e, v) => {
            e.data.gatewayInfo.gatewayId = v;
            e.subject = "/other";
        },
        bad: "<img src=x>",
    },
    {
        field: "subject's gateway",
        pattern: /subject's gateway/,
        max: MAX_GATEWAY_NAME_LENGTH,
        set: (e, v) => {
            e.subject = `/gateways/${v}`;
            e.data.gatewayInfo.gatewayId = v;
        },
        bad: "gw*1",
    },
    {
        field: "subject's instance",
        pattern: /subject's instance/,
        max: MAX_INSTANCE_ID_LENGTH,
        set: (e, v) => {
            e.subject = `/gateways/gw1/${v}`;
            e.data.gatewayInfo.instanceId = "i";
        },
        bad: " leading",
    },
    { field: "subject", pattern: /subject/, max: MAX_SUBJECT_LENGTH, set: (e, v) => (e.subject = v), bad: "/gateways/gw\u202e1" },
    { field: "id", pattern: /: id /, max: MAX_EVENT_TEXT_LENGTH, set: (e, v) => (e.id = v), bad: "\u200b" },
    {
        field: "data.tokenInfo.expiresAtUtc",
        pattern: /data\.tokenInfo\.expiresAtUtc/,
        max: MAX_INSTANT_LENGTH,
        set: (e, v) => (e.data.tokenInfo.expiresAtUtc = v),
        bad: "soon",
    },
];

/** `length` characters of a name every pattern accepts. */
const nameOf = (length: number) => "a".repeat(length);

describe("--event fields: pattern, length and count", () => {
    for (const { field, pattern, max, set, bad } of FIELDS) {
        if (field !== "data.tokenInfo.expiresAtUtc" && field !== "subject") {
            it(`accepts ${field} of exactly ${max} characters`, async () => {
                await parse([event((e) => set(e, nameOf(max)))]);
            });
        }
        it(`refuses ${field} of ${max + 1} characters, naming the field and its cap`, async () => {
            await refuses(
                [event((e) => set(e, nameOf(max + 1)))],
                new RegExp(`${pattern.source}.*${max + 1} characters long, more than the ${max}`),
            );
        });
        it(`refuses ${field} ${JSON.stringify(bad)}, naming the field, the value escaped`, async () => {
            await assert.rejects(parse([event((e) => set(e, bad))]), (error: Error) => {
                assert.ok(error instanceof EventFileError, error.message);
                assert.match(error.message, pattern);
                assert.ok(error.message.includes(quoted(bad)), error.message);
                assert.ok(!/[^\x20-\x7e]/.test(error.message), `only printable ASCII: ${JSON.stringify(error.message)}`);
                return true;
            });
        });
    }

    it("refuses a topic longer than an ARM id can be, naming it", async () => {
        await refuses(
            [event((e) => (e.topic = `${SERVICE}/${"x".repeat(MAX_GATEWAY_ID_LENGTH)}`))],
            /its topic .* is not an API Management instance's ARM id/,
        );
    });

    it(`accepts ${MAX_EVENTS_PER_FILE} events and refuses ${MAX_EVENTS_PER_FILE + 1}, before reading any of them`, async () => {
        const one = event();
        assert.equal((await parse(Array.from({ length: MAX_EVENTS_PER_FILE }, () => one))).gateways.length, 1);
        // Events the SDK would refuse: the count is checked first.
        await refuses(
            Array.from({ length: MAX_EVENTS_PER_FILE + 1 }, () => ({})),
            new RegExp(`holds ${MAX_EVENTS_PER_FILE + 1} events, more than the ${MAX_EVENTS_PER_FILE}`),
        );
    });

    it("quotes a value for a message in printable ASCII only, its first 80 characters", () => {
        assert.equal(quoted("gw1"), '"gw1"');
        assert.equal(quoted("a\u0085b\u202ec\n"), '"a\\u0085b\\u202ec\\n"');
        assert.equal(quoted("x".repeat(81)), `"${"x".repeat(80)}" (first 80 of 81 characters)`);
    });

    describe("hostile payloads of 1 MiB, each refused at once", () => {
        const cases: [string, unknown, RegExp][] = [
            [
                "a 1 MiB instanceId",
                [event((e) => (e.data.gatewayInfo.instanceId = "i".repeat(MIB)))],
                /data\.gatewayInfo\.instanceId is 1048576 characters long/,
            ],
            [
                "a 1 MiB instanceId of base64 holding a token",
                [event((e) => (e.data.gatewayInfo.instanceId = Buffer.alloc(786432, 7).toString("base64")))],
                /instanceId/,
            ],
            [
                "a 1 MiB gatewayId of slashes",
                [event((e) => (e.data.gatewayInfo.gatewayId = "/".repeat(MIB)))],
                /data\.gatewayInfo\.gatewayId is 1048576 characters long, more than the \d+ a gateway's ARM id can be/,
            ],
            ["a 1 MiB topic of slashes", [event((e) => (e.topic = `${SERVICE}${"/".repeat(MIB)}x`))], /its topic/],
            ["a 1 MiB subject", [event((e) => (e.subject = `/gateways/${"g".repeat(MIB)}`))], /subject is 1048\d{3} characters long/],
            ["a 1 MiB id of '::' lines", [event((e) => (e.id = "::add-mask::x\n".repeat(MIB / 14)))], /: id /],
            [
                "a 1 MiB expiry",
                [event((e) => (e.data.tokenInfo.expiresAtUtc = "2".repeat(MIB)))],
                /expiresAtUtc is 1048576 characters long/,
            ],
        ];
        for (const [what, value, message] of cases) {
            it(`refuses ${what}`, async () => {
                await refuses(value, message);
            });
        }
        it("refuses 1 MiB of opening brackets as no JSON", async () => {
            await assert.rejects(
                parseExpiryEvents("[".repeat(MIB), "events.json"),
                (error: Error) => error instanceof EventFileError && /is not JSON/.test(error.message),
            );
        });
        it("refuses data nested 100,000 deep as no gateway token event's data", async () => {
            const deep = `${'{"a":'.repeat(100_000)}1${"}".repeat(100_000)}`;
            const text = JSON.stringify([event()]).replace(/"data":\{.*?\}\}/, `"data":${deep}`);
            await assert.rejects(
                parseExpiryEvents(text, "events.json"),
                (error: Error) => error instanceof EventFileError && /data\.tokenInfo has no expiresAtUtc/.test(error.message),
            );
        });
    });

    describe("properties over arbitrary input", () => {
        it("never throws anything but EventFileError; each message is one line of printable ASCII, bounded, no command once printed", async () => {
            const text = fc.oneof(
                fc.string({ maxLength: 300 }),
                fc.string({ unit: "grapheme", maxLength: 50 }),
                fc.constantFrom("\u0085::add-mask::x", "##vso[x]"),
            );
            const field = fc.constantFrom(...FIELDS);
            await fc.assert(
                fc.asyncProperty(field, text, async ({ set }, value) => {
                    try {
                        const events = await parse([event((e) => set(e, value))]);
                        // What passes is only what the patterns allow: printable, no CI command.
                        const shown = JSON.stringify(events);
                        assert.ok(!holdsCiCommand(events.gateways.flatMap((g) => [g.gateway, ...g.instances]).join("\n")), shown);
                    } catch (error) {
                        assert.ok(error instanceof EventFileError, String(error));
                        assert.ok(!/[^\x20-\x7e]/.test(error.message), JSON.stringify(error.message));
                        assert.ok(error.message.length < 2000, `${error.message.length} characters`);
                        // runCli prints it through ciSafe: one line, so only `##vso[` could be a command, and that is broken.
                        assert.equal(holdsCiCommand(neutraliseCiCommands(error.message)), false);
                    }
                }),
                { numRuns: 300 },
            );
        });

        it("never throws anything but EventFileError on arbitrary JSON", async () => {
            await fc.assert(
                fc.asyncProperty(fc.jsonValue({ maxDepth: 4 }), async (value) => {
                    try {
                        await parse(value);
                    } catch (error) {
                        assert.ok(error instanceof EventFileError, String(error));
                    }
                }),
                { numRuns: 300 },
            );
        });
    });
});
