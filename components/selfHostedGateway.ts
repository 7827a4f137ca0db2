import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import * as apimanagement from "@pulumi/azure-native/apimanagement";
import type * as managedidentity from "@pulumi/azure-native/managedidentity";
import { apiAssociations } from "./apim/apiAssociations";
import { certificateAuthorities } from "./apim/certificateAuthorities";
import { gatewayEntity } from "./apim/gateway";
import { hostnameConfigurations } from "./apim/hostnameConfigurations";
import { SelfHostedGatewayArgs } from "./args";
import { BuildContext } from "./buildContext";
import { ChecksumKey } from "./checksumKey";
import { authWiringFor } from "./auth/authWiringFor";
import { COMPONENT_TYPE } from "./constants";
import { gatewayConfigData } from "./gatewayConfig";
import { autoscaler } from "./k8s/autoscaler";
import { gatewayConfigMap } from "./k8s/configMap";
import { customCaConfigMap } from "./k8s/customCa";
import { gatewayDeployment } from "./k8s/deployment";
import { disruptionBudget } from "./k8s/disruptionBudget";
import { gatewayNamespace } from "./k8s/namespace";
import { networkPolicy } from "./k8s/networkPolicy";
import { gatewayPodTemplate } from "./k8s/podTemplate";
import { secretEnvVars } from "./k8s/secretEnv";
import { serviceAccount } from "./k8s/serviceAccount";
import { instanceDiscoveryService, liveTrafficService } from "./k8s/services";
import { configBackupClaim } from "./k8s/storage";
import { prepareSettings } from "./prepare";
import { RotationUnitOutput } from "./contract/rotationContract";
import { rotationUnitOutput } from "./contract/rotationOutputs";
import { GatewayToken } from "./token/gatewayToken";
import { GatewayKeyType } from "./token/keyType";
import { AuthType } from "./enums";
import { authValueDigest } from "./token/authValue";

/** How the gateway authenticates to its configuration endpoint. */
export type GatewayAuthType = AuthType;

/**
 * Checks arguments exactly as the constructor does, without registering anything: for programs
 * that create other resources first (the stack program validates before its Kubernetes provider).
 * Throws a `GatewayArgumentError` listing every problem.
 */
export function validateSelfHostedGatewayArgs(args: SelfHostedGatewayArgs): void {
    prepareSettings(args);
}

/**
 * An Azure API Management self-hosted gateway on Kubernetes, production-ready by default: the
 * gateway entity in API Management (created or adopted), its access token (generated and renewed
 * through ARM) or Entra auth, and the Kubernetes workload following Microsoft's production
 * guidance (dedicated namespace, 3 replicas, pinned image, explicit rolling update and DNS policy,
 * resource requests, configuration backup, topology spread, disruption budget, probes,
 * restricted security context, `externalTrafficPolicy: Local`).
 *
 * Providers: pass `{ providers: { kubernetes: …, "azure-native": … } }`; every child inherits them.
 */
export class SelfHostedGateway extends pulumi.ComponentResource {
    /** ARM id of the gateway entity. */
    readonly gatewayResourceId: pulumi.Output<string>;
    /** The created gateway entity; `undefined` with `existingGateway`. */
    readonly gateway?: apimanagement.Gateway;
    /** Namespace of every Kubernetes object of the gateway. */
    readonly namespace: pulumi.Output<string>;
    readonly deployment: k8s.apps.v1.Deployment;
    readonly liveTrafficService: k8s.core.v1.Service;
    readonly instanceDiscoveryService: k8s.core.v1.Service;
    /** Token auth only: the access token resource. */
    readonly token?: GatewayToken;
    /** Workload identity with `auth.managedIdentity`: the user-assigned identity the gateway signs in as. */
    readonly identity?: managedidentity.UserAssignedIdentity;
    /** Token auth only: the Kubernetes Secret holding the token. */
    readonly tokenSecret?: k8s.core.v1.Secret;
    /** Token expiry (ISO 8601); `undefined` unless token auth. */
    readonly tokenExpiresAt: pulumi.Output<string | undefined>;
    /** When the token becomes due for renewal (ISO 8601); `undefined` unless token auth. */
    readonly tokenRenewAfter: pulumi.Output<string | undefined>;
    /** When the token was issued (ISO 8601); `undefined` unless token auth. */
    readonly tokenIssuedAt: pulumi.Output<string | undefined>;
    /** Gateway key that signed the token; `undefined` unless token auth. */
    readonly tokenKeyType: pulumi.Output<GatewayKeyType | undefined>;
    readonly authType: pulumi.Output<GatewayAuthType>;
    /** URNs the rotation program targets: the token, its Secret, the Deployment (empty unless token auth). */
    readonly rotationTargets: pulumi.Output<string[]>;
    /** This gateway's entry in the rotation contract output; see `rotationOutputs`. */
    readonly rotation: pulumi.Output<RotationUnitOutput>;

