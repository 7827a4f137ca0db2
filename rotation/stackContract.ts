/**
 * The contract with the stack program (stacks/index.ts): the outputs the rotation program reads
 * and the environment variable that forces a renewal. Only the outputs named here are ever read,
 * and only when they are not secrets.
 */
import type { AzureCloudSettings } from "../components/token/cloud";
import type { GatewayKeyType } from "../components/token/keyType";
import { MaskedOutputs } from "./stackBackend";

/** A new non-empty value renews the token on that update regardless of the renewal window. */
export const RENEWAL_TRIGGER_ENV = "APIM_GATEWAY_RENEWAL_TRIGGER";

/** Stack output names. */
export const OUTPUTS = {
    authType: "authType",
    gatewayResourceId: "gatewayResourceId",
    tokenExpiresAt: "tokenExpiresAt",
    tokenRenewAfter: "tokenRenewAfter",
    tokenKeyType: "tokenKeyType",
    tokenIssuedAt: "tokenIssuedAt",
    rotationTargets: "rotationTargets",
    azureCloud: "azureCloud",
} as const;

const AUTH_TYPES = ["token", "workloadIdentity", "azureAdApp"] as const;

/** How the gateway authenticates to APIM; only `token` has a token to rotate. */
export type AuthType = (typeof AUTH_TYPES)[number];

/** The gateway token as the stack last deployed it (no secret parts). */
export interface TokenSnapshot {
    /** ISO 8601. */
    readonly expiresAt: string;
    /** ISO 8601; the token is due for renewal from this instant. */
    readonly renewAfter: string;
    /** The key that signed the token. */
    readonly keyType: GatewayKeyType;
    /** ISO 8601, when present. */
    readonly issuedAt?: string;
}

/** A stack output is missing, secret or malformed; the message names the output and the fix. */
export class StackContractError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "StackContractError";
    }
}

function plainValue(outputs: MaskedOutputs, name: string): unknown {
    const output = outputs[name];
    if (output === undefined) {
        return undefined;
    }
    if (output.secret) {
        throw new StackContractError(
            `stack output "${name}" is a secret; the rotation program only reads it in plain text: ` +
                `export it without pulumi.secret() in the stack program`,
        );
    }
    return output.value;
}

function requiredString(outputs: MaskedOutputs, name: string): string {
    const value = plainValue(outputs, name);
    if (typeof value !== "string" || value === "") {
        throw new StackContractError(
            `stack output "${name}" is ${value === undefined ? "missing" : "not a non-empty string"}; ` +
                `run \`pulumi up\` on the stack so it exports the outputs of this version of the program`,
        );
    }
    return value;
}

function requiredInstant(outputs: MaskedOutputs, name: string): string {
    const value = requiredString(outputs, name);
    if (Number.isNaN(Date.parse(value))) {
        throw new StackContractError(`stack output "${name}" is not an ISO 8601 instant`);
    }
    return value;
}

/**
 * The stack's auth type, or `undefined` when the stack has no outputs at all (never deployed).
 */
export function readAuthType(outputs: MaskedOutputs): AuthType | undefined {
    if (Object.keys(outputs).length === 0) {
        return undefined;
    }
    const value = requiredString(outputs, OUTPUTS.authType);
    if (!(AUTH_TYPES as readonly string[]).includes(value)) {
        throw new StackContractError(
            `stack output "${OUTPUTS.authType}" is "${value}"; expected one of ${AUTH_TYPES.join(", ")}`,
        );
    }
    return value as AuthType;
}

/** The token outputs of a stack whose auth type is `token`. */
export function readTokenSnapshot(outputs: MaskedOutputs): TokenSnapshot {
    const keyType = requiredString(outputs, OUTPUTS.tokenKeyType);
    if (keyType !== "primary" && keyType !== "secondary") {
        throw new StackContractError(
            `stack output "${OUTPUTS.tokenKeyType}" is "${keyType}"; expected primary or secondary`,
        );
    }
    const issuedAt = plainValue(outputs, OUTPUTS.tokenIssuedAt);
    return {
        expiresAt: requiredInstant(outputs, OUTPUTS.tokenExpiresAt),
        renewAfter: requiredInstant(outputs, OUTPUTS.tokenRenewAfter),
        keyType,
        ...(typeof issuedAt === "string" && issuedAt !== "" ? { issuedAt } : {}),
    };
}

/** URNs of the GatewayToken, its Secret and the Deployment: what a rotation updates. */
export function readRotationTargets(outputs: MaskedOutputs): string[] {
    const value = plainValue(outputs, OUTPUTS.rotationTargets);
    if (!Array.isArray(value) || value.length === 0 || !value.every((urn) => typeof urn === "string" && urn.startsWith("urn:pulumi:"))) {
        throw new StackContractError(
            `stack output "${OUTPUTS.rotationTargets}" must be a non-empty list of URNs; without it a rotation ` +
                `would not know what to update: run \`pulumi up\` on the stack with this version of the program`,
        );
    }
    return value as string[];
}

/** The gateway's ARM resource id. */
export function readGatewayResourceId(outputs: MaskedOutputs): string {
    return requiredString(outputs, OUTPUTS.gatewayResourceId);
}

/** The Azure cloud the gateway lives in, or `undefined` for the public cloud. */
export function readAzureCloud(outputs: MaskedOutputs): AzureCloudSettings | undefined {
    const value = plainValue(outputs, OUTPUTS.azureCloud);
    if (value === undefined || value === null) {
        return undefined;
    }
    const fields = ["name", "resourceManagerEndpoint", "authorityHost"];
    if (
        typeof value !== "object" ||
        Array.isArray(value) ||
        !Object.entries(value).every(([key, field]) => fields.includes(key) && (field === undefined || typeof field === "string"))
    ) {
        throw new StackContractError(
            `stack output "${OUTPUTS.azureCloud}" must be an object with optional string fields ${fields.join(", ")}`,
        );
    }
    return value as AzureCloudSettings;
}
