import { createHmac } from "node:crypto";
import * as pulumi from "@pulumi/pulumi";

/** JSON with object keys sorted, so equal data always hashes the same. */
export function stableJson(value: unknown): string {
    if (Array.isArray(value)) {
        return `[${value.map(stableJson).join(",")}]`;
    }
    if (value !== null && typeof value === "object") {
        const entries = Object.entries(value as Record<string, unknown>)
            .filter(([, v]) => v !== undefined)
            .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
        return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableJson(v)}`).join(",")}}`;
    }
    return JSON.stringify(value);
}

/** HMAC-SHA256 of a string under a base64 key, lower-case hex. */
export function hmacHex(keyBase64: string, value: string): string {
    return createHmac("sha256", Buffer.from(keyBase64, "base64")).update(value, "utf8").digest("hex");
}

/**
 * Keyed checksum of possibly secret data, for annotations and names: an HMAC under the stack's
 * {@link ChecksumKey}, so a reader of pods cannot test guesses of the data offline. The checksum
 * is taken first and only it is unsecreted: the value itself never leaves the secret output, while
 * a secret-marked checksum would make the whole Deployment spec secret and hide its diffs.
 */
export function checksumOf(
    data: pulumi.Input<string> | Record<string, pulumi.Input<string>>,
    key: pulumi.Output<string>,
): pulumi.Output<string> {
    const resolved: pulumi.Output<unknown> = pulumi.output(data);
    return pulumi.unsecret(
        pulumi.all([resolved, key]).apply(([value, k]) => hmacHex(k, typeof value === "string" ? value : stableJson(value))),
    );
}

/** Length of the content hash in generated names, as kustomize's secretGenerator uses. */
export const NAME_HASH_LENGTH = 10;

/** `<prefix>-<first 10 hex of the checksum>`: a new content gets a new object name. */
export function hashedName(prefix: string, checksum: pulumi.Output<string>): pulumi.Output<string> {
    return checksum.apply((hash) => `${prefix}-${hash.slice(0, NAME_HASH_LENGTH)}`);
}
