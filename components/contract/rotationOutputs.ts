/**
 * The rotation contract's Pulumi side: each {@link SelfHostedGateway} builds its own unit
 * ({@link rotationUnitOutput}), and {@link rotationOutputs} keys them into the one stack output
 * the rotation CLI reads. A consumer stack becomes rotatable with
 * `export const apimGatewayRotation = rotationOutputs(gateway)` (or `rotationOutputs({ west, north })`).
 */
import * as pulumi from "@pulumi/pulumi";
import type { AzureCloudSettings } from "../token/cloud";
import type { GatewayToken } from "../token/gatewayToken";
import { RotationAuthType, RotationUnitOutput } from "./rotationContract";

/** What a gateway contributes to its unit. */
export interface RotationUnitParts {
    readonly gatewayResourceId: pulumi.Input<string>;
    readonly authType: RotationAuthType;
    readonly azureCloud?: AzureCloudSettings;
    /** Token auth only: the token, the Secret's URN, its checksum and the Deployment's URN. */
    readonly token?: {
        readonly resource: GatewayToken;
        readonly secretUrn: pulumi.Input<string>;
        readonly checksum: pulumi.Input<string>;
        readonly deploymentUrn: pulumi.Input<string>;
    };
}

/** One gateway's unit of the contract output: plain values only (the token itself is never part of it). */
export function rotationUnitOutput(parts: RotationUnitParts): pulumi.Output<RotationUnitOutput> {
    const base = {
        gatewayResourceId: parts.gatewayResourceId,
        authType: parts.authType,
        ...(parts.azureCloud !== undefined ? { azureCloud: parts.azureCloud } : {}),
    };
    const token = parts.token;
    if (token === undefined) {
        return pulumi.output(base) as pulumi.Output<RotationUnitOutput>;
    }
    return pulumi.output({
        ...base,
        tokenExpiresAt: token.resource.expiresAt,
        tokenRenewAfter: token.resource.renewAfter,
        tokenIssuedAt: token.resource.issuedAt,
        tokenKeyType: token.resource.keyType,
        tokenChecksum: token.checksum,
        rotationTargets: { token: token.resource.urn, secret: token.secretUrn, deployment: token.deploymentUrn },
    }) as pulumi.Output<RotationUnitOutput>;
}

/** Anything carrying a rotation unit: a {@link SelfHostedGateway}. */
export interface RotatableGateway {
    readonly urn: pulumi.Output<string>;
    readonly rotation: pulumi.Output<RotationUnitOutput>;
}

/** The resource name at the end of a URN (`urn:pulumi:stack::project::type::name`). */
function resourceName(urn: string): string {
    return urn.slice(urn.lastIndexOf("::") + 2);
}

/**
 * The value of the `apimGatewayRotation` stack output for one gateway (keyed by its resource name)
 * or several (keyed as given). Export it under that name:
 * `export const apimGatewayRotation = rotationOutputs({ west, north });`
 */
export function rotationOutputs(
    gateways: RotatableGateway | Readonly<Record<string, RotatableGateway>>,
): pulumi.Output<Record<string, RotationUnitOutput>> {
    if (isRotatable(gateways)) {
        return pulumi.all([gateways.urn, gateways.rotation]).apply(([urn, unit]) => ({ [resourceName(urn)]: unit }));
    }
    const entries = Object.entries(gateways);
    return pulumi
        .all(entries.map(([, gateway]) => gateway.rotation))
        .apply((units) => Object.fromEntries(units.map((unit, index) => [entries[index][0], unit])));
}

function isRotatable(value: RotatableGateway | Readonly<Record<string, RotatableGateway>>): value is RotatableGateway {
    return (
        pulumi.Output.isInstance((value as Partial<RotatableGateway>).rotation) &&
        pulumi.Output.isInstance((value as Partial<RotatableGateway>).urn)
    );
}
