/**
 * Looking for gateway tokens where they must never be (state, logs, engine and CLI output), in
 * every form one could take there, and never printing one.
 */
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { Captured } from "../../../localenv/engine/transcript";

const base64 = (text: string) => Buffer.from(text, "utf8").toString("base64");

/**
 * What a token `<gatewayId>&<expiry>&<signature>` can look like in text: raw, with its
 * `GatewayKey ` prefix, JSON-escaped as Go writes `&` (`\u0026`), base64-encoded as in a Secret,
 * and its signature alone (which holds the secret part and survives any escaping).
 */
export function tokenForms(rawToken: string): string[] {
    const full = `GatewayKey ${rawToken}`;
    const signature = rawToken.split("&")[2] ?? rawToken;
    return [rawToken, full, rawToken.replace(/&/g, "\\u0026"), base64(full), base64(rawToken), signature];
}

/** The sources any of `rawTokens` appears in, in any of its forms. */
export function sourcesWithTokens(captured: readonly Captured[], rawTokens: readonly string[]): string[] {
    const needles = rawTokens.flatMap(tokenForms);
    return captured.filter(({ text }) => needles.some((needle) => text.includes(needle))).map(({ source }) => source);
}

/** Every file under `dir`, as captured text (binary files too: a token is ASCII either way). */
export function capturedFiles(dir: string): Captured[] {
    const files: Captured[] = [];
    const walk = (current: string) => {
        for (const entry of readdirSync(current, { withFileTypes: true })) {
            const child = path.join(current, entry.name);
            if (entry.isDirectory()) {
                walk(child);
            } else if (entry.isFile()) {
                files.push({ source: child, text: readFileSync(child, "latin1") });
            }
        }
    };
    walk(dir);
    return files;
}

/**
 * Asserts that no issued token is in the transcript, the backend's files or the project's home,
 * after checking the scan can fail: tokens were issued, output and state were captured, and a
 * planted token is found. Returns what was captured, for further scans.
 */
export function assertNoTokenLeaks(
    where: { readonly transcript: readonly Captured[]; readonly backendDir: string; readonly home: string },
    issued: readonly string[],
): Captured[] {
    const captured = [...where.transcript, ...capturedFiles(where.backendDir), ...capturedFiles(where.home)];
    // A scan with nothing to look for, or nowhere to look, would pass whatever leaked.
    assert.ok(issued.length >= 2, `the scenarios issued tokens to look for (${issued.length})`);
    assert.ok(
        where.transcript.length > 0 && captured.some(({ source }) => source.startsWith(where.backendDir)),
        "output and state were captured",
    );
    assert.deepEqual(
        sourcesWithTokens([{ source: "a token in plain", text: `x${issued[0]}x` }], issued),
        ["a token in plain"],
        "the scan finds a token",
    );
    assert.deepEqual(sourcesWithTokens(captured, issued), []);
    return captured;
}
