import * as pulumi from "@pulumi/pulumi";
import * as apimanagement from "@pulumi/azure-native/apimanagement";
import * as authorization from "@pulumi/azure-native/authorization";
import * as managedidentity from "@pulumi/azure-native/managedidentity";
import { ApimSettings, EntraAzureSettings } from "../settings";
import { TOKEN_EXCHANGE_AUDIENCE } from "./federation";
import { CheckedInstance, checkInstance } from "./instanceCheck";
import { ACCESS_VALIDATOR_ROLE, CONFIGURATION_READER_ROLE, DocumentedRole, qualifiedRoleName, ROLE_PRINCIPAL_TYPE } from "./roles";

/** What the Azure set-up of Entra sign-in created. */
export interface EntraAzureSetup {
    /** The created user-assigned identity. */
    identity?: managedidentity.UserAssignedIdentity;
    /**
     * Resolves a value only once every created Azure piece exists, so the objects that carry it
     * (the ServiceAccount's client id, the ConfigMap's) and the pods after them come after the
     * identity, its federation and its roles.
     */
    after<T>(value: pulumi.Input<T>): pulumi.Output<T>;
}

/**
 * Creates what Azure needs for the gateway's Entra sign-in, each piece only when asked for: a
 * user-assigned identity, its federated credential, the two documented custom roles and their
 * assignments. Every piece is built from the instance as checked by {@link checkInstance} (an
 * invoke, run in preview too), so nothing is created for an instance that could not serve it.
 */
export function entraAzureSetup(name: string, apim: ApimSettings, azure: EntraAzureSettings, parent: pulumi.Resource): EntraAzureSetup {
    if (!azure.managedIdentity && !azure.federatedCredential && !azure.roles) {
        return { after: <T>(value: pulumi.Input<T>) => pulumi.output(value) as pulumi.Output<T> };
    }
    const instance: pulumi.Output<CheckedInstance> = apimanagement
        .getApiManagementServiceOutput({ resourceGroupName: apim.resourceGroupName, serviceName: apim.serviceName }, { parent })
        .apply((service) => checkInstance({ id: service.id, name: service.name, identity: service.identity }));
    const checked = <T>(value: pulumi.Input<T>) => pulumi.all([instance, value]).apply(([, resolved]) => resolved as T);
    const created: pulumi.CustomResource[] = [];

    const identity =
        azure.managedIdentity &&
        new managedidentity.UserAssignedIdentity(
            `${name}-identity`,
            {
                resourceGroupName: checked(azure.managedIdentity.resourceGroupName),
                resourceName: azure.managedIdentity.name,
                location: azure.managedIdentity.location,
            },
            { parent },
        );
    if (identity) {
        created.push(identity);
    }

    const federation = azure.federatedCredential;
    if (federation) {
        const target = federation.identity ?? { resourceGroupName: azure.managedIdentity!.resourceGroupName, name: identity!.name };
        created.push(
            new managedidentity.FederatedIdentityCredential(
                `${name}-federated-credential`,
                {
                    resourceGroupName: checked(target.resourceGroupName),
                    resourceName: target.name,
                    federatedIdentityCredentialResourceName: federation.name,
                    issuer: federation.issuerUrl,
                    subject: federation.subject,
                    audiences: [TOKEN_EXCHANGE_AUDIENCE],
                },
                { parent },
            ),
        );
    }

    const roles = azure.roles;
    if (roles) {
        const definition = (role: DocumentedRole, key: string, existing: pulumi.Input<string> | undefined): pulumi.Input<string> =>
            existing ??
            new authorization.RoleDefinition(
                `${name}-${key}-role`,
                {
                    scope: instance.resourceGroupId,
                    roleName: pulumi.output(apim.serviceName).apply((service) => qualifiedRoleName(role, service, apim.gatewayId)),
                    description: role.description,
                    roleType: "CustomRole",
                    permissions: [{ actions: [...role.actions], notActions: [], dataActions: [...role.dataActions], notDataActions: [] }],
                    assignableScopes: [instance.resourceGroupId],
                },
                { parent },
            ).id;
        if (roles.assignAccessValidator) {
            created.push(
                new authorization.RoleAssignment(
                    `${name}-access-validator-assignment`,
                    {
                        scope: instance.resourceGroupId,
                        principalId: instance.principalId,
                        principalType: ROLE_PRINCIPAL_TYPE,
                        roleDefinitionId: definition(
                            ACCESS_VALIDATOR_ROLE,
                            "access-validator",
                            roles.existingRoleDefinitionIds.accessValidator,
                        ),
                    },
                    { parent },
                ),
            );
        }
        created.push(
            new authorization.RoleAssignment(
                `${name}-configuration-reader-assignment`,
                {
                    scope: instance.instanceId,
                    principalId: roles.principalId ?? identity!.principalId,
                    principalType: ROLE_PRINCIPAL_TYPE,
                    roleDefinitionId: definition(
                        CONFIGURATION_READER_ROLE,
                        "configuration-reader",
                        roles.existingRoleDefinitionIds.configurationReader,
                    ),
                },
                { parent },
            ),
        );
    }

    // Ids resolve once a resource exists (urns resolve at registration), so this waits for creation.
    const ready = pulumi.all(created.map((resource) => resource.id));
    function after<T>(value: pulumi.Input<T>): pulumi.Output<T> {
        return pulumi.all([pulumi.output(value), ready]).apply(([resolved]) => resolved) as pulumi.Output<T>;
    }
    return { identity, after };
}
