/**
 * The rotation contract between a stack that embeds {@link SelfHostedGateway} and the rotation
 * CLI (`apim-gateway-rotate`), defined once: the stack output's name and shape, the environment
 * variable that forces a renewal, the changes a rotation may make, and the validation of what the
 * CLI reads back. Pure (no Pulumi imports), so the CLI loads it without the Pulumi SDK.
 *
 * A stack exports one plain output, {@link ROTATION_OUTPUT}: an object keyed by gateway key (the
 * component's resource name by default) whose values are {@link RotationUnitOutput}. A rotation
 * unit is one (stack, gateway key) pair.
 */
import { ANNOTATIONS, TOKEN_SECRET_ANNOTATIONS } from "../constants";
import { AUTH_TYPES, AuthType } from "../enums";
import type { AzureCloudSettings } from "../token/cloud";
import type { GatewayKeyType } from "../token/keyType";
import { quoted } from "../untrustedText";

/** The stack output the rotation CLI reads. */
export const ROTATION_OUTPUT = "apimGatewayRotation";

/**
 * A new non-empty value renews the token on that update regardless of the renewal window. The
 * component reads it itself when `token.renewalTrigger` is not given; the CLI's targeted update
 * limits which gateway's token it reaches.
 */
export const RENEWAL_TRIGGER_ENV = "APIM_GATEWAY_RENEWAL_TRIGGER";

/** How a gateway authenticates to APIM; only `token` has a token for the rotation to renew. */
export type RotationAuthType = AuthType;

/** URNs of what a rotation updates: the token, its Secret, the Deployment that reads it. */
export interface RotationTargets {
    readonly token: string;
    readonly secret: string;
    readonly deployment: string;
}

/** One gateway's entry in {@link ROTATION_OUTPUT}; no secrets. */
export interface RotationUnitOutput {
    /** ARM id of the gateway entity; units with the same id share its keys. */
    readonly gatewayResourceId: string;
    readonly authType: RotationAuthType;
    /** Token auth only, ISO 8601. */
    readonly tokenExpiresAt?: string;
    /** Token auth only: due for renewal from this instant, ISO 8601. */
    readonly tokenRenewAfter?: string;
    /** Token auth only, ISO 8601. */
    readonly tokenIssuedAt?: string;
    /** Token auth only: the key that signed the token. */
    readonly tokenKeyType?: GatewayKeyType;
    /**
     * Token auth only: SHA-256 of the `GatewayKey <token>` value (`authValueDigest`), so
     * the CLI can prove through ARM that the signing key was not regenerated since.
     */
    readonly tokenChecksum?: string;
    /** Token auth only. */
    readonly rotationTargets?: RotationTargets;
    /** The Azure cloud of the gateway; absent for the public cloud. */
    readonly azureCloud?: AzureCloudSettings;
}

/** The token of a unit as last deployed (no secret parts). */
export interface TokenSnapshot {
    readonly expiresAt: string;
    readonly renewAfter: string;
    readonly keyType: GatewayKeyType;
    readonly issuedAt?: string;
    readonly checksum?: string;
}

/** A validated unit as the CLI uses it. */
export interface RotationUnit {
    /** The gateway key within its stack. */
    readonly key: string;
    readonly gatewayResourceId: string;
    readonly authType: RotationAuthType;
    /** Token auth only. */
    readonly token?: TokenSnapshot;
    /** Token auth only. */
    readonly targets?: RotationTargets;
    readonly azureCloud?: AzureCloudSettings;
}

function escapeRegExp(literal: string): string {
    return literal.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
}

/**
 * The changes a rotation makes, for the CLI's pending-changes guard: on the Deployment only the
 * token Secret reference and the token checksum annotation; on the Secret only what its
 * content-addressed replacement changes (its name, data and the token's annotations). Paths are
 * the engine's detailed-diff property paths.
 */
export const ROTATION_CHANGES = {
    deploymentPaths: [
        /^spec\.template\.spec\.containers\[\d+\]\.env\[\d+\]\.valueFrom\.secretKeyRef\.name$/,
        new RegExp(`^spec\\.template\\.metadata\\.annotations\\[${escapeRegExp(JSON.stringify(ANNOTATIONS.tokenChecksum))}\\]$`),
    ],
    secretPaths: [
        /^(data|stringData)(\.|\[|$)/,
        /^metadata\.name$/,
        ...Object.values(TOKEN_SECRET_ANNOTATIONS).map(
            (key) => new RegExp(`^metadata\\.annotations\\[${escapeRegExp(JSON.stringify(key))}\\]$`),
        ),
    ],
} as const;

/** The contract output is missing, secret or malformed; the message names the path and the fix. */
export class RotationContractError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "RotationContractError";
    }
}

const REDEPLOY = "run `pulumi up` on the stack so it exports the outputs of this version of the component";

/**
 * Bounds on what a stack's outputs may hold (anyone who can write the state writes them): a
 * gateway key is a name, a field an id, a URN or an instant, and a stack runs a handful of
 * gateways. Far above any real stack, low enough that no output can make a run slow.
 */
export const ROTATION_OUTPUT_LIMITS = { unitsPerStack: 1000, keyLength: 253, fieldLength: 2048 } as const;

function isObject(value: unknown): value is Record<string, unknown> {
    return typeof value === "object" && value !== null && !Array.isArray(value);
}

