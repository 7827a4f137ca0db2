/**
 * Renders a {@link RunReport} for people (a text table), machines (JSON) and GitHub Actions (a
 * job summary in markdown). Only the report's own fields are rendered. Every string of the report
 * is redacted and cut to {@link MAX_REPORT_FIELD_CHARS} before it is rendered, and a table or
 * summary is redacted once more as a whole and cut to {@link MAX_REPORT_CHARS}: what one report
 * carries is bounded whatever its messages held, and rendering is linear in the report.
 */
import { redactSecrets } from "./redaction";
import { markdownText } from "./markdown";
import { MAX_REPORT_CHARS, MAX_REPORT_FIELD_CHARS, cutText, redactAndCut } from "./textBounds";
import { describePendingChange } from "../model/pendingChange";
import { EventReport, RunReport, StackReport } from "../model/runReport";

const HEADERS = ["stack", "gateway", "old expiry", "new expiry", "key", "action", "result"] as const;

/** `2025-03-01T10:00:00.000Z` → `2025-03-01 10:00Z`; anything unparsable is shown as is. */
function shortInstant(iso: string | undefined): string {
    if (iso === undefined) {
        return "-";
    }
    const time = Date.parse(iso);
    return Number.isNaN(time) ? iso : `${new Date(time).toISOString().slice(0, 16).replace("T", " ")}Z`;
}

function keyCell(stack: StackReport): string {
    return (stack.after ?? stack.before)?.keyType ?? "-";
}

function actionCell(stack: StackReport): string {
    return stack.forced ? `${stack.action} (forced)` : stack.action;
}

function resultCell(stack: StackReport): string {
    const regeneration = stack.keyRegeneration;
    if (regeneration === undefined) {
        return stack.result;
    }
    const key = regeneration.keyType ? `${regeneration.keyType} key` : "unused key";
    const what = {
        regenerated: `${key} regenerated`,
        skipped: "key regeneration skipped",
        failed: `${key} regeneration failed`,
    }[regeneration.status];
    return `${stack.result}; ${what}`;
}

/** What the engine did (or, for a preview, would do), from its events. */
function changesText(stack: StackReport): string | undefined {
    if (stack.changes === undefined) {
        return undefined;
    }
    const what = stack.changes.length > 0 ? stack.changes.join(", ") : "no changes";
    return stack.action === "preview" ? `preview: ${what}` : `changes: ${what}`;
}

function notes(stack: StackReport): string[] {
    const reason = stack.keyRegeneration?.reason;
    const blocked = stack.result === "blocked";
    return [
        stack.message,
        changesText(stack),
        // A blocked unit's message lists them already.
        ...(!blocked ? (stack.pendingChanges ?? []).map((change) => `pending change applied: ${describePendingChange(change)}`) : []),
        ...(stack.failures ?? []).map((failure) => `failed: ${failure.urn ?? "(program)"}: ${failure.message}`),
        ...(stack.notes ?? []),
        reason ? `key regeneration ${stack.keyRegeneration?.status}: ${reason}` : undefined,
    ].filter((note): note is string => note !== undefined);
}

/** `stack` or `stack/gateway`, for the notes under the table. */
function label(stack: StackReport): string {
    return stack.gateway !== undefined ? `${stack.stack}/${stack.gateway}` : stack.stack;
}

function rows(report: RunReport): string[][] {
    return report.stacks.map((stack) => [
        stack.stack,
        stack.gateway ?? "-",
        shortInstant(stack.before?.expiresAt),
        shortInstant(stack.after?.expiresAt),
        keyCell(stack),
        actionCell(stack),
        resultCell(stack),
    ]);
}

/** One line per gateway the `--event` events name, and per event of another type. */
function eventLine(event: EventReport): string {
    const gateway = event.gateway !== undefined ? ` gateway ${event.gateway} of ${event.serviceResourceId}` : "";
    const holders = event.stacks.length > 0 ? ` (${event.stacks.join(", ")})` : "";
    return `event${gateway}: ${event.result}${holders}: ${event.message}`;
}

