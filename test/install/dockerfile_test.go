package install

import (
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// TestDockerfileBaseImages: every stage of the Dockerfile starts from a build argument
// whose default is pinned by digest (so a release is rebuilt from the same bytes, and a
// mirror can be named instead), and the Go image is at least go.mod's go line (the
// image sets GOTOOLCHAIN=local, so an older one fails the build).
func TestDockerfileBaseImages(t *testing.T) {
	dockerfile, err := os.ReadFile("../../Dockerfile")
	if err != nil {
		t.Fatal(err)
	}
	args := map[string]string{}
	for _, m := range regexp.MustCompile(`(?m)^ARG (\w+_IMAGE)=(\S+)$`).FindAllStringSubmatch(string(dockerfile), -1) {
		args[m[1]] = m[2]
	}
	pinned := regexp.MustCompile(`^[^@\s]+:[^@\s]+@sha256:[0-9a-f]{64}$`)
	froms := regexp.MustCompile(`(?m)^FROM (?:--platform=\S+ )?(\S+)`).FindAllStringSubmatch(string(dockerfile), -1)
	if len(froms) == 0 {
		t.Fatal("no FROM in the Dockerfile")
	}
	for _, from := range froms {
		name := strings.TrimSuffix(strings.TrimPrefix(from[1], "${"), "}")
		image, ok := args[name]
		if !ok {
			t.Errorf("FROM %s: not a build argument (ARG <NAME>_IMAGE=<image>:<tag>@sha256:<digest>)", from[1])
			continue
		}
		if !pinned.MatchString(image) {
			t.Errorf("ARG %s=%s: not pinned by digest (<image>:<tag>@sha256:<digest>)", name, image)
		}
	}

	goMod, err := os.ReadFile("../../go.mod")
	if err != nil {
		t.Fatal(err)
	}
	goLine := regexp.MustCompile(`(?m)^go (\S+)$`).FindSubmatch(goMod)
	if goLine == nil {
		t.Fatal("go.mod has no go line")
	}
	m := regexp.MustCompile(`^golang:(\d+\.\d+(?:\.\d+)?)`).FindStringSubmatch(args["GOLANG_IMAGE"])
	if m == nil {
		t.Fatalf("ARG GOLANG_IMAGE=%s: want golang:<go version>…", args["GOLANG_IMAGE"])
	}
	if slices.Compare(goVersion(t, m[1]), goVersion(t, string(goLine[1]))) < 0 {
		t.Errorf("the Dockerfile builds with Go %s, go.mod asks for %s", m[1], goLine[1])
	}
}

// goVersion splits a released Go version (1.26 or 1.26.5) into numbers, 1.26 as 1.26.0.
func goVersion(t *testing.T, v string) []int {
	t.Helper()
	parts := strings.Split(v, ".")
	out := []int{0, 0, 0}
	for i, p := range parts {
		n, err := strconv.Atoi(p)
		if err != nil || i >= len(out) {
			t.Fatalf("Go version %q: want <major>.<minor>[.<patch>]", v)
		}
		out[i] = n
	}
	return out
}
