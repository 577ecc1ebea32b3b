package monitor_test

import (
	"os/exec"
	"strings"
	"testing"
)

// TestImportsStandardLibraryOnly enforces the house rule: monitor imports the standard
// library and this module's breaker and retry packages (themselves standard-library only),
// nothing else.
func TestImportsStandardLibraryOnly(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go list")
	}
	out, err := exec.Command("go", "list", "-deps", "-f", "{{if not .Standard}}{{.ImportPath}}{{end}}", ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	allowed := map[string]bool{
		"github.com/resilience-go/resilience/monitor":                 true,
		"github.com/resilience-go/resilience/monitor/internal/bearer": true,
		"github.com/resilience-go/resilience/breaker":                 true,
		"github.com/resilience-go/resilience/retry":                   true,
	}
	for _, dep := range strings.Fields(string(out)) {
		if !allowed[dep] {
			t.Errorf("monitor depends on %s; only the standard library, breaker and retry are allowed", dep)
		}
	}
}
