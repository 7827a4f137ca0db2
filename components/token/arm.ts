import type { ApiManagementClient, GatewayGenerateTokenOptionalParams } from "@azure/arm-apimanagement";
import type { TokenCredential } from "@azure/identity";
import { armCallDefaults, armCallLimits } from "./armLimits";
import { AzureCloudSettings, resolveAzureCloud } from "./cloud";
import { toArmOperationError } from "./armFailureMessages";
import { ArmOperation, ArmOperationError, armBudgetSpentError } from "./errors";
import type { GatewayKeyType } from "./keyType";
import { GatewayResourceId, assertSubscriptionId, parseGatewayResourceId } from "./resourceId";

// The Azure SDKs are required inside the functions, not imported at the top: the GatewayToken
// provider is serialized into Pulumi state with everything it captures, and a required-at-call
// module stays a one-line `require` there instead of being captured.

export { GatewayResourceId, parseGatewayResourceId } from "./resourceId";

/**
 * The ambient Azure credential (`DefaultAzureCredential`: environment service principal, workload
 * identity, managed identity, `az login`, ...) for a cloud. Created per call and never stored.
 */
export function createAzureCredential(cloud?: AzureCloudSettings): TokenCredential {
    const { DefaultAzureCredential } = require("@azure/identity") as typeof import("@azure/identity");
    const resolved = resolveAzureCloud(cloud);
    return new DefaultAzureCredential({
        authorityHost: resolved.authorityHost,
        // Instance discovery only knows the public clouds' authorities; a private cloud's (Azure
        // Stack, a test emulator) is only accepted with discovery and authority validation off.
        disableInstanceDiscovery: !resolved.wellKnownAuthority,
    });
}

/**
 * Starts one ARM call's retry budget of `ms` milliseconds: a signal that aborts when it is spent.
 * A parameter so that tests can spend it on an event (the n-th request) instead of after a
 * wall-clock time; production uses {@link retryBudgetTimeout}.
 */
export type RetryBudget = (ms: number) => AbortSignal;

/** The production {@link RetryBudget}: spent `ms` milliseconds after the call starts. */
export const retryBudgetTimeout: RetryBudget = (ms) => AbortSignal.timeout(ms);

/** Gives the ARM client for a subscription in a cloud. */
export type ArmClientSource = (subscriptionId: string, cloud?: AzureCloudSettings) => ApiManagementClient;

/**
 * A source that keeps one client per subscription and cloud for the life of the caller, so many
 * calls share one sign-in (the credential caches its token) and the client's connections. For a
 * process making many calls, the rotation CLI: a run that verifies 300 stacks signs in once, not
 * 300 times. The GatewayToken provider does not use it: its code is serialized into state, and
 * it makes one call per resource anyway.
 */
export function armClientPool(): ArmClientSource {
    const clients = new Map<string, ApiManagementClient>();
    return (subscriptionId, cloud) => {
        const key = JSON.stringify([subscriptionId, resolveAzureCloud(cloud)]);
        let client = clients.get(key);
        if (client === undefined) {
            client = createApiManagementClient(subscriptionId, cloud);
            clients.set(key, client);
        }
        return client;
    };
}

/** An ARM API Management client for a subscription in a cloud, signed in with {@link createAzureCredential}. */
export function createApiManagementClient(subscriptionId: string, cloud?: AzureCloudSettings): ApiManagementClient {
    const { ApiManagementClient } = require("@azure/arm-apimanagement") as typeof import("@azure/arm-apimanagement");
    assertSubscriptionId(subscriptionId);
    const resolved = resolveAzureCloud(cloud);
    return new ApiManagementClient(createAzureCredential(cloud), subscriptionId, {
        endpoint: resolved.resourceManagerEndpoint,
        credentialScopes: [`${resolved.resourceManagerEndpoint}/.default`],
        retryOptions: { maxRetries: armCallDefaults.maxRetries },
    });
}

/**
 * Generates a gateway access token signed with `keyType`, valid until `expiry` (at most 30 days
 * ahead as the service sees it). Returns the raw token, without the `GatewayKey ` prefix.
 */
export async function generateGatewayToken(
    gatewayResourceId: string,
    keyType: GatewayKeyType,
    expiry: Date,
    cloud?: AzureCloudSettings,
    clients: ArmClientSource = createApiManagementClient,
    budget: RetryBudget = retryBudgetTimeout,
): Promise<string> {
    assertKeyType(keyType);
    return callGateway(gatewayResourceId, "generateToken", cloud, { clients, budget }, async (client, gw, options) => {
        const result = await client.gateway.generateToken(gw.resourceGroupName, gw.serviceName, gw.gatewayId, { keyType, expiry }, options);
        if (!result.value) {
            throw new ArmOperationError(`ARM returned no token for generateToken on gateway ${gatewayResourceId}.`, 200, undefined);
        }
        return result.value;
    });
}

/** Regenerates a gateway key, which invalidates every token signed with it. */
export async function regenerateGatewayKey(
    gatewayResourceId: string,
    keyType: GatewayKeyType,
    cloud?: AzureCloudSettings,
    clients: ArmClientSource = createApiManagementClient,
    budget: RetryBudget = retryBudgetTimeout,
): Promise<void> {
    assertKeyType(keyType);
    await callGateway(gatewayResourceId, "regenerateKey", cloud, { clients, budget }, (client, gw, options) =>
        client.gateway.regenerateKey(gw.resourceGroupName, gw.serviceName, gw.gatewayId, { keyType }, options),
    );
}

/** What bounds one request of an ARM operation: the call's budget and the request timeout. */
type CallOptions = Pick<GatewayGenerateTokenOptionalParams, "abortSignal" | "requestOptions">;

/**
 * Runs one ARM call within the limits of {@link armCallLimits}: each request is abandoned after
 * the request timeout and sent again, and the whole call (the client's own retries of 5xx,
 * throttling and network errors, and their waits, included) is abandoned when the retry budget
 * is spent (`seams.budget`). Every failure becomes an {@link ArmOperationError} naming the endpoint.
 */
async function callGateway<T>(
    gatewayResourceId: string,
    operation: ArmOperation,
    cloud: AzureCloudSettings | undefined,
    seams: { clients: ArmClientSource; budget: RetryBudget },
    call: (client: ApiManagementClient, gateway: GatewayResourceId, options: CallOptions) => Promise<T>,
): Promise<T> {
    const gateway = parseGatewayResourceId(gatewayResourceId);
    const resolved = resolveAzureCloud(cloud);
    const limits = armCallLimits(process.env);
    const context = { operation, gateway, ...resolved, limits };
    const client = seams.clients(gateway.subscriptionId, cloud);
    const budget = seams.budget(limits.retryBudgetMs);
    let timedOutRequests = 0;
    for (;;) {
        try {
            return await call(client, gateway, { abortSignal: budget, requestOptions: { timeout: limits.timeoutMs } });
        } catch (error) {
            // The client reports a request timeout and an aborted call alike, as an AbortError
            // it never retries: the budget's state tells them apart.
            if ((error as Error | undefined)?.name !== "AbortError") {
                throw toArmOperationError(error, context);
            }
            if (budget.aborted) {
                throw armBudgetSpentError(context, timedOutRequests);
            }
            timedOutRequests++;
        }
    }
}

function assertKeyType(keyType: string): void {
    if (keyType !== "primary" && keyType !== "secondary") {
        throw new Error(`keyType must be "primary" or "secondary"; got "${keyType}".`);
    }
}
