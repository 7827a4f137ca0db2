import { GatewayResourceId, gatewayResourceId, serviceResourceId } from "./resourceId";

/** The ARM gateway operations this project calls. */
export type ArmOperation = "generateToken" | "regenerateKey";

/** What a failed ARM call was doing, to name it in the error. */
export interface ArmOperationContext {
    operation: ArmOperation;
    gateway: GatewayResourceId;
    resourceManagerEndpoint: string;
    authorityHost: string;
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
    if (err.name === "AuthenticationError") {
        const reason = err.errorResponse
            ? `${err.errorResponse.error ?? ""}: ${firstLine(err.errorResponse.errorDescription ?? "")}`
            : firstLine(err.message);
        return new ArmOperationError(
            `Signing in to Entra ID at ${context.authorityHost} failed for ${what} (${reason}). ` +
                "Check the tenant id, the client id and its secret, certificate or federated credential; " +
                "for a sovereign cloud set azureCloud so the right authority is used.",
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
    if (status === 429) {
        return new ArmOperationError(
            `${ARM_THROTTLED} ${what} (${said}) after the client's retries, which wait as Retry-After asks. ` +
                "Try again later, or spread scheduled rotations of many stacks over time.",
            status,
            err.code,
        );
    }
    if (status >= 500) {
        return new ArmOperationError(
            `ARM failed ${what} with a service error (${said}) after the client's retries. ` +
                "Nothing is wrong with the request: retry later, and check Azure service health if it persists.",
            status,
            err.code,
        );
    }
    return new ArmOperationError(`ARM refused ${what} (${said}).`, status, err.code);
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
