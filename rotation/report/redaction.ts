/**
 * The one redactor, and its one marker: every secret the project prints becomes `[secret]`, the
 * engine's own mask.
 *
 * {@link redactSecrets} is the last line of defence against printing a gateway token (defence in
 * depth: the engine already masks secrets, and the rotation program never reads them), but error
 * messages and program output pass through it anyway before they reach a console, a log, a job
 * summary or `--json`. A whole message is redacted at once, before it is split into lines, so a
 * token split across lines is still recognised.
 *
 * A token `<gatewayId>&<yyyyMMddHHmm>&<signature>` reaches text raw, behind its `GatewayKey `
 * prefix, URL-encoded (`%26`, `%2B`, `%3D`), JSON-escaped (`&` as Go writes it, `\u0026`; `/` as
 * `\/`), HTML-escaped (`&amp;`, and `&`, `+`, `/`, `=` as decimal or hex character references, as
 * Go's html/template writes `+`), split over lines (`\n` or `\r\n`), and base64- or
 * base64url-encoded (a Secret's `data`, possibly wrapped in more base64, possibly wrapped at 64 or
 * 76 columns). Every form is
 * replaced, and a replacement never consumes a quote, a backslash before a JSON escape or a
 * delimiter, so redacting twice changes nothing and redacting JSON text leaves valid JSON.
 *
 * Its input is untrusted (an event, the engine, an error from elsewhere), so its cost is linear
 * in the input's length: no pattern is tried from more than one start within a run it scans, and
 * a base64 run or wrapped block is decoded once per offset, where its tokens end is mapped back
 * to its characters (4 characters are 3 bytes) instead of decoding every prefix.
 *
 * {@link redactManifest} redacts a Kubernetes object for review (`npm run render`): every value
 * the program marked secret, and a Secret's data whatever its marking.
 */

/** What every match is replaced by. */
export const REDACTED = "[secret]";

/** A line break inside a token, and the indentation after it. */
const BREAK = String.raw`(?:\r?\n[ \t]*)?`;
/**
 * A character as an HTML decimal or hex character reference (`&#43;`, `&#x2B;`, `&#043;`). A
 * reference starts with `&`, which no id or base64 character is, so it is tried at one place only.
 */
const htmlReference = (decimal: number): string => `&#(?:0*${decimal}|x0*${decimal.toString(16)});`;
/** `&` as text carries it: raw, URL-encoded, JSON-escaped by Go's encoder (once or more), or HTML-escaped. */
const SEPARATOR = String.raw`(?:&amp;|${htmlReference(0x26)}|&|%26|\\+u0026)`;
/** A character of a gateway id: anything but a separator's first character, a quote, a backslash or a delimiter. */
const ID_CHAR = String.raw`[^\s&"'\`\\=:;,<>(){}\[\]%]`;
/**
 * The gateway id of a bare token: a whole run of id characters (it starts where no id character
 * precedes it). A match is tried from the start of each run only, and the run ends at the first
 * character that is not an id character, which no separator starts with, so a run is scanned once
 * and the pattern runs in linear time however long a run is.
 */
const GATEWAY_ID = `(?<!${ID_CHAR})${ID_CHAR}+`;
/**
 * The gateway id after `GatewayKey `: bounded (APIM allows 80 characters), so a text of
 * `GatewayKey+GatewayKey+…` is scanned in linear time; a longer id is still a bare token.
 */
const PREFIXED_GATEWAY_ID = `${ID_CHAR}{1,256}`;
/** One base64 character of the signature, its `+` and `/` possibly URL-, JSON- or HTML-escaped. */
const SIGNATURE_CHAR = String.raw`(?:[A-Za-z0-9+/_-]|%2B|%2F|\\/|${htmlReference(0x2b)}|${htmlReference(0x2f)})`;
/**
 * The signature, possibly broken over lines (a break is required between its pieces: no nested
 * repetition to backtrack through); padding (`=`, `%3D`) only at its end.
 */
const SIGNATURE = String.raw`${SIGNATURE_CHAR}+(?:\r?\n[ \t]*${SIGNATURE_CHAR}+)*(?:=|%3D|${htmlReference(0x3d)}){0,2}`;
const EXPIRY = `(?:\\d${BREAK}){11}\\d`;
const AFTER_ID = `${BREAK}${SEPARATOR}${BREAK}${EXPIRY}${BREAK}${SEPARATOR}${BREAK}${SIGNATURE}`;
const TOKEN = `${GATEWAY_ID}${AFTER_ID}`;

