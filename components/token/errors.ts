import { ARM_RETRY_BUDGET_ENV, ARM_TIMEOUT_ENV, ArmCallLimits } from "./armLimits";
import { GatewayResourceId, gatewayResourceId } from "./resourceId";

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
