import * as k8s from "@pulumi/kubernetes";
import { AuthWiring } from "../auth/authWiring";
import { BuildContext, objectMetadata } from "../buildContext";
import { LABEL_KEYS, WORKLOAD_IDENTITY_ANNOTATIONS } from "../constants";
import { ResolvedSettings } from "../settings";

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
            metadata: { ...metadata, labels: { ...account.labels, ...settings.labels.serviceAccount } },
            automountServiceAccountToken: auth.automountServiceAccountToken,
        },
        { parent },
    );
}

/**
 * Warnings about the ServiceAccount. With workload identity, whoever runs a pod as the gateway's
 * ServiceAccount can sign in as the gateway (the federated credential trusts the account, not the
 * pod). An adopted ServiceAccount's other users are invisible to the component (it renders offline
 * and never reads the cluster), so the operator is told to confirm it is the gateway's alone.
 * `default` never gets here: validation refuses it.
 */
export function serviceAccountWarnings(settings: ResolvedSettings): string[] {
    const account = settings.serviceAccount;
    if (account.create || settings.auth.type !== "workloadIdentity") {
        return [];
    }
    const { name } = account;
    const ns = settings.namespace.name;
    return [
        `serviceAccount.existingName is "${name}": with workload identity, every pod that runs as ServiceAccount "${name}" ` +
            `in namespace "${ns}" can present a token the federated credential accepts and sign in as the gateway, and the ` +
            `component neither creates nor inspects that ServiceAccount. Make sure only the gateway's pods use it, and that ` +
            `it carries the annotation ${WORKLOAD_IDENTITY_ANNOTATIONS.clientId} and the label ` +
            `${LABEL_KEYS.workloadIdentityUse}: "true"; or remove serviceAccount.existingName to let the component create the gateway's own.`,
    ];
}