function text(unit: Record<string, unknown>, where: string, field: string, required: boolean): string | undefined {
    const value = unit[field];
    if (value === undefined && !required) {
        return undefined;
    }
    if (typeof value !== "string" || value === "") {
        throw new RotationContractError(`${where}.${field} is ${value === undefined ? "missing" : "not a non-empty string"}: ${REDEPLOY}`);
    }
    if (value.length > ROTATION_OUTPUT_LIMITS.fieldLength) {
        throw new RotationContractError(
            `${where}.${field} is ${value.length} characters long, more than the ${ROTATION_OUTPUT_LIMITS.fieldLength} allowed: ${REDEPLOY}`,
        );
    }
    return value;
}

function instant(unit: Record<string, unknown>, where: string, field: string, required: boolean): string | undefined {
    const value = text(unit, where, field, required);
    if (value !== undefined && Number.isNaN(Date.parse(value))) {
        throw new RotationContractError(`${where}.${field} is not an ISO 8601 instant: ${quoted(value)}`);
    }
    return value;
}

function targetsOf(value: unknown, where: string): RotationTargets {
    const fields = ["token", "secret", "deployment"] as const;
    if (!isObject(value) || !fields.every((field) => typeof value[field] === "string" && String(value[field]).startsWith("urn:pulumi:"))) {
        throw new RotationContractError(
            `${where}.rotationTargets must be an object with the URNs ${fields.join(", ")}; ` +
                `without it a rotation would not know what to update: ${REDEPLOY}`,
        );
    }
    return { token: String(value.token), secret: String(value.secret), deployment: String(value.deployment) };
}

/** A present `azureCloud` (the caller treats absent and null as the public cloud). */
function cloudOf(value: unknown, where: string): AzureCloudSettings {
    const fields = ["name", "resourceManagerEndpoint", "authorityHost"];
    if (
        !isObject(value) ||
        !Object.entries(value).every(([key, field]) => fields.includes(key) && (field === undefined || typeof field === "string"))
    ) {
        throw new RotationContractError(`${where}.azureCloud must be an object with optional string fields ${fields.join(", ")}`);
    }
    return value as AzureCloudSettings;
}

/** Validates one unit of the contract output; throws {@link RotationContractError} naming the field. */
export function parseRotationUnit(key: string, value: unknown): RotationUnit {
    const where = `${ROTATION_OUTPUT}[${quoted(key)}]`;
    if (key.length > ROTATION_OUTPUT_LIMITS.keyLength) {
        throw new RotationContractError(
            `${where} has a key of ${key.length} characters, more than the ${ROTATION_OUTPUT_LIMITS.keyLength} allowed: ${REDEPLOY}`,
        );
    }
    if (!isObject(value)) {
        throw new RotationContractError(`${where} is not an object: ${REDEPLOY}`);
    }
    const authType = text(value, where, "authType", true) as string;
    if (!(AUTH_TYPES as readonly string[]).includes(authType)) {
        throw new RotationContractError(`${where}.authType is ${quoted(authType)}; expected one of ${AUTH_TYPES.join(", ")}`);
    }
    const base = {
        key,
        gatewayResourceId: text(value, where, "gatewayResourceId", true) as string,
        authType: authType as RotationAuthType,
        ...(value.azureCloud !== undefined && value.azureCloud !== null ? { azureCloud: cloudOf(value.azureCloud, where) } : {}),
    };
    if (authType !== "token") {
        return base;
    }
    const keyType = text(value, where, "tokenKeyType", true);
    if (keyType !== "primary" && keyType !== "secondary") {
        throw new RotationContractError(`${where}.tokenKeyType is ${quoted(String(keyType))}; expected primary or secondary`);
    }
    const issuedAt = instant(value, where, "tokenIssuedAt", false);
    const checksum = text(value, where, "tokenChecksum", false);
    return {
        ...base,
        token: {
            expiresAt: instant(value, where, "tokenExpiresAt", true) as string,
            renewAfter: instant(value, where, "tokenRenewAfter", true) as string,
            keyType,
            ...(issuedAt !== undefined ? { issuedAt } : {}),
            ...(checksum !== undefined ? { checksum } : {}),
        },
        targets: targetsOf(value.rotationTargets, where),
    };
}

/** One unit of the output: parsed, or the reason it cannot be used. */
export type ParsedUnit = { readonly key: string; readonly unit: RotationUnit } | { readonly key: string; readonly error: string };

/**
 * The units of a {@link ROTATION_OUTPUT} value, sorted by key; a malformed unit is reported
 * alone, so the stack's other gateways are still handled. Throws when the value itself is not
 * an object of units.
 */
export function parseRotationOutput(value: unknown): ParsedUnit[] {
    if (!isObject(value)) {
        throw new RotationContractError(`stack output "${ROTATION_OUTPUT}" must be an object keyed by gateway: ${REDEPLOY}`);
    }
    const keys = Object.keys(value);
    if (keys.length > ROTATION_OUTPUT_LIMITS.unitsPerStack) {
        throw new RotationContractError(
            `stack output "${ROTATION_OUTPUT}" holds ${keys.length} gateways, more than the ` +
                `${ROTATION_OUTPUT_LIMITS.unitsPerStack} one stack may rotate: ${REDEPLOY}`,
        );
    }
    return keys.sort().map((key) => {
        try {
            return { key, unit: parseRotationUnit(key, value[key]) };
        } catch (error) {
            return { key, error: (error as Error).message };
        }
    });
}

/** The renewal trigger from the environment ({@link RENEWAL_TRIGGER_ENV}), or `undefined` when unset or empty. */
export function renewalTriggerFromEnvironment(env: NodeJS.ProcessEnv = process.env): string | undefined {
    return env[RENEWAL_TRIGGER_ENV] || undefined;
}
