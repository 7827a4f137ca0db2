import * as k8s from "@pulumi/kubernetes";
import { AuthWiring } from "../auth/authWiring";
import { BuildContext, objectMetadata } from "../buildContext";

/**
 * The gateway's own ServiceAccount (never the namespace's `default`), so RBAC and workload
 * identity bind to the gateway alone. No auth mode mounts its Kubernetes API token: the gateway
 * never calls the API, and workload identity's federated token comes from the webhook's own
 * projected volume (see `workloadIdentityAuth`).
 */
export function serviceAccount(context: BuildContext, auth: AuthWiring): k8s.core.v1.ServiceAccount | undefined {
    const { name, settings, parent } = context;
    const account = settings.serviceAccount;
    if (!account.create) {
        return undefined;
    }
    const metadata = objectMetadata(context, account.name, { ...account.annotations, ...auth.serviceAccountAnnotations });
    return new k8s.core.v1.ServiceAccount(
        `${name}-service-account`,
        {
            metadata: { ...metadata, labels: { ...account.labels, ...settings.labels.common } },
            automountServiceAccountToken: auth.automountServiceAccountToken,
        },
        { parent },
    );
}
