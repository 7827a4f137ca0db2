// Command embedgen writes the two files the provider's main package embeds.
//
// Upstream creates them with `VERSION=x go generate` from git-ignored output,
// so the module zip lacks them; this does the same transformation as the
// provider's cmd/pulumi-resource-kubernetes/generate.go (schema decoded into
// schema.PackageSpec with its version set, both files re-encoded minified).
//
// Usage: embedgen <provider cmd dir> <output dir> <version>
package main

import (
	"encoding/json"
	"log"
	"os"
	"path/filepath"

	"github.com/pulumi/pulumi/pkg/v3/codegen/schema"
)

func main() {
	if len(os.Args) != 4 {
		log.Fatal("usage: embedgen <provider cmd dir> <output dir> <version>")
	}
	srcDir, outDir, version := os.Args[1], os.Args[2], os.Args[3]

	var spec schema.PackageSpec
	decode(filepath.Join(srcDir, "schema.json"), &spec)
	spec.Version = version
	encode(filepath.Join(outDir, "schema-embed.json"), spec)

	var mapping interface{}
	decode(filepath.Join(srcDir, "terraform-mapping.json"), &mapping)
	encode(filepath.Join(outDir, "terraform-mapping-embed.json"), mapping)
}

func decode(path string, into interface{}) {
	contents, err := os.ReadFile(path)
	if err != nil {
		log.Fatal(err)
	}
	if err := json.Unmarshal(contents, into); err != nil {
		log.Fatalf("cannot decode %s: %v", path, err)
	}
}

func encode(path string, value interface{}) {
	contents, err := json.Marshal(value)
	if err != nil {
		log.Fatalf("cannot encode %s: %v", path, err)
	}
	if err := os.WriteFile(path, contents, 0o600); err != nil {
		log.Fatal(err)
	}
}
