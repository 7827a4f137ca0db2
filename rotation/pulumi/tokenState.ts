/**
 * The token records of an exported stack state (`pulumi stack export`, without `--show-secrets`:
 * the token value stays ciphertext and is never read): each GatewayToken resource's URN and the
 * gateway its state says the token was issued for. The state is untrusted input: its shape is
 * checked, its size bounded, and one pass reads it.
 */
import { resourceIdKey } from "../../components/token/resourceId";
import type { TokenRecord } from "../model/tokenRecord";
import { GATEWAY_TOKEN_TYPE } from "../../components/token/typeToken";
import { quoted } from "../../components/untrustedText";

/** The largest export read: a stack's state with thousands of resources is a few megabytes. */
export const MAX_STATE_EXPORT_CHARS = 64 * 1024 * 1024;

/** How much of a URN read from the state a message quotes (a URN is a few hundred characters). */
const MAX_QUOTED_URN_CHARS = 300;

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);

/** The record of one GatewayToken resource of the state. */
function recordOf(urn: string, resource: Record<string, unknown>): TokenRecord {
    const fromInputs = isObject(resource.inputs) ? resource.inputs.gatewayResourceId : undefined;
    const fromOutputs = isObject(resource.outputs) ? resource.outputs.gatewayResourceId : undefined;
    if (typeof fromOutputs !== "string" || fromOutputs === "") {
        return { urn, problem: `the token's state (${quoted(urn, MAX_QUOTED_URN_CHARS)}) records no gateway (outputs.gatewayResourceId)` };
    }
    // The outputs are what the provider stored at issue; inputs that name another gateway are a
    // change not yet applied (a replacement), so the record cannot say which gateway is live.
    if (typeof fromInputs !== "string" || resourceIdKey(fromInputs) !== resourceIdKey(fromOutputs)) {
        return {
            urn,
            problem: `the token's state (${quoted(urn, MAX_QUOTED_URN_CHARS)}) names another gateway in its inputs than in its outputs`,
        };
    }
    return { urn, gatewayResourceId: fromOutputs };
}

/** The GatewayToken records of `pulumi stack export` output; throws naming what is malformed. */
export function tokenRecordsFromState(json: string, stack: string): TokenRecord[] {
    if (json.length > MAX_STATE_EXPORT_CHARS) {
        throw new Error(`the state of stack "${stack}" is larger than ${MAX_STATE_EXPORT_CHARS} characters: not read`);
    }
    let parsed: unknown;
    try {
        parsed = JSON.parse(json);
    } catch {
        throw new Error(`\`pulumi stack export\` of stack "${stack}" did not print JSON`);
    }
    const deployment = isObject(parsed) ? parsed.deployment : undefined;
    const resources = isObject(deployment) ? (deployment.resources ?? []) : undefined;
    if (!Array.isArray(resources)) {
        throw new Error(`\`pulumi stack export\` of stack "${stack}" printed no deployment with a resources list`);
    }
    return resources.flatMap((resource): TokenRecord[] =>
        isObject(resource) && resource.type === GATEWAY_TOKEN_TYPE && typeof resource.urn === "string" && resource.delete !== true
            ? [recordOf(resource.urn, resource)]
            : [],
    );
}
