import { ARM_RETRY_BUDGET_ENV, ARM_TIMEOUT_ENV, ArmCallLimits } from "./armLimits";
import { GatewayResourceId, gatewayResourceId, serviceResourceId } from "./resourceId";

/** The ARM gateway operations this project calls. */
export type ArmOperation = "generateToken" | "regenerateKey";

/** What a failed ARM call was doing, to name it in the error. */
export interface ArmOperationContext {
    operation: ArmOperation;
    gateway: GatewayResourceId;
    resourceManagerEndpoint: string;
    authorityHost: string;
    /** The bounds the call ran with, to name them when they are reached. */
    limits: ArmCallLimits;
}

/**
 * A failed ARM gateway operation. The message names the cause and the fix; `statusCode` is the
 * HTTP status ARM answered with, or undefined when no ARM response was received (no credential,
 * sign-in refused, network failure).
 */
export class ArmOperationError extends Error {
    override readonly name = "ArmOperationError";

    constructor(
        message: string,
        /** HTTP status from ARM, undefined when the request never got an ARM answer. */
        readonly statusCode: number | undefined,
        /** ARM's `error.code`, or the credential error's name. */
        readonly code: string | undefined,
    ) {
        super(message);
        // Pulumi's closure serializer turns this class into a function calling `Error.call(this,
        // message)`, which sets nothing on `this`: without this line the engine reports the
        // GatewayToken provider's failures as "undefined".
        this.message = message;
    }

    override toString(): string {
        return `${this.name}: ${this.message}`;
    }
}

/**
 * How a throttled operation's message starts: the rotation CLI recognises a token update that
 * failed on throttling by it (the engine passes the provider's message on, not its status).
 */
export const ARM_THROTTLED = "ARM kept throttling";

/** The RBAC action each operation needs, as a custom role or the built-in role grants it. */
export const requiredActions: Readonly<Record<ArmOperation, string>> = {
    generateToken: "Microsoft.ApiManagement/service/gateways/generateToken/action",
    regenerateKey: "Microsoft.ApiManagement/service/gateways/regenerateKey/action",
};

/** Built-in role that grants every action above. */
export const builtInRole = "API Management Service Contributor";

interface RestErrorLike {
    name: string;
    message: string;
    statusCode?: number;
    code?: string;
    details?: unknown;
}

interface AuthenticationErrorLike {
    name: string;
    message: string;
    errorResponse?: { error?: string; errorDescription?: string };
}

/**
 * Turns an error from the ARM client or the Azure credential into an {@link ArmOperationError}.
 * The original error is not kept as `cause`: it carries the request, whose headers hold the
 * bearer token.
 */
export function toArmOperationError(error: unknown, context: ArmOperationContext): ArmOperationError {
    if (error instanceof ArmOperationError) {
        return error;
    }
    const err = (error ?? {}) as RestErrorLike & AuthenticationErrorLike;
    const { operation, gateway } = context;
    const gatewayId = gatewayResourceId(gateway);
    const what = `${operation} on gateway ${gatewayId}`;

    const refusal = entraRefusal(err);
    if (refusal !== undefined) {
        return new ArmOperationError(
            `Signing in to Entra ID at ${context.authorityHost} failed for ${what} (${refusal}). ${signInFix(refusal)}`,
            undefined,
            err.name,
        );
    }
    if (err.name === "CredentialUnavailableError" || err.name === "AggregateAuthenticationError") {
        return new ArmOperationError(
            `No Azure credential is available for ${what}. Sign in with "az login" ` +
                `(then "az account set --subscription ${gateway.subscriptionId}"), or set AZURE_TENANT_ID, AZURE_CLIENT_ID ` +
                "and AZURE_CLIENT_SECRET (or AZURE_CLIENT_CERTIFICATE_PATH) for a service principal, or use workload identity " +
                "(AZURE_FEDERATED_TOKEN_FILE on AKS; azure/login with OIDC on GitHub Actions; an AzureCLI task on Azure DevOps). " +
                `Credential chain said: ${oneLine(err.message)}`,
            undefined,
            err.name,
        );
    }
    if (err.name !== "RestError") {
        return new ArmOperationError(`${what} failed: ${err.message ?? String(error)}`, undefined, err.name);
    }

    const status = err.statusCode;
    const said = `${status ?? "no response"}${err.code ? ` ${err.code}` : ""}: ${err.message}`;
    const service = serviceResourceId(gateway);
    if (status === undefined) {
        return new ArmOperationError(
            `Could not reach ARM at ${context.resourceManagerEndpoint} for ${what} (${said}). ` +
                "Check network access to that endpoint and azureCloud.resourceManagerEndpoint.",
            undefined,
            err.code,
        );
    }
    if (status === 401) {
        return new ArmOperationError(
            `ARM at ${context.resourceManagerEndpoint} rejected the access token for ${what} (${said}). ` +
                `Sign in to the tenant that owns subscription ${gateway.subscriptionId} ("az login --tenant <tenant>" or AZURE_TENANT_ID) ` +
                "and make sure azureCloud names the cloud that subscription is in.",
            status,
            err.code,
        );
    }
    if (status === 403) {
        return new ArmOperationError(
            `The signed-in identity is not allowed to run ${what} (${said}). ` +
                `It needs "${requiredActions[operation]}" at the gateway's scope (${gatewayId}) or above: ` +
                `assign the built-in "${builtInRole}" role on ${service}, or a custom role with ` +
                `${requiredActions.generateToken} and ${requiredActions.regenerateKey} on the gateway, e.g. ` +
                `az role assignment create --assignee <principal-id> --role "${builtInRole}" --scope ${service}`,
            status,
            err.code,
        );
    }
    if (status === 404) {
        return new ArmOperationError(
            `No such gateway for ${operation}: ${gatewayId} (${said}). Check that API Management service ` +
                `"${gateway.serviceName}" exists in resource group "${gateway.resourceGroupName}" of subscription ` +
                `${gateway.subscriptionId} and has a self-hosted gateway "${gateway.gatewayId}", and that azureCloud ` +
                "points at the cloud it is in.",
            status,
            err.code,
        );
    }
    if (status === 400) {
        return new ArmOperationError(
            `ARM refused ${what} as invalid (${said}${detailMessages(err.details)}). Correct the request as the service says.`,
            status,
            err.code,
        );
    }
    const tries = `${context.limits.maxRetries + 1} attempts`;
    if (status === 429) {
        return new ArmOperationError(
            `${ARM_THROTTLED} ${what} (${said}) at ${context.resourceManagerEndpoint} over ${tries}, which wait as Retry-After asks. ` +
                "Try again later, or spread scheduled rotations of many stacks over time.",
            status,
            err.code,
        );
    }
    if (status >= 500) {
        return new ArmOperationError(
            `ARM at ${context.resourceManagerEndpoint} failed ${what} with a service error (${said}) on all ${tries}. ` +
                "Nothing is wrong with the request: retry later, and check Azure service health if it persists.",
            status,
            err.code,
        );
    }
    return new ArmOperationError(`ARM refused ${what} (${said}).`, status, err.code);
}

