/** Where a token stands against its renewal window (components/token/status.ts). */
import { strict as assert } from "node:assert";
import { tokenStatus } from "../../components/token/status";
import { DAY, NOW } from "../rotation/fakes";

describe("token status (components/token/status.ts)", () => {
    const token = {
        expiresAt: new Date(NOW.getTime() + 20 * DAY).toISOString(),
        renewAfter: new Date(NOW.getTime() + 10 * DAY).toISOString(),
    };
    it("is fresh before the renewal window", () => assert.equal(tokenStatus(token, new Date(NOW.getTime() + 9 * DAY)), "fresh"));
    it("is due inside it", () => assert.equal(tokenStatus(token, new Date(NOW.getTime() + 10 * DAY)), "due"));
    it("is expired from the expiry on", () => assert.equal(tokenStatus(token, new Date(NOW.getTime() + 20 * DAY)), "expired"));
});
