/**
 * Looking for gateway tokens where they must never be (state, logs, engine and CLI output), in
 * every form one could take there, and never printing one.
 */
import { readdirSync, readFileSync } from "node:fs";
import * as path from "node:path";

/** Something that was written or printed, by where it came from. */
export interface Captured {
    readonly source: string;
    readonly text: string;
}

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

/** `text` with anything shaped like a gateway token replaced, for failure messages. */
export function redactTokens(text: string): string {
    return text.replace(/[\w.-]+(?:&|\\u0026)\d{12}(?:&|\\u0026)[A-Za-z0-9+/=]+/g, "[token]");
}
