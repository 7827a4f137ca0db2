/**
 * The name `GatewayToken` registers under, and the type the engine records for it in the state
 * (`pulumi-nodejs:dynamic/<module>:<name>`), which the rotation reads back from `pulumi stack export`.
 */
export const GATEWAY_TOKEN_MODULE = "apim-gateway";
export const GATEWAY_TOKEN_NAME = "GatewayToken";
export const GATEWAY_TOKEN_TYPE = `pulumi-nodejs:dynamic/${GATEWAY_TOKEN_MODULE}:${GATEWAY_TOKEN_NAME}`;
