/** Neutralising GitHub Actions workflow commands and Azure Pipelines logging commands (rotation/report/ciCommands.ts). */
import { strict as assert } from "node:assert";
import fc from "fast-check";
import { neutraliseCiCommands } from "../../../rotation/report/ciCommands";
import { DOTNET_WHITESPACE, RUNNER_LINE_BREAKS } from "../../../rotation/report/ciRunners";
import { holdsCiCommand } from "../fakes";

const MIB = 1024 * 1024;
const hex = (point: number) => `U+${point.toString(16).toUpperCase().padStart(4, "0")}`;

describe("CI command neutralisation", () => {
    const commands = [
        "::add-mask::c2VjcmV0",
        "::stop-commands::resume-token",
        "::set-output name=x::y",
        "::warning file=app.js,line=1::careful",
        "  ::debug::indented",
        "\t::error::tabbed",
        "##vso[task.setvariable variable=AZURE_CLIENT_SECRET]x",
        "##vso[artifact.upload artifactname=state]/home/runner/.pulumi",
        "warning: container said ##vso[task.prependpath]/tmp/evil",
        "##[section]Starting",
        "##VsO[task.complete result=Succeeded]",
        "prefix\r::add-mask::carriage-return",
        "first line\n::stop-commands::x\n##vso[x]",
    ];
    for (const text of commands) {
        it(`breaks ${JSON.stringify(text)}; the text stays readable and a second pass changes nothing`, () => {
            assert.ok(holdsCiCommand(text), "the case must be a command before");
            const safe = neutraliseCiCommands(text);
            assert.equal(holdsCiCommand(safe), false, JSON.stringify(safe));
            assert.equal(safe.replace(/\u200B/g, ""), text, "only invisible characters are added");
            assert.equal(neutraliseCiCommands(safe), safe);
        });
    }

    for (const text of ["a::b", "urn:pulumi:dev::apim-gateway::kubernetes:apps/v1:Deployment::gw", "# comment", "#vso[", "plain"]) {
        it(`leaves ${JSON.stringify(text)} as it is`, () => assert.equal(neutraliseCiCommands(text), text));
    }

    describe("the runners' own definitions", () => {
        it("the product's .NET white space table agrees with the test's own reading of Char.IsWhiteSpace over every BMP code point", () => {
            const table = new Set(DOTNET_WHITESPACE);
            for (let point = 0; point <= 0xffff; point++) {
                const char = String.fromCharCode(point);
                // A line led by `char` then `::` is a command exactly when TrimStart removes `char`, or `char` is itself `:`.
                const expected = table.has(point) || char === ":";
                assert.equal(holdsCiCommand(`${char}::add-mask::x`), expected, hex(point));
            }
        });

        it("differs from JavaScript's \\s where .NET does: U+0085 is white space to .NET, U+FEFF is not", () => {
            assert.ok(DOTNET_WHITESPACE.includes(0x85) && !/\s/.test("\u0085"));
            assert.ok(!DOTNET_WHITESPACE.includes(0xfeff) && /\s/.test("\ufeff"));
        });

        for (const point of DOTNET_WHITESPACE) {
            for (const [where, text] of [
                ["leading a line", `${String.fromCharCode(point)}::add-mask::x`],
                ["after a line break, twice", `ok\n${String.fromCharCode(point).repeat(2)}::error title=forged::y`],
            ]) {
                it(`breaks a command led by ${hex(point)}, ${where}`, () => {
                    assert.ok(holdsCiCommand(text), "the case must be a command before");
                    const safe = neutraliseCiCommands(text);
                    assert.equal(holdsCiCommand(safe), false, JSON.stringify(safe));
                    assert.equal(safe.replace(/\u200B/g, ""), text);
                    assert.equal(neutraliseCiCommands(safe), safe);
                });
            }
        }

        for (const lineBreak of RUNNER_LINE_BREAKS) {
            it(`breaks a command after the runner's line break ${JSON.stringify(lineBreak)}`, () => {
                const text = `first${lineBreak}::add-mask::x`;
                assert.ok(holdsCiCommand(text));
                assert.equal(holdsCiCommand(neutraliseCiCommands(text)), false);
            });
        }

        for (const separator of ["\u0085", "\u2028", "\u2029", "\u000b", "\u000c"]) {
            it(`leaves ${hex(separator.charCodeAt(0))} inside a line alone: the runner does not end a line there`, () => {
                const text = `first${separator}::add-mask::x`;
                assert.equal(holdsCiCommand(text), false);
                assert.equal(neutraliseCiCommands(text), text);
            });
        }
    });

    describe("properties over arbitrary text", () => {
        /** Text made of the pieces commands are made of, and anything else. */
        const pieces = fc.constantFrom(
            ":",
            "::",
            "#",
            "##",
            "vso",
            "VSO",
            "[",
            "]",
            "add-mask",
            "\n",
            "\r",
            "\r\n",
            "\u2028",
            "\u200b",
            ...DOTNET_WHITESPACE.map((point) => String.fromCharCode(point)),
        );
        const text = fc.oneof(
            fc.array(fc.oneof(pieces, fc.string({ maxLength: 3 })), { maxLength: 40 }).map((parts) => parts.join("")),
            fc.string(),
        );

        it("the neutralised text holds no command, is idempotent, and differs only by zero-width spaces", () => {
            fc.assert(
                fc.property(text, (input) => {
                    const safe = neutraliseCiCommands(input);
                    assert.equal(holdsCiCommand(safe), false, JSON.stringify(safe));
                    assert.equal(neutraliseCiCommands(safe), safe);
                    assert.equal(safe.replace(/\u200B/g, ""), input.replace(/\u200B/g, ""));
                }),
                { numRuns: 2000 },
            );
        });
    });

    describe("1 MiB adversarial inputs finish (linear time)", () => {
        const cases: [string, string][] = [
            ["'::' lines", "::add-mask::x\n".repeat(MIB / 14)],
            ["'::' alone", ":".repeat(MIB)],
            ["U+0085 then '::'", `${"\u0085".repeat(MIB)}::x`],
            ["line breaks", "\n".repeat(MIB)],
            ["blanks after each line break, no command", "\n \u0085\u2028".repeat(MIB / 4)],
            ["'##vso['", "##vso[".repeat(MIB / 6)],
            ["'#'", "#".repeat(MIB)],
        ];
        for (const [what, input] of cases) {
            it(what, () => {
                const safe = neutraliseCiCommands(input);
                assert.equal(holdsCiCommand(safe), false);
            });
        }
    });
});
