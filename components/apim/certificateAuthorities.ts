import * as pulumi from "@pulumi/pulumi";
import * as apimanagement from "@pulumi/azure-native/apimanagement";
import { ApimSettings } from "../settings";
import { attachedOptions, GatewayEntity } from "./gateway";

/** Certificate authorities (already uploaded to API Management) that the gateway uses or trusts. */
export function certificateAuthorities(
    name: string,
    apim: ApimSettings,
    entity: GatewayEntity,
    parent: pulumi.Resource,
): apimanagement.GatewayCertificateAuthority[] {
    return apim.certificateAuthorities.map(
        (ca) =>
            new apimanagement.GatewayCertificateAuthority(
                `${name}-ca-${ca.certificateId}`,
                {
                    resourceGroupName: apim.resourceGroupName,
                    serviceName: apim.serviceName,
                    gatewayId: apim.gatewayId,
                    certificateId: ca.certificateId,
                    isTrusted: ca.isTrusted,
                },
                attachedOptions(parent, entity),
            ),
    );
}
