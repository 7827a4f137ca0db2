/**
 * Issue 16 §1 at the mocks level (the azure-native provider cannot run here): what the Entra modes
 * create in Azure, from what, in which order, and what they refuse. The instance check is the
 * `getApiManagementService` invoke answered by the mocks as ARM would.
 */
import { strict as assert } from "node:assert";
import { SelfHostedGateway, SelfHostedGatewayArgs } from "../../components";
import { KeylessSetupError } from "../../components/keyless/instanceCheck";
import { ACCESS_VALIDATOR_ROLE, CONFIGURATION_READER_ROLE } from "../../components/keyless/roles";
import { installMocks, MockOptions, promiseOf, ResourceRecorder } from "../helpers/pulumiMocks";
import { BASE_ARGS, build, captureWarnings, configData, expectRejected, gatewayContainer, K8S, object, podSpec } from "./support";

const AZURE = {
    identity: "azure-native:managedidentity:UserAssignedIdentity",
    federatedCredential: "azure-native:managedidentity:FederatedIdentityCredential",
    roleDefinition: "azure-native:authorization:RoleDefinition",
    roleAssignment: "azure-native:authorization:RoleAssignment",
} as const;
const GET_SERVICE = "azure-native:apimanagement:getApiManagementService";

const SUBSCRIPTION = "00000000-0000-0000-0000-000000000000";
const RESOURCE_GROUP_ID = `/subscriptions/${SUBSCRIPTION}/resourceGroups/rg-apim`;
const INSTANCE_ID = `${RESOURCE_GROUP_ID}/providers/Microsoft.ApiManagement/service/contoso-apim`;
const INSTANCE_PRINCIPAL = "11111111-1111-1111-1111-111111111111";
const IDENTITY = {
    clientId: "22222222-2222-2222-2222-222222222222",
    principalId: "33333333-3333-3333-3333-333333333333",
    tenantId: "44444444-4444-4444-4444-444444444444",
};
const ISSUER = "https://westeurope.oic.prod-aks.azure.com/tenant/cluster/";

/** ARM's answer for the instance: with a system-assigned identity unless told otherwise. */
function instance(
    identity: Record<string, unknown> | null = { type: "SystemAssigned", principalId: INSTANCE_PRINCIPAL, tenantId: IDENTITY.tenantId },
): MockOptions {
    return {
        call(args) {
            assert.equal(args.token, GET_SERVICE);
            return { id: INSTANCE_ID, name: args.inputs.serviceName, ...(identity ? { identity } : {}) };
        },
        outputs(args) {
            if (args.type === AZURE.identity) {
                return { ...IDENTITY, name: args.inputs.resourceName };
            }
            if (args.type === AZURE.roleDefinition) {
                return { id: `/subscriptions/${SUBSCRIPTION}/providers/Microsoft.Authorization/roleDefinitions/${args.name}` };
            }
            return undefined;
        },
    };
}

const KEYLESS: SelfHostedGatewayArgs["auth"] = {
    type: "workloadIdentity",
    managedIdentity: { location: "westeurope" },
    federatedCredential: { issuerUrl: ISSUER },
    roles: {},
};

function assignment(recorder: ResourceRecorder, name: string): Record<string, any> {
    return recorder.one(AZURE.roleAssignment, name).inputs;
}

