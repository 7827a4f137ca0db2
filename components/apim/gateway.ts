import * as pulumi from "@pulumi/pulumi";
import * as apimanagement from "@pulumi/azure-native/apimanagement";
import { ApimSettings } from "../settings";

/** The API Management gateway entity, created or adopted. */
export interface GatewayEntity {
    /** ARM id of the gateway. */
    gatewayResourceId: pulumi.Output<string>;
    /** The created entity; `undefined` when an existing gateway is adopted. */
    gateway?: apimanagement.Gateway;
}

/**
 * Creates the `Gateway` entity, or, with `existingGateway`, builds the ARM id of the existing
 * one without touching it (no resource, no invoke, so adoption works without read access).
 */
export function gatewayEntity(name: string, apim: ApimSettings, parent: pulumi.Resource): GatewayEntity {
    if (apim.existingGateway) {
        return {
            gatewayResourceId: pulumi.concat(
                `/subscriptions/`,
                apim.subscriptionId,
                `/resourceGroups/`,
                apim.resourceGroupName,
                `/providers/Microsoft.ApiManagement/service/`,
                apim.serviceName,
                `/gateways/`,
                apim.gatewayId,
            ),
        };
    }
    const gateway = new apimanagement.Gateway(
        `${name}-gateway`,
        {
            resourceGroupName: apim.resourceGroupName,
            serviceName: apim.serviceName,
            gatewayId: apim.gatewayId,
            locationData: apim.location,
            description: apim.description,
        },
        { parent },
    );
    return { gateway, gatewayResourceId: gateway.id };
}

/** Options for resources attached to the gateway: parented, and after a created gateway. */
export function attachedOptions(parent: pulumi.Resource, entity: GatewayEntity): pulumi.CustomResourceOptions {
    return { parent, dependsOn: entity.gateway ? [entity.gateway] : [] };
}
