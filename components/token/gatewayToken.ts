import * as pulumi from "@pulumi/pulumi";
import { AzureCloudSettings } from "./cloud";
import type { GatewayKeyType } from "./keyType";
import { gatewayTokenProvider } from "./provider";
import { GATEWAY_TOKEN_MODULE, GATEWAY_TOKEN_NAME } from "./typeToken";

/** Inputs of {@link GatewayToken}. */
export interface GatewayTokenArgs {
    /**
     * ARM resource id of the gateway:
     * `/subscriptions/{sub}/resourceGroups/{rg}/providers/Microsoft.ApiManagement/service/{svc}/gateways/{gw}`.
     */
    gatewayResourceId: pulumi.Input<string>;
    /** Validity of a new token in whole days, 1 to 30. Default `30`. */
    validityDays?: pulumi.Input<number>;
    /** Renew this many days before expiry; less than `validityDays`. Default `10`. */
    renewBeforeDays?: pulumi.Input<number>;
    /** A new value renews the token regardless of the renewal window. */
    renewalTrigger?: pulumi.Input<string>;
    /** ARM and Entra endpoints. Default the public cloud. */
    azureCloud?: pulumi.Input<AzureCloudSettings>;
}

/**
 * A self-hosted gateway access token, generated through ARM `Gateway_GenerateToken`.
 * Renewed (with the other key than the previous token) only when expired, inside the renewal
 * window, or on a new `renewalTrigger`; otherwise `pulumi up` makes no ARM call.
 */
export class GatewayToken extends pulumi.dynamic.Resource {
    /** The full `config.service.auth` value, `GatewayKey <token>`; always a secret. */
    declare readonly token: pulumi.Output<string>;
    /** Expiry, ISO 8601. */
    declare readonly expiresAt: pulumi.Output<string>;
    /** When the token was issued, ISO 8601. */
    declare readonly issuedAt: pulumi.Output<string>;
    /** When the token becomes due for renewal (`expiresAt` less `renewBeforeDays`), ISO 8601. */
    declare readonly renewAfter: pulumi.Output<string>;
    /** The key that signed the token. */
    declare readonly keyType: pulumi.Output<GatewayKeyType>;

    constructor(name: string, args: GatewayTokenArgs, opts?: pulumi.CustomResourceOptions) {
        super(
            gatewayTokenProvider,
            name,
            { ...args, token: undefined, expiresAt: undefined, issuedAt: undefined, renewAfter: undefined, keyType: undefined },
            pulumi.mergeOptions(opts, { additionalSecretOutputs: ["token"] }),
            GATEWAY_TOKEN_MODULE,
            GATEWAY_TOKEN_NAME,
        );
    }
}
