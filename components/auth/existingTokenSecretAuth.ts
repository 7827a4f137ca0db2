import * as pulumi from "@pulumi/pulumi";
import { AUTH_ENV } from "../constants";
import { AuthWiring } from "./authWiring";

/**
 * A token Secret managed outside the component: the gateway reads `config.service.auth` from it.
 * No token resource and no checksum: the Secret's content is not known here, so the pods roll
 * when its name changes (the name is part of the pod template), which is why it should be named
 * by its content.
 */
export function existingTokenSecretAuth(secretName: pulumi.Input<string>, key: string): AuthWiring {
    return {
        settings: {},
        env: [{ name: AUTH_ENV, valueFrom: { secretKeyRef: { name: secretName, key } } }],
        podAnnotations: {},
        serviceAccountAnnotations: {},
        automountServiceAccountToken: false,
    };
}