/**
 * The error for an ARM call whose retry budget ran out before ARM gave a final answer: it names
 * the endpoint, the bounds that were reached and the variables that set them.
 * `timedOutRequests` counts the requests abandoned unanswered after the request timeout.
 */
export function armBudgetSpentError(context: ArmOperationContext, timedOutRequests: number): ArmOperationError {
    const { limits } = context;
    const what = `${context.operation} on gateway ${gatewayResourceId(context.gateway)}`;
    const requests =
        timedOutRequests === 0
            ? ""
            : ` ${timedOutRequests} request${timedOutRequests === 1 ? "" : "s"} got no answer within ` +
              `the ${limits.timeoutMs / 1000} s request timeout (${ARM_TIMEOUT_ENV}).`;
    return new ArmOperationError(
        `ARM at ${context.resourceManagerEndpoint} did not complete ${what} within the ${limits.retryBudgetMs / 1000} s ` +
            `retry budget (${ARM_RETRY_BUDGET_ENV}); gave up.${requests} ` +
            "Check network access to that endpoint (proxy, firewall, DNS) and Azure service health, then run again.",
        undefined,
        "RetryBudgetSpent",
    );
}

/**
 * Errors of `@azure/identity` that mean Entra ID answered and refused the sign-in. An array, not
 * a Set: Pulumi's closure serializer turns a captured Set into a plain object.
 */
const refusedSignIn: readonly string[] = ["AuthenticationError", "AuthenticationRequiredError"];

/**
 * What Entra ID said when it refused the sign-in, or undefined when no authority refused it (no
 * credential configured). A credential chain (DefaultAzureCredential) wraps the refusal in an
 * AggregateAuthenticationError, whose other members only say a credential was not configured.
 */
function entraRefusal(err: AuthenticationErrorLike & { errors?: unknown[] }): string | undefined {
    if (err.name === "AuthenticationError") {
        return err.errorResponse
            ? `${err.errorResponse.error ?? ""}: ${firstLine(err.errorResponse.errorDescription ?? "")}`
            : firstLine(err.message);
    }
    if (err.name === "AggregateAuthenticationError") {
        const refused = (err.errors ?? []).find((inner) =>
            refusedSignIn.includes((inner as AuthenticationErrorLike | undefined)?.name ?? ""),
        ) as AuthenticationErrorLike | undefined;
        return refused === undefined
            ? undefined
            : entraRefusal({ name: "AuthenticationError", message: String(refused.message), errorResponse: refused.errorResponse });
    }
    return undefined;
}

/** What to do about a refused sign-in, by the refusal's code. */
function signInFix(refusal: string): string {
    if (refusal.includes("endpoints_resolution_error") || refusal.includes("AADSTS90002")) {
        return (
            'Entra ID does not know that tenant: check the tenant id (AZURE_TENANT_ID, or "az login --tenant") and that ' +
            "azureCloud names the cloud the tenant is in."
        );
    }
    if (refusal.includes("AADSTS700024")) {
        return (
            "The federated token presented (AZURE_FEDERATED_TOKEN_FILE, or the CI system's OIDC token) is expired or not yet " +
            "valid: such tokens live minutes, so sign in with a fresh one in the job that calls ARM."
        );
    }
    if (refusal.includes("AADSTS70021")) {
        return (
            "No federated credential of the app registration trusts this token's issuer and subject: add one for them " +
            "(e.g. the CI environment or the Kubernetes service account that runs the rotation)."
        );
    }
    return (
        "Check the tenant id, the client id and its secret, certificate or federated credential; " +
        "for a sovereign cloud set azureCloud so the right authority is used."
    );
}

/** The per-field messages of an ARM `ErrorResponse` body, as `; target: message` pairs. */
function detailMessages(details: unknown): string {
    const body = details as { error?: { details?: { target?: string; message?: string }[] } } | undefined;
    const entries = body?.error?.details ?? [];
    return entries.map((d) => `; ${d.target ? `${d.target}: ` : ""}${d.message ?? ""}`).join("");
}

function oneLine(text: string): string {
    return text.replace(/\s*\n\s*/g, " ").trim();
}

function firstLine(text: string): string {
    return text.split("\n").find((line) => line.trim() !== "") ?? text;
}
