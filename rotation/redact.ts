/**
 * Last line of defence against printing a gateway token: the engine already masks secrets as
 * `[secret]`, and the rotation program never reads them, but error messages and program output
 * pass through here anyway before they reach a console, a log or a job summary.
 */
const PATTERNS: readonly [RegExp, string][] = [
    // The `config.service.auth` value.
    [/GatewayKey\s+\S+/g, "GatewayKey [secret]"],
    // A raw token: `<gatewayId>&<yyyyMMddHHmm>&<signature>`.
    [/[^\s&"'`]+&\d{12}&[A-Za-z0-9+/=_-]+/g, "[secret]"],
];

/** `text` with anything shaped like a gateway token replaced by `[secret]`. */
export function redactSecrets(text: string): string {
    return PATTERNS.reduce((result, [pattern, replacement]) => result.replace(pattern, replacement), text);
}
