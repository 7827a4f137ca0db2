import { strict as assert } from "node:assert";
import { EXIT_FAILED, EXIT_OK, EXIT_SIGINT, EXIT_SIGTERM, exitCodeFor } from "../../../rotation/command/exitCodes";
import { renderGithubSummary, renderJson, renderTable } from "../../../rotation/report/renderReport";
import { RunReport, StackReport } from "../../../rotation/model/runReport";
import { markdownText } from "../../../rotation/report/markdown";
import { MAX_REPORT_CHARS, MAX_REPORT_FIELD_CHARS } from "../../../rotation/report/textBounds";
import { holdsCiCommand } from "../fakes";

const before = { expiresAt: "2025-06-20T12:00:00.000Z", renewAfter: "2025-06-10T12:00:00.000Z", keyType: "primary" as const };
const after = { expiresAt: "2025-07-15T12:00:00.000Z", renewAfter: "2025-07-05T12:00:00.000Z", keyType: "secondary" as const };

function report(stacks: StackReport[], overrides: Partial<RunReport> = {}): RunReport {
    return {
        mode: "rotate",
        force: false,
        regenerateUnusedKey: true,
        includePendingChanges: false,
        startedAt: "2025-06-15T12:00:00.000Z",
        finishedAt: "2025-06-15T12:05:00.000Z",
        stacks,
        errors: [],
        cancelled: false,
        ...overrides,
    };
}

const rotated: StackReport = {
    stack: "prod",
    gateway: "west",
    action: "rotate",
    forced: true,
    result: "rotated",
    before,
    after,
    keyRegeneration: { status: "regenerated", keyType: "primary" },
};
const notDue: StackReport = {
    stack: "dev",
    action: "none",
    forced: false,
    result: "not-due",
    before: after,
    message: "not due until 2025-07-05T12:00:00.000Z",
    keyRegeneration: { status: "skipped", reason: "nothing was rotated | in this run" },
};

