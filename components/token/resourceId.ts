import { quoted } from "../untrustedText";

/** The longest id a message quotes: an ARM id is far shorter (about 250 characters). */
const MAX_QUOTED_ID_LENGTH = 600;

/** The parts of a self-hosted gateway's ARM resource id. */
export interface GatewayResourceId {
    subscriptionId: string;
    resourceGroupName: string;
    serviceName: string;
    gatewayId: string;
}

const gatewayIdPattern =
    /^\/subscriptions\/([^/]+)\/resourceGroups\/([^/]+)\/providers\/Microsoft\.ApiManagement\/service\/([^/]+)\/gateways\/([^/]+)$/i;
const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const example =
    "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg1/providers/Microsoft.ApiManagement/service/apim1/gateways/gw1";

/**
 * `id` trimmed, without trailing slashes (which name the same resource). A loop, not `/\/+$/`: a
 * regular expression retries that from every slash of a long run, quadratic in an untrusted id.
 */
function withoutTrailingSlashes(id: string): string {
    const trimmed = id.trim();
    let end = trimmed.length;
    while (end > 0 && trimmed.charCodeAt(end - 1) === 0x2f) {
        end--;
    }
    return trimmed.slice(0, end);
}

/**
 * Splits a gateway ARM resource id into its parts. Throws an error naming the expected shape when
 * the id is malformed or its subscription is not a UUID (the ARM client refuses anything else).
 */
export function parseGatewayResourceId(id: string): GatewayResourceId {
    const match = typeof id === "string" ? gatewayIdPattern.exec(withoutTrailingSlashes(id)) : null;
    if (!match) {
        throw new Error(
            `gatewayResourceId ${quoted(String(id), MAX_QUOTED_ID_LENGTH)} is not a self-hosted gateway resource id: expected ` +
                "/subscriptions/{subscriptionId}/resourceGroups/{resourceGroup}" +
                "/providers/Microsoft.ApiManagement/service/{service}/gateways/{gateway}, " +
                `e.g. ${example} (the gateway's "id" output).`,
        );
    }
    const [, subscriptionId, resourceGroupName, serviceName, gatewayId] = match;
    assertSubscriptionId(subscriptionId);
    return { subscriptionId, resourceGroupName, serviceName, gatewayId };
}

/** Throws a clear error when a subscription id is not a UUID. */
export function assertSubscriptionId(subscriptionId: string): void {
    if (!uuidPattern.test(subscriptionId)) {
        throw new Error(
            `subscription id "${subscriptionId}" is not a UUID: use the subscription's id (az account show --query id), not its name.`,
        );
    }
}

/**
 * The form in which two ARM resource ids are compared: ARM ids are case-insensitive (a stack may
 * spell `rg-APIM` where another spells `rg-apim`), and a trailing slash names the same resource.
 * Every grouping, sharding and matching of gateways goes through this one function.
 */
export function resourceIdKey(id: string): string {
    return withoutTrailingSlashes(id).toLowerCase();
}

/** Whether two strings name the same ARM resource. */
export function sameResourceId(a: unknown, b: unknown): boolean {
    return typeof a === "string" && typeof b === "string" && resourceIdKey(a) === resourceIdKey(b);
}

/** The ARM id of the API Management service that owns a gateway. */
export function serviceResourceId(gateway: GatewayResourceId): string {
    return (
        `/subscriptions/${gateway.subscriptionId}/resourceGroups/${gateway.resourceGroupName}` +
        `/providers/Microsoft.ApiManagement/service/${gateway.serviceName}`
    );
}

/** The canonical ARM id of a gateway. */
export function gatewayResourceId(gateway: GatewayResourceId): string {
    return `${serviceResourceId(gateway)}/gateways/${gateway.gatewayId}`;
}

/** The parts of an API Management instance's ARM resource id. */
export type ServiceResourceId = Omit<GatewayResourceId, "gatewayId">;

const serviceIdPattern = /^\/subscriptions\/([^/]+)\/resourceGroups\/([^/]+)\/providers\/Microsoft\.ApiManagement\/service\/([^/]+)$/i;

/** Splits an API Management instance's ARM id; throws an error naming the expected shape. */
export function parseServiceResourceId(id: string): ServiceResourceId {
    const match = typeof id === "string" ? serviceIdPattern.exec(withoutTrailingSlashes(id)) : null;
    if (!match) {
        throw new Error(
            `${quoted(String(id), MAX_QUOTED_ID_LENGTH)} is not an API Management instance's resource id: expected ` +
                "/subscriptions/{subscriptionId}/resourceGroups/{resourceGroup}/providers/Microsoft.ApiManagement/service/{service} " +
                '(the instance\'s "id" output, or az apim show --query id).',
        );
    }
    const [, subscriptionId, resourceGroupName, serviceName] = match;
    assertSubscriptionId(subscriptionId);
    return { subscriptionId, resourceGroupName, serviceName };
}
