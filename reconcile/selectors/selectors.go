// Package selectors says what a CloudTrail trail's event selectors do to the management events a
// KMS monitor depends on, and repairs them as little as that needs: KMS events, read and write, let
// in; a user's data-event selectors kept exactly as they were. It is pure: no AWS calls.
package selectors

import (
	"errors"
	"slices"

	"github.com/aws/aws-sdk-go-v2/aws"
	ctypes "github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
)

// KMSSource is KMS's event source, the only source whose exclusion matters here.
const KMSSource = "kms.amazonaws.com"

// Set are a trail's event selectors as GetEventSelectors returned them: basic or
// advanced, never both. Diff reads only their effect on management events (Management);
// a repair edits them in place, so that a trail that also logs S3 or Lambda data events keeps
// logging exactly those.
type Set struct {
	Basic    []ctypes.EventSelector
	Advanced []ctypes.AdvancedEventSelector
}

// Management is the effect of a trail's event selectors, basic or advanced, on management
// events: what must hold for KMS events (read-only Decrypt/Encrypt included) to reach the log group.
type Management struct {
	Included        bool
	ReadWriteType   string   // All, ReadOnly or WriteOnly
	ExcludedSources []string // kms.amazonaws.com when a basic selector excludes it or an advanced one drops it
	Advanced        bool     // the trail uses advanced event selectors
}

// maxBasicSelectors is CloudTrail's limit of basic event selectors per trail:
// https://docs.aws.amazon.com/awscloudtrail/latest/userguide/WhatIsCloudTrail-Limits.html
const maxBasicSelectors = 5

// ErrNoSlot: every one of the trail's five basic selectors logs data events with a
// read/write type other than All, so management events cannot be widened to read+write without
// also widening data events, and no selector is free to add a management-only one.
var ErrNoSlot = errors.New("every one of its 5 event selectors logs data events with a read/write type other than All: " +
	"kmswatch will not widen data events to log management events read+write; free a selector or set one to ReadWriteType All")

// Repair returns sel changed only as much as the monitor needs: KMS management events,
// read and write, reach the trail, and data events are logged exactly as before. PutEventSelectors
// replaces all of a trail's selectors, so the result carries every selector,
// not just the repaired ones. A trail without selectors gets one logging all management events.
func Repair(sel Set) (Set, error) {
	if len(sel.Advanced) > 0 {
		return Set{Advanced: repairAdvanced(sel.Advanced)}, nil
	}
	basic, err := repairBasic(sel.Basic)
	return Set{Basic: basic}, err
}

// repairBasic repairs basic selectors:
//   - kms.amazonaws.com is removed from every selector's ExcludeManagementEventSources (a single
//     entry anywhere drops every KMS event); other exclusions (rdsdata.amazonaws.com) stay, as
//     the monitor does not need them.
//   - If management events are then still not logged read+write by some selector, one selector
//     is made to log them. ReadWriteType applies to a selector's DataResources as well as to its
//     management events, so a selector holding data resources has its ReadWriteType left alone
//     (WriteOnly → All would silently start logging, and billing, every S3 GetObject). In order
//     of preference: a selector without data resources is set to IncludeManagementEvents true,
//     ReadWriteType All; else, within the limit of five, a management-only selector is
//     appended; else a data selector already ReadWriteType All gets IncludeManagementEvents true
//     (its data events are unchanged). Failing all three the trail is not touched.
func repairBasic(in []ctypes.EventSelector) ([]ctypes.EventSelector, error) {
	mgmtAll := ctypes.EventSelector{ReadWriteType: ctypes.ReadWriteTypeAll, IncludeManagementEvents: aws.Bool(true)}
	if len(in) == 0 {
		return []ctypes.EventSelector{mgmtAll}, nil
	}
	out := make([]ctypes.EventSelector, len(in))
	for i, s := range in {
		s.DataResources = slices.Clone(s.DataResources)
		s.ExcludeManagementEventSources = slices.DeleteFunc(slices.Clone(s.ExcludeManagementEventSources),
			func(src string) bool { return src == KMSSource })
		out[i] = s
	}
	if Effect(out, nil).LogsKMS() {
		return out, nil
	}
	pick := -1
	for i, s := range out {
		if len(s.DataResources) > 0 {
			continue
		}
		if pick < 0 || (includesManagement(s) && !includesManagement(out[pick])) {
			pick = i
		}
	}
	switch {
	case pick >= 0:
		out[pick].ReadWriteType = ctypes.ReadWriteTypeAll
		out[pick].IncludeManagementEvents = aws.Bool(true)
	case len(out) < maxBasicSelectors:
		out = append(out, mgmtAll)
	default:
		for i, s := range out {
			if readWriteAll(s.ReadWriteType) {
				out[i].IncludeManagementEvents = aws.Bool(true)
				return out, nil
			}
		}
		return nil, ErrNoSlot
	}
	return out, nil
}

// includesManagement: IncludeManagementEvents defaults to true.
func includesManagement(s ctypes.EventSelector) bool {
	return s.IncludeManagementEvents == nil || *s.IncludeManagementEvents
}

func readWriteAll(t ctypes.ReadWriteType) bool { return t == "" || t == ctypes.ReadWriteTypeAll }

