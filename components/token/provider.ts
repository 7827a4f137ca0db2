import type * as pulumi from "@pulumi/pulumi";
import { generateGatewayToken } from "./arm";
import { GatewayKeyType } from "./keyType";
import { GatewayTokenInputs, GatewayTokenState, isDue, nextKeyType, renewAfter, requestedExpiry, validateTokenInputs } from "./renewal";
import { gatewayAuthValue } from "./authValue";
import { sameResourceId } from "./resourceId";

/**
 * The GatewayToken dynamic provider. Pulumi serializes this object, with everything its methods
 * capture, into the stack state and runs it in a separate process; so it captures only small
 * pure helpers, and the Azure SDKs are required when a token is actually issued.
 *
 * Only `create` and `update` call ARM. `diff` decides locally whether the token is due, so an up
 * or preview with a fresh token makes no ARM call; `read` returns the stored state because a
 * token cannot be read back; `delete` calls nothing because a token cannot be revoked except by
 * regenerating its key, which the rotation program does deliberately.
 */
export const gatewayTokenProvider: pulumi.dynamic.ResourceProvider = {
    async check(_olds: unknown, news: Record<string, unknown>) {
        return validateTokenInputs(news);
    },

    async diff(_id: string, olds: GatewayTokenState, news: GatewayTokenInputs) {
        if (!sameResourceId(olds.gatewayResourceId, news.gatewayResourceId)) {
            return { changes: true, replaces: ["gatewayResourceId"], deleteBeforeReplace: false };
        }
        // validityDays and azureCloud apply at the next renewal; they do not make a token due.
        // A new renewBeforeDays that leaves the token fresh only moves renewAfter (no ARM call),
        // so the stack output the rotation program's --check reads agrees with this diff.
        return { changes: isDue(new Date(), olds, news) || olds.renewBeforeDays !== news.renewBeforeDays };
    },

    async create(inputs: GatewayTokenInputs) {
        return { id: `${inputs.gatewayResourceId}/accessToken`, outs: await issueToken(inputs, nextKeyType()) };
    },

    // A renewal is an update rather than a replace so that it sees the old state and signs with
    // the other key: the key of the live token can then be regenerated without an outage.
    async update(_id: string, olds: GatewayTokenState, news: GatewayTokenInputs) {
        if (!isDue(new Date(), olds, news)) {
            const expiresAt = new Date(olds.expiresAt);
            return {
                outs: {
                    ...olds,
                    renewBeforeDays: news.renewBeforeDays,
                    renewAfter: renewAfter(expiresAt, news.renewBeforeDays).toISOString(),
                },
            };
        }
        return { outs: await issueToken(news, nextKeyType(olds.keyType)) };
    },

    async read(id: string, props: GatewayTokenState) {
        return { id, props };
    },

    async delete() {
        // Nothing to call: a token is revoked only by regenerating its key (see above).
    },
};

async function issueToken(inputs: GatewayTokenInputs, keyType: GatewayKeyType): Promise<GatewayTokenState> {
    const issuedAt = new Date();
    const expiresAt = requestedExpiry(issuedAt, inputs.validityDays);
    const value = await generateGatewayToken(inputs.gatewayResourceId, keyType, expiresAt, inputs.azureCloud);
    return {
        gatewayResourceId: inputs.gatewayResourceId,
        validityDays: inputs.validityDays,
        renewBeforeDays: inputs.renewBeforeDays,
        ...(inputs.renewalTrigger !== undefined ? { renewalTrigger: inputs.renewalTrigger } : {}),
        ...(inputs.azureCloud !== undefined ? { azureCloud: inputs.azureCloud } : {}),
        token: gatewayAuthValue(value),
        expiresAt: expiresAt.toISOString(),
        issuedAt: issuedAt.toISOString(),
        renewAfter: renewAfter(expiresAt, inputs.renewBeforeDays).toISOString(),
        keyType,
    };
}