describe("SelfHostedGateway: keyless set-up in Azure (issue 16 §1)", () => {
    describe("workload identity, everything created", () => {
        it("creates the identity in the instance's resource group, named after the gateway", async () => {
            const { recorder } = await build({ auth: KEYLESS }, instance());
            const identity = recorder.one(AZURE.identity, "contoso-identity").inputs;
            assert.deepEqual(identity, { resourceGroupName: "rg-apim", resourceName: "contoso-gw-gateway", location: "westeurope" });
        });

        it(
            "federates it with the cluster's issuer for exactly the " + "gateway's ServiceAccount, audience api://AzureADTokenExchange",
            async () => {
                const { recorder } = await build({ auth: KEYLESS }, instance());
                const credential = recorder.one(AZURE.federatedCredential, "contoso-federated-credential").inputs;
                assert.deepEqual(credential, {
                    resourceGroupName: "rg-apim",
                    resourceName: "contoso-gw-gateway",
                    federatedIdentityCredentialResourceName: "contoso-gw-apim-gateway",
                    issuer: ISSUER,
                    subject: "system:serviceaccount:apim-gateway:contoso-gw",
                    audiences: ["api://AzureADTokenExchange"],
                });
                const account = object(recorder, K8S.serviceAccount);
                assert.equal(
                    `system:serviceaccount:${account.metadata.namespace}:${account.metadata.name}`,
                    credential.subject,
                    "the subject names the ServiceAccount the pods run as",
                );
            },
        );

        it("follows a custom namespace and an existing ServiceAccount into the subject", async () => {
            const { recorder } = await build(
                { auth: KEYLESS, namespace: { name: "edge" }, serviceAccount: { existingName: "gw-sa" } },
                instance(),
            );
            assert.equal(recorder.one(AZURE.federatedCredential).inputs.subject, "system:serviceaccount:edge:gw-sa");
        });

        it(
            "creates the two documented custom roles with their exact " + "permissions, assignable only in the instance's resource group",
            async () => {
                const { recorder } = await build({ auth: KEYLESS }, instance());
                const validator = recorder.one(AZURE.roleDefinition, "contoso-access-validator-role").inputs;
                assert.deepEqual(validator, {
                    scope: RESOURCE_GROUP_ID,
                    roleName: "API Management Configuration API Access Validator Service Role (contoso-apim/contoso-gw)",
                    description: "Can access RBAC permissions on the API Management resource to authorize requests in Configuration API.",
                    roleType: "CustomRole",
                    permissions: [{ actions: ["Microsoft.Authorization/*/read"], notActions: [], dataActions: [], notDataActions: [] }],
                    assignableScopes: [RESOURCE_GROUP_ID],
                });
                const reader = recorder.one(AZURE.roleDefinition, "contoso-configuration-reader-role").inputs;
                assert.deepEqual(reader.permissions, [
                    {
                        actions: [],
                        notActions: [],
                        dataActions: ["Microsoft.ApiManagement/service/gateways/getConfiguration/action"],
                        notDataActions: [],
                    },
                ]);
                assert.equal(reader.roleName, `${CONFIGURATION_READER_ROLE.name} (contoso-apim/contoso-gw)`);
                assert.equal(reader.description, CONFIGURATION_READER_ROLE.description);
                assert.deepEqual(reader.assignableScopes, [RESOURCE_GROUP_ID]);
            },
        );

        it(
            "assigns the validator to the instance's own identity at the resource " +
                "group, the reader to the gateway's identity at the instance only",
            async () => {
                const { recorder } = await build({ auth: KEYLESS }, instance());
                const roleId = (name: string) => `/subscriptions/${SUBSCRIPTION}/providers/Microsoft.Authorization/roleDefinitions/${name}`;
                assert.deepEqual(assignment(recorder, "contoso-access-validator-assignment"), {
                    scope: RESOURCE_GROUP_ID,
                    principalId: INSTANCE_PRINCIPAL,
                    principalType: "ServicePrincipal",
                    roleDefinitionId: roleId("contoso-access-validator-role"),
                });
                assert.deepEqual(assignment(recorder, "contoso-configuration-reader-assignment"), {
                    scope: INSTANCE_ID,
                    principalId: IDENTITY.principalId,
                    principalType: "ServicePrincipal",
                    roleDefinitionId: roleId("contoso-configuration-reader-role"),
                });
            },
        );

        it("reads the instance once, with its resource group and name, and parents every Azure piece to the component", async () => {
            const { recorder } = await build({ auth: KEYLESS }, instance());
            assert.deepEqual(
                recorder.calls.map((call) => [call.token, call.inputs.resourceGroupName, call.inputs.serviceName]),
                [[GET_SERVICE, "rg-apim", "contoso-apim"]],
            );
            const azure = recorder.resources.filter((r) => Object.values(AZURE).includes(r.type as never));
            assert.equal(azure.length, 6, azure.map((r) => r.name).join(", "));
            for (const piece of azure) {
                assert.match(piece.urn, /apim-gateway:index:SelfHostedGateway\$azure-native:/, `${piece.name} is a child of the component`);
            }
        });

        it("gives the ServiceAccount the created identity's client and tenant ids, and exposes the identity", async () => {
            const { recorder, gateway } = await build({ auth: KEYLESS }, instance());
            const annotations = object(recorder, K8S.serviceAccount).metadata.annotations;
            assert.equal(annotations["azure.workload.identity/client-id"], IDENTITY.clientId);
            assert.equal(annotations["azure.workload.identity/tenant-id"], IDENTITY.tenantId);
            assert.equal(configData(recorder)["config.service.auth"], "workloadIdentity");
            assert.equal(await promiseOf(gateway.identity!.clientId), IDENTITY.clientId);
        });

        it(
            "registers the ServiceAccount (and so the pods) only after the " +
                "identity, its federation and both role assignments were created",
            async () => {
                const slow = new Set<string>([AZURE.federatedCredential, AZURE.roleAssignment]);
                const { recorder } = await build(
                    { auth: KEYLESS },
                    { ...instance(), creationDelayMs: (args) => (slow.has(args.type) ? 150 : 0) },
                );
                const order = recorder.resources.map((r) => r.type);
                const accountAt = order.indexOf(K8S.serviceAccount);
                const deploymentAt = order.indexOf(K8S.deployment);
                const azureDone = recorder.completed.filter((entry) => Object.values(AZURE).some((type) => entry.startsWith(`${type}::`)));
                assert.equal(azureDone.length, 6);
                const accountDone = recorder.completed.indexOf(`${K8S.serviceAccount}::contoso-service-account`);
                for (const entry of azureDone) {
                    assert.ok(
                        recorder.completed.indexOf(entry) < accountDone,
                        `${entry} completed before the ServiceAccount: ${recorder.completed.join(", ")}`,
                    );
                }
                assert.ok(accountAt < deploymentAt, "the Deployment comes after the ServiceAccount");
            },
        );
    });

    describe("the gateway's ServiceAccount (issue 23 §6)", () => {
        const GIVEN_ID: SelfHostedGatewayArgs["auth"] = { type: "workloadIdentity", clientId: IDENTITY.clientId };
        const WORKLOAD_IDENTITY_USE = "azure.workload.identity/use";
        const accountWarnings = (warnings: string[]) => warnings.filter((warning) => warning.startsWith("serviceAccount.existingName"));

        it('labels the ServiceAccount it creates azure.workload.identity/use: "true", as the pods, and only in this mode', async () => {
            for (const auth of [KEYLESS, GIVEN_ID]) {
                const { recorder } = await build({ auth }, instance());
                const labels = object(recorder, K8S.serviceAccount).metadata.labels;
                assert.equal(labels[WORKLOAD_IDENTITY_USE], "true");
                assert.equal(labels["app.kubernetes.io/name"], "apim-selfhosted-gateway", "the component's labels stay");
                assert.equal(object(recorder, K8S.deployment).spec.template.metadata.labels[WORKLOAD_IDENTITY_USE], "true");
            }
            const token = await build();
            assert.ok(!(WORKLOAD_IDENTITY_USE in object(token.recorder, K8S.serviceAccount).metadata.labels), "not with token auth");
        });

        it('refuses existingName "default", naming the key and the fix, together with the other problems', async () => {
            const error = await expectRejected(
                { auth: { ...GIVEN_ID, roles: {} } as SelfHostedGatewayArgs["auth"], serviceAccount: { existingName: "default" } },
                '`serviceAccount.existingName` is "default", the namespace\'s own ServiceAccount',
                "could sign in as the gateway",
                "Remove serviceAccount.existingName to let the component create the gateway's own ServiceAccount",
                "`auth.roles.principalId` is required",
            );
            assert.deepEqual(
                error.problems.map((problem) => problem.argument),
                ["auth.roles.principalId", "serviceAccount.existingName"],
            );
        });

        it("warns once for any other existing ServiceAccount, naming it, the namespace and the fix", async () => {
            const { recorder, warnings } = await build(
                { auth: GIVEN_ID, namespace: { name: "edge" }, serviceAccount: { existingName: "gw-sa" } },
                instance(),
            );
            const [warning, ...more] = accountWarnings(warnings);
            assert.deepEqual(more, [], JSON.stringify(warnings));
            assert.match(warning, /^serviceAccount\.existingName is "gw-sa": /);
            assert.match(warning, /every pod that runs as ServiceAccount "gw-sa" in namespace "edge" .* sign in as the gateway/);
            assert.match(warning, /azure\.workload\.identity\/client-id/);
            assert.match(warning, /remove serviceAccount\.existingName to let the component create the gateway's own\.$/);
            assert.equal(podSpec(recorder).serviceAccountName, "gw-sa", "and uses it");
        });

        it("does not warn about a ServiceAccount it creates, nor about an existing one with token auth", async () => {
            assert.deepEqual(accountWarnings((await build({ auth: GIVEN_ID })).warnings), []);
            assert.deepEqual(accountWarnings((await build({ serviceAccount: { existingName: "gw-sa" } })).warnings), []);
        });
    });

    describe("the instance check", () => {
        /**
         * Constructs the gateway against an instance and returns the program's failure: the check
         * throws inside the invoke's result, so every resource built from it fails to register,
         * as the engine reports it (the rejections the runtime would turn into a failed program).
         */
        async function failure(options: MockOptions): Promise<{ error: unknown; recorder: ResourceRecorder; rejections: unknown[] }> {
            const rejections: unknown[] = [];
            const collect = (reason: unknown) => rejections.push(reason);
            process.on("unhandledRejection", collect);
            try {
                const recorder = await installMocks(options);
                const { result: gateway } = captureWarnings(() => new SelfHostedGateway("contoso", { ...BASE_ARGS, auth: KEYLESS }));
                const error = await (gateway.identity!.urn as unknown as { promise(): Promise<string> }).promise().then(
                    () => undefined,
                    (reason: unknown) => reason,
                );
                await recorder.settled();
                // Every registration has failed by now; Node reports a rejection nobody handles once the
                // microtask queue drains, before the next macrotask runs: one setImmediate turn sees them all.
                await new Promise((resolve) => setImmediate(resolve));
                return { error, recorder, rejections };
            } finally {
                process.off("unhandledRejection", collect);
            }
        }

        for (const [label, identity] of [
            ["no identity at all", null],
            ["only a user-assigned identity", { type: "UserAssigned", userAssignedIdentities: {} }],
        ] as const) {
            it(`fails on ${label}, naming the instance and the fix, and creates no Azure piece`, async () => {
                const { error, recorder, rejections } = await failure(instance(identity));
                assert.ok(error instanceof KeylessSetupError, `expected a KeylessSetupError, got ${String(error)}`);
                assert.match(error.message, /"contoso-apim" has no system-assigned managed identity/);
                assert.match(error.message, /user-assigned identities are not supported/);
                assert.match(error.message, /-SystemAssignedIdentity/);
                assert.match(error.message, /-ResourceGroupName rg-apim -Name contoso-apim/);
                assert.ok(
                    rejections.length > 0 && rejections.every((reason) => reason instanceof KeylessSetupError),
                    "the program fails with that error alone",
                );
                const azure = recorder.resources.filter((r) => Object.values(AZURE).includes(r.type as never));
                assert.deepEqual(
                    azure.map((r) => r.name),
                    [],
                    "nothing was created in Azure",
                );
                assert.deepEqual(recorder.ofType(K8S.serviceAccount), [], "nor the ServiceAccount the pods would sign in with");
            });
        }

        it("runs in preview too, so `pulumi preview` (and `up`'s preview) stops before anything is created", async () => {
            const { error, recorder } = await failure({ ...instance(null), preview: true });
            assert.ok(error instanceof KeylessSetupError, `expected a KeylessSetupError, got ${String(error)}`);
            assert.deepEqual(
                recorder.calls.map((call) => call.token),
                [GET_SERVICE],
            );
        });

        it("is not made when nothing is created in Azure (a given client id only)", async () => {
            const { recorder } = await build({ auth: { type: "workloadIdentity", clientId: IDENTITY.clientId } });
            assert.deepEqual(recorder.calls, []);
            assert.deepEqual(
                recorder.resources.filter((r) => Object.values(AZURE).includes(r.type as never)),
                [],
            );
        });
    });

    describe("each piece on its own", () => {
        it("an organisation's own identity: roles only, assigned to the given principal", async () => {
            const { recorder } = await build(
                {
                    auth: {
                        type: "workloadIdentity",
                        clientId: IDENTITY.clientId,
                        roles: { principalId: "55555555-5555-5555-5555-555555555555" },
                    },
                },
                instance(),
            );
            assert.deepEqual(recorder.ofType(AZURE.identity), []);
            assert.deepEqual(recorder.ofType(AZURE.federatedCredential), []);
            assert.equal(
                assignment(recorder, "contoso-configuration-reader-assignment").principalId,
                "55555555-5555-5555-5555-555555555555",
            );
            assert.equal(object(recorder, K8S.serviceAccount).metadata.annotations["azure.workload.identity/client-id"], IDENTITY.clientId);
        });

        it("federates an existing identity by name", async () => {
            const { recorder } = await build(
                {
                    auth: {
                        type: "workloadIdentity",
                        clientId: IDENTITY.clientId,
                        federatedCredential: {
                            issuerUrl: ISSUER,
                            name: "gw",
                            identity: { resourceGroupName: "rg-identities", name: "gw-id" },
                        },
                    },
                },
                instance(),
            );
            const credential = recorder.one(AZURE.federatedCredential).inputs;
            assert.deepEqual(
                [credential.resourceGroupName, credential.resourceName, credential.federatedIdentityCredentialResourceName],
                ["rg-identities", "gw-id", "gw"],
            );
            assert.deepEqual(recorder.ofType(AZURE.roleAssignment), []);
        });

        it("assigns role definitions the platform team defined, creating none", async () => {
            const existing = {
                accessValidator: "/subscriptions/s/providers/Microsoft.Authorization/roleDefinitions/av",
                configurationReader: "/subscriptions/s/providers/Microsoft.Authorization/roleDefinitions/cr",
            };
            const { recorder } = await build({ auth: { ...KEYLESS, roles: { existingRoleDefinitionIds: existing } } }, instance());
            assert.deepEqual(recorder.ofType(AZURE.roleDefinition), []);
            assert.equal(assignment(recorder, "contoso-access-validator-assignment").roleDefinitionId, existing.accessValidator);
            assert.equal(assignment(recorder, "contoso-configuration-reader-assignment").roleDefinitionId, existing.configurationReader);
        });

        it("leaves the instance's identity alone when another stack assigned the validator", async () => {
            const { recorder } = await build({ auth: { ...KEYLESS, roles: { assignAccessValidator: false } } }, instance());
            assert.deepEqual(
                recorder.ofType(AZURE.roleAssignment).map((r) => r.name),
                ["contoso-configuration-reader-assignment"],
            );
            assert.deepEqual(
                recorder.ofType(AZURE.roleDefinition).map((r) => r.name),
                ["contoso-configuration-reader-role"],
            );
        });

        it("names the identity and its resource group as given", async () => {
            const { recorder } = await build(
                { auth: { ...KEYLESS, managedIdentity: { location: "northeurope", resourceGroupName: "rg-id", name: "edge-gw" } } },
                instance(),
            );
            assert.deepEqual(recorder.one(AZURE.identity).inputs, {
                resourceGroupName: "rg-id",
                resourceName: "edge-gw",
                location: "northeurope",
            });
            assert.equal(recorder.one(AZURE.federatedCredential).inputs.resourceGroupName, "rg-id");
        });
    });

    describe("Entra app with a certificate", () => {
        const CERTIFICATE_APP: SelfHostedGatewayArgs["auth"] = {
            type: "azureAdApp",
            tenantId: IDENTITY.tenantId,
            clientId: IDENTITY.clientId,
            clientCertificate: { secretName: "gw-entra-cert-3f2a" },
        };

        it("points certificatePath at the Secret mounted read-only, group-readable, and creates no client-secret Secret", async () => {
            const { recorder } = await build({ auth: CERTIFICATE_APP });
            assert.equal(configData(recorder)["config.service.auth"], "azureAdApp");
            assert.equal(
                configData(recorder)["config.service.auth.azureAd.certificatePath"],
                "/apim/entra-client-certificate/certificate.pfx",
            );
            assert.equal(configData(recorder)["config.service.auth.azureAd.clientId"], IDENTITY.clientId);
            const volume = podSpec(recorder).volumes.find((v: { name: string }) => v.name === "entra-client-certificate");
            assert.deepEqual(volume.secret, {
                secretName: "gw-entra-cert-3f2a",
                defaultMode: 0o440,
                items: [{ key: "certificate.pfx", path: "certificate.pfx" }],
            });
            const mount = gatewayContainer(recorder).volumeMounts.find((m: { name: string }) => m.name === "entra-client-certificate");
            assert.deepEqual(mount, { name: "entra-client-certificate", mountPath: "/apim/entra-client-certificate", readOnly: true });
            assert.deepEqual(recorder.ofType(K8S.secret), []);
            assert.ok(
                !(gatewayContainer(recorder).env ?? []).some(
                    (e: { name: string }) => e.name === "config.service.auth.azureAd.clientSecret",
                ),
            );
        });

        it("takes another key of the Secret", async () => {
            const { recorder } = await build({
                auth: { ...CERTIFICATE_APP, clientCertificate: { secretName: "gw-cert", key: "tls.pfx" } },
            });
            assert.equal(configData(recorder)["config.service.auth.azureAd.certificatePath"], "/apim/entra-client-certificate/tls.pfx");
        });

        it("sets up the same roles for the app's service principal", async () => {
            const { recorder } = await build(
                { auth: { ...CERTIFICATE_APP, roles: { principalId: "66666666-6666-6666-6666-666666666666" } } },
                instance(),
            );
            assert.equal(
                assignment(recorder, "contoso-configuration-reader-assignment").principalId,
                "66666666-6666-6666-6666-666666666666",
            );
            assert.equal(assignment(recorder, "contoso-access-validator-assignment").principalId, INSTANCE_PRINCIPAL);
            assert.equal(
                recorder.one(AZURE.roleDefinition, "contoso-access-validator-role").inputs.roleName,
                `${ACCESS_VALIDATOR_ROLE.name} (contoso-apim/contoso-gw)`,
            );
        });
    });

    describe("bad input, refused before anything is registered", () => {
        const cases: [string, SelfHostedGatewayArgs["auth"], string[]][] = [
            [
                "a client id and a created identity",
                { type: "workloadIdentity", clientId: "c", managedIdentity: { location: "westeurope" } },
                ["`auth.clientId` is set, but auth.managedIdentity creates"],
            ],
            ["neither a client id nor a created identity", { type: "workloadIdentity" }, ["`auth.clientId` is required"]],
            [
                "a federated credential with no identity",
                { type: "workloadIdentity", clientId: "c", federatedCredential: { issuerUrl: ISSUER } },
                ["`auth.federatedCredential` has no identity", "auth.federatedCredential.identity"],
            ],
            [
                "an existing identity to federate next to a created one",
                {
                    ...KEYLESS,
                    federatedCredential: { issuerUrl: ISSUER, identity: { resourceGroupName: "rg", name: "id" } },
                } as SelfHostedGatewayArgs["auth"],
                ["`auth.federatedCredential.identity` names an existing identity"],
            ],
            [
                "an issuer that is not https",
                { ...KEYLESS, federatedCredential: { issuerUrl: "http://issuer" } } as SelfHostedGatewayArgs["auth"],
                ['`auth.federatedCredential.issuerUrl` "http://issuer" is not an https URL'],
            ],
            [
                "roles for a given client id without its principal",
                { type: "workloadIdentity", clientId: "c", roles: {} },
                ["`auth.roles.principalId` is required"],
            ],
            [
                "a principal next to a created identity",
                { ...KEYLESS, roles: { principalId: "p" } } as SelfHostedGatewayArgs["auth"],
                ["`auth.roles.principalId` is set, but the roles go to the identity"],
            ],
            [
                "an app with a secret and a certificate",
                { type: "azureAdApp", tenantId: "t", clientId: "c", clientSecret: "s", clientCertificate: { secretName: "cert" } },
                ["`auth.clientCertificate` and auth.clientSecret are both set"],
            ],
            ["an app with neither", { type: "azureAdApp", tenantId: "t", clientId: "c" }, ["`auth.clientSecret` is required"]],
            [
                "an app's roles without its principal",
                { type: "azureAdApp", tenantId: "t", clientId: "c", clientSecret: "s", roles: {} },
                ["`auth.roles.principalId` is required"],
            ],
            [
                "a certificate Secret that is no Secret name",
                { type: "azureAdApp", tenantId: "t", clientId: "c", clientCertificate: { secretName: "Not_A_Name" } },
                ['`auth.clientCertificate.secretName` "Not_A_Name" is not a Secret name'],
            ],
            [
                "a misspelt key of the role set-up",
                { ...KEYLESS, roles: { assignAcessValidator: false } } as unknown as SelfHostedGatewayArgs["auth"],
                ['`auth.roles` has unknown key "assignAcessValidator"'],
            ],
        ];
        for (const [label, auth, fragments] of cases) {
            it(label, async () => {
                await expectRejected({ auth }, ...fragments);
            });
        }
    });
});