describe("rotation report rendering", () => {
    it("renders the summary table with old and new expiry, key, action and result", () => {
        const text = renderTable(report([rotated, notDue]), 0);
        const lines = text.split("\n");
        assert.match(lines[0], /^Gateway token rotation: mode rotate \(regenerate unused key\), exit code 0$/);
        assert.match(lines[1], /^STACK\s+GATEWAY\s+OLD EXPIRY\s+NEW EXPIRY\s+KEY\s+ACTION\s+RESULT$/);
        assert.match(
            lines[2],
            /^prod\s+west\s+2025-06-20 12:00Z\s+2025-07-15 12:00Z\s+secondary\s+rotate \(forced\)\s+rotated; primary key regenerated$/,
        );
        assert.match(lines[3], /^dev\s+-\s+2025-07-15 12:00Z\s+-\s+secondary\s+none\s+not-due; key regeneration skipped$/);
        assert.ok(lines.includes("  dev: not due until 2025-07-05T12:00:00.000Z"));
        assert.ok(lines.includes("  dev: key regeneration skipped: nothing was rotated | in this run"));
        // Columns line up: every row's "KEY" column starts at the same offset.
        const keyColumn = lines[1].indexOf("KEY");
        assert.equal(lines[2].indexOf("secondary"), keyColumn);
        assert.equal(lines[3].indexOf("secondary"), keyColumn);
    });

    it("shows a preview's changes and run-level errors", () => {
        const previewed: StackReport = {
            stack: "dev",
            gateway: "gw",
            action: "preview",
            forced: false,
            result: "previewed",
            before,
            changes: ["GatewayToken updated", "Secret created"],
        };
        const text = renderTable(report([previewed], { mode: "dry-run", errors: ["could not list"] }), 1);
        assert.match(text, /dev\/gw: preview: GatewayToken updated, Secret created\n/);
        assert.match(text, /^error: could not list$/m);
    });

    it("shows an update's changes, the failing resources, pending changes applied and notes", () => {
        const failed: StackReport = {
            stack: "prod",
            gateway: "gw",
            action: "rotate",
            forced: false,
            result: "failed",
            before,
            changes: ["GatewayToken updated"],
            failures: [{ urn: "urn:pulumi:prod::p::kubernetes:apps/v1:Deployment::gw", message: "rollout timed out" }],
            pendingChanges: [
                {
                    urn: "urn:pulumi:prod::p::kubernetes:apps/v1:Deployment::gw",
                    op: "update",
                    paths: ["spec.template.spec.containers[0].image"],
                },
            ],
            notes: ["validity not verified: offline"],
        };
        const text = renderTable(report([failed], { includePendingChanges: true }), 1);
        assert.match(text, /include pending changes/);
        assert.match(text, /prod\/gw: changes: GatewayToken updated\n/);
        assert.match(text, /prod\/gw: pending change applied: Deployment gw \(update\): spec\.template\.spec\.containers\[0\]\.image\n/);
        assert.match(text, /prod\/gw: failed: urn:pulumi:prod::p::kubernetes:apps\/v1:Deployment::gw: rollout timed out\n/);
        assert.match(text, /prod\/gw: validity not verified: offline\n/);
    });

    it("renders JSON with the exit code, parseable", () => {
        const parsed = JSON.parse(renderJson(report([rotated, notDue]), 0));
        assert.equal(parsed.exitCode, 0);
        assert.equal(parsed.mode, "rotate");
        assert.deepEqual(parsed.stacks[0].after, after);
        assert.equal(parsed.stacks[1].keyRegeneration.status, "skipped");
    });

    it("renders a markdown job summary with a table, escaping pipes", () => {
        const markdown = renderGithubSummary(report([rotated, notDue]), 0);
        const lines = markdown.split("\n");
        assert.ok(lines.includes("## APIM gateway token rotation"));
        assert.ok(lines.includes("| Stack | Gateway | Old expiry | New expiry | Key | Action | Result | Notes |"));
        assert.ok(lines.includes("| --- | --- | --- | --- | --- | --- | --- | --- |"));
        const devRow = lines.find((line) => line.startsWith("| dev |"));
        assert.ok(devRow);
        assert.match(devRow, /nothing was rotated \\\| in this run/);
        assert.equal(devRow.split(/(?<!\\)\|/).length - 2, 8, "eight cells");
    });

    describe("exit codes", () => {
        const stack = (result: StackReport["result"], extra: Partial<StackReport> = {}): StackReport => ({
            stack: result,
            action: "none",
            forced: false,
            result,
            ...extra,
        });

        it("is 0 when every stack is fine", () => {
            for (const result of ["fresh", "not-due", "not-applicable", "rotated", "previewed"] as const) {
                assert.equal(exitCodeFor(report([stack(result)])), EXIT_OK, result);
            }
        });

        it("is 1 for the worst outcome among otherwise fine stacks", () => {
            for (const result of ["due", "expired", "invalidated", "blocked", "not-found", "failed"] as const) {
                assert.equal(exitCodeFor(report([stack("rotated"), stack(result), stack("not-due")])), EXIT_FAILED, result);
            }
            assert.equal(exitCodeFor(report([stack("rotated", { keyRegeneration: { status: "failed", reason: "403" } })])), EXIT_FAILED);
            assert.equal(exitCodeFor(report([], { errors: ["no stacks"] })), EXIT_FAILED);
        });

        it("is 130 or 143 when cancelled, whatever else happened", () => {
            const cancelled = report([stack("failed"), stack("cancelled")], { cancelled: true });
            assert.equal(exitCodeFor(cancelled, "SIGINT"), EXIT_SIGINT);
            assert.equal(exitCodeFor(cancelled, "SIGTERM"), EXIT_SIGTERM);
        });
    });

    describe("the job summary renders every text as text (Markdown and HTML escaped)", () => {
        /** CommonMark's ASCII punctuation (spec 2.1): each may open markup, and each backslash-escaped is literal (2.4). */
        const ASCII_PUNCTUATION = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~";

        for (const char of ASCII_PUNCTUATION) {
            it(`escapes ${JSON.stringify(char)}`, () => {
                const expected = { "&": "&amp;", "<": "&lt;", ">": "&gt;" }[char] ?? `\\${char}`;
                assert.equal(markdownText(`a${char}b`), `a${expected}b`);
            });
        }

        it("leaves letters, digits, spaces and other characters alone, and puts line breaks on one line", () => {
            assert.equal(markdownText("gw 1 é 😀"), "gw 1 é 😀");
            assert.equal(markdownText("a\r\nb\nc\rd\u2028e\u0085f"), "a b c d e f");
        });

        for (const [gateway, rendered] of [
            ["<img src=x onerror=alert(1)>", "&lt;img src\\=x onerror\\=alert\\(1\\)&gt;"],
            ["[x](https://evil.example)", "\\[x\\]\\(https\\:\\/\\/evil\\.example\\)"],
            ["![x](y)", "\\!\\[x\\]\\(y\\)"],
            ["**bold** _it_ `code` ~~s~~ :smile: &#60;", "\\*\\*bold\\*\\* \\_it\\_ \\`code\\` \\~\\~s\\~\\~ \\:smile\\: &amp;\\#60\\;"],
            ["a | b", "a \\| b"],
        ]) {
            it(`renders a gateway named ${JSON.stringify(gateway)} as text`, () => {
                const markdown = renderGithubSummary(report([{ ...rotated, gateway, message: gateway }], { errors: [gateway] }), 0);
                const row = markdown.split("\n").find((line) => line.startsWith("| prod |"));
                assert.ok(row?.includes(` | ${rendered} | `), row);
                assert.ok(markdown.includes(`**Error:** ${rendered}`), markdown);
                assert.ok(!/[<>]/.test(markdown), "no raw angle bracket anywhere");
            });
        }
    });

    describe("what one report carries is bounded", () => {
        const MIB = 1024 * 1024;
        const huge = (char: string) => char.repeat(MIB);
        /** `stacks` stacks whose gateway, message and notes are a field's worth of `field`, the first with all of `field`. */
        const hugeReport = (stacks: number, field: string) =>
            report(
                Array.from({ length: stacks }, (_, index) => {
                    const text = index === 0 ? field : field.slice(0, MAX_REPORT_FIELD_CHARS);
                    return { ...notDue, stack: `s${index}`, gateway: text, message: text, notes: [text] };
                }),
                { errors: [field] },
            );

        it("cuts each string to MAX_REPORT_FIELD_CHARS in JSON, which stays valid", () => {
            const parsed = JSON.parse(renderJson(hugeReport(2, huge("x")), 1));
            for (const text of [parsed.stacks[0].gateway, parsed.stacks[0].message, parsed.errors[0], parsed.stacks[0].notes[0]]) {
                assert.ok(text.length <= MAX_REPORT_FIELD_CHARS, `${text.length}`);
                assert.match(text, /… \[\d+ characters cut\]$/);
            }
        });

        for (const [what, field] of [
            ["1 MiB fields", huge("x")],
            ["1 MiB of '::' lines", "::add-mask::x\n".repeat(MIB / 14)],
            ["1 MiB of base64", huge("A")],
            ["1 MiB of Markdown markup", huge("<")],
        ] as const) {
            it(`cuts the table and the summary of many stacks with ${what} to MAX_REPORT_CHARS`, () => {
                for (const text of [renderTable(hugeReport(100, field), 1), renderGithubSummary(hugeReport(100, field), 1)]) {
                    assert.ok(text.length <= MAX_REPORT_CHARS, `${text.length}`);
                    assert.match(text, /… \[\d+ characters cut\]\n+$/);
                }
            });
        }

        it("keeps a report's lines whole: no field's line break reaches the summary", () => {
            const markdown = renderGithubSummary(hugeReport(1, "x\n::add-mask::y\n##vso[task.complete]"), 1);
            assert.equal(holdsCiCommand(markdown.replace(/##vso\[/g, "")), false);
            assert.ok(!markdown.includes("\n::"));
        });
    });
});
