import * as pulumi from "@pulumi/pulumi";
import { AUTH_ENV, WORKLOAD_IDENTITY_ANNOTATIONS } from "../constants";
import { AuthWiring } from "./authWiring";

/**
 * Microsoft Entra workload identity: no secret. The Azure workload identity webhook injects a
 * federated token into pods labelled `azure.workload.identity/use` whose ServiceAccount carries
 * the client id, so the ServiceAccount token is mounted in this mode only.
 */
export function workloadIdentityAuth(clientId: pulumi.Input<string>, tenantId: pulumi.Input<string> | undefined): AuthWiring {
    return {
        settings: { [AUTH_ENV]: "workloadIdentity" },
        env: [],
        podAnnotations: {},
        serviceAccountAnnotations: {
            [WORKLOAD_IDENTITY_ANNOTATIONS.clientId]: clientId,
            ...(tenantId !== undefined ? { [WORKLOAD_IDENTITY_ANNOTATIONS.tenantId]: tenantId } : {}),
        },
        automountServiceAccountToken: true,
    };
}