const PREFIXED_TOKEN = new RegExp(String.raw`GatewayKey(?:\s+|%20|\+)${PREFIXED_GATEWAY_ID}${AFTER_ID}`, "gi");
const BARE_TOKEN = new RegExp(TOKEN, "gi");
/** The `config.service.auth` value even when cut short: `GatewayKey` and the word after it. */
const GATEWAY_KEY_WORD = /GatewayKey\s+(?!\[secret\])[^\s"'`\\,;)}\]]+/gi;
const TOKEN_INSIDE = new RegExp(String.raw`GatewayKey\s|${TOKEN}`, "gi");

/** A run of base64 or base64url characters long enough to hold a token (the shortest is ~20 bytes). */
const BASE64_RUN = /[A-Za-z0-9+/_-]{24,}={0,2}/g;
/**
 * Base64 wrapped over lines (64 or 76 columns, as PEM and `base64` write it): a run ending its
 * line, then lines of base64 (after indentation), the last possibly followed by other text.
 */
const WRAPPED_BASE64 = /(?<![A-Za-z0-9+/_-])[A-Za-z0-9+/_-]{16,}(?:\r?\n[ \t]*[A-Za-z0-9+/_-]+={0,2})+/g;
const LINE_BREAK = /\r?\n[ \t]*/;
/** Base64 inside base64 (a Secret manifest, itself encoded) is unwrapped this deep. */
const MAX_BASE64_DEPTH = 3;

/**
 * The characters of base64 that decode to `bytes` bytes: every 4 characters are 3 bytes, and a
 * last 2 or 3 characters 1 or 2 (Node's decoder stops at the first `=`, and a run holds no other
 * character it would skip, so the count is exact).
 */
const base64CharsFor = (bytes: number): number => Math.ceil((bytes * 4) / 3);

/**
 * Where the last token `run` holds ends: the number of its first characters whose decoding holds
 * every token found, decoding it as base64 or base64url from any of its first four offsets (and
 * base64 inside that, `depth` deep); -1 when it holds none. Each offset is decoded once, so the
 * cost is linear in `run` (a constant factor per level of depth).
 */
function tokenEnd(run: string, depth: number): number {
    let end = -1;
    for (let offset = 0; offset < 4 && offset < run.length; offset++) {
        const decoded = Buffer.from(run.slice(offset), "base64").toString("latin1");
        let bytes = 0;
        for (const match of decoded.matchAll(TOKEN_INSIDE)) {
            bytes = Math.max(bytes, match.index + match[0].length);
        }
        if (depth > 1) {
            for (const inner of decoded.matchAll(BASE64_RUN)) {
                const innerEnd = tokenEnd(inner[0], depth - 1);
                bytes = innerEnd >= 0 ? Math.max(bytes, inner.index + innerEnd) : bytes;
            }
        }
        end = bytes > 0 ? Math.max(end, Math.min(run.length, offset + base64CharsFor(bytes))) : end;
    }
    return end;
}

/**
 * A wrapped block with its token lines replaced: the first lines whose base64 holds every token
 * the whole block holds (a last line of other text that happens to be base64 is kept). The block
 * is decoded once, joined, and where its last token ends is mapped back to the line holding it.
 */
function redactWrapped(block: string): string {
    const segments = block.split(LINE_BREAK);
    const end = tokenEnd(segments.join(""), MAX_BASE64_DEPTH);
    if (end < 0) {
        return block;
    }
    const breaks = [...block.matchAll(new RegExp(LINE_BREAK, "g"))];
    let covered = 0;
    for (let count = 1; count < segments.length; count++) {
        covered += segments[count - 1].length;
        if (covered >= end) {
            return REDACTED + block.slice(breaks[count - 1].index);
        }
    }
    return REDACTED;
}

/**
 * `text` with every form of a gateway token replaced by `[secret]`; `redactSecrets(redactSecrets(t)) === redactSecrets(t)`.
 * Linear in the length of `text` (test/rotation/report/redactionBounds.test.ts runs it on 1 MiB inputs).
 */
export function redactSecrets(text: string): string {
    return text
        .replace(WRAPPED_BASE64, redactWrapped)
        .replace(BASE64_RUN, (run) => (tokenEnd(run, MAX_BASE64_DEPTH) >= 0 ? REDACTED : run))
        .replace(PREFIXED_TOKEN, `GatewayKey ${REDACTED}`)
        .replace(BARE_TOKEN, REDACTED)
        .replace(GATEWAY_KEY_WORD, `GatewayKey ${REDACTED}`);
}

/** How a program's secret values are recognised: the value a secret wraps, `undefined` for a plain value. */
export type SecretUnwrapper = (value: unknown) => { readonly value: unknown } | undefined;

/** Replaces every value `unwrap` recognises as secret, at any depth. */
function redactMarked(value: unknown, unwrap: SecretUnwrapper): unknown {
    if (unwrap(value) !== undefined) {
        return REDACTED;
    }
    if (Array.isArray(value)) {
        return value.map((item) => redactMarked(item, unwrap));
    }
    if (typeof value === "object" && value !== null) {
        return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, redactMarked(item, unwrap)]));
    }
    return value;
}

/** A Kubernetes object for review: marked secrets redacted, and a Secret's data redacted whatever its marking (keys kept). */
export function redactManifest(object: Record<string, unknown>, unwrap: SecretUnwrapper): Record<string, unknown> {
    if (object.kind !== "Secret") {
        return redactMarked(object, unwrap) as Record<string, unknown>;
    }
    const keysOnly = (field: unknown) => {
        const secret = unwrap(field);
        const data = secret !== undefined ? secret.value : field;
        return data && typeof data === "object" ? Object.fromEntries(Object.keys(data).map((key) => [key, REDACTED])) : data;
    };
    const { data, stringData, ...rest } = object;
    return {
        ...(redactMarked(rest, unwrap) as Record<string, unknown>),
        ...(data !== undefined ? { data: keysOnly(data) } : {}),
        ...(stringData !== undefined ? { stringData: keysOnly(stringData) } : {}),
    };
}
