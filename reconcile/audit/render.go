package audit

import (
	"encoding/json"
	"fmt"
	"io"
	"text/tabwriter"
)

// WriteText prints one line per control — id, status, reason — and a closing count.
func WriteText(w io.Writer, r *Report) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "CONTROL\tSTATUS\tREASON")
	for _, row := range r.Rows {
		fmt.Fprintf(tw, "%s\t%s\t%s\n", row.Control, row.Status, row.Reason)
	}
	if err := tw.Flush(); err != nil {
		return fmt.Errorf("write audit: %w", err)
	}
	pass, fail, unreadable := r.Counts()
	line := fmt.Sprintf("%d controls: %d passed, %d failed", len(r.Rows), pass, fail)
	if unreadable > 0 {
		line += fmt.Sprintf(", %d could not be read", unreadable)
	}
	if _, err := fmt.Fprintln(w, line); err != nil {
		return fmt.Errorf("write audit: %w", err)
	}
	return nil
}

// WriteJSON prints one JSON object per control, one per line.
func WriteJSON(w io.Writer, r *Report) error {
	enc := json.NewEncoder(w)
	for _, row := range r.Rows {
		if err := enc.Encode(row); err != nil {
			return fmt.Errorf("write audit: %w", err)
		}
	}
	return nil
}
