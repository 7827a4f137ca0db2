import * as pulumi from "@pulumi/pulumi";
import { BuildContext } from "../buildContext";
import { hashedSecret } from "../hashedSecret";
import { ANNOTATIONS, AUTH_ENV, SECRET_VALUE_KEY, TOKEN_SECRET_ANNOTATIONS } from "../constants";
import { TokenSettings } from "../settings";
import { AzureCloudSettings } from "../token/cloud";
import { GatewayToken } from "../token/gatewayToken";
import { AuthWiring } from "./authWiring";

/**
 * Gateway token auth: a {@link GatewayToken} (generated and renewed through ARM) stored in a
 * content-hashed Secret and read as `config.service.auth`. Env values are read once at container
 * start, so the token's checksum also goes into the pod template: a renewed token rolls the pods.
 * The Secret carries the token's expiry, renewal instant and key type as annotations.
 */
export function tokenAuth(
    context: BuildContext,
    token: TokenSettings,
    azureCloud: AzureCloudSettings | undefined,
    gatewayResourceId: pulumi.Input<string>,
): AuthWiring {
    const gatewayToken = new GatewayToken(
        `${context.name}-token`,
        {
            gatewayResourceId,
            validityDays: token.validityDays,
            renewBeforeDays: token.renewBeforeDays,
            renewalTrigger: token.renewalTrigger,
            azureCloud,
        },
        { parent: context.parent },
    );
    const stored = hashedSecret(context, `${context.name}-token-secret`, {
        prefix: context.settings.names.tokenSecretPrefix,
        data: { [SECRET_VALUE_KEY]: gatewayToken.token },
        annotations: {
            [TOKEN_SECRET_ANNOTATIONS.expiresAt]: gatewayToken.expiresAt,
            [TOKEN_SECRET_ANNOTATIONS.renewAfter]: gatewayToken.renewAfter,
            [TOKEN_SECRET_ANNOTATIONS.keyType]: gatewayToken.keyType,
        },
    });
    return {
        settings: {},
        env: [{ name: AUTH_ENV, valueFrom: { secretKeyRef: { name: stored.name, key: SECRET_VALUE_KEY } } }],
        podAnnotations: { [ANNOTATIONS.tokenChecksum]: stored.checksum },
        serviceAccountAnnotations: {},
        automountServiceAccountToken: false,
        token: gatewayToken,
        secret: stored.secret,
    };
}
