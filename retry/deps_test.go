package retry

import (
	"os/exec"
	"strings"
	"testing"
)

// TestImportsStandardLibraryOnly enforces the house rule: retry imports the standard library
// and this module's breaker package (itself standard-library only), nothing else.
func TestImportsStandardLibraryOnly(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go list")
	}
	out, err := exec.Command("go", "list", "-deps", "-f", "{{if not .Standard}}{{.ImportPath}}{{end}}", ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	allowed := map[string]bool{
		"github.com/resilience-go/resilience/retry":   true,
		"github.com/resilience-go/resilience/breaker": true,
	}
	for _, dep := range strings.Fields(string(out)) {
		if !allowed[dep] {
			t.Errorf("retry depends on %s; only the standard library and breaker are allowed", dep)
		}
	}
}
