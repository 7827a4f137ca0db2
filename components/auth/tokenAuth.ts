import * as pulumi from "@pulumi/pulumi";
import { ANNOTATIONS, AUTH_ENV, SECRET_VALUE_KEY } from "../constants";
import { hashedSecret } from "../k8s/hashedSecret";
import { ResolvedSettings, TokenSettings } from "../settings";
import { AzureCloudSettings } from "../token/cloud";
import { GatewayToken } from "../token/gatewayToken";
import { AuthWiring } from "./authWiring";

export interface TokenAuthContext {
    token: TokenSettings;
    azureCloud?: AzureCloudSettings;
    gatewayResourceId: pulumi.Input<string>;
    namespace: pulumi.Input<string>;
    settings: ResolvedSettings;
}

/**
 * Gateway token auth: a {@link GatewayToken} (generated and renewed through ARM) stored in a
 * content-hashed Secret and read as `config.service.auth`. Env values are read once at container
 * start, so the token's checksum also goes into the pod template: a renewed token rolls the pods.
 */
export function tokenAuth(name: string, context: TokenAuthContext, parent: pulumi.Resource): AuthWiring {
    const { token: tokenSettings, settings } = context;
    const token = new GatewayToken(
        `${name}-token`,
        {
            gatewayResourceId: context.gatewayResourceId,
            validityDays: tokenSettings.validityDays,
            renewBeforeDays: tokenSettings.renewBeforeDays,
            renewalTrigger: tokenSettings.renewalTrigger,
            azureCloud: context.azureCloud,
        },
        { parent },
    );
    const stored = hashedSecret(
        `${name}-token-secret`,
        { prefix: settings.names.tokenSecretPrefix, namespace: context.namespace, labels: settings.labels.common, value: token.token },
        parent,
    );
    return {
        settings: {},
        env: [{ name: AUTH_ENV, valueFrom: { secretKeyRef: { name: stored.name, key: SECRET_VALUE_KEY } } }],
        podAnnotations: { [ANNOTATIONS.tokenChecksum]: stored.checksum },
        serviceAccountAnnotations: {},
        automountServiceAccountToken: false,
        token,
        secret: stored.secret,
    };
}
