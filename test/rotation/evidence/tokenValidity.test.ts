/** Proving a token's signing key unchanged through ARM (rotation/evidence/tokenValidity.ts), against the ARM and Entra emulators. */
import { strict as assert } from "node:assert";
import { createHash } from "node:crypto";
import { RotationUnit } from "../../../components/contract/rotationContract";
import { generateGatewayToken, regenerateGatewayKey } from "../../../components/token/arm";
import { armTokenVerifier } from "../../../rotation/evidence/tokenValidity";
import { AzureEmulators } from "../../../localenv/azure";
import { useAzureEmulators } from "../../emulator/suite";

const DAY = 86_400_000;

describe("token validity through ARM (emulators)", () => {
    let emu: AzureEmulators;
    /** The emulators' endpoints, as the operator passes them (--arm-endpoint, --authority-host). */
    const endpoints = () => ({ resourceManagerEndpoint: emu.armEndpoint, authorityHost: emu.authorityHost });
    useAzureEmulators((started) => (emu = started));

    /** A unit whose token the stack got from ARM: expiry, key and the checksum of `GatewayKey <token>`. */
    async function issuedUnit(keyType: "primary" | "secondary" = "primary"): Promise<RotationUnit> {
        const expiry = new Date(Math.floor((Date.now() + 20 * DAY) / 60_000) * 60_000);
        const token = await generateGatewayToken(emu.gatewayResourceId, keyType, expiry, emu.azureCloud);
        return {
            key: "gateway",
            gatewayResourceId: emu.gatewayResourceId,
            authType: "token",
            azureCloud: emu.azureCloud,
            token: {
                expiresAt: expiry.toISOString(),
                renewAfter: new Date(expiry.getTime() - 10 * DAY).toISOString(),
                keyType,
                issuedAt: new Date().toISOString(),
                checksum: createHash("sha256").update(`GatewayKey ${token}`).digest("hex"),
            },
        };
    }

    it("is valid while the signing key is unchanged, invalid once it is regenerated; the other key's tokens stay valid", async () => {
        const verify = armTokenVerifier(generateGatewayToken);
        const primary = await issuedUnit("primary");
        const secondary = await issuedUnit("secondary");
        assert.deepEqual(await verify(primary, endpoints()), { state: "valid" });
        await regenerateGatewayKey(emu.gatewayResourceId, "primary", emu.azureCloud);
        const judged = await verify(primary, endpoints());
        assert.equal(judged.state, "invalid");
        assert.match(
            judged.state === "invalid" ? judged.reason : "",
            /the primary key that signed the token was regenerated after it was issued/,
        );
        assert.deepEqual(await verify(secondary, endpoints()), { state: "valid" });
    });

    it("is unknown, with the reason, without a checksum or when ARM refuses; stops asking ARM once no answer comes", async () => {
        const unit = await issuedUnit();
        const { checksum: _none, ...withoutChecksum } = unit.token!;
        assert.equal((await armTokenVerifier(generateGatewayToken)({ ...unit, token: withoutChecksum }, endpoints())).state, "unknown");

        emu.arm.denyAccess(emu.gatewayResourceId);
        const refused = await armTokenVerifier(generateGatewayToken)(unit, endpoints());
        assert.equal(refused.state, "unknown");
        assert.match(refused.state === "unknown" ? refused.reason : "", /could not be verified through ARM: .*403|AuthorizationFailed/);

        let calls = 0;
        const offline = armTokenVerifier(async () => {
            calls++;
            throw Object.assign(new Error("no credential"), { statusCode: undefined });
        });
        assert.equal((await offline(unit, endpoints())).state, "unknown");
        assert.equal((await offline(unit, endpoints())).state, "unknown");
        assert.equal(calls, 1, "the second unit is not sent to an unreachable ARM");
    });
});
