import * as pulumi from "@pulumi/pulumi";
import { ANNOTATIONS, AUTH_ENV, CLIENT_SECRET_ENV, SECRET_VALUE_KEY } from "../constants";
import { hashedSecret } from "../k8s/hashedSecret";
import { ResolvedSettings } from "../settings";
import { AuthWiring } from "./authWiring";

export interface AzureAdAppContext {
    tenantId: pulumi.Input<string>;
    clientId: pulumi.Input<string>;
    clientSecret: pulumi.Input<string>;
    authority: pulumi.Input<string>;
    namespace: pulumi.Input<string>;
    settings: ResolvedSettings;
}

/**
 * Microsoft Entra app with a client secret. Tenant, client id and authority are plain settings;
 * the client secret lives in a content-hashed Secret, so rotating it in Entra and here rolls the pods.
 */
export function azureAdAppAuth(name: string, context: AzureAdAppContext, parent: pulumi.Resource): AuthWiring {
    const stored = hashedSecret(
        `${name}-client-secret`,
        {
            prefix: context.settings.names.clientSecretPrefix,
            namespace: context.namespace,
            labels: context.settings.labels.common,
            value: context.clientSecret,
        },
        parent,
    );
    return {
        settings: {
            [AUTH_ENV]: "azureAdApp",
            "config.service.auth.azureAd.tenantId": context.tenantId,
            "config.service.auth.azureAd.clientId": context.clientId,
            "config.service.auth.azureAd.authority": context.authority,
        },
        env: [{ name: CLIENT_SECRET_ENV, valueFrom: { secretKeyRef: { name: stored.name, key: SECRET_VALUE_KEY } } }],
        podAnnotations: { [ANNOTATIONS.clientSecretChecksum]: stored.checksum },
        serviceAccountAnnotations: {},
        automountServiceAccountToken: false,
        secret: stored.secret,
    };
}
