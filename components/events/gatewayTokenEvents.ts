import * as pulumi from "@pulumi/pulumi";
import * as eventgrid from "@pulumi/azure-native/eventgrid";
import { parseServiceResourceId } from "../token/resourceId";
import { API_MANAGEMENT_TOPIC_TYPE, GATEWAY_TOKEN_EVENT_TYPES, GatewayTokenEventType } from "./eventTypes";

/** Severities of an Azure Monitor alert. */
export const MONITOR_ALERT_SEVERITIES = ["Sev0", "Sev1", "Sev2", "Sev3", "Sev4"] as const;
export type MonitorAlertSeverity = (typeof MONITOR_ALERT_SEVERITIES)[number];

/** A webhook that receives the events, e.g. the relay that starts the rotation (docs/events-and-metrics.md). */
export interface GatewayTokenEventsWebhook {
    /**
     * The endpoint, `https://` only (Event Grid delivers to HTTPS webhooks). Kept a Pulumi secret:
     * relays usually carry their key in the URL. The endpoint must answer Event Grid's
     * subscription validation handshake.
     */
    url: pulumi.Input<string>;
    /**
     * `EventGridSchema` (default: an array of events, what `apim-gateway-rotate --event` reads as
     * delivered) or `CloudEventSchemaV1_0`.
     */
    deliverySchema?: "EventGridSchema" | "CloudEventSchemaV1_0";
}

/**
 * Azure Monitor alerts that notify action groups. Microsoft documents this destination for a few
 * publishers only (Key Vault, Health Resources, at the time of writing) and with CloudEvents 1.0
 * only; Azure refuses the subscription where API Management is not among them.
 */
export interface GatewayTokenEventsMonitorAlert {
    /** ARM ids of the action groups to notify; at least one. */
    actionGroupIds: pulumi.Input<string>[];
    /** The alerts' severity. Default `Sev2`. */
    severity?: MonitorAlertSeverity;
    /** The alerts' description. Default names the events. */
    description?: pulumi.Input<string>;
}

/** Inputs of {@link GatewayTokenEvents}. */
export interface GatewayTokenEventsArgs {
    /**
     * ARM id of the API Management instance whose gateways' token events to deliver:
     * `/subscriptions/{sub}/resourceGroups/{rg}/providers/Microsoft.ApiManagement/service/{service}`.
     */
    apiManagementServiceId: pulumi.Input<string>;
    /** The instance's region: a system topic lives in its source's region. */
    location: pulumi.Input<string>;
    /**
     * The name of the instance's existing Event Grid system topic. An Azure resource has at most
     * one system topic (the portal creates it with the first event subscription), so name it when
     * there is one. Default: a system topic is created in the instance's resource group.
     */
    existingSystemTopicName?: pulumi.Input<string>;
    /** Deliver to a webhook. Exactly one of `webhook` and `monitorAlert`. */
    webhook?: GatewayTokenEventsWebhook;
    /** Raise Azure Monitor alerts. Exactly one of `webhook` and `monitorAlert`. */
    monitorAlert?: GatewayTokenEventsMonitorAlert;
    /** The event types delivered. Default both: near expiry and expired. */
    eventTypes?: GatewayTokenEventType[];
}

/** The arguments of {@link GatewayTokenEvents} break a rule; the message names the argument and the fix. */
export class GatewayTokenEventsArgumentError extends Error {
    constructor(message: string) {
        super(`GatewayTokenEvents: ${message}`);
        this.name = "GatewayTokenEventsArgumentError";
    }
}

