/**
 * The two custom roles Microsoft documents for Entra sign-in of the self-hosted gateway, as its
 * docs define them ("Use Microsoft Entra authentication for the self-hosted gateway" and "Use
 * Microsoft Entra workload identity authentication for the self-hosted gateway", section "Create
 * custom roles"), defined once: the component creates them from here and docs/keyless.md cites them.
 */

/** A documented custom role: its name, description and permissions, exactly as the docs give them. */
export interface DocumentedRole {
    readonly name: string;
    readonly description: string;
    readonly actions: readonly string[];
    readonly dataActions: readonly string[];
}

/** Lets the configuration API read the customer's RBAC information; assigned to the instance's system-assigned identity. */
export const ACCESS_VALIDATOR_ROLE: DocumentedRole = {
    name: "API Management Configuration API Access Validator Service Role",
    description: "Can access RBAC permissions on the API Management resource to authorize requests in Configuration API.",
    actions: ["Microsoft.Authorization/*/read"],
    dataActions: [],
};

/** Lets the gateway's identity read its configuration; assigned to the app or managed identity. */
export const CONFIGURATION_READER_ROLE: DocumentedRole = {
    name: "API Management Gateway Configuration Reader Role",
    description: "Can read self-hosted gateway configuration from Configuration API",
    actions: [],
    dataActions: ["Microsoft.ApiManagement/service/gateways/getConfiguration/action"],
};

/** Both are assigned to service principals (a managed identity is one too), which skips Entra's replication wait on new identities. */
export const ROLE_PRINCIPAL_TYPE = "ServicePrincipal";

/**
 * The created role's name: the documented one qualified by instance and gateway, because custom
 * role names are unique per tenant and every gateway's stack creates its own pair.
 */
export function qualifiedRoleName(role: DocumentedRole, serviceName: string, gatewayId: string): string {
    return `${role.name} (${serviceName}/${gatewayId})`;
}
