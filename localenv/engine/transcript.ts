/**
 * What the local environment's processes printed (the Pulumi engine, the rotation program), kept
 * for the suites' leak scans (test/e2e/harness/tokenLeaks.ts), and gateway tokens masked in the
 * failure messages made from it.
 */

/** Something that was written or printed, by where it came from. */
export interface Captured {
    readonly source: string;
    readonly text: string;
}

/** `text` with anything shaped like a gateway token replaced, for failure messages. */
export function redactTokens(text: string): string {
    return text.replace(/[\w.-]+(?:&|\\u0026)\d{12}(?:&|\\u0026)[A-Za-z0-9+/=]+/g, "[token]");
}
