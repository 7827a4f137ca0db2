/**
 * What kind of failure an error from the ARM client or the Azure credential is: a pure
 * classification, with the facts its message needs. armFailureMessages.ts words each kind.
 */

/** Every kind of failed ARM call this project tells apart, each with its own message and fix. */
export const ARM_FAILURE_KINDS = [
    /** Entra ID does not know the tenant (AADSTS90002, or the authority's metadata not found). */
    "unknownTenant",
    /** The federated token presented is expired or not yet valid (AADSTS700024). */
    "expiredFederatedToken",
    /** No federated credential of the app registration trusts the token (AADSTS70021). */
    "untrustedFederatedToken",
    /** Entra ID refused the sign-in for another reason (a wrong secret, client id or certificate). */
    "signInRefused",
    /** No credential is configured at all. */
    "noCredential",
    /** Neither an ARM answer nor a credential error: whatever else was thrown. */
    "unexpected",
    /** No ARM response: a network failure. */
    "unreachable",
    /** 401: ARM rejected the access token (another tenant, another cloud). */
    "unauthorized",
    /** 403: the identity lacks the operation's RBAC action. */
    "forbidden",
    /** 404: no such service or gateway. */
    "notFound",
    /** 400: ARM refused the request's content. */
    "invalid",
    /** 429 after every retry. */
    "throttled",
    /** 5xx after every retry. */
    "serviceError",
    /** Any other ARM status. */
    "refused",
] as const;

export type ArmFailureKind = (typeof ARM_FAILURE_KINDS)[number];

/** A classified failure: its kind and what the failing side said. */
export interface ArmFailure {
    readonly kind: ArmFailureKind;
    /** HTTP status ARM answered with; undefined when no ARM answer came. */
    readonly statusCode: number | undefined;
    /** ARM's `error.code`, or the credential error's name. */
    readonly code: string | undefined;
    /**
     * What was said, on one line: Entra ID's refusal, the credential chain's message, the error's
     * message, or ARM's `<status> <code>: <message>` with its per-field messages.
     */
    readonly said: string;
}

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
    errors?: unknown[];
}

/** Classifies an error thrown by the ARM client or the Azure credential. */
export function classifyArmFailure(error: unknown): ArmFailure {
    const err = (error ?? {}) as RestErrorLike & AuthenticationErrorLike;
    const refusal = entraRefusal(err);
    if (refusal !== undefined) {
        return { kind: signInRefusalKind(refusal), statusCode: undefined, code: err.name, said: refusal };
    }
    if (err.name === "CredentialUnavailableError" || err.name === "AggregateAuthenticationError") {
        return { kind: "noCredential", statusCode: undefined, code: err.name, said: oneLine(err.message) };
    }
    if (err.name !== "RestError") {
        return { kind: "unexpected", statusCode: undefined, code: err.name, said: err.message ?? String(error) };
    }
    const status = err.statusCode;
    const said = `${status ?? "no response"}${err.code ? ` ${err.code}` : ""}: ${err.message}`;
    const kind = restErrorKind(status);
    return { kind, statusCode: status, code: err.code, said: kind === "invalid" ? `${said}${detailMessages(err.details)}` : said };
}

function restErrorKind(status: number | undefined): ArmFailureKind {
    if (status === undefined) {
        return "unreachable";
    }
    const byStatus: Readonly<Record<number, ArmFailureKind>> = {
        400: "invalid",
        401: "unauthorized",
        403: "forbidden",
        404: "notFound",
        429: "throttled",
    };
    return byStatus[status] ?? (status >= 500 ? "serviceError" : "refused");
}

/** Which refusal Entra ID's answer is, by its error code. */
function signInRefusalKind(refusal: string): ArmFailureKind {
    if (refusal.includes("endpoints_resolution_error") || refusal.includes("AADSTS90002")) {
        return "unknownTenant";
    }
    if (refusal.includes("AADSTS700024")) {
        return "expiredFederatedToken";
    }
    if (refusal.includes("AADSTS70021")) {
        return "untrustedFederatedToken";
    }
    return "signInRefused";
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
function entraRefusal(err: AuthenticationErrorLike): string | undefined {
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
