import { strict as assert } from "node:assert";
import { CliOptions, DEFAULTS, PULUMI_ROOT_ENV, parseCommandLine } from "../../rotation/options";

function options(argv: string[], env: NodeJS.ProcessEnv = {}): CliOptions {
    const parsed = parseCommandLine(argv, env);
    assert.equal(parsed.kind, "run", JSON.stringify(parsed));
    return (parsed as { options: CliOptions }).options;
}

function usageError(argv: string[]): string {
    const parsed = parseCommandLine(argv, {});
    assert.equal(parsed.kind, "usage-error", `expected a usage error for ${argv.join(" ")}`);
    return (parsed as { message: string }).message;
}

describe("rotation command line", () => {
    it("defaults to rotating the named stacks with the default lock retries", () => {
        const parsed = options(["--stack", "dev", "-s", "prod"]);
        assert.deepEqual(parsed, {
            plan: {
                mode: "rotate",
                stacks: { all: false, names: ["dev", "prod"] },
                force: false,
                regenerateUnusedKey: false,
                lockRetry: {
                    retries: DEFAULTS.lockRetries,
                    initialDelayMs: DEFAULTS.lockRetryDelaySeconds * 1000,
                    maxDelayMs: DEFAULTS.lockRetryMaxDelaySeconds * 1000,
                },
                releaseStaleLocks: false,
            },
            json: false,
        });
    });

    it("reads every flag", () => {
        const parsed = options([
            "--all",
            "--force",
            "--regenerate-unused-key",
            "--json",
            "--work-dir",
            "infra",
            "--pulumi-root",
            "/opt/pulumi",
            "--lock-retries",
            "0",
            "--lock-retry-delay",
            "2",
            "--release-stale-locks",
        ]);
        assert.deepEqual(parsed.plan.stacks, { all: true });
        assert.equal(parsed.plan.force, true);
        assert.equal(parsed.plan.regenerateUnusedKey, true);
        assert.equal(parsed.json, true);
        assert.equal(parsed.workDir, "infra");
        assert.equal(parsed.pulumiRoot, "/opt/pulumi");
        assert.deepEqual(parsed.plan.lockRetry, { retries: 0, initialDelayMs: 2000, maxDelayMs: 300_000 });
        assert.equal(parsed.plan.releaseStaleLocks, true);
    });

    it("selects check and dry-run modes", () => {
        assert.equal(options(["--all", "--check"]).plan.mode, "check");
        assert.equal(options(["--all", "--dry-run", "--force"]).plan.mode, "dry-run");
    });

    it("takes the pulumi root from the environment unless the flag is given", () => {
        assert.equal(options(["--all"], { [PULUMI_ROOT_ENV]: "/env/pulumi" }).pulumiRoot, "/env/pulumi");
        assert.equal(options(["--all", "--pulumi-root", "/flag"], { [PULUMI_ROOT_ENV]: "/env/pulumi" }).pulumiRoot, "/flag");
        assert.equal(options(["--all"], { [PULUMI_ROOT_ENV]: "" }).pulumiRoot, undefined);
    });

    it("answers --help and -h even next to other flags", () => {
        assert.deepEqual(parseCommandLine(["--help"], {}), { kind: "help" });
        assert.deepEqual(parseCommandLine(["--all", "-h", "--bogus"], {}), { kind: "help" });
    });

    describe("usage errors", () => {
        it("an unknown option", () => assert.match(usageError(["--all", "--bogus"]), /--bogus/));
        it("a positional argument", () => assert.match(usageError(["dev"]), /dev/));
        it("no stack selection", () => assert.match(usageError([]), /--stack NAME.*--all/));
        it("both --stack and --all", () => assert.match(usageError(["--all", "--stack", "dev"]), /either --stack or --all/));
        it("an empty stack name", () => assert.match(usageError(["--stack", " "]), /--stack needs a stack name/));
        it("--stack without a value", () => assert.match(usageError(["--stack"]), /--stack/));
        for (const flag of ["--force", "--dry-run", "--regenerate-unused-key"]) {
            it(`--check with ${flag}`, () => assert.match(usageError(["--all", "--check", flag]), /--check is read-only/));
        }
        it("a non-numeric --lock-retries", () => assert.match(usageError(["--all", "--lock-retries", "many"]), /--lock-retries must be a whole number/));
        it("a negative --lock-retry-delay", () => assert.match(usageError(["--all", "--lock-retry-delay", "-1"]), /--lock-retry-delay/));
        it("a --lock-retry-delay beyond the cap", () => assert.match(usageError(["--all", "--lock-retry-delay", "301"]), /from 0 to 300/));
        it("an empty --work-dir", () => assert.match(usageError(["--all", "--work-dir", ""]), /--work-dir needs a non-empty value/));
    });
});
