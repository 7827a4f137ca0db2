/**
 * Whether the key that signed a unit's token is still the gateway's key, proven through ARM
 * without reading the token: a gateway token is an HMAC of the gateway id and expiry under the
 * key, so generating a token for the same key and expiry yields the same token exactly when the
 * key has not been regenerated since. The stack exports the SHA-256 of its token (the pod
 * template's checksum, `tokenChecksum`), and the two digests are compared. `generateToken`
 * changes nothing in APIM. This catches every regeneration: by another project's rotation, by
 * the portal, or by an older version of this program.
 */
import type { RotationUnit } from "../../components/contract/rotationContract";
import { authValueDigest, gatewayAuthValue } from "../../components/token/authValue";
import type { AzureCloudSettings } from "../../components/token/cloud";
import type { GatewayKeyType } from "../../components/token/keyType";
import { AzureEndpoints, asCloudSettings } from "../azure/endpoints";
import type { TokenValidity } from "../policy/tokenRules";
import { redactSecrets } from "../report/redaction";

/** Generates a token through ARM (components/token/arm.ts `generateGatewayToken`): the raw token. */
export type TokenGenerator = (
    gatewayResourceId: string,
    keyType: GatewayKeyType,
    expiry: Date,
    cloud: AzureCloudSettings,
) => Promise<string>;

/** Judges a unit's token at the operator's endpoints; never throws (an ARM failure is `unknown` with the reason). */
export type TokenVerifier = (unit: RotationUnit, azure: AzureEndpoints) => Promise<TokenValidity>;

/**
 * A verifier on ARM. After a failure with no ARM answer (no credential, no network), the rest of
 * the run skips ARM and says why, instead of waiting for the same failure once per unit.
 */
export function armTokenVerifier(generate: TokenGenerator): TokenVerifier {
    let unavailable: string | undefined;
    return async (unit, azure) => {
        const token = unit.token;
        if (token === undefined) {
            return { state: "unknown", reason: "the gateway has no token" };
        }
        if (token.checksum === undefined) {
            return {
                state: "unknown",
                reason: "the stack exports no tokenChecksum (deployed with an older version): run `pulumi up` once",
            };
        }
        if (unavailable !== undefined) {
            return { state: "unknown", reason: unavailable };
        }
        try {
            const value = await generate(unit.gatewayResourceId, token.keyType, new Date(token.expiresAt), asCloudSettings(azure));
            return authValueDigest(gatewayAuthValue(value)) === token.checksum
                ? { state: "valid" }
                : {
                      state: "invalid",
                      reason:
                          `the ${token.keyType} key that signed the token was regenerated after it was ` +
                          `issued${token.issuedAt ? ` (${token.issuedAt})` : ""}`,
                  };
        } catch (error) {
            const message = redactSecrets(error instanceof Error ? error.message : String(error));
            const reason = `the token's key could not be verified through ARM: ${message}`;
            if ((error as { statusCode?: unknown }).statusCode === undefined) {
                unavailable = reason;
            }
            return { state: "unknown", reason };
        }
    };
}
