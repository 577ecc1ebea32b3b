package breaker

import (
	"os/exec"
	"strings"
	"testing"
	"unsafe"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// TestStandardLibraryOnly keeps the package free of dependencies: importing breaker must cost
// a user nothing else.
func TestStandardLibraryOnly(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "-f", "{{if not .Standard}}{{.ImportPath}}{{end}}", ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	for _, p := range strings.Fields(string(out)) {
		if p != "github.com/resilience-go/resilience/breaker" {
			t.Errorf("breaker depends on %s; it must import the standard library only", p)
		}
	}
}

// TestBreakerSize pins the memory a breaker costs: one allocation in the 240-byte size class,
// below gobreaker's 248 bytes.
func TestBreakerSize(t *testing.T) {
	if got := unsafe.Sizeof(Breaker{}); got > 240 {
		t.Errorf("unsafe.Sizeof(Breaker{}) = %d, want at most 240", got)
	}
	if n := testing.AllocsPerRun(10, func() { _, _ = New(Config{Timeout: NoTimeout}) }); n != 1 {
		t.Errorf("New allocates %v times, want 1", n)
	}
}
