/**
 * The check that runs before any keyless Azure resource is created: the configuration API signs in
 * as the API Management instance's system-assigned identity to read RBAC (user-assigned identities
 * are not supported for it), so without one the gateway's sign-in fails later with a 403 that does
 * not say why. Pure, over the instance as ARM returns it.
 */

/** What ARM says of the instance (the fields of `getApiManagementService` the check reads). */
export interface InstanceFacts {
    readonly id: string;
    readonly name: string;
    readonly identity?: { readonly type?: string; readonly principalId?: string };
}

/** The checked instance: its ARM id, its resource group's ARM id and its identity's principal. */
export interface CheckedInstance {
    readonly instanceId: string;
    readonly resourceGroupId: string;
    readonly principalId: string;
}

/** The instance cannot serve Entra sign-in as configured; the message carries the fix. */
export class KeylessSetupError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "KeylessSetupError";
    }
}

/** `/subscriptions/s/resourceGroups/rg` from any ARM id under that resource group. */
export function resourceGroupIdOf(armId: string): string {
    const match = /^(\/subscriptions\/[^/]+\/resourceGroups\/[^/]+)(\/|$)/i.exec(armId);
    if (!match) {
        throw new KeylessSetupError(`"${armId}" is not an ARM id under a resource group`);
    }
    return match[1];
}

function resourceGroupName(armId: string): string {
    return resourceGroupIdOf(armId).split("/")[4];
}

/** Checks the instance; throws {@link KeylessSetupError} naming the instance and the fix. */
export function checkInstance(instance: InstanceFacts): CheckedInstance {
    const types = (instance.identity?.type ?? "None").split(",").map((type) => type.trim());
    const principalId = instance.identity?.principalId;
    if (!types.includes("SystemAssigned") || !principalId) {
        throw new KeylessSetupError(
            `The API Management instance "${instance.name}" has no system-assigned ` +
                `managed identity (identity type: ${instance.identity?.type ?? "None"}). ` +
                "The self-hosted gateway's configuration API uses it to check the roles " +
                "of an Entra sign-in; user-assigned identities are not supported for it. " +
                "Enable it, then run again: in the portal (the instance's Managed identities, System assigned: On), with " +
                `\`Set-AzApiManagement -InputObject (Get-AzApiManagement -ResourceGroupName ` +
                `${resourceGroupName(instance.id)} -Name ${instance.name}) -SystemAssignedIdentity\`, ` +
                'or with identity { type: "SystemAssigned" } on the instance\'s own resource.',
        );
    }
    return { instanceId: instance.id, resourceGroupId: resourceGroupIdOf(instance.id), principalId };
}
