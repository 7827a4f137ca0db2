/**
 * Untrusted text (a stack output, an event field, an id read from state) quoted in a message:
 * bounded, and escaped so that nothing it holds reaches a log raw (no line break, no U+0085, no
 * bidirectional mark, no terminal escape).
 */

/** The longest part of an untrusted text a message shows. */
const SHOWN_CHARS = 300;

/**
 * Untrusted text for a message: its first `max` characters, and every character that is not
 * printable ASCII written as an escape, so what an event holds reaches no log raw (no line break,
 * no U+0085, no bidirectional mark).
 */
export function shown(text: string, max = SHOWN_CHARS): string {
    const escaped = text.slice(0, max).replace(/[^\x20-\x7e]/g, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, "0")}`);
    return text.length > max ? `${escaped} (first ${max} of ${text.length} characters)` : escaped;
}

/** How much of a value {@link quoted} shows by default: a name or an ARM id fits. */
const QUOTED_CHARS = 80;

/** `value` for a message: JSON-quoted, its first `max` characters only, escaped as {@link shown} escapes. */
export function quoted(value: string, max = QUOTED_CHARS): string {
    const quotedHead = shown(JSON.stringify(value.slice(0, max)), Number.POSITIVE_INFINITY);
    return value.length > max ? `${quotedHead} (first ${max} of ${value.length} characters)` : quotedHead;
}
