import * as pulumi from "@pulumi/pulumi";
import { AUTH_ENV, WORKLOAD_IDENTITY_ANNOTATIONS } from "../constants";
import { AuthWiring } from "./authWiring";

/**
 * Microsoft Entra workload identity: no secret. The Azure workload identity webhook injects a
 * federated token into pods labelled `azure.workload.identity/use` whose ServiceAccount carries
 * the client id. It does so with a projected volume of its own (a `serviceAccountToken` source
 * with audience `api://AzureADTokenExchange`: Azure/azure-workload-identity
 * pkg/webhook/webhook.go, `addProjectedVolume`), which the kubelet mints whatever
 * `automountServiceAccountToken` says; so the Kubernetes API token is not mounted in this mode either.
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
        automountServiceAccountToken: false,
    };
}
