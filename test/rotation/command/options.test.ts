import { strict as assert } from "node:assert";
import { CliOptions, PULUMI_ROOT_ENV, parseCommandLine } from "../../../rotation/command/options";

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
                includePendingChanges: false,
                // The documented defaults, written down here rather than read from the code under test.
                concurrency: 4,
                lockRetry: { retries: 4, initialDelayMs: 15_000, maxDelayMs: 300_000 },
                releaseStaleLocks: false,
                azure: { resourceManagerEndpoint: "https://management.azure.com", authorityHost: "https://login.microsoftonline.com" },
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
            "--concurrency",
            "8",
            "--include-pending-changes",
            "--release-stale-locks",
        ]);
        assert.deepEqual(parsed.plan.stacks, { all: true });
        assert.equal(parsed.plan.force, true);
        assert.equal(parsed.plan.regenerateUnusedKey, true);
        assert.equal(parsed.json, true);
        assert.equal(parsed.workDir, "infra");
        assert.equal(parsed.pulumiRoot, "/opt/pulumi");
        assert.deepEqual(parsed.plan.lockRetry, { retries: 0, initialDelayMs: 2000, maxDelayMs: 300_000 });
        assert.equal(parsed.plan.concurrency, 8);
        assert.equal(parsed.plan.includePendingChanges, true);
        assert.equal(parsed.plan.releaseStaleLocks, true);
    });

    it("reads --shard K/N and fully qualified stack names", () => {
        assert.deepEqual(options(["--all", "--shard", "2/4"]).plan.shard, { index: 2, count: 4 });
        const regenerating = options(["--all", "--shard", "1/2", "--regenerate-unused-key"]).plan;
        assert.deepEqual(
            [regenerating.shard, regenerating.regenerateUnusedKey],
            [{ index: 1, count: 2 }, true],
            "a shard keeps each gateway's stacks together",
        );
        assert.deepEqual(options(["--stack", "acme/apim-gateway/prod.west-1"]).plan.stacks, {
            all: false,
            names: ["acme/apim-gateway/prod.west-1"],
        });
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

    describe("Azure endpoints: the operator's, the public cloud by default", () => {
        const azure = (argv: string[], env: NodeJS.ProcessEnv = {}) => options(["--all", ...argv], env).plan.azure;
        it("--azure-cloud names a sovereign cloud", () => {
            assert.deepEqual(azure(["--azure-cloud", "AzureUSGovernment"]), {
                resourceManagerEndpoint: "https://management.usgovcloudapi.net",
                authorityHost: "https://login.microsoftonline.us",
            });
            assert.deepEqual(azure(["--azure-cloud", "AzureChinaCloud"]), {
                resourceManagerEndpoint: "https://management.chinacloudapi.cn",
                authorityHost: "https://login.chinacloudapi.cn",
            });
        });
        it("--arm-endpoint and --authority-host name a custom cloud, without trailing slashes", () => {
            assert.deepEqual(azure(["--arm-endpoint", "https://arm.example.test/", "--authority-host", "https://login.example.test"]), {
                resourceManagerEndpoint: "https://arm.example.test",
                authorityHost: "https://login.example.test",
            });
        });
        it("AZURE_AUTHORITY_HOST is the authority host unless the flag is given, as @azure/identity reads it", () => {
            const env = { AZURE_AUTHORITY_HOST: "https://login.env.test" };
            assert.equal(azure(["--arm-endpoint", "https://arm.example.test"], env).authorityHost, "https://login.env.test");
            assert.equal(azure([], env).authorityHost, "https://login.env.test");
            assert.equal(
                azure(["--arm-endpoint", "https://arm.example.test", "--authority-host", "https://login.flag.test"], env).authorityHost,
                "https://login.flag.test",
            );
        });
        it("reads no endpoint from anywhere else: the public cloud's without flags", () => {
            assert.deepEqual(azure([], { AZURE_RESOURCE_MANAGER_ENDPOINT: "https://evil.test" } as NodeJS.ProcessEnv), {
                resourceManagerEndpoint: "https://management.azure.com",
                authorityHost: "https://login.microsoftonline.com",
            });
        });
    });

    it("reads --event (a file, or - for stdin) and --metrics-file with --check", () => {
        assert.equal(options(["--all", "--event", "events.json"]).eventFile, "events.json");
        assert.equal(options(["--stack", "dev", "--event", "-"]).eventFile, "-");
        assert.equal(
            options(["--all", "--check", "--metrics-file", "/var/lib/node_exporter/apim.prom"]).metricsFile,
            "/var/lib/node_exporter/apim.prom",
        );
    });

    it("answers --help and -h even next to other flags", () => {
        assert.deepEqual(parseCommandLine(["--help"], {}), { kind: "help" });
        assert.deepEqual(parseCommandLine(["--all", "-h", "--bogus"], {}), { kind: "help" });
    });

    it("takes the whole documented range of each number, trimmed, and refuses one past either end", () => {
        assert.equal(options(["--all", "--concurrency", "64"]).plan.concurrency, 64);
        assert.equal(options(["--all", "--concurrency", " 8 "]).plan.concurrency, 8);
        assert.equal(options(["--all", "--lock-retries", "20"]).plan.lockRetry.retries, 20);
        assert.equal(options(["--all", "--lock-retry-delay", "300"]).plan.lockRetry.initialDelayMs, 300_000);
        assert.equal(options(["--all", "--lock-retry-delay", "0"]).plan.lockRetry.initialDelayMs, 0);
        for (const [flag, value, message] of [
            ["--concurrency", "65", /^--concurrency must be a whole number from 1 to 64, got "65"$/],
            ["--lock-retries", "21", /^--lock-retries must be a whole number from 0 to 20, got "21"$/],
            ["--lock-retries", "1.5", /^--lock-retries must be a whole number from 0 to 20, got "1\.5"$/],
        ] as const) {
            assert.match(usageError(["--all", flag, value]), message, `${flag} ${value}`);
        }
    });

    it("trims the stack names it is given", () => {
        assert.deepEqual(options(["--stack", " dev ", "-s", "acme/p/prod\t"]).plan.stacks, { all: false, names: ["dev", "acme/p/prod"] });
    });

    it("takes a stack name of 100 characters, and refuses 101", () => {
        const longest = "s".repeat(100);
        assert.deepEqual(options(["--stack", `acme/p/${longest}`]).plan.stacks, { all: false, names: [`acme/p/${longest}`] });
        assert.match(usageError(["--stack", `${longest}s`]), /^--stack "s{101}" is not a Pulumi stack name: use letters, digits/);
    });

    it("answers --help next to a bad flag, wherever it stands", () => {
        assert.deepEqual(parseCommandLine(["--all", "--help", "--bogus"], {}), { kind: "help" });
        assert.deepEqual(parseCommandLine(["--bogus", "-h"], {}), { kind: "help" });
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
        it("a non-numeric --lock-retries", () =>
            assert.match(usageError(["--all", "--lock-retries", "many"]), /--lock-retries must be a whole number/));
        it("a negative --lock-retry-delay", () => assert.match(usageError(["--all", "--lock-retry-delay", "-1"]), /--lock-retry-delay/));
        it("a --lock-retry-delay beyond the cap", () => assert.match(usageError(["--all", "--lock-retry-delay", "301"]), /from 0 to 300/));
        it("a shard beyond its count", () => assert.match(usageError(["--all", "--shard", "3/2"]), /K must be from 1 to N \(2\)/));
        it("shard 0", () => assert.match(usageError(["--all", "--shard", "0/2"]), /numbered from 1/));
        it("a shard that is not K/N", () => assert.match(usageError(["--all", "--shard", "half"]), /--shard must be K\/N/));
        it("more than 1000 shards, and no shards at all", () => {
            assert.match(usageError(["--all", "--shard", "1/1001"]), /N must be from 1 to 1000/);
            assert.match(usageError(["--all", "--shard", "0/0"]), /N must be from 1 to 1000/);
            assert.deepEqual(options(["--all", "--shard", "1000/1000"]).plan.shard, { index: 1000, count: 1000 });
        });
        it("--concurrency 0", () =>
            assert.match(usageError(["--all", "--concurrency", "0"]), /--concurrency must be a whole number from 1 to 64/));
        it("--concurrency x", () => assert.match(usageError(["--all", "--concurrency", "x"]), /--concurrency must be a whole number/));
        it("a flag taken for a stack name", () =>
            assert.match(usageError(["--stack", "--help"]), /--stack needs a value, got the flag "--help"/));
        for (const name of ["../x", "a b", "a/b/c/d", "."]) {
            it(`an invalid stack name ${JSON.stringify(name)}`, () =>
                assert.match(usageError(["--stack", name]), /is not a Pulumi stack name/));
        }
        it("--check with --include-pending-changes", () =>
            assert.match(usageError(["--all", "--check", "--include-pending-changes"]), /--check is read-only/));
        it("an unknown --azure-cloud", () =>
            assert.match(
                usageError(["--all", "--azure-cloud", "AzureGermanCloud"]),
                /--azure-cloud must be one of AzureCloud, AzureUSGovernment, AzureChinaCloud, got "AzureGermanCloud"/,
            ));
        it("--azure-cloud with --arm-endpoint", () =>
            assert.match(
                usageError([
                    "--all",
                    "--azure-cloud",
                    "AzureChinaCloud",
                    "--arm-endpoint",
                    "https://a.test",
                    "--authority-host",
                    "https://b.test",
                ]),
                /either --azure-cloud or --arm-endpoint/,
            ));
        it("--arm-endpoint without an authority", () =>
            assert.match(
                usageError(["--all", "--arm-endpoint", "https://a.test"]),
                /--arm-endpoint needs .* --authority-host URL \(or set AZURE_AUTHORITY_HOST\)/,
            ));
        it("--authority-host alone", () =>
            assert.match(
                usageError(["--all", "--authority-host", "https://b.test"]),
                /--authority-host is for a custom cloud: pass its ARM endpoint with --arm-endpoint/,
            ));
        it("an http endpoint", () =>
            assert.match(
                usageError(["--all", "--arm-endpoint", "http://a.test", "--authority-host", "https://b.test"]),
                /--arm-endpoint must use https/,
            ));
        it("an endpoint with a query", () =>
            assert.match(
                usageError(["--all", "--arm-endpoint", "https://a.test", "--authority-host", "https://b.test/?x=1"]),
                /--authority-host must be a plain https base URL/,
            ));
        for (const flag of [
            "--azure-cloud",
            "--arm-endpoint",
            "--authority-host",
            "--pulumi-root",
            "--work-dir",
            "--event",
            "--metrics-file",
        ]) {
            it(`an empty ${flag}`, () => assert.equal(usageError(["--all", "--check", flag, " "]), `${flag} needs a non-empty value`));
        }
        it("a flag taken for the value of a short flag", () =>
            assert.equal(usageError(["-s", "--all"]), '-s needs a value, got the flag "--all"'));
        it("a stack part of two dots", () =>
            assert.match(usageError(["--stack", "acme/../dev"]), /"acme\/\.\.\/dev" is not a Pulumi stack name/));
        it("--event without stacks: the event never selects them", () =>
            assert.match(usageError(["--event", "events.json"]), /--stack NAME.*--all/));
        it("--event with --check", () =>
            assert.match(usageError(["--all", "--check", "--event", "events.json"]), /cannot be combined with --check/));
        it("--metrics-file without --check", () =>
            assert.match(usageError(["--all", "--metrics-file", "m.prom"]), /--metrics-file is written by --check/));
    });
});
