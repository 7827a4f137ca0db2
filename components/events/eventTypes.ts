/**
 * The Event Grid event types API Management publishes about self-hosted gateway tokens (preview),
 * one event per gateway instance: "Azure API Management as an Event Grid source",
 * https://learn.microsoft.com/azure/event-grid/event-schema-api-management. Shared by the
 * subscription the component creates and the rotation CLI's `--event`.
 */
export const GATEWAY_TOKEN_EVENT_TYPES = [
    "Microsoft.ApiManagement.GatewayTokenNearExpiry",
    "Microsoft.ApiManagement.GatewayTokenExpired",
] as const;

export type GatewayTokenEventType = (typeof GATEWAY_TOKEN_EVENT_TYPES)[number];

/** The Event Grid topic type of an API Management instance's system topic. */
export const API_MANAGEMENT_TOPIC_TYPE = "Microsoft.ApiManagement.Service";
