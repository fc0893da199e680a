package reconcile

import "strings"

func findChange(r *Result, id string) *Change {
	for i := range r.Changes {
		if r.Changes[i].ID == id {
			return &r.Changes[i]
		}
	}
	return nil
}

func hasField(fc []FieldChange, field string) bool {
	for _, c := range fc {
		if c.Field == field || strings.HasPrefix(c.Field, field+".") {
			return true
		}
	}
	return false
}
