import { strict as assert } from "node:assert";
import { GatewayTokenEvents, GatewayTokenEventsArgs, GatewayTokenEventsArgumentError } from "../../components";
import { installMocks, isSecretWrapped, promiseOf, ResourceRecorder } from "../helpers/pulumiMocks";

const TOPIC = "azure-native:eventgrid:SystemTopic";
const SUBSCRIPTION = "azure-native:eventgrid:SystemTopicEventSubscription";
const SERVICE =
    "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-apim/providers/Microsoft.ApiManagement/service/contoso-apim";
const TYPES = ["Microsoft.ApiManagement.GatewayTokenNearExpiry", "Microsoft.ApiManagement.GatewayTokenExpired"];
const BASE: GatewayTokenEventsArgs = {
    apiManagementServiceId: SERVICE,
    location: "westeurope",
    webhook: { url: "https://relay.example.com/api/apim-events?code=relay-key" },
};

async function build(args: Partial<GatewayTokenEventsArgs> = {}): Promise<{ recorder: ResourceRecorder; events: GatewayTokenEvents }> {
    // Azure names a created topic; the mocks answer with a fixed name.
    const recorder = await installMocks({
        outputs: (resource) => (resource.type === TOPIC ? { name: "contoso-events-topic-a1b2" } : undefined),
    });
    const events = new GatewayTokenEvents("contoso-events", { ...BASE, ...args });
    await recorder.settled();
    return { recorder, events };
}

describe("GatewayTokenEvents: Azure's gateway token events through Event Grid (mocks)", () => {
    it("creates the instance's system topic in its resource group and region", async () => {
        const { recorder, events } = await build();
        const topic = recorder.one(TOPIC);
        assert.deepEqual(topic.inputs, {
            resourceGroupName: "rg-apim",
            location: "westeurope",
            source: SERVICE,
            topicType: "Microsoft.ApiManagement.Service",
        });
        assert.equal(await promiseOf(events.systemTopicName), await promiseOf(events.systemTopic!.name));
        assert.equal(
            recorder.resources
                .find((resource) => resource.type === TOPIC)
                ?.urn.includes("GatewayTokenEvents$azure-native:eventgrid:SystemTopic"),
            true,
            "parented to the component",
        );
    });

    it("subscribes a webhook to the two token event types only, in the Event Grid schema, its URL kept secret", async () => {
        const { recorder } = await build();
        const subscription = recorder.one(SUBSCRIPTION);
        assert.deepEqual(subscription.inputs.filter, { includedEventTypes: TYPES, isSubjectCaseSensitive: false });
        assert.equal(subscription.inputs.eventDeliverySchema, "EventGridSchema");
        assert.equal(subscription.inputs.resourceGroupName, "rg-apim");
        assert.equal(subscription.inputs.systemTopicName, "contoso-events-topic-a1b2", "on the created topic");
        assert.deepEqual(subscription.inputs.destination, { endpointType: "WebHook", endpointUrl: BASE.webhook!.url });
        assert.ok(isSecretWrapped(subscription.rawInputs.destination), "the relay's URL and key reach the engine as a secret");
    });

    it("uses an existing system topic by name and creates none", async () => {
        const { recorder } = await build({
            existingSystemTopicName: "contoso-apim-topic",
            eventTypes: ["Microsoft.ApiManagement.GatewayTokenExpired"],
            webhook: { url: "https://relay.example.com/x", deliverySchema: "CloudEventSchemaV1_0" },
        });
        assert.equal(recorder.ofType(TOPIC).length, 0);
        const subscription = recorder.one(SUBSCRIPTION).inputs;
        assert.equal(subscription.systemTopicName, "contoso-apim-topic");
        assert.deepEqual(subscription.filter, {
            includedEventTypes: ["Microsoft.ApiManagement.GatewayTokenExpired"],
            isSubjectCaseSensitive: false,
        });
        assert.equal(subscription.eventDeliverySchema, "CloudEventSchemaV1_0");
    });

    it("raises Azure Monitor alerts on action groups, in CloudEvents 1.0 (the only schema that destination takes)", async () => {
        const actionGroup =
            "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-ops/providers/Microsoft.Insights/actionGroups/platform";
        const { recorder } = await build({ webhook: undefined, monitorAlert: { actionGroupIds: [actionGroup], severity: "Sev1" } });
        const subscription = recorder.one(SUBSCRIPTION).inputs;
        assert.equal(subscription.eventDeliverySchema, "CloudEventSchemaV1_0");
        assert.deepEqual(subscription.destination, {
            endpointType: "MonitorAlert",
            actionGroups: [actionGroup],
            severity: "Sev1",
            description: `APIM self-hosted gateway token events: ${TYPES.join(", ")}`,
        });
    });

    const rejected: [string, Partial<GatewayTokenEventsArgs>, RegExp][] = [
        ["no destination", { webhook: undefined }, /exactly one destination/],
        ["two destinations", { monitorAlert: { actionGroupIds: ["/x"] } }, /exactly one destination/],
        ["a plain-HTTP webhook", { webhook: { url: "http://relay.example.com/" } }, /`webhook\.url` must be an https:\/\/ URL/],
        [
            "a gateway id for the instance",
            { apiManagementServiceId: `${SERVICE}/gateways/gw1` },
            /`apiManagementServiceId` .* is not an API Management instance's resource id/,
        ],
        ["no action group", { webhook: undefined, monitorAlert: { actionGroupIds: [] } }, /actionGroupIds` is empty/],
        [
            "an unknown severity",
            { webhook: undefined, monitorAlert: { actionGroupIds: ["/x"], severity: "Sev9" as never } },
            /`monitorAlert\.severity` is "Sev9"/,
        ],
        ["another event type", { eventTypes: ["Microsoft.ApiManagement.GatewayCreated" as never] }, /`eventTypes` must list some of/],
        ["no event type", { eventTypes: [] }, /`eventTypes` must list some of/],
    ];
    for (const [what, args, message] of rejected) {
        it(`refuses ${what} before registering anything`, async () => {
            const recorder = await installMocks();
            assert.throws(
                () => new GatewayTokenEvents("contoso-events", { ...BASE, ...args }),
                (error: Error) => error instanceof GatewayTokenEventsArgumentError && message.test(error.message),
            );
            await recorder.settled();
            assert.deepEqual(recorder.resources, []);
        });
    }
});
