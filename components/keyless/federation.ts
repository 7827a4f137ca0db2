/** The facts of a workload identity federation with Kubernetes, defined once. */

/** The audience Entra expects in a federated Kubernetes token (Azure workload identity's default). */
export const TOKEN_EXCHANGE_AUDIENCE = "api://AzureADTokenExchange";

/** The subject of a ServiceAccount's tokens, which the federated credential must match exactly. */
export function serviceAccountSubject(namespace: string, serviceAccount: string): string {
    return `system:serviceaccount:${namespace}:${serviceAccount}`;
}
