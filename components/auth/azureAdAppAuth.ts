import * as pulumi from "@pulumi/pulumi";
import { BuildContext } from "../buildContext";
import { hashedSecret } from "../hashedSecret";
import { ANNOTATIONS, AUTH_ENV, CLIENT_CERTIFICATE_MOUNT_PATH, CLIENT_SECRET_ENV, ENTRA_SETTINGS, SECRET_VALUE_KEY } from "../constants";
import { EntraAppCredential } from "../settings";
import { AuthWiring } from "./authWiring";

export interface AzureAdAppSettings {
    tenantId: pulumi.Input<string>;
    clientId: pulumi.Input<string>;
    credential: EntraAppCredential;
    authority: pulumi.Input<string>;
}

/** Name of the pod volume that holds the Entra app's certificate. */
const CERTIFICATE_VOLUME = "entra-client-certificate";

/**
 * Microsoft Entra app with a client secret or a certificate. Tenant, client id and authority are
 * plain settings. A client secret lives in a content-hashed Secret, so rotating it in Entra and
 * here rolls the pods. A certificate stays in the user's Secret, mounted read-only (group-readable
 * by the gateway's fsGroup, no one else) at a fixed path the gateway reads through `certificatePath`;
 * the Secret's name is in the pod template, so a new Secret name rolls the pods.
 */
export function azureAdAppAuth(context: BuildContext, app: AzureAdAppSettings): AuthWiring {
    const settings = {
        [AUTH_ENV]: "azureAdApp",
        [ENTRA_SETTINGS.tenantId]: app.tenantId,
        [ENTRA_SETTINGS.clientId]: app.clientId,
        [ENTRA_SETTINGS.authority]: app.authority,
    };
    const credential = app.credential;
    if (credential.kind === "certificate") {
        return {
            settings: { ...settings, [ENTRA_SETTINGS.certificatePath]: `${CLIENT_CERTIFICATE_MOUNT_PATH}/${credential.key}` },
            env: [],
            podAnnotations: {},
            serviceAccountAnnotations: {},
            automountServiceAccountToken: false,
            volumes: [
                {
                    name: CERTIFICATE_VOLUME,
                    secret: {
                        secretName: credential.secretName,
                        defaultMode: 0o440,
                        items: [{ key: credential.key, path: credential.key }],
                    },
                },
            ],
            volumeMounts: [{ name: CERTIFICATE_VOLUME, mountPath: CLIENT_CERTIFICATE_MOUNT_PATH, readOnly: true }],
        };
    }
    const stored = hashedSecret(context, `${context.name}-client-secret`, {
        prefix: context.settings.names.clientSecretPrefix,
        data: { [SECRET_VALUE_KEY]: credential.clientSecret },
    });
    return {
        settings,
        env: [{ name: CLIENT_SECRET_ENV, valueFrom: { secretKeyRef: { name: stored.name, key: SECRET_VALUE_KEY } } }],
        podAnnotations: { [ANNOTATIONS.clientSecretChecksum]: stored.checksum },
        serviceAccountAnnotations: {},
        automountServiceAccountToken: false,
        secret: stored.secret,
    };
}
