package reconcile

import (
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
)

// fieldDiff collects the FieldChanges of one resource as a kind's diff compares desired with
// observed, both already normalised (observe fills in AWS's defaults), formatting each value the
// way the output prints it.
type fieldDiff []FieldChange

func (d *fieldDiff) str(field, from, to string) {
	if from != to {
		*d = append(*d, FieldChange{Field: field, From: from, To: to})
	}
}

func (d *fieldDiff) int(field string, from, to int32) {
	if from != to {
		*d = append(*d, FieldChange{Field: field, From: strconv.Itoa(int(from)), To: strconv.Itoa(int(to))})
	}
}

func (d *fieldDiff) float(field string, from, to float64) {
	if from != to {
		*d = append(*d, FieldChange{Field: field, From: formatFloat(from), To: formatFloat(to)})
	}
}

func (d *fieldDiff) bool(field string, from, to bool) {
	if from != to {
		*d = append(*d, FieldChange{Field: field, From: strconv.FormatBool(from), To: strconv.FormatBool(to)})
	}
}

// list compares as sets in sorted order: AWS returns actions and sources in its own order.
func (d *fieldDiff) list(field string, from, to []string) {
	f, t := slices.Sorted(slices.Values(from)), slices.Sorted(slices.Values(to))
	if !slices.Equal(f, t) {
		*d = append(*d, FieldChange{Field: field, From: formatList(f), To: formatList(t)})
	}
}

// tags compares only the keys kmswatch wants: other tags on a resource are someone else's business.
// The marker (TagAppliedBy) says who wrote last, which is not drift: it is written with changes,
// never for itself.
func (d *fieldDiff) tags(got, want map[string]string) {
	for _, k := range slices.Sorted(maps.Keys(want)) {
		if k != TagAppliedBy && got[k] != want[k] {
			*d = append(*d, FieldChange{Field: "tags." + k, From: got[k], To: want[k]})
		}
	}
}

func formatFloat(f float64) string { return strconv.FormatFloat(f, 'g', -1, 64) }

func formatFloatPtr(f *float64) string {
	if f == nil {
		return ""
	}
	return formatFloat(*f)
}

func formatList(s []string) string { return "[" + strings.Join(s, ", ") + "]" }

// nilIfEmpty is an optional string parameter: nil when empty.
func nilIfEmpty(s string) *string {
	if s == "" {
		return nil
	}
	return aws.String(s)
}
