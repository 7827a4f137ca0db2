import { strict as assert } from "node:assert";
import { ARM_FAILURE_KINDS, ArmFailure, ArmFailureKind, classifyArmFailure } from "../../components/token/armFailureKind";
import { ARM_FAILURE_MESSAGES, toArmOperationError } from "../../components/token/armFailureMessages";
import { ArmOperationContext, ArmOperationError } from "../../components/token/errors";

/** An error shaped as `@azure/core-rest-pipeline` throws it for an ARM answer (or no answer). */
function restError(statusCode: number | undefined, code: string | undefined, message: string, details?: unknown) {
    return Object.assign(new Error(message), { name: "RestError", statusCode, code, details });
}

/** An error shaped as `@azure/identity` throws it. */
function identityError(name: string, message: string, extra: object = {}) {
    return Object.assign(new Error(message), { name }, extra);
}

const refusal = (error: string, errorDescription: string) =>
    identityError("AuthenticationError", "refused", { errorResponse: { error, errorDescription } });

describe("ARM failures: the classifier (error → kind)", () => {
    const cases: { name: string; error: unknown; expected: ArmFailure }[] = [
        {
            name: "Entra ID: unknown tenant (AADSTS90002)",
            error: refusal("invalid_request", "AADSTS90002: Tenant 'x' not found.\nTrace ID: 1"),
            expected: {
                kind: "unknownTenant",
                statusCode: undefined,
                code: "AuthenticationError",
                said: "invalid_request: AADSTS90002: Tenant 'x' not found.",
            },
        },
        {
            name: "Entra ID: authority metadata not found (endpoints_resolution_error)",
            error: identityError("AuthenticationError", "endpoints_resolution_error: could not resolve\nmore"),
            expected: {
                kind: "unknownTenant",
                statusCode: undefined,
                code: "AuthenticationError",
                said: "endpoints_resolution_error: could not resolve",
            },
        },
        {
            name: "Entra ID: expired federated token (AADSTS700024)",
            error: refusal("invalid_client", "AADSTS700024: Client assertion is not within its valid time range."),
            expected: {
                kind: "expiredFederatedToken",
                statusCode: undefined,
                code: "AuthenticationError",
                said: "invalid_client: AADSTS700024: Client assertion is not within its valid time range.",
            },
        },
        {
            name: "Entra ID: untrusted federated token (AADSTS70021)",
            error: refusal("invalid_request", "AADSTS70021: No matching federated identity record found."),
            expected: {
                kind: "untrustedFederatedToken",
                statusCode: undefined,
                code: "AuthenticationError",
                said: "invalid_request: AADSTS70021: No matching federated identity record found.",
            },
        },
        {
            name: "Entra ID: a wrong secret, inside a credential chain",
            error: identityError("AggregateAuthenticationError", "chain failed", {
                errors: [
                    identityError("CredentialUnavailableError", "not configured"),
                    refusal("invalid_client", "AADSTS7000215: Invalid client secret provided."),
                ],
            }),
            expected: {
                kind: "signInRefused",
                statusCode: undefined,
                code: "AggregateAuthenticationError",
                said: "invalid_client: AADSTS7000215: Invalid client secret provided.",
            },
        },
        {
            name: "no credential configured (a chain of unavailable credentials)",
            error: identityError(
                "AggregateAuthenticationError",
                "ChainedTokenCredential failed:\n  EnvironmentCredential is unavailable.",
                {
                    errors: [identityError("CredentialUnavailableError", "EnvironmentCredential is unavailable.")],
                },
            ),
            expected: {
                kind: "noCredential",
                statusCode: undefined,
                code: "AggregateAuthenticationError",
                said: "ChainedTokenCredential failed: EnvironmentCredential is unavailable.",
            },
        },
        {
            name: "no credential configured (one credential)",
            error: identityError("CredentialUnavailableError", "Azure CLI could not be found."),
            expected: {
                kind: "noCredential",
                statusCode: undefined,
                code: "CredentialUnavailableError",
                said: "Azure CLI could not be found.",
            },
        },
        {
            name: "anything else thrown",
            error: new TypeError("boom"),
            expected: { kind: "unexpected", statusCode: undefined, code: "TypeError", said: "boom" },
        },
        {
            name: "no ARM response",
            error: restError(undefined, "ECONNREFUSED", "connect ECONNREFUSED 127.0.0.1:1"),
            expected: {
                kind: "unreachable",
                statusCode: undefined,
                code: "ECONNREFUSED",
                said: "no response ECONNREFUSED: connect ECONNREFUSED 127.0.0.1:1",
            },
        },
        {
            name: "400 with per-field messages",
            error: restError(400, "ValidationError", "One or more fields contain incorrect values:", {
                error: { details: [{ target: "expiry", message: "too far" }, { message: "untargeted" }] },
            }),
            expected: {
                kind: "invalid",
                statusCode: 400,
                code: "ValidationError",
                said: "400 ValidationError: One or more fields contain incorrect values:; expiry: too far; untargeted",
            },
        },
        {
            name: "401",
            error: restError(401, "InvalidAuthenticationTokenTenant", "wrong issuer"),
            expected: {
                kind: "unauthorized",
                statusCode: 401,
                code: "InvalidAuthenticationTokenTenant",
                said: "401 InvalidAuthenticationTokenTenant: wrong issuer",
            },
        },
        {
            name: "403",
            error: restError(403, "AuthorizationFailed", "no access"),
            expected: { kind: "forbidden", statusCode: 403, code: "AuthorizationFailed", said: "403 AuthorizationFailed: no access" },
        },
        {
            name: "404",
            error: restError(404, "ResourceNotFound", "gone"),
            expected: { kind: "notFound", statusCode: 404, code: "ResourceNotFound", said: "404 ResourceNotFound: gone" },
        },
        {
            name: "429",
            error: restError(429, undefined, "slow down"),
            expected: { kind: "throttled", statusCode: 429, code: undefined, said: "429: slow down" },
        },
        {
            name: "500",
            error: restError(500, "InternalServerError", "oops"),
            expected: { kind: "serviceError", statusCode: 500, code: "InternalServerError", said: "500 InternalServerError: oops" },
        },
        {
            name: "503",
            error: restError(503, "ServiceUnavailable", "later"),
            expected: { kind: "serviceError", statusCode: 503, code: "ServiceUnavailable", said: "503 ServiceUnavailable: later" },
        },
        {
            name: "409 (no kind of its own)",
            error: restError(409, "Conflict", "busy"),
            expected: { kind: "refused", statusCode: 409, code: "Conflict", said: "409 Conflict: busy" },
        },
        {
            name: "Entra ID: the first non-blank line of its description",
            error: refusal("invalid_client", "\n  \nAADSTS700024: Client assertion expired.\nTrace ID: 1"),
            expected: {
                kind: "expiredFederatedToken",
                statusCode: undefined,
                code: "AuthenticationError",
                said: "invalid_client: AADSTS700024: Client assertion expired.",
            },
        },
        {
            name: "Entra ID: interactive sign-in required, inside a credential chain with a hole",
            error: identityError("AggregateAuthenticationError", "chain failed", {
                errors: [undefined, identityError("AuthenticationRequiredError", "Automatic authentication is disabled.\nmore")],
            }),
            expected: {
                kind: "signInRefused",
                statusCode: undefined,
                code: "AggregateAuthenticationError",
                said: "Automatic authentication is disabled.",
            },
        },
        {
            name: "no credential configured (a chain that lists no errors), on one line, trimmed",
            error: identityError("AggregateAuthenticationError", "  ChainedTokenCredential failed:\r\n\tnothing configured.\n"),
            expected: {
                kind: "noCredential",
                statusCode: undefined,
                code: "AggregateAuthenticationError",
                said: "ChainedTokenCredential failed: nothing configured.",
            },
        },
        {
            name: "a string thrown",
            error: "socket hang up",
            expected: { kind: "unexpected", statusCode: undefined, code: undefined, said: "socket hang up" },
        },
        {
            name: "undefined thrown",
            error: undefined,
            expected: { kind: "unexpected", statusCode: undefined, code: undefined, said: "undefined" },
        },
        {
            name: "Entra ID: an answer without a description keeps its error code",
            error: identityError("AuthenticationError", "refused", { errorResponse: { error: "invalid_grant" } }),
            expected: { kind: "signInRefused", statusCode: undefined, code: "AuthenticationError", said: "invalid_grant: " },
        },
        {
            name: "Entra ID: an answer without an error code keeps its description",
            error: identityError("AuthenticationError", "refused", {
                errorResponse: { errorDescription: "AADSTS50034: The user account does not exist." },
            }),
            expected: {
                kind: "signInRefused",
                statusCode: undefined,
                code: "AuthenticationError",
                said: ": AADSTS50034: The user account does not exist.",
            },
        },
        {
            name: "400 whose body is not an ARM error response",
            error: restError(400, "BadRequest", "bad body", { message: "not an ErrorResponse" }),
            expected: { kind: "invalid", statusCode: 400, code: "BadRequest", said: "400 BadRequest: bad body" },
        },
        {
            name: "400 with a per-field entry naming only its target",
            error: restError(400, "ValidationError", "invalid:", { error: { details: [{ target: "expiry" }] } }),
            expected: { kind: "invalid", statusCode: 400, code: "ValidationError", said: "400 ValidationError: invalid:; expiry: " },
        },
        {
            name: "400 without per-field messages",
            error: restError(400, "BadRequest", "bad expiry"),
            expected: { kind: "invalid", statusCode: 400, code: "BadRequest", said: "400 BadRequest: bad expiry" },
        },
        {
            name: "403 with per-field messages: only a 400's are named",
            error: restError(403, "AuthorizationFailed", "no access", { error: { details: [{ target: "scope", message: "denied" }] } }),
            expected: { kind: "forbidden", statusCode: 403, code: "AuthorizationFailed", said: "403 AuthorizationFailed: no access" },
        },
    ];

    for (const { name, error, expected } of cases) {
        it(name, () => assert.deepEqual(classifyArmFailure(error), expected));
    }

    it("the table covers every kind", () => {
        assert.deepEqual(new Set(cases.map((c) => c.expected.kind)), new Set(ARM_FAILURE_KINDS));
    });
});

