import { strict as assert } from "node:assert";
import { checkInstance, KeylessSetupError, resourceGroupIdOf } from "../../components/keyless/instanceCheck";
import { serviceAccountSubject } from "../../components/keyless/federation";

const ID = "/subscriptions/s1/resourceGroups/rg-apim/providers/Microsoft.ApiManagement/service/contoso-apim";

describe("keyless: the instance check and the federation subject (pure)", () => {
    const passing: [string, { type?: string; principalId?: string }][] = [
        ["system-assigned", { type: "SystemAssigned", principalId: "p" }],
        ["system- and user-assigned, as ARM spells it", { type: "SystemAssigned, UserAssigned", principalId: "p" }],
    ];
    for (const [label, identity] of passing) {
        it(`passes an instance with a ${label} identity, returning its scopes and principal`, () => {
            assert.deepEqual(checkInstance({ id: ID, name: "contoso-apim", identity }), {
                instanceId: ID,
                resourceGroupId: "/subscriptions/s1/resourceGroups/rg-apim",
                principalId: "p",
            });
        });
    }

    const failing: [string, { type?: string; principalId?: string } | undefined, RegExp][] = [
        ["no identity", undefined, /identity type: None/],
        ["identity type None", { type: "None" }, /identity type: None/],
        ["a user-assigned identity only", { type: "UserAssigned", principalId: "u" }, /identity type: UserAssigned/],
        ["a system-assigned identity without a principal yet", { type: "SystemAssigned" }, /identity type: SystemAssigned/],
    ];
    for (const [label, identity, detail] of failing) {
        it(`refuses ${label}, naming the instance, why and the fix`, () => {
            assert.throws(
                () => checkInstance({ id: ID, name: "contoso-apim", identity }),
                (error: unknown) => {
                    assert.ok(error instanceof KeylessSetupError);
                    assert.match(error.message, /^The API Management instance "contoso-apim" has no system-assigned managed identity/);
                    assert.match(error.message, detail);
                    assert.match(error.message, /configuration API uses it/);
                    assert.match(
                        error.message,
                        new RegExp(
                            /Set-AzApiManagement -InputObject \(Get-AzApiManagement -ResourceGroupName rg-apim -Name /.source +
                                /contoso-apim\) -SystemAssignedIdentity/.source,
                        ),
                    );
                    return true;
                },
            );
        });
    }

    it("takes the resource group of any ARM id beneath one, case-insensitively, and refuses others", () => {
        assert.equal(resourceGroupIdOf("/SUBSCRIPTIONS/s/RESOURCEGROUPS/rg/providers/x/y/z"), "/SUBSCRIPTIONS/s/RESOURCEGROUPS/rg");
        assert.equal(resourceGroupIdOf("/subscriptions/s/resourceGroups/rg"), "/subscriptions/s/resourceGroups/rg");
        assert.throws(() => resourceGroupIdOf("/subscriptions/s"), KeylessSetupError);
    });

    it("names a ServiceAccount's tokens as Kubernetes issues them", () => {
        assert.equal(serviceAccountSubject("apim-gateway", "contoso-gw"), "system:serviceaccount:apim-gateway:contoso-gw");
    });
});
