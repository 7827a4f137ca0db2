/**
 * The gateway's `config.service.auth` value for a token, `GatewayKey <token>`: what the token
 * Secret holds, and what the rotation contract's `tokenChecksum` digests.
 */
import { createHash } from "node:crypto";

const PREFIX = "GatewayKey ";

export function gatewayAuthValue(rawToken: string): string {
    return `${PREFIX}${rawToken}`;
}

/** The raw token of an auth value {@link gatewayAuthValue} made (a value without the prefix as it is). */
export function rawGatewayToken(authValue: string): string {
    return authValue.startsWith(PREFIX) ? authValue.slice(PREFIX.length) : authValue;
}

/**
 * SHA-256 of an auth value, exported in plain as the contract's `tokenChecksum`. A token carries
 * an HMAC signature no one can guess, so its digest reveals nothing (unlike a digest of a
 * low-entropy secret, which the pod annotations therefore key); ARM generating the same token
 * again for the same key and expiry is how the rotation proves the key was not regenerated.
 */
export function authValueDigest(authValue: string): string {
    return createHash("sha256").update(authValue).digest("hex");
}
