/**
 * The `apimGatewayRotation` stack output is untrusted text too (anyone who can run `pulumi up` on
 * a stack writes it): its parser (components/contract/rotationContract.ts) never throws anything
 * but its own error on any value, takes linear time on 1 MiB values, and what it says about a bad
 * value reaches the report bounded, redacted and with no CI command.
 */
import { strict as assert } from "node:assert";
import fc from "fast-check";
import { ROTATION_OUTPUT_LIMITS, RotationContractError, parseRotationOutput } from "../../../components/contract/rotationContract";
import { RunReport } from "../../../rotation/model/runReport";
import { neutraliseCiCommands } from "../../../rotation/report/ciCommands";
import { renderGithubSummary, renderTable } from "../../../rotation/report/renderReport";
import { MAX_REPORT_CHARS, MAX_REPORT_FIELD_CHARS } from "../../../rotation/report/textBounds";
import { PLANTED_RAW, holdsCiCommand } from "../fakes";

const MIB = 1024 * 1024;

/** A report whose one stack failed with `message` (as the run reports a malformed unit). */
function failedWith(message: string): RunReport {
    return {
        mode: "rotate",
        force: false,
        regenerateUnusedKey: false,
        includePendingChanges: false,
        startedAt: "2025-06-15T12:00:00.000Z",
        finishedAt: "2025-06-15T12:01:00.000Z",
        stacks: [{ stack: "dev", gateway: "gw", action: "none", forced: false, result: "failed", message }],
        errors: [message],
        cancelled: false,
    };
}

/** What parsing says about `value`: each unit's error, or the output's. */
function messagesFor(value: unknown): string[] {
    try {
        return parseRotationOutput(value).flatMap((unit) => ("error" in unit ? [unit.error] : []));
    } catch (error) {
        assert.ok(error instanceof RotationContractError, String(error));
        return [error.message];
    }
}

/** Whether `message`, as the run prints it (report, then CI-safe sink), is bounded, token-free and holds no command. */
function printsSafely(message: string): void {
    for (const text of [renderTable(failedWith(message), 1), renderGithubSummary(failedWith(message), 1)]) {
        const printed = neutraliseCiCommands(text);
        assert.ok(printed.length <= MAX_REPORT_CHARS + 1000, `${printed.length}`);
        assert.equal(holdsCiCommand(printed), false, printed);
        assert.ok(!printed.includes(PLANTED_RAW.split("&")[2]));
    }
}

const unit = (fields: Record<string, unknown>) => ({
    gatewayResourceId:
        "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers/Microsoft.ApiManagement/service/s/gateways/gw",
    authType: "token",
    tokenExpiresAt: "2025-07-15T12:00:00Z",
    tokenRenewAfter: "2025-07-05T12:00:00Z",
    tokenKeyType: "primary",
    rotationTargets: { token: "urn:pulumi:a", secret: "urn:pulumi:b", deployment: "urn:pulumi:c" },
    ...fields,
});

describe("stack outputs: untrusted text, bounded on its way to the report", () => {
    it("never throws anything but RotationContractError on arbitrary JSON, and prints what it says safely (property)", () => {
        const hostile = fc.oneof(
            fc.string({ maxLength: 100 }),
            fc.constantFrom(
                "\u0085::add-mask::x",
                "\n::error title=x::y",
                "##vso[task.complete]",
                PLANTED_RAW,
                `GatewayKey ${PLANTED_RAW}`,
            ),
        );
        const field = fc.constantFrom("authType", "tokenKeyType", "tokenExpiresAt", "gatewayResourceId", "rotationTargets", "azureCloud");
        fc.assert(
            fc.property(
                fc.oneof(
                    fc.jsonValue({ maxDepth: 3 }),
                    fc.tuple(hostile, field, hostile).map(([key, name, value]) => ({ [key]: unit({ [name]: value }) })),
                ),
                (value) => {
                    for (const message of messagesFor(value)) {
                        printsSafely(message);
                    }
                },
            ),
            { numRuns: 300 },
        );
    });

    for (const [what, value] of [
        ["a 1 MiB gateway key", { ["k".repeat(MIB)]: unit({ authType: "x" }) }],
        ["a 1 MiB authType of '::' lines", { gw: unit({ authType: "\n::add-mask::x".repeat(MIB / 14) }) }],
        ["a 1 MiB expiry", { gw: unit({ tokenExpiresAt: "9".repeat(MIB) }) }],
        [
            "a 1 MiB key type holding a token",
            { gw: unit({ tokenKeyType: `${"A".repeat(MIB)}${Buffer.from(PLANTED_RAW).toString("base64")}` }) },
        ],
        [
            "10,000 malformed units",
            Object.fromEntries(Array.from({ length: 10_000 }, (_, index) => [`gw${index}`, unit({ authType: "x" })])),
        ],
    ] as const) {
        it(`parses ${what} in linear time, and its report stays bounded`, () => {
            const messages = messagesFor(value);
            assert.ok(messages.length > 0);
            printsSafely(messages[0]);
            assert.ok(renderTable(failedWith(messages[0]), 1).length <= MAX_REPORT_FIELD_CHARS * 3);
        });
    }

    it("says so, naming each limit, where the parser itself caps an output (not only the report)", () => {
        const { unitsPerStack, keyLength, fieldLength } = ROTATION_OUTPUT_LIMITS;
        const units = (count: number) => Object.fromEntries(Array.from({ length: count }, (_, index) => [`gw${index}`, unit({})]));
        assert.equal(messagesFor(units(unitsPerStack)).length, 0, "as many gateways as allowed");
        assert.match(
            messagesFor(units(unitsPerStack + 1))[0],
            new RegExp(`holds ${unitsPerStack + 1} gateways, more than the ${unitsPerStack}`),
        );
        assert.deepEqual(messagesFor({ ["k".repeat(keyLength)]: unit({}) }), []);
        assert.match(messagesFor({ ["k".repeat(keyLength + 1)]: unit({}) })[0], new RegExp(`more than the ${keyLength} allowed`));
        const id = (length: number) => `/subscriptions/${"0".repeat(length - "/subscriptions/".length)}`;
        assert.doesNotMatch(messagesFor({ gw: unit({ gatewayResourceId: id(fieldLength) }) }).join(), /allowed/);
        assert.match(
            messagesFor({ gw: unit({ gatewayResourceId: id(fieldLength + 1) }) })[0],
            new RegExp(`gatewayResourceId is ${fieldLength + 1} characters long`),
        );
    });

    it("quotes a bad value escaped: no line break, U+0085 or bidirectional mark reaches the message raw", () => {
        for (const bad of ["\u0085::add-mask::x", "a\nb", "\u202egw"]) {
            for (const message of [...messagesFor({ gw: unit({ authType: bad }) }), ...messagesFor({ [bad]: unit({ authType: "x" }) })]) {
                assert.doesNotMatch(message, /[\u0085\n\u202e]/, message);
            }
        }
    });
});
