/**
 * How much one log line, one report field and one whole report may carry, and how text is cut to
 * that: the bound of everything the rotation prints, whatever an event, the engine or an error
 * message held.
 *
 * Text is always redacted before it is cut ({@link redactAndCut}): a cut can then only drop text,
 * never leave the start of a token that redaction would have recognised as a whole. The cut never
 * splits a surrogate pair or the `[secret]` marker, and says how much it dropped.
 */
import { REDACTED, redactSecrets } from "./redaction";

/** The longest line the progress log writes (engine output included), after redaction. */
export const MAX_LOG_LINE_CHARS = 16 * 1024;
/** The longest string one report field (a message, a note, an error, a gateway name) carries. */
export const MAX_REPORT_FIELD_CHARS = 4 * 1024;
/**
 * The longest table or job summary one report renders: GitHub refuses a step summary over 1 MiB,
 * and a character takes at most 3 bytes of UTF-8 (a surrogate pair, two characters, 4).
 */
export const MAX_REPORT_CHARS = 256 * 1024;

/** What replaces the end of a text cut short. */
export function cutMarker(dropped: number): string {
    return `… [${dropped} characters cut]`;
}

/** Whether the character code is the first half of a surrogate pair. */
const isHighSurrogate = (code: number): boolean => code >= 0xd800 && code <= 0xdbff;

/** A marker ending a text cut before (the logger cuts a long line as it arrives, then again as it writes it). */
const TRAILING_MARKER = /… \[(\d+) characters cut\]$/;

/**
 * `text` if it has at most `max` characters, otherwise its start and {@link cutMarker}, `max`
 * characters at most in all (for any `max` longer than the marker). A text that already ends with
 * a marker is cut before it, and the new marker counts both cuts. The text is not scanned.
 */
export function cutText(text: string, max: number): string {
    if (text.length <= max) {
        return text;
    }
    const earlier = TRAILING_MARKER.exec(text.slice(-cutMarker(Number.MAX_SAFE_INTEGER).length));
    const body = earlier === null ? text : text.slice(0, text.length - earlier[0].length);
    const cutBefore = earlier === null ? 0 : Number(earlier[1]);
    let keep = Math.max(0, max - cutMarker(body.length + cutBefore).length);
    if (keep > 0 && isHighSurrogate(body.charCodeAt(keep - 1))) {
        keep -= 1;
    }
    // A marker cut in two would read as a token's first characters to the next reader.
    for (let start = Math.max(0, keep - REDACTED.length + 1); start < keep; start++) {
        if (body.startsWith(REDACTED, start)) {
            keep = start;
            break;
        }
    }
    return `${body.slice(0, keep)}${cutMarker(body.length - keep + cutBefore)}`;
}

/** `text` redacted, then cut to `max` characters. */
export function redactAndCut(text: string, max: number): string {
    return cutText(redactSecrets(text), max);
}
