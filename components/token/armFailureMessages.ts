/**
 * The wording of each kind of failed ARM call (armFailureKind.ts classifies them): what failed,
 * what was said, and the fix; and {@link toArmOperationError}, which puts the two together.
 */
import { ArmFailure, ArmFailureKind, classifyArmFailure } from "./armFailureKind";
import { ARM_THROTTLED, ArmOperationContext, ArmOperationError, builtInRole, requiredActions } from "./errors";
import { gatewayResourceId, serviceResourceId } from "./resourceId";

/** The message of a failure of one kind, from what was said and what the call was doing. */
export type ArmFailureMessage = (said: string, context: ArmOperationContext) => string;

const what = ({ operation, gateway }: ArmOperationContext) => `${operation} on gateway ${gatewayResourceId(gateway)}`;
const tries = ({ limits }: ArmOperationContext) => `${limits.maxRetries + 1} attempts`;
const signInFailed = (said: string, context: ArmOperationContext, fix: string) =>
    `Signing in to Entra ID at ${context.authorityHost} failed for ${what(context)} (${said}). ${fix}`;

/** Every kind's message, each naming the cause and the fix. */
export const ARM_FAILURE_MESSAGES: Readonly<Record<ArmFailureKind, ArmFailureMessage>> = {
    unknownTenant: (said, c) =>
        signInFailed(
            said,
            c,
            'Entra ID does not know that tenant: check the tenant id (AZURE_TENANT_ID, or "az login --tenant") and that ' +
                "azureCloud names the cloud the tenant is in.",
        ),
    expiredFederatedToken: (said, c) =>
        signInFailed(
            said,
            c,
            "The federated token presented (AZURE_FEDERATED_TOKEN_FILE, or the CI system's OIDC token) is expired or not yet " +
                "valid: such tokens live minutes, so sign in with a fresh one in the job that calls ARM.",
        ),
    untrustedFederatedToken: (said, c) =>
        signInFailed(
            said,
            c,
            "No federated credential of the app registration trusts this token's issuer and subject: add one for them " +
                "(e.g. the CI environment or the Kubernetes service account that runs the rotation).",
        ),
    signInRefused: (said, c) =>
        signInFailed(
            said,
            c,
            "Check the tenant id, the client id and its secret, certificate or federated credential; " +
                "for a sovereign cloud set azureCloud so the right authority is used.",
        ),
    noCredential: (said, c) =>
        `No Azure credential is available for ${what(c)}. Sign in with "az login" ` +
        `(then "az account set --subscription ${c.gateway.subscriptionId}"), or set AZURE_TENANT_ID, AZURE_CLIENT_ID ` +
        "and AZURE_CLIENT_SECRET (or AZURE_CLIENT_CERTIFICATE_PATH) for a service principal, or use workload identity " +
        "(AZURE_FEDERATED_TOKEN_FILE on AKS; azure/login with OIDC on GitHub Actions; an AzureCLI task on Azure DevOps). " +
        `Credential chain said: ${said}`,
    unexpected: (said, c) => `${what(c)} failed: ${said}`,
    unreachable: (said, c) =>
        `Could not reach ARM at ${c.resourceManagerEndpoint} for ${what(c)} (${said}). ` +
        "Check network access to that endpoint and azureCloud.resourceManagerEndpoint.",
    unauthorized: (said, c) =>
        `ARM at ${c.resourceManagerEndpoint} rejected the access token for ${what(c)} (${said}). ` +
        `Sign in to the tenant that owns subscription ${c.gateway.subscriptionId} ("az login --tenant <tenant>" or AZURE_TENANT_ID) ` +
        "and make sure azureCloud names the cloud that subscription is in.",
    forbidden: (said, c) =>
        `The signed-in identity is not allowed to run ${what(c)} (${said}). ` +
        `It needs "${requiredActions[c.operation]}" at the gateway's scope (${gatewayResourceId(c.gateway)}) or above: ` +
        `assign the built-in "${builtInRole}" role on ${serviceResourceId(c.gateway)}, or a custom role with ` +
        `${requiredActions.generateToken} and ${requiredActions.regenerateKey} on the gateway, e.g. ` +
        `az role assignment create --assignee <principal-id> --role "${builtInRole}" --scope ${serviceResourceId(c.gateway)}`,
    notFound: (said, { operation, gateway }) =>
        `No such gateway for ${operation}: ${gatewayResourceId(gateway)} (${said}). Check that API Management service ` +
        `"${gateway.serviceName}" exists in resource group "${gateway.resourceGroupName}" of subscription ` +
        `${gateway.subscriptionId} and has a self-hosted gateway "${gateway.gatewayId}", and that azureCloud ` +
        "points at the cloud it is in.",
    invalid: (said, c) => `ARM refused ${what(c)} as invalid (${said}). Correct the request as the service says.`,
    throttled: (said, c) =>
        `${ARM_THROTTLED} ${what(c)} (${said}) at ${c.resourceManagerEndpoint} over ${tries(c)}, which wait as Retry-After asks. ` +
        "Try again later, or spread scheduled rotations of many stacks over time.",
    serviceError: (said, c) =>
        `ARM at ${c.resourceManagerEndpoint} failed ${what(c)} with a service error (${said}) on all ${tries(c)}. ` +
        "Nothing is wrong with the request: retry later, and check Azure service health if it persists.",
    refused: (said, c) => `ARM refused ${what(c)} (${said}).`,
};

/**
 * Turns an error from the ARM client or the Azure credential into an {@link ArmOperationError}.
 * The original error is not kept as `cause`: it carries the request, whose headers hold the
 * bearer token.
 */
export function toArmOperationError(error: unknown, context: ArmOperationContext): ArmOperationError {
    if (error instanceof ArmOperationError) {
        return error;
    }
    const failure: ArmFailure = classifyArmFailure(error);
    return new ArmOperationError(ARM_FAILURE_MESSAGES[failure.kind](failure.said, context), failure.statusCode, failure.code);
}
