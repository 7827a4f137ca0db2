import * as k8s from "@pulumi/kubernetes";
import { AuthWiring } from "../auth/authWiring";
import { BuildContext, objectMetadata } from "../buildContext";

/**
 * The gateway's own ServiceAccount (never the namespace's `default`), so RBAC and workload
 * identity bind to the gateway alone. Its token is mounted only when the auth mode uses it.
 */
export function serviceAccount(context: BuildContext, auth: AuthWiring): k8s.core.v1.ServiceAccount {
    const { name, settings, parent } = context;
    return new k8s.core.v1.ServiceAccount(
        `${name}-service-account`,
        {
            metadata: objectMetadata(context, settings.names.serviceAccount, auth.serviceAccountAnnotations),
            automountServiceAccountToken: auth.automountServiceAccountToken,
        },
        { parent },
    );
}