    constructor(name: string, args: SelfHostedGatewayArgs, opts?: pulumi.ComponentResourceOptions) {
        const { settings, warnings } = prepareSettings(args);
        super(COMPONENT_TYPE, name, {}, opts);
        warnings.forEach((warning) => pulumi.log.warn(warning, this));

        const entity = gatewayEntity(name, settings.apim, this);
        apiAssociations(name, settings.apim, entity, this);
        hostnameConfigurations(name, settings.apim, entity, this);
        certificateAuthorities(name, settings.apim, entity, this);

        const ns = gatewayNamespace(name, settings, this);
        const context: BuildContext = {
            name,
            settings,
            namespace: ns.name,
            parent: this,
            checksumKey: new ChecksumKey(`${name}-checksum-key`, { parent: this }).key,
        };
        const auth = authWiringFor(context, entity.gatewayResourceId);
        const account = serviceAccount(context, auth);
        const config = gatewayConfigMap(context, gatewayConfigData(settings, auth.settings));
        const customCa = customCaConfigMap(context);
        const claim = configBackupClaim(context);
        const backup = settings.configBackup;

        const template = gatewayPodTemplate(settings, auth, {
            serviceAccountName: account?.metadata.name ?? settings.serviceAccount.name,
            configMapName: config.configMap.metadata.name,
            configChecksum: config.checksum,
            customCa: customCa && { configMapName: customCa.configMap.metadata.name, checksum: customCa.checksum },
            secretEnv: secretEnvVars(context),
            configBackupClaimName: backup.enabled ? (claim?.metadata.name ?? backup.claimName) : undefined,
        });
        this.deployment = gatewayDeployment(context, template);
        this.liveTrafficService = liveTrafficService(context);
        this.instanceDiscoveryService = instanceDiscoveryService(context);
        disruptionBudget(context);
        autoscaler(context, this.deployment);
        networkPolicy(context);

        this.gatewayResourceId = entity.gatewayResourceId;
        this.gateway = entity.gateway;
        this.namespace = ns.name;
        this.token = auth.token;
        this.identity = auth.identity;
        this.tokenSecret = auth.token ? auth.secret : undefined;
        this.tokenExpiresAt = optionalOutput(auth.token?.expiresAt);
        this.tokenRenewAfter = optionalOutput(auth.token?.renewAfter);
        this.tokenIssuedAt = optionalOutput(auth.token?.issuedAt);
        this.tokenKeyType = optionalOutput(auth.token?.keyType);
        this.authType = pulumi.output(settings.auth.type);
        this.rotationTargets =
            auth.token && auth.secret ? pulumi.all([auth.token.urn, auth.secret.urn, this.deployment.urn]) : pulumi.output([]);

        this.rotation = rotationUnitOutput({
            gatewayResourceId: this.gatewayResourceId,
            authType: settings.auth.type,
            ...(settings.auth.type === "token" && settings.auth.azureCloud !== undefined ? { azureCloud: settings.auth.azureCloud } : {}),
            ...(auth.token && auth.secret
                ? {
                      token: {
                          resource: auth.token,
                          secretUrn: auth.secret.urn,
                          checksum: pulumi.unsecret(auth.token.token.apply(authValueDigest)),
                          deploymentUrn: this.deployment.urn,
                      },
                  }
                : {}),
        });

        this.registerOutputs({
            gatewayResourceId: this.gatewayResourceId,
            gateway: this.gateway,
            namespace: this.namespace,
            deployment: this.deployment,
            liveTrafficService: this.liveTrafficService,
            instanceDiscoveryService: this.instanceDiscoveryService,
            token: this.token,
            identity: this.identity,
            tokenSecret: this.tokenSecret,
            tokenExpiresAt: this.tokenExpiresAt,
            tokenRenewAfter: this.tokenRenewAfter,
            tokenIssuedAt: this.tokenIssuedAt,
            tokenKeyType: this.tokenKeyType,
            authType: this.authType,
            rotationTargets: this.rotationTargets,
            rotation: this.rotation,
        });
    }
}

function optionalOutput<T>(value: pulumi.Output<T> | undefined): pulumi.Output<T | undefined> {
    return (value ?? pulumi.output(undefined)) as pulumi.Output<T | undefined>;
}
