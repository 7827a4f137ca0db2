import * as pulumi from "@pulumi/pulumi";
import { BuildContext } from "../buildContext";
import { hashedSecret } from "../hashedSecret";
import { ANNOTATIONS, AUTH_ENV, CLIENT_SECRET_ENV, SECRET_VALUE_KEY } from "../constants";
import { AuthWiring } from "./authWiring";

export interface AzureAdAppSettings {
    tenantId: pulumi.Input<string>;
    clientId: pulumi.Input<string>;
    clientSecret: pulumi.Input<string>;
    authority: pulumi.Input<string>;
}

/**
 * Microsoft Entra app with a client secret. Tenant, client id and authority are plain settings;
 * the client secret lives in a content-hashed Secret, so rotating it in Entra and here rolls the pods.
 */
export function azureAdAppAuth(context: BuildContext, app: AzureAdAppSettings): AuthWiring {
    const stored = hashedSecret(context, `${context.name}-client-secret`, { prefix: context.settings.names.clientSecretPrefix, data: { [SECRET_VALUE_KEY]: app.clientSecret } });
    return {
        settings: {
            [AUTH_ENV]: "azureAdApp",
            "config.service.auth.azureAd.tenantId": app.tenantId,
            "config.service.auth.azureAd.clientId": app.clientId,
            "config.service.auth.azureAd.authority": app.authority,
        },
        env: [{ name: CLIENT_SECRET_ENV, valueFrom: { secretKeyRef: { name: stored.name, key: SECRET_VALUE_KEY } } }],
        podAnnotations: { [ANNOTATIONS.clientSecretChecksum]: stored.checksum },
        serviceAccountAnnotations: {},
        automountServiceAccountToken: false,
        secret: stored.secret,
    };
}
