/**
 * Last line of defence against printing a gateway token: the engine already masks secrets as
 * `[secret]`, and the rotation program never reads them, but error messages and program output
 * pass through here anyway before they reach a console, a log, a job summary or `--json`.
 *
 * A token `<gatewayId>&<yyyyMMddHHmm>&<signature>` reaches text raw, behind its `GatewayKey `
 * prefix, URL-encoded (`%26`, `%2B`, `%3D`), JSON-escaped as Go writes `&` (`\u0026`), and
 * base64- or base64url-encoded (a Secret's `data`, possibly wrapped in more base64). Every form
 * is replaced, and a replacement never consumes a quote, a backslash or a delimiter, so
 * redacting twice changes nothing and redacting JSON text leaves valid JSON.
 */

/** What every match is replaced by. */
export const REDACTED = "[secret]";

/** `&` as text carries it: raw, URL-encoded, or JSON-escaped by Go's encoder (once or more). */
const SEPARATOR = String.raw`(?:&|%26|\\+u0026)`;
/** The gateway id: anything up to a separator, never a quote, a backslash or a delimiter. */
const GATEWAY_ID = String.raw`[^\s&"'\`\\=:;,<>(){}\[\]%]+`;
/** The base64 signature, its `+`, `/` and `=` possibly URL-encoded. */
const SIGNATURE = "(?:[A-Za-z0-9+/=_-]|%2B|%2F|%3D)+";
const TOKEN = `${GATEWAY_ID}${SEPARATOR}\\d{12}${SEPARATOR}${SIGNATURE}`;

const PREFIXED_TOKEN = new RegExp(String.raw`GatewayKey(?:\s+|%20|\+)${TOKEN}`, "gi");
const BARE_TOKEN = new RegExp(TOKEN, "gi");
/** The `config.service.auth` value even when cut short: `GatewayKey` and the word after it. */
const GATEWAY_KEY_WORD = new RegExp(String.raw`GatewayKey\s+(?!\[secret\])[^\s"'\`\\,;)}\]]+`, "gi");
const TOKEN_INSIDE = new RegExp(String.raw`GatewayKey\s|${TOKEN}`, "i");

/** A run of base64 or base64url characters long enough to hold a token (the shortest is ~20 bytes). */
const BASE64_RUN = /[A-Za-z0-9+/_-]{24,}={0,2}/g;
/** Base64 inside base64 (a Secret manifest, itself encoded) is unwrapped this deep. */
const MAX_BASE64_DEPTH = 3;

/** Whether `run`, decoded as base64 or base64url from any of its first four offsets, holds a token. */
function encodesToken(run: string, depth: number): boolean {
    for (let offset = 0; offset < 4; offset++) {
        const decoded = Buffer.from(run.slice(offset), "base64").toString("latin1");
        if (TOKEN_INSIDE.test(decoded) || (depth > 1 && [...decoded.matchAll(BASE64_RUN)].some(([inner]) => encodesToken(inner, depth - 1)))) {
            return true;
        }
    }
    return false;
}

/** `text` with every form of a gateway token replaced by `[secret]`; `redactSecrets(redactSecrets(t)) === redactSecrets(t)`. */
export function redactSecrets(text: string): string {
    return text
        .replace(BASE64_RUN, (run) => (encodesToken(run, MAX_BASE64_DEPTH) ? REDACTED : run))
        .replace(PREFIXED_TOKEN, `GatewayKey ${REDACTED}`)
        .replace(BARE_TOKEN, REDACTED)
        .replace(GATEWAY_KEY_WORD, `GatewayKey ${REDACTED}`);
}
