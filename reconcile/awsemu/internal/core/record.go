package core

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
)

// Record makes a CloudTrail record happen now: one given as CloudTrail writes it (a JSON
// object, the shape of one entry of a log file's "Records"), for events of services the
// emulator does not implement — a console sign-in, an IAM policy change, a security group
// change. Its eventTime becomes the emulated now; everything else is kept as given, numbers
// verbatim. CloudTrail then treats it as it treats the record of a call: the trails whose event
// selectors include it deliver it to their log groups on the next ticks.
//
// The record must name its eventSource, eventName, awsRegion and recipientAccountId, and say
// whether it is a management event (managementEvent, or else eventCategory). A record without
// readOnly counts as a write for ReadWriteType. recipientAccountId must be the emulator's
// account or a member of its organization: the account the event happened in.
func (w *World) Record(raw []byte) error {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var rec map[string]any
	if err := dec.Decode(&rec); err != nil {
		return fmt.Errorf("record: not a JSON object: %w", err)
	}
	if rec == nil {
		return errors.New("record: not a JSON object: null")
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return errors.New("record: more than one JSON value: give one record")
	}
	fields := map[string]string{}
	for _, f := range []string{"eventSource", "eventName", "awsRegion", "recipientAccountId"} {
		s, ok := rec[f].(string)
		if !ok || s == "" {
			return fmt.Errorf("record: %s: a non-empty string is required, got %v", f, rec[f])
		}
		fields[f] = s
	}
	management, err := isManagement(rec)
	if err != nil {
		return err
	}
	readOnly := false
	if v, ok := rec["readOnly"]; ok {
		if readOnly, ok = v.(bool); !ok {
			return fmt.Errorf("record: readOnly: true or false is required, got %v", v)
		}
	}
	acct := fields["recipientAccountId"]
	if acct != w.Account && !w.Org.Has(acct) {
		return fmt.Errorf("record: recipientAccountId %s is neither the emulator's account %s nor a member of its organization", acct, w.Account)
	}
	rec["eventTime"] = w.Now.UTC().Format("2006-01-02T15:04:05Z")
	if w.Bus.Audit != nil {
		w.Bus.Audit(AuditRecord{Time: w.Now, Account: acct, Source: fields["eventSource"], Name: fields["eventName"],
			ReadOnly: readOnly, Management: management, Record: rec})
	}
	return nil
}

// isManagement reads whether a record is a management event: managementEvent when the record has
// it, else its eventCategory.
func isManagement(rec map[string]any) (bool, error) {
	if v, ok := rec["managementEvent"]; ok {
		b, ok := v.(bool)
		if !ok {
			return false, fmt.Errorf("record: managementEvent: true or false is required, got %v", v)
		}
		return b, nil
	}
	if v, ok := rec["eventCategory"]; ok {
		s, _ := v.(string)
		return s == "Management", nil
	}
	return false, errors.New("record: managementEvent or eventCategory is required: a trail's selectors decide on it")
}