/** Throws {@link GatewayTokenEventsArgumentError} on the first broken rule; checks only what is known before deployment. */
export function validateGatewayTokenEventsArgs(args: GatewayTokenEventsArgs): void {
    const fail = (message: string): never => {
        throw new GatewayTokenEventsArgumentError(message);
    };
    if ((args.webhook === undefined) === (args.monitorAlert === undefined)) {
        fail("give exactly one destination: `webhook` (e.g. the relay that starts the rotation) or `monitorAlert` (action groups)");
    }
    if (typeof args.apiManagementServiceId === "string") {
        try {
            parseServiceResourceId(args.apiManagementServiceId);
        } catch (error) {
            fail(`\`apiManagementServiceId\` ${(error as Error).message}`);
        }
    }
    if (typeof args.webhook?.url === "string" && !/^https:\/\/[^/\s]+/i.test(args.webhook.url)) {
        fail("`webhook.url` must be an https:// URL: Event Grid delivers to HTTPS webhooks only");
    }
    if (args.monitorAlert !== undefined && args.monitorAlert.actionGroupIds.length === 0) {
        fail("`monitorAlert.actionGroupIds` is empty: name at least one action group's ARM id");
    }
    if (args.monitorAlert?.severity !== undefined && !MONITOR_ALERT_SEVERITIES.includes(args.monitorAlert.severity)) {
        fail(`\`monitorAlert.severity\` is "${String(args.monitorAlert.severity)}"; use one of ${MONITOR_ALERT_SEVERITIES.join(", ")}`);
    }
    const types = args.eventTypes ?? GATEWAY_TOKEN_EVENT_TYPES;
    if (types.length === 0 || !types.every((type) => (GATEWAY_TOKEN_EVENT_TYPES as readonly string[]).includes(type))) {
        fail(`\`eventTypes\` must list some of ${GATEWAY_TOKEN_EVENT_TYPES.join(", ")}`);
    }
}

/**
 * Azure's gateway token expiry events, delivered: the API Management instance's Event Grid system
 * topic (created, or an existing one) and a subscription filtered to
 * `Microsoft.ApiManagement.GatewayTokenNearExpiry` and `...GatewayTokenExpired`, delivering to a
 * webhook (the relay that runs `apim-gateway-rotate --event`) or to Azure Monitor alerts.
 */
export class GatewayTokenEvents extends pulumi.ComponentResource {
    /** The created system topic; `undefined` with `existingSystemTopicName`. */
    readonly systemTopic?: eventgrid.SystemTopic;
    /** The system topic's name. */
    readonly systemTopicName: pulumi.Output<string>;
    readonly eventSubscription: eventgrid.SystemTopicEventSubscription;

    constructor(name: string, args: GatewayTokenEventsArgs, opts?: pulumi.ComponentResourceOptions) {
        validateGatewayTokenEventsArgs(args);
        super("apim-gateway:index:GatewayTokenEvents", name, {}, opts);

        const service = pulumi.output(args.apiManagementServiceId).apply((id) => {
            try {
                return { id: id.trim(), ...parseServiceResourceId(id) };
            } catch (error) {
                throw new GatewayTokenEventsArgumentError(`\`apiManagementServiceId\` ${(error as Error).message}`);
            }
        });
        const resourceGroupName = service.resourceGroupName;

        if (args.existingSystemTopicName === undefined) {
            this.systemTopic = new eventgrid.SystemTopic(
                `${name}-topic`,
                { resourceGroupName, location: args.location, source: service.id, topicType: API_MANAGEMENT_TOPIC_TYPE },
                { parent: this },
            );
            this.systemTopicName = this.systemTopic.name;
        } else {
            this.systemTopicName = pulumi.output(args.existingSystemTopicName);
        }

        const eventTypes = [...(args.eventTypes ?? GATEWAY_TOKEN_EVENT_TYPES)];
        const destination =
            args.webhook !== undefined
                ? { endpointType: "WebHook" as const, endpointUrl: pulumi.secret(args.webhook.url) }
                : {
                      endpointType: "MonitorAlert" as const,
                      actionGroups: args.monitorAlert!.actionGroupIds,
                      severity: args.monitorAlert!.severity ?? "Sev2",
                      description: args.monitorAlert!.description ?? `APIM self-hosted gateway token events: ${eventTypes.join(", ")}`,
                  };
        this.eventSubscription = new eventgrid.SystemTopicEventSubscription(
            `${name}-subscription`,
            {
                resourceGroupName,
                systemTopicName: this.systemTopicName,
                destination,
                // Monitor alerts take CloudEvents 1.0 only.
                eventDeliverySchema:
                    args.webhook !== undefined ? (args.webhook.deliverySchema ?? "EventGridSchema") : "CloudEventSchemaV1_0",
                filter: { includedEventTypes: eventTypes },
            },
            { parent: this, dependsOn: this.systemTopic !== undefined ? [this.systemTopic] : [] },
        );

        this.registerOutputs({ systemTopicName: this.systemTopicName, eventSubscription: this.eventSubscription });
    }
}
