/**
 * `npm run mutation [-- <folder> …]`: mutation testing (StrykerJS, its mocha runner and TypeScript
 * checker; options in stryker.config.json) over each folder of MUTATION_FOLDERS, one Stryker run a
 * folder, then a table of scores against the goal. Exit 1 when a folder misses it, 2 on a bad
 * argument. Runs are incremental (reports/mutation/<folder>.incremental.json): a rerun tests only
 * the mutants whose code or tests changed. Reports: reports/mutation/<folder>.html and .json.
 */
import { readFileSync, readdirSync } from "node:fs";
import * as path from "node:path";
import { MUTATION_FOLDERS, MUTATION_SCORE_GOAL, type MutationFolder } from "./folders";
import { importersOf } from "./importers";
import { type FolderScore, folderScore, meetsGoal, type ScoredMutant } from "./scores";

const REPOSITORY = path.resolve(__dirname, "..", "..");
const REPORTS = "reports/mutation";

/** Every unit test file, repository-relative, with its text. */
function unitTests(): Map<string, string> {
    const files = readdirSync(path.join(REPOSITORY, "test"), { recursive: true, encoding: "utf8" }).filter((file) =>
        file.endsWith(".test.ts"),
    );
    return new Map(
        files.map((file) => [
            path.posix.join("test", file.split(path.sep).join("/")),
            readFileSync(path.join(REPOSITORY, "test", file), "utf8"),
        ]),
    );
}

/** The folders named on the command line (all when none), or a usage error naming the unknown one. */
function selectedFolders(argv: readonly string[]): readonly MutationFolder[] {
    if (argv.length === 0) return MUTATION_FOLDERS;
    return argv.map((name) => {
        const folder = MUTATION_FOLDERS.find((f) => f.folder === name.replace(/\/$/, ""));
        if (folder === undefined) {
            const known = MUTATION_FOLDERS.map((f) => f.folder).join(", ");
            process.stderr.write(`error: ${JSON.stringify(name)} is not a mutation folder; use one of: ${known}\n`);
            process.exit(2);
        }
        return folder;
    });
}

async function mutate(folder: MutationFolder, tests: ReadonlyMap<string, string>): Promise<FolderScore> {
    const { Stryker } = await import("@stryker-mutator/core");
    const name = folder.folder.replace(/\//g, "-");
    const spec = [...new Set([...folder.tests, ...importersOf(folder.folder, tests)])];
    const stryker = new Stryker({
        mutate: [`${folder.folder}/**/*.ts`],
        mochaOptions: { config: ".mocharc.json", spec, ignore: [...(folder.excluded ?? [])] },
        incrementalFile: `${REPORTS}/${name}.incremental.json`,
        htmlReporter: { fileName: `${REPORTS}/${name}.html` },
        jsonReporter: { fileName: `${REPORTS}/${name}.json` },
    });
    const results = await stryker.runMutationTest();
    const scored: ScoredMutant[] = results.map((r) => ({
        fileName: path.relative(REPOSITORY, path.resolve(REPOSITORY, r.fileName)),
        status: r.status,
    }));
    return folderScore(folder.folder, scored);
}

function table(scores: readonly FolderScore[]): string {
    const rows = scores.map((s) => {
        const score = s.score === undefined ? "n/a" : `${s.score.toFixed(1)}%`;
        const verdict = meetsGoal(s, MUTATION_SCORE_GOAL) ? "meets" : "MISSES";
        return `| ${s.folder} | ${s.killed} | ${s.survived} | ${s.noCoverage} | ${s.invalid} | ${score} | ${verdict} |`;
    });
    return [
        `Mutation scores (goal: at least ${MUTATION_SCORE_GOAL}% a folder; no coverage counts as survived)`,
        "| folder | killed | survived | no coverage | invalid | score | goal |",
        "| --- | --- | --- | --- | --- | --- | --- |",
        ...rows,
    ].join("\n");
}

async function main(): Promise<void> {
    process.chdir(REPOSITORY);
    const folders = selectedFolders(process.argv.slice(2));
    const tests = unitTests();
    const scores: FolderScore[] = [];
    for (const folder of folders) scores.push(await mutate(folder, tests));
    process.stdout.write(`${table(scores)}\n`);
    process.exitCode = scores.every((s) => meetsGoal(s, MUTATION_SCORE_GOAL)) ? 0 : 1;
}

main().catch((error: unknown) => {
    process.stderr.write(`error: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
});
