/**
 * Edits of an exported stack state (`pulumi stack export`), for what the suite cannot wait for:
 * days passing since a token was issued, and copies of a deployed stack under other names.
 */
import type { Deployment } from "@pulumi/pulumi/automation";
import { ROTATION_OUTPUT } from "../../components/contract/rotationContract";
import { GATEWAY_TOKEN_TYPE } from "../../components/token/typeToken";

const DAY_MS = 86_400_000;
export const STACK_TYPE = "pulumi:pulumi:Stack";

/** The instants the GatewayToken stores, and the rotation contract's units that repeat them. */
const TOKEN_INSTANTS = ["expiresAt", "renewAfter", "issuedAt"];
const OUTPUT_INSTANTS = ["tokenExpiresAt", "tokenRenewAfter", "tokenIssuedAt"];

interface StateResource {
    urn: string;
    type: string;
    outputs?: Record<string, unknown>;
}

interface PendingOperation {
    resource: { urn: string };
    type: string;
}

function resources(state: Deployment): StateResource[] {
    return (state.deployment as { resources?: StateResource[] }).resources ?? [];
}

/** The one resource of `type`; throws if there is not exactly one. */
export function resourceOfType(state: Deployment, type: string): StateResource {
    const found = resources(state).filter((resource) => resource.type === type);
    if (found.length !== 1) {
        throw new Error(`expected one ${type} in the state, found ${found.length}`);
    }
    return found[0];
}

function shift(outputs: Record<string, unknown> | undefined, names: string[], ms: number): void {
    for (const name of names) {
        const value = outputs?.[name];
        if (typeof value !== "string" || Number.isNaN(Date.parse(value))) {
            throw new Error(`the state has no instant "${name}" to move (got ${JSON.stringify(value)})`);
        }
        (outputs as Record<string, unknown>)[name] = new Date(Date.parse(value) - ms).toISOString();
    }
}

/**
 * The state as if `days` had passed since the token was issued: the GatewayToken's stored
 * instants and the stack outputs repeating them move back by `days`. The provider judges the
 * token by these stored instants against the real clock, as after a real wait.
 */
export function ageState(state: Deployment, days: number): Deployment {
    const aged = structuredClone(state);
    const ms = days * DAY_MS;
    shift(resourceOfType(aged, GATEWAY_TOKEN_TYPE).outputs, TOKEN_INSTANTS, ms);
    const units = resourceOfType(aged, STACK_TYPE).outputs?.[ROTATION_OUTPUT] as Record<string, Record<string, unknown>> | undefined;
    for (const unit of Object.values(units ?? {}).filter((entry) => entry.authType === "token")) {
        shift(unit, OUTPUT_INSTANTS, ms);
    }
    return aged;
}

/** The state of stack `from` of `project` as stack `to` would have it: every URN and the root stack's name. */
export function renameStackState(state: Deployment, project: string, from: string, to: string): Deployment {
    const text = JSON.stringify(state)
        .split(`urn:pulumi:${from}::${project}::`)
        .join(`urn:pulumi:${to}::${project}::`)
        .split(`::${project}-${from}"`)
        .join(`::${project}-${to}"`);
    return JSON.parse(text) as Deployment;
}

/** The operations an interrupted update left pending, as `type urn`. */
export function pendingOperations(state: Deployment): string[] {
    const pending = (state.deployment as { pending_operations?: PendingOperation[] }).pending_operations ?? [];
    return pending.map((operation) => `${operation.type} ${operation.resource.urn}`);
}