describe("ARM failures: the messages (kind → wording)", () => {
    const context: ArmOperationContext = {
        operation: "generateToken",
        gateway: { subscriptionId: "00000000-0000-0000-0000-000000000001", resourceGroupName: "rg", serviceName: "svc", gatewayId: "gw" },
        resourceManagerEndpoint: "https://arm.example",
        authorityHost: "https://login.example",
        limits: { timeoutMs: 30_000, retryBudgetMs: 120_000, maxRetries: 3 },
    };
    const gateway =
        "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg/providers/Microsoft.ApiManagement/service/svc/gateways/gw";
    const service = "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg/providers/Microsoft.ApiManagement/service/svc";
    const signIn = `Signing in to Entra ID at https://login.example failed for generateToken on gateway ${gateway} (SAID). `;

    /** Each kind's message: how it starts (the cause) and what else it must name (the fix). */
    const expected: Record<ArmFailureKind, { starts: string; names: string[] }> = {
        unknownTenant: {
            starts: signIn,
            names: [
                "Entra ID does not know that tenant",
                "AZURE_TENANT_ID",
                'az login --tenant")',
                "azureCloud names the cloud the tenant is in.",
            ],
        },
        expiredFederatedToken: { starts: signIn, names: ["is expired or not yet valid", "AZURE_FEDERATED_TOKEN_FILE", "a fresh one"] },
        untrustedFederatedToken: {
            starts: signIn,
            names: [
                "No federated credential of the app registration trusts",
                "issuer and subject",
                "the Kubernetes service account that runs the rotation).",
            ],
        },
        signInRefused: { starts: signIn, names: ["Check the tenant id, the client id and its secret", "sovereign cloud"] },
        noCredential: {
            starts: `No Azure credential is available for generateToken on gateway ${gateway}. Sign in with "az login"`,
            names: [
                'az account set --subscription 00000000-0000-0000-0000-000000000001"',
                "AZURE_CLIENT_SECRET",
                "workload identity",
                "an AzureCLI task on Azure DevOps). Credential chain said: SAID",
            ],
        },
        unexpected: { starts: `generateToken on gateway ${gateway} failed: SAID`, names: [] },
        unreachable: {
            starts: `Could not reach ARM at https://arm.example for generateToken on gateway ${gateway} (SAID).`,
            names: ["azureCloud.resourceManagerEndpoint"],
        },
        unauthorized: {
            starts: `ARM at https://arm.example rejected the access token for generateToken on gateway ${gateway} (SAID).`,
            names: [
                "owns subscription 00000000-0000-0000-0000-000000000001",
                "az login --tenant <tenant>",
                "and make sure azureCloud names the cloud that subscription is in.",
            ],
        },
        forbidden: {
            starts: `The signed-in identity is not allowed to run generateToken on gateway ${gateway} (SAID).`,
            names: [
                '"Microsoft.ApiManagement/service/gateways/generateToken/action"',
                `assign the built-in "API Management Service Contributor" role on ${service}, or a custom role with `,
                "Microsoft.ApiManagement/service/gateways/regenerateKey/action",
                `--role "API Management Service Contributor" --scope ${service}`,
            ],
        },
        notFound: {
            starts: `No such gateway for generateToken: ${gateway} (SAID).`,
            names: [
                'service "svc"',
                'resource group "rg"',
                'self-hosted gateway "gw"',
                "and that azureCloud points at the cloud it is in.",
            ],
        },
        invalid: { starts: `ARM refused generateToken on gateway ${gateway} as invalid (SAID).`, names: ["Correct the request"] },
        throttled: {
            starts: `ARM kept throttling generateToken on gateway ${gateway} (SAID) at https://arm.example over 4 attempts`,
            names: ["Retry-After", "spread scheduled rotations"],
        },
        serviceError: {
            starts: `ARM at https://arm.example failed generateToken on gateway ${gateway} with a service error (SAID) on all 4 attempts.`,
            names: ["retry later", "service health"],
        },
        refused: { starts: `ARM refused generateToken on gateway ${gateway} (SAID).`, names: [] },
    };

    for (const kind of ARM_FAILURE_KINDS) {
        it(kind, () => {
            const message = ARM_FAILURE_MESSAGES[kind]("SAID", context);
            assert.ok(message.startsWith(expected[kind].starts), message);
            for (const name of expected[kind].names) {
                assert.ok(message.includes(name), `${kind}: ${message} names ${name}`);
            }
        });
    }

    it("toArmOperationError: the classified kind's message, with ARM's status and code", () => {
        const error = toArmOperationError(restError(403, "AuthorizationFailed", "no access"), context);
        assert.ok(error instanceof ArmOperationError);
        assert.ok(
            error.message.startsWith(
                `The signed-in identity is not allowed to run generateToken on gateway ${gateway} (403 AuthorizationFailed: no access).`,
            ),
        );
        assert.equal(error.statusCode, 403);
        assert.equal(error.code, "AuthorizationFailed");
    });

    it("toArmOperationError: an ArmOperationError passes through unchanged", () => {
        const original = new ArmOperationError("already worded", 429, "TooManyRequests");
        assert.equal(toArmOperationError(original, context), original);
    });
});
