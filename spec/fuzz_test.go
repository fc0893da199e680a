package spec

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// FuzzLoad: whatever the bytes, LoadBytes returns monitors or an ErrorList, never panics, and
// what it accepts is defaulted and has patterns that compile.
func FuzzLoad(f *testing.F) {
	for _, glob := range []string{"testdata/good/*.yaml", "testdata/bad/*.yaml", "testdata/*.yaml", "../examples/*.yaml"} {
		files, _ := filepath.Glob(glob)
		for _, file := range files {
			data, err := os.ReadFile(file)
			if err != nil {
				f.Fatal(err)
			}
			f.Add(data)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		file, err := LoadBytes(data, "fuzz.yaml")
		if err != nil {
			var list ErrorList
			if !errors.As(err, &list) || len(list) == 0 {
				t.Fatalf("want a non-empty ErrorList, got %T %v", err, err)
			}
			for _, e := range list {
				if e.Msg == "" {
					t.Fatalf("problem without a message: %+v", e)
				}
			}
			return
		}
		if len(file.Monitors) == 0 {
			t.Fatal("accepted a file without monitors")
		}
		for _, m := range file.Monitors {
			for _, a := range m.Spec.Alarms {
				if a.Statistic == "" || a.EvaluationPeriods == 0 || a.FilterName == "" || a.ActionsEnabled == nil {
					t.Fatalf("accepted alarm not defaulted: %+v", a)
				}
			}
		}
		if _, err := NewMatcher(file.Monitors); err != nil {
			t.Fatalf("accepted a file whose patterns do not compile: %v", err)
		}
	})
}
