/**
 * The engine's output is untrusted text (a provider's error, a Kubernetes event, a container's
 * message): its diagnostics as the rotation keeps them (rotation/pulumi/engineEvents.ts) are
 * redacted, bounded and never make the recorder throw, whatever they hold.
 */
import { strict as assert } from "node:assert";
import fc from "fast-check";
import { EngineRecorder } from "../../../rotation/pulumi/engineEvents";
import { neutraliseCiCommands } from "../../../rotation/report/ciCommands";
import { MAX_REPORT_FIELD_CHARS } from "../../../rotation/report/textBounds";
import { PLANTED_RAW, TARGETS, holdsCiCommand } from "../fakes";

const MIB = 1024 * 1024;

/** A diagnostic event of severity error carrying `message`. */
const diagnostic = (message: string) =>
    ({ sequence: 1, timestamp: 0, diagnosticEvent: { urn: TARGETS.deployment, message, color: "never", severity: "error" } }) as never;

describe("engine diagnostics: untrusted text, bounded", () => {
    for (const [what, message] of [
        ["1 MiB of text", "e".repeat(MIB)],
        [
            "1 MiB of wrapped base64 holding a token at its end",
            `${"A".repeat(MIB)}${Buffer.from(PLANTED_RAW).toString("base64")}`.replace(/(.{76})/g, "$1\n"),
        ],
        ["1 MiB of 'GatewayKey '", "GatewayKey ".repeat(MIB / 11)],
        ["1 MiB of U+0085-led '::' lines", "\u0085::add-mask::x\n".repeat(MIB / 15)],
    ] as const) {
        it(`keeps ${what} to one report field, redacted`, () => {
            const recorder = new EngineRecorder();
            recorder.onEvent(diagnostic(message));
            const [failure] = recorder.record().failures;
            assert.ok(failure.message.length <= MAX_REPORT_FIELD_CHARS, `${failure.message.length}`);
            assert.ok(!failure.message.includes(PLANTED_RAW.slice(-20)));
        });
    }

    it("never throws, keeps every message bounded and token-free, and a printed message holds no command (property)", () => {
        const text = fc.oneof(
            fc.string({ maxLength: 200 }),
            fc
                .array(fc.constantFrom("\u0085", "::", "add-mask", "\n", "##vso[", PLANTED_RAW, "GatewayKey ", " "), { maxLength: 20 })
                .map((parts) => parts.join("")),
        );
        fc.assert(
            fc.property(text, (message) => {
                const recorder = new EngineRecorder();
                recorder.onEvent(diagnostic(message));
                const failures = recorder.record().failures;
                for (const failure of failures) {
                    assert.ok(failure.message.length <= MAX_REPORT_FIELD_CHARS);
                    assert.ok(!failure.message.includes(PLANTED_RAW.split("&")[2]), failure.message);
                    assert.equal(holdsCiCommand(neutraliseCiCommands(failure.message)), false);
                }
            }),
            { numRuns: 500 },
        );
    });
});
