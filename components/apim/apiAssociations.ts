import * as pulumi from "@pulumi/pulumi";
import * as apimanagement from "@pulumi/azure-native/apimanagement";
import { ApimSettings } from "../settings";
import { attachedOptions, GatewayEntity } from "./gateway";

/** Associates each API with the gateway (ARM `GatewayApi`, surfaced as `GatewayApiEntityTag`). */
export function apiAssociations(
    name: string,
    apim: ApimSettings,
    entity: GatewayEntity,
    parent: pulumi.Resource,
): apimanagement.GatewayApiEntityTag[] {
    return apim.apiIds.map(
        (apiId) =>
            new apimanagement.GatewayApiEntityTag(
                `${name}-api-${apiId}`,
                {
                    resourceGroupName: apim.resourceGroupName,
                    serviceName: apim.serviceName,
                    gatewayId: apim.gatewayId,
                    apiId,
                    provisioningState: "created",
                },
                attachedOptions(parent, entity),
            ),
    );
}
