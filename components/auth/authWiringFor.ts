import * as pulumi from "@pulumi/pulumi";
import { BuildContext } from "../buildContext";
import { entraAzureSetup } from "../keyless/azureSetup";
import { AuthWiring } from "./authWiring";
import { azureAdAppAuth } from "./azureAdAppAuth";
import { existingTokenSecretAuth } from "./existingTokenSecretAuth";
import { tokenAuth } from "./tokenAuth";
import { workloadIdentityAuth } from "./workloadIdentityAuth";

/** Creates what the configured auth mode needs (in Azure too, for the Entra modes) and says how the pods use it. */
export function authWiringFor(context: BuildContext, gatewayResourceId: pulumi.Output<string>): AuthWiring {
    const auth = context.settings.auth;
    switch (auth.type) {
        case "token":
            return tokenAuth(context, auth.token, auth.azureCloud, gatewayResourceId);
        case "workloadIdentity": {
            const azure = entraAzureSetup(context.name, context.settings.apim, auth.azure, context.parent);
            const clientId = azure.after(auth.clientId ?? azure.identity!.clientId);
            const tenantId = auth.tenantId ?? azure.identity?.tenantId;
            return { ...workloadIdentityAuth(clientId, tenantId), identity: azure.identity };
        }
        case "azureAdApp": {
            const azure = entraAzureSetup(context.name, context.settings.apim, auth.azure, context.parent);
            return azureAdAppAuth(context, { ...auth, clientId: azure.after(auth.clientId) });
        }
        case "existingTokenSecret":
            return existingTokenSecretAuth(auth.secretName, auth.key);
    }
}
