import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { AuthWiring } from "../auth/authWiring";
import { ResolvedSettings } from "../settings";

/**
 * The gateway's own ServiceAccount (never the namespace's `default`), so RBAC and workload
 * identity bind to the gateway alone. Its token is mounted only when the auth mode uses it.
 */
export function serviceAccount(
    name: string,
    settings: ResolvedSettings,
    namespace: pulumi.Input<string>,
    auth: AuthWiring,
    parent: pulumi.Resource,
): k8s.core.v1.ServiceAccount {
    return new k8s.core.v1.ServiceAccount(
        `${name}-service-account`,
        {
            metadata: {
                name: settings.names.serviceAccount,
                namespace,
                labels: settings.labels.common,
                annotations: auth.serviceAccountAnnotations,
            },
            automountServiceAccountToken: auth.automountServiceAccountToken,
        },
        { parent },
    );
}
