export { SelfHostedGateway, GatewayAuthType, validateSelfHostedGatewayArgs } from "./selfHostedGateway";
export * from "./args";
export { GATEWAY_IMAGE_VERSION, DEFAULT_IMAGE_REPOSITORY } from "./constants";
export { GatewayArgumentError, ArgumentProblem } from "./errors";
export { GatewayToken, GatewayTokenArgs } from "./token/gatewayToken";
export { GatewayKeyType } from "./token/keyType";
export { AzureCloudSettings, AzureCloudName } from "./token/cloud";
export {
    ROTATION_OUTPUT,
    RENEWAL_TRIGGER_ENV,
    RotationUnitOutput,
    RotationTargets,
    RotationAuthType,
    RotationUnit,
    TokenSnapshot,
    RotationContractError,
    parseRotationOutput,
    parseRotationUnit,
} from "./contract/rotationContract";
export { rotationOutputs, RotatableGateway } from "./contract/rotationOutputs";
export { TokenStatus, tokenStatus } from "./token/status";
export {
    GatewayTokenEvents,
    GatewayTokenEventsArgs,
    GatewayTokenEventsWebhook,
    GatewayTokenEventsMonitorAlert,
    GatewayTokenEventsArgumentError,
    MonitorAlertSeverity,
    validateGatewayTokenEventsArgs,
} from "./events/gatewayTokenEvents";
export { GATEWAY_TOKEN_EVENT_TYPES, GatewayTokenEventType } from "./events/eventTypes";