function heading(report: RunReport, exitCode: number): string {
    const flags = [
        report.force ? "forced" : "",
        report.regenerateUnusedKey ? "regenerate unused key" : "",
        report.includePendingChanges ? "include pending changes" : "",
    ].filter(Boolean);
    const cancelled = report.cancelled ? ", cancelled" : "";
    return `mode ${report.mode}${flags.length > 0 ? ` (${flags.join(", ")})` : ""}${cancelled}, exit code ${exitCode}`;
}

/** Every string of `value` redacted and cut to {@link MAX_REPORT_FIELD_CHARS}, for JSON and for rendering. */
const boundedString = (_key: string, value: unknown): unknown =>
    typeof value === "string" ? redactAndCut(value, MAX_REPORT_FIELD_CHARS) : value;

/** The report with every string redacted and bounded (a report is plain JSON data). */
function bounded(report: RunReport): RunReport {
    return JSON.parse(JSON.stringify(report, boundedString)) as RunReport;
}

/** A whole rendering, redacted once more and cut to {@link MAX_REPORT_CHARS}, ending with `end`. */
function whole(text: string, end: string): string {
    return `${cutText(redactSecrets(text), MAX_REPORT_CHARS - end.length)}${end}`;
}

/** The summary table and the notes under it, for a console or a log. */
export function renderTable(unbounded: RunReport, exitCode: number): string {
    const report = bounded(unbounded);
    const table = [HEADERS.map((header) => header.toUpperCase()), ...rows(report)];
    const widths = HEADERS.map((_, column) => Math.max(...table.map((row) => row[column].length)));
    const lines = table.map((row) =>
        row
            .map((cell, column) => cell.padEnd(widths[column]))
            .join("  ")
            .trimEnd(),
    );
    const noteLines = report.stacks.flatMap((stack) => notes(stack).map((note) => `  ${label(stack)}: ${note}`));
    const errorLines = report.errors.map((error) => `error: ${error}`);
    const eventLines = (report.events ?? []).map(eventLine);
    const body = report.stacks.length > 0 ? lines : ["no stacks processed"];
    return whole(
        [
            `Gateway token rotation: ${heading(report, exitCode)}`,
            ...body,
            ...(noteLines.length > 0 ? ["", ...noteLines] : []),
            ...(eventLines.length > 0 ? ["", ...eventLines] : []),
            ...errorLines,
        ].join("\n"),
        "\n",
    );
}

/**
 * The report as JSON (`--json`), with the exit code. Each string is redacted (and cut) before it
 * is encoded, so the JSON stays valid whatever a message held (redacting the encoded text could
 * split an escape such as `\n` from its backslash).
 */
export function renderJson(report: RunReport, exitCode: number): string {
    return `${JSON.stringify({ ...report, exitCode }, boundedString, 2)}\n`;
}

/** A markdown job summary for `$GITHUB_STEP_SUMMARY`; every piece of text is escaped to render as itself. */
export function renderGithubSummary(unbounded: RunReport, exitCode: number): string {
    const report = bounded(unbounded);
    const header = ["Stack", "Gateway", "Old expiry", "New expiry", "Key", "Action", "Result", "Notes"];
    const cells = rows(report);
    const lines = [
        "## APIM gateway token rotation",
        "",
        markdownText(`${heading(report, exitCode)}, ${report.startedAt} to ${report.finishedAt}`),
        "",
        `| ${header.join(" | ")} |`,
        `|${header.map(() => " --- ").join("|")}|`,
        ...report.stacks.map((stack, index) => {
            const row = [...cells[index], notes(stack).join("; ")];
            return `| ${row.map((cell) => markdownText(cell) || " ").join(" | ")} |`;
        }),
        ...(report.events ?? []).map((event) => `\n**Event:** ${markdownText(eventLine(event))}`),
        ...report.errors.map((error) => `\n**Error:** ${markdownText(error)}`),
    ];
    return whole(lines.join("\n"), "\n\n");
}
