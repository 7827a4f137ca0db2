import { GatewayKeyType, otherKeyType } from "./keyType";
import { AzureCloudSettings, resolveAzureCloud } from "./cloud";
import { TOKEN_DEFAULTS, tokenRuleProblems } from "./policy";
import { parseGatewayResourceId } from "./resourceId";

/**
 * Subtracted from every requested expiry so that a service clock up to this much behind ours
 * still sees at most the maximum (`MAX_TOKEN_VALIDITY_DAYS` in ./policy) days and accepts the request.
 */
export const clockSkewMarginMs = 5 * 60_000;

const dayMs = 86_400_000;
const minuteMs = 60_000;

/**
 * What the Pulumi engine passes for a value not known yet (during preview); validation leaves it
 * alone. Same literal as `unknownValue` in @pulumi/pulumi's runtime, inlined to keep the
 * serialized provider free of the Pulumi SDK.
 */
export const unknownInput = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

/** GatewayToken inputs with defaults applied. */
export interface GatewayTokenInputs {
    gatewayResourceId: string;
    validityDays: number;
    renewBeforeDays: number;
    /** A new non-empty value forces a renewal. */
    renewalTrigger?: string;
    azureCloud?: AzureCloudSettings;
}

/** GatewayToken state: the inputs the token was issued with, and the token. */
export interface GatewayTokenState extends GatewayTokenInputs {
    /** `GatewayKey <token>`. */
    token: string;
    expiresAt: string;
    issuedAt: string;
    renewAfter: string;
    keyType: GatewayKeyType;
}

/** An input that failed validation, in the shape Pulumi's `check` reports. */
export interface InputFailure {
    property: string;
    reason: string;
}

/** Applies defaults to raw inputs and validates them; unknown (preview) values are not judged. */
export function validateTokenInputs(raw: Record<string, unknown>): { inputs: GatewayTokenInputs; failures: InputFailure[] } {
    const inputs = {
        gatewayResourceId: raw.gatewayResourceId,
        validityDays: raw.validityDays ?? TOKEN_DEFAULTS.validityDays,
        renewBeforeDays: raw.renewBeforeDays ?? TOKEN_DEFAULTS.renewBeforeDays,
        ...(raw.renewalTrigger !== undefined ? { renewalTrigger: raw.renewalTrigger } : {}),
        ...(raw.azureCloud !== undefined ? { azureCloud: raw.azureCloud } : {}),
    } as GatewayTokenInputs;
    const failures: InputFailure[] = [];
    // Unknown values may also sit inside an object (azureCloud's URLs).
    const known = (value: unknown) => value === undefined || !JSON.stringify(value).includes(unknownInput);

    if (known(inputs.gatewayResourceId)) {
        try {
            parseGatewayResourceId(inputs.gatewayResourceId);
        } catch (error) {
            failures.push({ property: "gatewayResourceId", reason: (error as Error).message });
        }
    }
    for (const rule of tokenRuleProblems(
        known(inputs.validityDays) ? inputs.validityDays : undefined,
        known(inputs.renewBeforeDays) ? inputs.renewBeforeDays : undefined,
    )) {
        failures.push({ property: rule.property, reason: `${rule.property} ${rule.problem}. ${rule.fix}` });
    }
    if (inputs.renewalTrigger !== undefined && typeof inputs.renewalTrigger !== "string") {
        failures.push({
            property: "renewalTrigger",
            reason: `renewalTrigger must be a string, e.g. a timestamp; got ${JSON.stringify(inputs.renewalTrigger)}.`,
        });
    }
    // An absent azureCloud resolves to the public cloud, which needs no check but passes this one.
    if (known(inputs.azureCloud)) {
        try {
            resolveAzureCloud(inputs.azureCloud);
        } catch (error) {
            failures.push({ property: "azureCloud", reason: (error as Error).message });
        }
    }
    return { inputs, failures };
}

/**
 * The expiry to request for a token issued at `now`: `validityDays` ahead, less the clock-skew
 * margin, rounded down to the minute (the token itself carries minutes only).
 */
export function requestedExpiry(now: Date, validityDays: number): Date {
    const expiry = now.getTime() + validityDays * dayMs - clockSkewMarginMs;
    return new Date(Math.floor(expiry / minuteMs) * minuteMs);
}

/** When a token expiring at `expiresAt` becomes due for renewal. */
export function renewAfter(expiresAt: Date, renewBeforeDays: number): Date {
    return new Date(expiresAt.getTime() - renewBeforeDays * dayMs);
}

/**
 * Whether the token in `state` must be renewed at `now` for the new `inputs`: it is expired or
 * inside the renewal window (measured with the new `renewBeforeDays`), or `renewalTrigger` is new
 * and non-empty. A changed `validityDays` alone never makes a token due.
 */
export function isDue(
    now: Date,
    state: Pick<GatewayTokenState, "expiresAt" | "renewBeforeDays" | "renewalTrigger">,
    inputs: GatewayTokenInputs,
): boolean {
    if (inputs.renewalTrigger && inputs.renewalTrigger !== state.renewalTrigger) {
        return true;
    }
    const expiresAt = Date.parse(state.expiresAt);
    if (Number.isNaN(expiresAt)) {
        return true;
    }
    const renewBeforeDays = typeof inputs.renewBeforeDays === "number" ? inputs.renewBeforeDays : state.renewBeforeDays;
    return now.getTime() >= renewAfter(new Date(expiresAt), renewBeforeDays).getTime();
}

/** The key to sign the next token with: the other one than the previous token's, primary first. */
export function nextKeyType(previous?: GatewayKeyType): GatewayKeyType {
    return previous === undefined ? "primary" : otherKeyType(previous);
}
