export { SelfHostedGateway, GatewayAuthType, validateSelfHostedGatewayArgs } from "./selfHostedGateway";
export * from "./args";
export { GATEWAY_IMAGE_VERSION, DEFAULT_IMAGE_REPOSITORY } from "./constants";
export { GatewayArgumentError, ArgumentProblem } from "./errors";
export { GatewayToken, GatewayTokenArgs, GatewayKeyType } from "./token/gatewayToken";
export { AzureCloudSettings, AzureCloudName } from "./token/cloud";
