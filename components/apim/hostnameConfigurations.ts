import * as pulumi from "@pulumi/pulumi";
import * as apimanagement from "@pulumi/azure-native/apimanagement";
import { ApimSettings } from "../settings";
import { attachedOptions, GatewayEntity } from "./gateway";

/** The hostnames the gateway serves, each with its API Management certificate. */
export function hostnameConfigurations(
    name: string,
    apim: ApimSettings,
    entity: GatewayEntity,
    parent: pulumi.Resource,
): apimanagement.GatewayHostnameConfiguration[] {
    return apim.hostnameConfigurations.map(
        (h) =>
            new apimanagement.GatewayHostnameConfiguration(
                `${name}-hostname-${h.hcId}`,
                {
                    resourceGroupName: apim.resourceGroupName,
                    serviceName: apim.serviceName,
                    gatewayId: apim.gatewayId,
                    hcId: h.hcId,
                    hostname: h.hostname,
                    certificateId: h.certificateId,
                    negotiateClientCertificate: h.negotiateClientCertificate,
                    tls10Enabled: h.tls10Enabled,
                    tls11Enabled: h.tls11Enabled,
                    http2Enabled: h.http2Enabled,
                },
                attachedOptions(parent, entity),
            ),
    );
}