// repairAdvanced repairs advanced selectors: every selector that is not of the Management
// category (data events, network activity) is kept untouched and in place; the Management ones
// are replaced, where the first of them stood, by one selector that logs every management event —
// no readOnly condition, no eventSource condition that can drop KMS. Of the original conditions
// it keeps only eventSource exclusions (NotEquals) of other sources that every management
// selector made, as the basic repair keeps rdsdata.amazonaws.com excluded; any other condition
// (eventName, readOnly, userIdentity.arn, …) could drop a KMS event an alarm matches on. A trail
// with no management selector gets one appended.
func repairAdvanced(in []ctypes.AdvancedEventSelector) []ctypes.AdvancedEventSelector {
	var out []ctypes.AdvancedEventSelector
	var excluded []string // NotEquals sources shared by every management selector
	first := true
	name := "Management events"
	at := -1
	for _, s := range in {
		if !isManagementSelector(s) {
			out = append(out, s)
			continue
		}
		var notEq []string
		for _, f := range s.FieldSelectors {
			if aws.ToString(f.Field) == "eventSource" {
				notEq = append(notEq, f.NotEquals...)
			}
		}
		notEq = slices.DeleteFunc(notEq, func(src string) bool { return src == KMSSource })
		if first {
			excluded, at, first = notEq, len(out), false
			if aws.ToString(s.Name) != "" {
				name = aws.ToString(s.Name)
			}
			continue
		}
		excluded = slices.DeleteFunc(excluded, func(src string) bool { return !slices.Contains(notEq, src) })
	}
	mgmt := ctypes.AdvancedEventSelector{
		Name:           aws.String(name),
		FieldSelectors: []ctypes.AdvancedFieldSelector{{Field: aws.String("eventCategory"), Equals: []string{"Management"}}},
	}
	if len(excluded) > 0 {
		slices.Sort(excluded)
		mgmt.FieldSelectors = append(mgmt.FieldSelectors, ctypes.AdvancedFieldSelector{
			Field: aws.String("eventSource"), NotEquals: slices.Compact(excluded)})
	}
	if at < 0 {
		return append(out, mgmt)
	}
	return slices.Insert(out, at, mgmt)
}

// isManagementSelector: an advanced selector's category is its eventCategory Equals condition.
func isManagementSelector(s ctypes.AdvancedEventSelector) bool {
	for _, f := range s.FieldSelectors {
		if aws.ToString(f.Field) == "eventCategory" {
			return slices.Contains(f.Equals, "Management")
		}
	}
	return false
}

// Management is the selectors' effect on management events.
func (s Set) Management() Management {
	return Effect(s.Basic, s.Advanced)
}

// Effect reduces a trail's selectors to their effect on management events. A management
// event is logged when any selector logs it, so read/write types are united and excluded sources
// intersected. A trail with no selectors logs all management events (AWS's default). Only
// kms.amazonaws.com counts as an excluded source: the monitor does not need the other one
// CloudTrail can exclude (rdsdata.amazonaws.com), and a repair leaves it excluded.
func Effect(basic []ctypes.EventSelector, advanced []ctypes.AdvancedEventSelector) Management {
	type sel struct {
		read, write bool
		excluded    map[string]bool
	}
	var sels []sel
	me := Management{Advanced: len(advanced) > 0}
	if me.Advanced {
		for _, a := range advanced {
			s := sel{read: true, write: true, excluded: map[string]bool{}}
			mgmt := false
			for _, f := range a.FieldSelectors {
				switch aws.ToString(f.Field) {
				case "eventCategory":
					mgmt = slices.Contains(f.Equals, "Management")
				case "readOnly":
					if slices.Contains(f.Equals, "true") {
						s.write = false
					} else if slices.Contains(f.Equals, "false") {
						s.read = false
					}
				case "eventSource":
					if slices.Contains(f.NotEquals, KMSSource) || (len(f.Equals) > 0 && !slices.Contains(f.Equals, KMSSource)) {
						s.excluded[KMSSource] = true
					}
				}
			}
			if mgmt {
				sels = append(sels, s)
			}
		}
	} else if len(basic) == 0 {
		sels = append(sels, sel{read: true, write: true})
	} else {
		for _, b := range basic {
			if b.IncludeManagementEvents != nil && !*b.IncludeManagementEvents {
				continue
			}
			s := sel{read: true, write: true, excluded: map[string]bool{}}
			switch b.ReadWriteType {
			case ctypes.ReadWriteTypeReadOnly:
				s.write = false
			case ctypes.ReadWriteTypeWriteOnly:
				s.read = false
			}
			if slices.Contains(b.ExcludeManagementEventSources, KMSSource) {
				s.excluded[KMSSource] = true
			}
			sels = append(sels, s)
		}
	}
	me.Included = len(sels) > 0
	me.ReadWriteType = "All"
	if !me.Included {
		return me
	}
	var read, write bool
	for _, s := range sels {
		read, write = read || s.read, write || s.write
	}
	switch {
	case read && !write:
		me.ReadWriteType = "ReadOnly"
	case write && !read:
		me.ReadWriteType = "WriteOnly"
	}
	for src := range sels[0].excluded {
		all := true
		for _, s := range sels[1:] {
			all = all && s.excluded[src]
		}
		if all {
			me.ExcludedSources = append(me.ExcludedSources, src)
		}
	}
	slices.Sort(me.ExcludedSources)
	return me
}

// LogsKMS reports whether selectors with this effect deliver KMS management events, reads included.
func (me Management) LogsKMS() bool {
	return me.Included && me.ReadWriteType == "All" && !slices.Contains(me.ExcludedSources, KMSSource)
}

// WhyNoKMS says, for selectors that drop KMS events, how.
func (me Management) WhyNoKMS() string {
	switch {
	case !me.Included:
		return "management events excluded"
	case slices.Contains(me.ExcludedSources, KMSSource):
		return "kms.amazonaws.com excluded"
	default:
		return "read/write type " + me.ReadWriteType
	}
}
