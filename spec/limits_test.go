package spec

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestHostileInput: oversized files, deep nesting and alias bombs end in a clear error, quickly
// and in bounded memory, never in a panic.
func TestHostileInput(t *testing.T) {
	var bomb strings.Builder
	bomb.WriteString("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n")
	for i := 1; i < 10; i++ {
		fmt.Fprintf(&bomb, "a%d: &a%d [", i, i)
		for j := 0; j < 10; j++ {
			if j > 0 {
				bomb.WriteString(", ")
			}
			fmt.Fprintf(&bomb, "*a%d", i-1)
		}
		bomb.WriteString("]\n")
	}
	// A smaller bomb that stays under yaml.v2's aliasing ratio but expands past MaxNodes.
	var medium strings.Builder
	// Plain nodes first keep the alias-driven share under yaml.v2's 99% as it decodes.
	medium.WriteString("apiVersion: kmswatch.dev/v1alpha1\nkind: Monitor\nspec:\n  pad: [" + strings.Repeat("x, ", 4000) + "x]\n")
	medium.WriteString("  a0: &a0 [" + strings.Repeat("x, ", 59) + "x]\n")
	for i := 1; i < 3; i++ {
		fmt.Fprintf(&medium, "  a%d: &a%d [", i, i)
		for j := 0; j < 60; j++ {
			if j > 0 {
				medium.WriteString(", ")
			}
			fmt.Fprintf(&medium, "*a%d", i-1)
		}
		medium.WriteString("]\n")
	}

	cases := []struct {
		name, text, want string
	}{
		{"10 MB file", strings.Repeat("# padding padding padding padding\n", 10<<20/34+1), "file is larger than 1048576 bytes"},
		{"deep flow nesting", "spec: " + strings.Repeat("[", 5000) + strings.Repeat("]", 5000), "nesting deeper than 32 levels"},
		{"deep block nesting", deepBlock(300), "indentation deeper than 256 columns"},
		{"deep nesting under the text limits", deepBlock(40), "nesting deeper than 32 levels"},
		{"billion laughs", bomb.String(), "excessive aliasing"},
		{"alias expansion", medium.String(), "document has more than 100000 nodes"},
		{"many documents", strings.Repeat("a: 1\n---\n", 200), "more than the limit of 100"},
		{"not YAML", "spec: [unclosed", "parse YAML"},
		{"tabs", "spec:\n\tlogGroup: x\n", "parse YAML"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := LoadBytes([]byte(tc.text), "hostile.yaml")
			var list ErrorList
			if !errors.As(err, &list) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("want an ErrorList containing %q, got %v", tc.want, err)
			}
		})
	}
}

// deepBlock nests n block mappings, one more indent each.
func deepBlock(n int) string {
	var b strings.Builder
	b.WriteString("apiVersion: kmswatch.dev/v1alpha1\nkind: Monitor\nspec:\n")
	for i := 1; i <= n; i++ {
		fmt.Fprintf(&b, "%sk%d:\n", strings.Repeat(" ", i), i)
	}
	return b.String()
}

// TestLoadReadsOnlyPastTheLimit: Load does not read a huge file whole to find it too large.
func TestLoadLargeFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "big.yaml")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	// A sparse 10 MB file: cheap to make, and Load must stop reading after 1 MiB + 1.
	if err := f.Truncate(10 << 20); err != nil {
		t.Fatal(err)
	}
	f.Close()
	_, err = Load(path)
	if err == nil || !strings.Contains(err.Error(), "big.yaml: file is larger than 1048576 bytes") {
		t.Fatalf("got %v", err)
	}
}
